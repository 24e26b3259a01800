"""Transcripts, search and bookmarks in the window: their docks, their commands and their
preferences, wired here so that the main window only creates this once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from ..app.bookmarks import Bookmarks
from ..app.transcription import TranscriptionService
from .bookmarks_panel import BookmarksPanel
from .search_panel import SearchPanel
from .transcript_panel import TranscriptPanel
from .transcription_prefs import TranscriptionChoice

if TYPE_CHECKING:
    from .main_window import MainWindow


class TranscriptDocks:
    def __init__(self, window: MainWindow) -> None:
        self.window, session = window, window.session
        self.service = TranscriptionService(window)
        self.bookmarks = Bookmarks(window.preferences, window)
        self.panel = TranscriptPanel(session, self.service, window)
        self.search = SearchPanel(session, self.service, window.waveform, window)
        self.bookmark_list = BookmarksPanel(session, self.bookmarks, window.waveform, window)
        self.transcript_dock = self._dock("Transcript", self.panel)
        self.search_dock = self._dock("Search", self.search)
        self.bookmarks_dock = self._dock("Bookmarks", self.bookmark_list)
        window.tabifyDockWidget(self.search_dock, self.bookmarks_dock)
        self.transcript_dock.raise_()
        session.opened.connect(self._on_session_opened)
        self.apply(self.choice())

    def _dock(self, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"{title.lower()}-dock")
        dock.setWidget(widget)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _on_session_opened(self) -> None:
        document = self.window.session.document
        self.service.set_document(document)
        if document is not None:
            self.bookmarks.load(document.path)

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
        self.transcript_dock.show()
        self.transcript_dock.raise_()
        self.service.transcribe()

    # --- preferences ------------------------------------------------------------------------
    def choice(self) -> TranscriptionChoice:
        p = self.window.preferences
        return TranscriptionChoice(
            p.get("speech_model"), p.get("speech_model_download"), p.get("speech_language")
        )

    def apply(self, choice: TranscriptionChoice | None) -> None:
        if choice is None:
            return
        p = self.window.preferences
        p.set("speech_model", choice.model)
        p.set("speech_model_download", choice.allow_download)
        p.set("speech_language", choice.language)
        self.service.set_model(choice.model, choice.allow_download, choice.language or None)
        self.panel.refresh()
