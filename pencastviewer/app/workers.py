"""Running long work off the GUI thread: a QRunnable whose result or error comes back
as a queued signal in the thread that started it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class Job(QRunnable):
    """Runs `work()` in the global thread pool. Connect to `relay.succeeded` /
    `relay.failed` (which receive the result / the exception) before `start()`."""

    def __init__(self, work: Callable[[], Any]):
        super().__init__()
        self._work = work
        self.relay = _Relay()
        self.setAutoDelete(False)  # the relay must outlive run() until the signal lands

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as e:  # delivered to the GUI thread, which decides what to show
            self.relay.failed.emit(e)
        else:
            self.relay.succeeded.emit(result)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self)
