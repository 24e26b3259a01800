"""The Transcript panel: the current recording's transcript (see transcript_view), with
Transcribe / Cancel, progress and time left while the model works in the background."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..app.session import Session
from ..app.transcription import TranscriptionService
from ..model.units import format_hms
from ..transcript.document import Transcript
from .transcript_view import TranscriptText

NO_MODEL = "Choose a speech model in Preferences ▸ Transcription to transcribe recordings."


class TranscriptPanel(QWidget):
    def __init__(
        self, session: Session, service: TranscriptionService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.service = session, service
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.transcribe_button = QPushButton("Transcribe")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.text = TranscriptText(self)
        self.said = QLabel("")  # the words said while the selected ink was written
        self.said.setWordWrap(True)
        self.said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("Copy text")
        self.said_text = ""
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(self.said_text))
        said_row = QHBoxLayout()
        said_row.addWidget(self.said, 1)
        said_row.addWidget(self.copy_button)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.transcribe_button)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.text, 1)
        layout.addLayout(said_row)
        self.transcribe_button.clicked.connect(service.transcribe)
        self.cancel_button.clicked.connect(service.cancel)
        service.transcript_ready.connect(self._on_service_transcript_ready)
        service.progressed.connect(self._on_service_progressed)
        service.downloading.connect(self._on_service_downloading)
        service.finished.connect(self.refresh)
        service.started.connect(self.refresh)
        service.failed.connect(self._on_service_failed)
        session.recording_changed.connect(lambda _r: self.refresh())
        session.opened.connect(self.refresh)
        session.playback.playhead_moved.connect(self.text.highlight_at)
        session.selection_changed.connect(self._on_session_selection_changed)
        self.text.word_clicked.connect(self._on_text_word_clicked)
        self.text.paragraph_hovered.connect(self._on_text_paragraph_hovered)
        self._on_session_selection_changed(None)
        self.refresh()

    def refresh(self) -> None:
        s, service = self.session, self.service
        transcript = service.transcripts.get(s.recording)
        running = service.running
        self.cancel_button.setVisible(running)
        self.progress.setVisible(running)
        self.transcribe_button.setEnabled(s.document is not None and not running and bool(service.model_spec))
        if s.document is None or s.recording < 0:
            self.status.setText("No recording.")
        elif transcript is not None:  # made here, or carried by the file without a model chosen
            self.status.setText(f"{transcript.language or '?'} · {transcript.model.rsplit('/', 1)[-1]}")
        elif not service.model_spec:
            self.status.setText(NO_MODEL)
        else:
            self.status.setText("Transcribing…" if running else "Not transcribed yet.")
        placeholder = "" if transcript else "Transcribe the recordings to read and search what was said."
        if transcript is not self._shown():
            self.text.show_transcript(transcript, placeholder)
            self._shown_transcript = transcript
            self.text.highlight_at(s.playback.position_s())

    def _shown(self) -> object:
        return getattr(self, "_shown_transcript", False)

    def _on_service_transcript_ready(self, recording: int) -> None:
        if recording == self.session.recording:
            self.refresh()

    def _on_service_progressed(self, recording: int, fraction: float, left_s: float) -> None:
        self.progress.setValue(round(fraction * 1000))
        left = f", {format_hms(left_s)} left" if left_s >= 0 else ""
        self.status.setText(f"Transcribing recording {recording + 1}: {fraction:.0%}{left}")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)

    def _on_service_downloading(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 1000))
        self.status.setText(f"Downloading the speech model: {fraction:.0%}")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)

    def _on_service_failed(self, text: str) -> None:
        self.refresh()
        self.status.setText(text)

    def _on_session_selection_changed(self, span: tuple[float, float] | None) -> None:
        transcript = self.service.transcripts.get(self.session.recording)
        self.said_text = "" if span is None or transcript is None else words_between(transcript, *span)
        when = "" if span is None else f"{format_hms(span[0])}–{format_hms(span[1])}"
        self.said.setText(f"Said {when}: {self.said_text}" if self.said_text else "")
        self.said.setVisible(bool(self.said_text))
        self.copy_button.setVisible(bool(self.said_text))

    def _on_text_word_clicked(self, k: int) -> None:
        s = self.session
        start_s = float(self.text.word_starts_s[k])
        s.play_at(s.recording, max(start_s - s.preroll_s, 0.0))

    def _on_text_paragraph_hovered(self, start_s: float, end_s: float) -> None:
        self.text.set_hover_text(ink_written_between(self.session, start_s, end_s))


def words_between(transcript: Transcript, start_s: float, end_s: float) -> str:
    """The words heard (at least partly) between start_s and end_s, as one text."""
    words = [w.word for w in transcript.words() if w.start_s < end_s and w.end_s > start_s]
    return "".join(words).strip()


def ink_written_between(session: Session, start_s: float, end_s: float) -> str:
    """'Written meanwhile: page 2 (5 strokes)…' for a span of the current recording."""
    doc, order, r = session.document, session.writing_order(), session.recording
    if doc is None or order is None or r < 0:
        return ""
    t0, t1 = (session.ink_time_ms(r, t) for t in (start_s, end_s))
    inside = (order.start_ms >= t0) & (order.start_ms <= t1) & (order.recording == r)
    pages: dict[int, int] = {}
    for page in order.page[inside]:
        pages[int(page)] = pages.get(int(page), 0) + 1
    if not pages:
        return f"{format_hms(start_s)}–{format_hms(end_s)}: no ink written meanwhile"
    parts = [f"page {p + 1} ({n} stroke{'s' * (n != 1)})" for p, n in sorted(pages.items())]
    return f"{format_hms(start_s)}–{format_hms(end_s)}, written meanwhile: " + ", ".join(parts)
