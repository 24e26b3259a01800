"""The window ends on SIGTERM, SIGHUP and Ctrl+C as it ends when closed, and quitting is
quiet and prompt: work in worker threads (exports, waveform peaks) is asked to stop and
waited for a moment, and an export's part files are removed at once, so a terminated
window leaves no hidden `.part` file and never replaces an export's target (QtCore only).

Python runs a signal handler only when the main thread next runs Python code, which a Qt
event loop waiting for events does not: the C-level handler writes to a wake-up socket
that a QSocketNotifier watches, and the notifier's slot is that Python code."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QThreadPool, QTimer

from .export.atomic import remove_all_parts
from .export.task import ExportTask

TERMINATING = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)
WAIT_MS = 3000  # how long quitting waits for workers asked to stop (each stops within a block)


def stop_workers(wait_ms: int = WAIT_MS) -> bool:
    """Cancel the running exports and wait up to `wait_ms` for the thread pool's workers
    (whoever started other jobs cancels them on aboutToQuit too). True when all ended."""
    for task in ExportTask.running_tasks():
        task.cancel()
    return QThreadPool.globalInstance().waitForDone(wait_ms)


class Termination(QObject):
    """Installed once, in the main thread, by whoever runs the application's event loop,
    after the objects that cancel their own jobs on aboutToQuit were made. On the first
    terminating signal: every export's part is removed, `close()` closes the windows (so
    they keep their state, as when the user closes them) and the loop ends with status
    128 + the signal; a second such signal ends the process the default way. On any quit,
    the workers are stopped and waited for (`stop_workers`)."""

    def __init__(self, app: QCoreApplication, close: Callable[[], object] | None = None) -> None:
        super().__init__(app)
        self._app, self._close = app, close
        self.signum: int | None = None
        self._receiver, self._sender = socket.socketpair()
        for end in (self._receiver, self._sender):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._sender.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._receiver.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        for signum in TERMINATING:
            signal.signal(signum, self._on_signal)
        app.aboutToQuit.connect(self._on_about_to_quit)

    def _drain(self) -> None:
        """Runs Python code in the main thread, so that the pending handler runs (first)."""
        with contextlib.suppress(OSError):
            self._receiver.recv(4096)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        remove_all_parts()  # first: nothing below may be needed for the parts to go
        if self.signum is not None:
            return
        self.signum = signum
        for other in TERMINATING:
            signal.signal(other, signal.SIG_DFL)  # a second signal is not asked twice
        for task in ExportTask.running_tasks():
            task.cancel()
        # The rest from the event loop: a handler may interrupt any Python code, and a
        # signal that came before the loop started must still end it.
        QTimer.singleShot(0, self, lambda: self._end(128 + signum))

    def _end(self, status: int) -> None:
        if self._close is not None:
            self._close()
        self._app.exit(status)

    def _on_about_to_quit(self) -> None:
        stop_workers()
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
