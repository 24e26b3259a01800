"""An Export run off the GUI thread: progress, cancel and the typed result as signals."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QObject, Signal

from ..workers import Job
from .run import Export, ExportResult


class ExportTask(QObject):
    """Runs `export` in the thread pool. Signals arrive in the thread that made the task:
    progressed(fraction 0..1), then succeeded(ExportResult) or failed(exception: an
    ExportError, ExportCancelled when cancelled, or another Exception for a bug), then
    finished(). A task keeps itself alive until finished, so whoever started it (a dialog
    being closed) may cancel it and go away at once: the worker still removes its
    temporary file."""

    progressed = Signal(float)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    _running: ClassVar[set[ExportTask]] = set()

    def __init__(self, export: Export, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.export = export
        self.result: ExportResult | None = None
        self.error: BaseException | None = None
        self._job: Job | None = None  # kept after it ends: Qt may still be leaving its run()

    @property
    def running(self) -> bool:
        return self in ExportTask._running

    def start(self) -> None:
        if self.running:
            return
        self._job = Job(lambda: self.export.run(self.progressed.emit))
        self._job.relay.succeeded.connect(self._on_job_succeeded)
        self._job.relay.failed.connect(self._on_job_failed)
        ExportTask._running.add(self)
        self._job.start()

    def cancel(self) -> None:
        self.export.cancel()

    def _on_job_succeeded(self, result: ExportResult) -> None:
        self.result = result
        ExportTask._running.discard(self)
        self.succeeded.emit(result)
        self.finished.emit()

    def _on_job_failed(self, error: BaseException) -> None:
        self.error = error
        ExportTask._running.discard(self)
        self.failed.emit(error)
        self.finished.emit()

    @classmethod
    def running_tasks(cls) -> frozenset[ExportTask]:
        """Tasks started and not yet finished (e.g. to wait for before quitting)."""
        return frozenset(cls._running)
