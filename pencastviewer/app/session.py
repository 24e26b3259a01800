"""The session: the one owner of the opened notebook, the current page and recording,
and the playhead. Views follow its signals and never talk to each other."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ..formats import FormatError, ReadOptions
from ..model import Hit
from .audio_files import playable_sequence
from .document import OpenedNotebook, open_notebook
from .workers import Job

PLAYHEAD_INTERVAL_MS = 16  # one repaint per frame at 60 Hz while playing


class Session(QObject):
    """Lives in the GUI thread. `output` is an audio backend from pencastviewer.audio
    (load_sequence/play/pause/seek/position_s and state_changed/error_occurred signals)."""

    opening = Signal(str)  # path
    opened = Signal()
    open_failed = Signal(str, str)  # path, one-line message
    page_changed = Signal(int)
    recording_changed = Signal(int)  # -1 = none
    playhead_moved = Signal(float)  # seconds within the current recording
    playback_state_changed = Signal(str)  # playing / paused / stopped
    selection_changed = Signal(object)  # (start_s, end_s) in the current recording, or None
    message = Signal(str)

    def __init__(self, output: QObject, parent: QObject | None = None):
        super().__init__(parent)
        self.output = output
        self.document: OpenedNotebook | None = None
        self.page = 0
        self.recording = -1
        self.preroll_s = 1.5
        self.selection: tuple[float, float] | None = None
        self._jobs: set[Job] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(PLAYHEAD_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        output.state_changed.connect(self._on_output_state_changed)
        output.error_occurred.connect(self.message)

    # --- opening -------------------------------------------------------------------
    def open_file(self, path: str | Path, options: ReadOptions | None = None) -> Job:
        """Read in the background; the current notebook stays until the new one is ready,
        so a failed open leaves everything as it was."""
        job = Job(lambda: open_notebook(path, options))
        self._jobs.add(job)
        job.relay.succeeded.connect(lambda doc: self._on_open_succeeded(job, doc))
        job.relay.failed.connect(lambda err: self._on_open_failed(job, str(path), err))
        self.opening.emit(str(path))
        job.start()
        return job

    def set_document(self, document: OpenedNotebook) -> None:
        self.output.stop()
        self.document = document
        self.page = 0
        self.recording = -1
        self.opened.emit()
        self.page_changed.emit(0)
        if document.notebook.recordings:
            self.select_recording(0)
        else:
            self.recording_changed.emit(-1)

    def _on_open_succeeded(self, job: Job, document: OpenedNotebook) -> None:
        self._jobs.discard(job)
        self.set_document(document)

    def _on_open_failed(self, job: Job, path: str, error: BaseException) -> None:
        self._jobs.discard(job)
        text = str(error) if isinstance(error, FormatError) else f"{path}: {type(error).__name__}: {error}"
        self.open_failed.emit(path, text)

    # --- navigation ----------------------------------------------------------------
    @property
    def n_pages(self) -> int:
        return len(self.document.notebook.pages) if self.document else 0

    def set_page(self, page: int) -> None:
        if self.document and 0 <= page < self.n_pages and page != self.page:
            self.page = page
            self.page_changed.emit(page)

    def select_recording(self, index: int) -> bool:
        """Make `index` the current recording; False (with a message) when its audio
        cannot be reached."""
        if self.document is None or not 0 <= index < len(self.document.notebook.recordings):
            return False
        recording = self.document.notebook.recordings[index]
        try:
            sequence = playable_sequence(recording)
        except (FormatError, OSError) as e:
            self.message.emit(f"recording “{recording.name}” cannot be played: {e}")
            return False
        self.output.load_sequence(sequence)
        self.recording = index
        self.set_selection(None)
        self.recording_changed.emit(index)
        return True

    # --- playback ------------------------------------------------------------------
    def play_at(self, recording: int, position_s: float) -> None:
        if recording != self.recording and not self.select_recording(recording):
            return
        self.output.seek(max(position_s, 0.0))
        self.output.play()
        self.playhead_moved.emit(self.output.position_s())

    def toggle_play(self) -> None:
        if self.recording < 0:
            return
        if self.output.state() == "playing":
            self.output.pause()
        else:
            self.output.play()

    def seek(self, position_s: float) -> None:
        if self.recording >= 0:
            self.output.seek(max(position_s, 0.0))
            self.playhead_moved.emit(self.output.position_s())

    def set_selection(self, span: tuple[float, float] | None) -> None:
        """The selected region of the current recording (seconds), e.g. for clip export."""
        if span is not None:
            start, end = sorted(span)
            span = (max(start, 0.0), end)
        if span != self.selection:
            self.selection = span
            self.selection_changed.emit(span)

    def writing_positions_s(self) -> list[tuple[float, float]]:
        """(start, end) in the current recording of every stroke it covers: where the
        waveform marks that writing happened."""
        doc = self.document
        if doc is None or self.recording < 0:
            return []
        tl, r = doc.timeline, self.recording
        return [
            (tl.position_s(r, s.start_ms), tl.position_s(r, s.end_ms))
            for page in doc.notebook.pages
            for s in page.strokes
            if s.recording == r
        ]

    def tap(self, page: int, x_mm: float, y_mm: float, radius_mm: float = 3.0) -> Hit | None:
        """A tap on the page: play what was said when the tapped point was written, from
        `preroll_s` before it. Returns the hit (None on empty paper: nothing happens)."""
        if self.document is None:
            return None
        hit = self.document.hit_index(page).hit(x_mm, y_mm, radius_mm)
        if hit is not None and hit.recording is not None:
            position = self.document.timeline.position_s(hit.recording, hit.t_ms)
            self.play_at(hit.recording, position - self.preroll_s)
        return hit

    def position_s(self) -> float:
        return self.output.position_s() if self.recording >= 0 else 0.0

    def _on_output_state_changed(self, state: str) -> None:
        if state == "playing":
            self._timer.start()
        else:
            self._timer.stop()
            self.playhead_moved.emit(self.output.position_s())
        self.playback_state_changed.emit(state)

    def _on_timer_timeout(self) -> None:
        self.playhead_moved.emit(self.output.position_s())
