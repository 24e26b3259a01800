"""Running long work off the GUI thread: a QRunnable whose result or error comes back
as a queued signal in the thread that started it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class Job(QRunnable):
    """Runs `work()` in the global thread pool. Connect to `relay.succeeded` /
    `relay.failed` (which receive the result / the exception) before `start()`."""

    def __init__(self, work: Callable[[], Any]):
        super().__init__()
        self._work: Callable[[], Any] | None = work
        self.relay = _Relay()
        self.setAutoDelete(False)  # the relay must outlive run() until the signal lands

    def run(self) -> None:
        # PySide's thread pool keeps every job it started that does not delete itself: let
        # the job keep nothing of its work (an open's, a peaks job's, an export's document).
        work, self._work = self._work, None
        if work is None:
            return
        try:
            result = work()
        except Exception as e:  # delivered to the GUI thread, which decides what to show
            self._report(self.relay.failed, e)
        else:
            self._report(self.relay.succeeded, result)

    @staticmethod
    def _report(signal: SignalInstance, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the relay is gone: the program is quitting
            signal.emit(value)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self)


class LatestOnly:
    """Starts jobs whose outcome only counts while no later one has been started (a second
    open before the first has finished: the first one's result is dropped)."""

    def __init__(self) -> None:
        self._generation = 0
        self._running: set[Job] = set()  # kept alive until they report

    def start(
        self, work: Callable[[], Any], succeeded: Callable[[Any], None], failed: Callable[[Exception], None]
    ) -> Job:
        self._generation += 1
        generation, job = self._generation, Job(work)
        self._running.add(job)

        def report(handler: Callable[[Any], None], value: Any) -> None:
            self._running.discard(job)
            if generation == self._generation:
                handler(value)

        job.relay.succeeded.connect(lambda result: report(succeeded, result))
        job.relay.failed.connect(lambda error: report(failed, error))
        job.start()
        return job
