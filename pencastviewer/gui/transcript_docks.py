"""Transcripts, search and bookmarks in the window: their docks, their commands and their
preferences, wired here so that the main window only creates this once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from ..app.bookmarks import Bookmarks
from ..app.preferences import Preferences
from ..app.session import Session
from ..app.transcription import TranscriptionService
from .bookmarks_panel import BookmarksPanel
from .page_marks import PageMarks
from .search_panel import SearchPanel
from .transcript_panel import TranscriptPanel
from .transcription_prefs import TranscriptionChoice
from .waveform import WaveformView


class TranscriptDocks:
    def __init__(
        self, window: QMainWindow, session: Session, preferences: Preferences, waveform: WaveformView
    ) -> None:
        self.window, self.session, self.preferences = window, session, preferences
        self.service = TranscriptionService(window)
        self.bookmarks = Bookmarks(preferences, window)
        self.panel = TranscriptPanel(session, self.service, window)
        self.search = SearchPanel(session, self.service, waveform, window)
        self.bookmark_list = BookmarksPanel(session, self.bookmarks, waveform, window)
        self.transcript_dock = self._dock("Transcript", self.panel)
        self.search_dock = self._dock("Search", self.search)
        self.bookmarks_dock = self._dock("Bookmarks", self.bookmark_list)
        window.tabifyDockWidget(self.search_dock, self.bookmarks_dock)
        for dock in (self.transcript_dock, self.search_dock, self.bookmarks_dock):
            dock.hide()  # shown by their commands (Transcribe, Ctrl+F, B): the page keeps its room
        session.opened.connect(self._on_session_opened)
        session.strokes_selected.connect(self._on_session_strokes_selected)
        self.apply(self.choice())

    def _dock(self, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"{title.lower()}-dock")
        dock.setWidget(widget)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _on_session_opened(self) -> None:
        document = self.session.document
        self.service.set_document(document)
        if document is not None:
            self.bookmarks.load(document.path, list(document.notebook.bookmarks))

    def _on_session_strokes_selected(self, selected: object) -> None:
        """Selected ink shows the words said while it was written (when transcribed)."""
        if selected is not None and self.panel.said_text:
            self.show_transcript()

    def show_marks_on(self, marks: PageMarks) -> None:
        """The search's hits appear as markers on the page (the canvas's PageMarks)."""
        self.search.page_marks_changed.connect(marks.set_marks)

    # --- commands ---------------------------------------------------------------------------
    def find(self) -> None:
        self.search_dock.show()
        self.search_dock.raise_()
        self.search.focus()

    def add_bookmark(self) -> None:
        if self.bookmark_list.add_at_playhead() is not None:
            self.bookmarks_dock.show()
            self.bookmarks_dock.raise_()

    def transcribe(self) -> None:
        self.show_transcript()
        self.service.transcribe()

    def show_transcript(self) -> None:
        self.transcript_dock.show()
        self.transcript_dock.raise_()

    # --- preferences ------------------------------------------------------------------------
    def choice(self) -> TranscriptionChoice:
        p = self.preferences
        return TranscriptionChoice(
            p.get("speech_model"), p.get("speech_model_download"), p.get("speech_language")
        )

    def apply(self, choice: TranscriptionChoice | None) -> None:
        if choice is None:
            return
        p = self.preferences
        p.set("speech_model", choice.model)
        p.set("speech_model_download", choice.allow_download)
        p.set("speech_language", choice.language)
        self.service.set_model(choice.model, choice.allow_download, choice.language or None)
        self.panel.refresh()
