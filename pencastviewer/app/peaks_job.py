"""The peak pyramid of a recording, loaded from the user's cache or built in a worker thread
with progress and cancel."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..media.peaks import (
    PeakPyramid,
    PeaksCancelled,
    PeakSource,
    Progress,
    build_pyramid,
    cache_key,
)
from ..media.source import AudioError
from .peaks_cache import load_cached, peaks_cache_dir
from .workers import Job

__all__ = ["PeaksJob", "load_cached", "peaks_cache_dir"]

PROGRESS_STEP = 0.01  # emit progress at most once per 1 %


def load_or_build(
    files: Sequence[PeakSource], directory: Path, progress: Progress | None = None
) -> PeakPyramid:
    """The pyramid of `files` played back-to-back: from `directory` when cached there under
    their content key, else built (and saved; a cache that cannot be written is skipped)."""
    cached = load_cached(files, directory)
    if cached is not None:
        return cached
    key = cache_key(files)
    path = directory / f"{key}.peaks"
    pyramid = build_pyramid(files, progress)
    with contextlib.suppress(OSError):  # a read-only or full cache only costs a rebuild next time
        pyramid.save(path, key)
    return pyramid


class PeaksJob(QObject):
    """One recording's pyramid, made off the GUI thread. Signals arrive in the thread that
    created the job: progressed(fraction 0..1), finished(PeakPyramid), failed(one-line
    message), cancelled(). Exactly one of the last three is emitted per start()."""

    progressed = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        files: Sequence[tuple[str, float]],
        directory: Path | None = None,
        parent: QObject | None = None,
        prepare: Callable[[PeakPyramid], None] | None = None,
    ):
        """prepare(pyramid): more work for the worker once the pyramid is there."""
        super().__init__(parent)
        self.files = [(str(path), float(seconds)) for path, seconds in files]
        self._prepare = prepare
        self.directory = directory or peaks_cache_dir()
        self._cancel = threading.Event()
        self._last_progress = -1.0
        self._job = Job(self._work)
        self._job.relay.succeeded.connect(self.finished)
        self._job.relay.failed.connect(self._on_job_failed)

    def start(self) -> None:
        self._job.start()

    def cancel(self) -> None:
        """Ask the worker to stop at its next block; `cancelled` follows."""
        self._cancel.set()

    def _work(self) -> PeakPyramid:
        pyramid = load_or_build(self.files, self.directory, self._on_progress)
        prepare, self._prepare = self._prepare, None
        if prepare is not None and not self._cancel.is_set():
            prepare(pyramid)
        if self._cancel.is_set():  # cancelled after the last block: still honour it
            raise PeaksCancelled()
        return pyramid

    def _on_progress(self, fraction: float) -> bool:
        """Worker thread. Returns True (stop) once cancel() was called."""
        if fraction - self._last_progress >= PROGRESS_STEP or fraction >= 1.0:
            self._last_progress = fraction
            self.progressed.emit(fraction)
        return self._cancel.is_set()

    def _on_job_failed(self, error: BaseException) -> None:
        if isinstance(error, PeaksCancelled):
            self.cancelled.emit()
        elif isinstance(error, (AudioError, OSError, ValueError)):
            self.failed.emit(str(error))
        else:
            self.failed.emit(f"{type(error).__name__}: {error}")
