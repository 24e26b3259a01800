"""The current recording's peak pyramid as an app job: started whenever the session's
recording changes, cancelled when it changes again or the program quits. The waveform
view only shows what this reports (QtCore only).

A pyramid the notebook's reading worker found in the cache (document.prepare_for_window)
is reported at once, with no job: the waveform is then shown with the first page. A job
also makes the recording's writing marks and its normalisation gains in its worker.

A job for a notebook just opened waits, when a view asked for that (`wait_for_page`),
until page_shown() says its first page is painted (at most PAGE_WAIT_MS): decoding holds
Python's lock often enough to delay that paint by a good part of a second."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from ..formats import FormatError
from ..media.peaks import PeakPyramid
from .audio_files import playable_sequence
from .document import OpenedNotebook
from .listening import prepare_gains
from .peaks_job import PeaksJob
from .session import Session

PAGE_WAIT_MS = 1000  # a window that is not painted (minimised, hidden) still gets its waveform


class RecordingPeaks(QObject):
    """Follows `session`. Signals, in the GUI thread: cleared() when there is no recording
    to show (none, or its audio cannot be reached: the session says why), started(duration
    in s) when a pyramid is being made, progressed(fraction 0..1), then finished(PeakPyramid)
    or failed(one-line message). `pyramid` is the current recording's once made."""

    cleared = Signal()
    started = Signal(float)
    progressed = Signal(float)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.job: PeaksJob | None = None
        self.pyramid: PeakPyramid | None = None
        self.duration_s = 0.0
        self.wait_for_page = False  # set by a window that calls page_shown() once a page is painted
        self._shown: weakref.ref[OpenedNotebook] | None = None  # the notebook whose page was shown last
        self._held: PeaksJob | None = None  # the job waiting for the page to be shown
        session.recording_changed.connect(self._on_session_recording_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel)  # do not hold the exit up for a long build
        self._on_session_recording_changed(session.recording)

    @property
    def running(self) -> bool:
        return self.job is not None

    def cancel(self) -> None:
        if self._held is not None:  # never started: it emits nothing, so it is let go of here
            self._held.deleteLater()
            self._held = None
        elif self.job is not None:
            self.job.cancel()
        self.job = None

    def page_shown(self) -> None:
        """A page of the current notebook is painted: a job held for that starts."""
        doc = self.session.document
        self._shown = weakref.ref(doc) if doc is not None else None
        self._start_held(self._held)

    def _start_held(self, job: PeaksJob | None) -> None:
        if job is not None and job is self._held:
            self._held = None
            job.start()

    def _on_session_recording_changed(self, index: int) -> None:
        self.cancel()
        self.pyramid = None
        doc = self.session.document
        if doc is None or index < 0:
            self.duration_s = 0.0
            self.cleared.emit()
            return
        recording = doc.notebook.recordings[index]
        try:
            files = playable_sequence(recording)
        except (FormatError, OSError):
            self.cleared.emit()  # the session has already said why the recording cannot be played
            return
        self.duration_s = recording.duration_s
        read_with_it = doc.peaks.pop(index, None)
        if read_with_it is not None:  # (set first: whoever hears `started` finds the loudness)
            self.pyramid = read_with_it
            self.started.emit(self.duration_s)
            self.finished.emit(read_with_it)
            return
        self.job = job = PeaksJob(files, parent=self, prepare=_preparation(doc, self.session, index))
        job.progressed.connect(lambda fraction: self._on_job_progressed(job, fraction))
        job.finished.connect(lambda pyramid: self._on_job_finished(job, pyramid))
        job.failed.connect(lambda text: self._on_job_failed(job, text))
        for ended in (job.finished, job.failed, job.cancelled):
            ended.connect(job.deleteLater)  # (it holds the document until then)
        self.started.emit(self.duration_s)
        if self.wait_for_page and (self._shown is None or self._shown() is not doc):
            self._held = job
            QTimer.singleShot(PAGE_WAIT_MS, job, lambda: self._start_held(job))  # (not once the job is gone)
        else:
            job.start()

    def _on_job_progressed(self, job: PeaksJob, fraction: float) -> None:
        if job is self.job:
            self.progressed.emit(fraction)

    def _on_job_finished(self, job: PeaksJob, pyramid: PeakPyramid) -> None:
        if job is self.job:  # (not a recording since replaced)
            self.job, self.pyramid = None, pyramid
            self.finished.emit(pyramid)

    def _on_job_failed(self, job: PeaksJob, text: str) -> None:
        if job is self.job:
            self.job = None
            self.failed.emit(text)


def _preparation(doc: OpenedNotebook, session: Session, index: int) -> Callable[[PeakPyramid], None]:
    """What the job makes in its worker once it has the pyramid: the writing marks with
    the sync offset of now, and the normalisation gains of the loudness."""
    timeline = session.heard_timeline()

    def prepare(pyramid: PeakPyramid) -> None:
        doc.writing_marks(timeline, index)
        if pyramid.loudness is not None:
            prepare_gains(pyramid.loudness)

    return prepare
