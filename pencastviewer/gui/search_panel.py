"""Search (Ctrl+F): one box for spoken words (transcripts) and typed text; a list of hits
with time, page and snippet; Enter / F3 step through them, each played with the pre-roll
on its page; the current recording's hits are marked on the waveforms, and every hit as a
marker on its page (page_marks_changed, for the canvas's PageMarks)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..app.session import Session
from ..app.transcription import TranscriptionService
from ..app.transcripts import SearchHit
from ..model.units import format_hms
from .waveform import WaveformView
from .waveform_pins import WaveformPins

SNIPPET_CHARS = 90
HIT_COLOR = QColor(230, 140, 0)


def hit_label(hit: SearchHit) -> str:
    when = "typed" if hit.time_s is None or hit.recording is None else format_hms(hit.time_s)
    if hit.recording is not None and hit.time_s is not None:
        when = f"{hit.recording + 1}: {when}"
    page = "" if hit.page is None else f"  p.{hit.page + 1}"
    text = hit.text if len(hit.text) <= SNIPPET_CHARS else hit.text[: SNIPPET_CHARS - 1] + "…"
    return f"{when}{page}  {text}"


def page_marks(hits: list[SearchHit]) -> dict[int, list[tuple[float, float]]]:
    """Where the hits are, per page: the pen when a word was said, a typed text box."""
    marks: dict[int, list[tuple[float, float]]] = {}
    for hit in hits:
        if hit.page is not None and hit.at_mm is not None:
            marks.setdefault(hit.page, []).append(hit.at_mm)
    return marks


class SearchPanel(QWidget):
    page_marks_changed = Signal(object, object)  # {page: [(x_mm, y_mm)]}, (page, (x, y)) of the current hit

    def __init__(
        self,
        session: Session,
        service: TranscriptionService,
        waveform: WaveformView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.service = session, service
        self.box = QLineEdit()
        self.box.setPlaceholderText('Find words said or typed ("quoted phrase" for whole words)')
        self.box.setClearButtonEnabled(True)
        self.summary = QLabel("")
        self.results = QListWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget in (self.box, self.summary, self.results):
            layout.addWidget(widget)
        self.hits: list[SearchHit] = []
        self._query = ""
        self.pins = WaveformPins(waveform, HIT_COLOR) if waveform is not None else None
        self.box.returnPressed.connect(self.step_or_search)
        self.box.textChanged.connect(lambda _t: self.run_search())
        self.results.itemActivated.connect(lambda item: self.go_to(self.results.row(item)))
        self.results.itemClicked.connect(lambda item: self.go_to(self.results.row(item)))
        service.transcript_ready.connect(lambda _r: self.run_search())
        session.recording_changed.connect(lambda _r: self._mark())
        session.opened.connect(self.run_search)

    def focus(self) -> None:
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def run_search(self) -> None:
        query = self.box.text().strip()
        self._query = query
        self.hits = self.service.search(query, dict(self.session.sync_offsets_ms)) if query else []
        self.results.clear()
        for hit in self.hits:
            QListWidgetItem(hit_label(hit), self.results)
        if not query:
            self.summary.setText("")
        elif not self.service.transcripts and self.session.document is not None:
            self.summary.setText(
                f"{len(self.hits)} in typed text — transcribe the recordings to search speech"
            )
        else:
            self.summary.setText(f"{len(self.hits)} found" if self.hits else "Not found")
        self._mark()

    def _mark(self) -> None:
        row = self.results.currentRow()
        hit = self.hits[row] if 0 <= row < len(self.hits) else None
        current = (hit.page, hit.at_mm) if hit and hit.page is not None and hit.at_mm else None
        self.page_marks_changed.emit(page_marks(self.hits), current)
        if self.pins is not None:
            r = self.session.recording
            self.pins.set_positions(
                [h.time_s for h in self.hits if h.recording == r and h.time_s is not None]
            )

    def step_or_search(self) -> None:
        if self.box.text().strip() != self._query:
            self.run_search()
        self.step(1)

    def step(self, direction: int) -> None:
        if not self.hits:
            return
        row = self.results.currentRow()
        row = 0 if row < 0 and direction > 0 else (row + direction) % len(self.hits)
        self.go_to(row)

    def go_to(self, row: int) -> None:
        if not 0 <= row < len(self.hits):
            return
        self.results.setCurrentRow(row)
        self._mark()
        hit, s = self.hits[row], self.session
        if hit.recording is not None and hit.time_s is not None:
            s.play_at(hit.recording, max(hit.time_s - s.preroll_s, 0.0))
        if hit.page is not None:
            s.set_page(hit.page)
