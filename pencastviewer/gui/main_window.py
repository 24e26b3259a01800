"""The main window: the composition root that wires the session to its views.

Views (canvas, waveform, thumbnails, recordings, transport) follow the session and never
talk to each other; the window makes the actions from the shortcuts table, builds the
menus, and keeps the preferences and each file's memory (files.py) up to date.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from ..app.open_document import OpenDocument
from ..app.preferences import Preferences
from ..app.recording_peaks import RecordingPeaks
from ..app.session import Session
from ..audio.state_machine import PlaybackState
from ..model.units import format_hms
from .about_dialog import AboutDialog
from .commands import command_slots
from .desktop_actions import DesktopActions
from .export_dialog import ExportDialog
from .files import CanvasZoom, FileKeeper, dropped_file
from .icons import icon
from .listening_controls import ListeningControls
from .menus import MENUS, NEEDS_DOCUMENT, SELECTION_HINT, TOOLBAR_ICONS
from .missing_audio import MissingAudio
from .page_canvas import PageCanvas
from .page_splitter import PageWaveformSplitter
from .preferences_dialog import PreferencesDialog, PreferenceValues
from .recordings_panel import RecordingsPanel
from .shortcuts import COMMANDS, key_sequences
from .theme import ThemeManager
from .thumbnails import ThumbnailList
from .transcript_docks import TranscriptDocks
from .transport import Transport
from .waveform import WaveformView
from .zoom_box import ZoomBox


class MainWindow(QMainWindow):
    def __init__(self, session: Session, preferences: Preferences | None = None):
        super().__init__()
        self.session = session
        self.preferences = preferences or Preferences()
        self.setWindowTitle("pencastviewer")
        self.setObjectName("main-window")
        self.resize(1000, 800)
        self.setAcceptDrops(True)
        app = QApplication.instance()
        self.theme = ThemeManager(app, self) if isinstance(app, QApplication) else None
        self.canvas = PageCanvas(session, self)
        self.peaks = RecordingPeaks(session, self)  # the current recording's waveform, made in the background
        self.peaks.wait_for_page = True  # an opened notebook's first page is painted before decoding starts
        self.canvas.page_painted.connect(self.peaks.page_shown)
        session.opening.connect(lambda _path: session.playback.hold_decoding())  # (its audio copy too)
        for shown_or_not in (self.canvas.page_painted, session.open_failed):
            shown_or_not.connect(lambda *_: session.playback.release_decoding())
        self.waveform = WaveformView(session, self.peaks, self)
        splitter = PageWaveformSplitter(self.canvas, self.waveform, self)  # the waveform grows too
        splitter.setObjectName("page-waveform-splitter")
        self.setCentralWidget(splitter)
        self.actions_by_name = self._make_actions()
        self.opener = OpenDocument(session, self.preferences, CanvasZoom(self.canvas))
        self.files = FileKeeper(self, self.opener)
        self.thumbnails = ThumbnailList(session, self)
        self.recordings = RecordingsPanel(session, self)
        self.pages_dock = self._dock("Pages", self.thumbnails, "show_pages")
        self.recordings_dock = self._dock("Recordings", self.recordings, "show_recordings")
        # a recording not found: a notice and Locate recording…
        self.missing = MissingAudio(
            self.opener, self.actions_by_name["locate_recording"], self.statusBar(), self
        )
        self.recordings.locate_requested.connect(self.missing.locate)
        self.transcripts = TranscriptDocks(self, session, self.preferences, self.waveform)
        self.desktop = DesktopActions(self, session)  # icon, desktop recent files, show in folder, print
        self.transport = Transport(session, self.actions_by_name, self)
        self.waveform.selection_bar.set_loop_action(self.actions_by_name["loop_selection"])
        a, prefs = self.actions_by_name, self.preferences
        toggles = a["normalize"], a["skip_silence"]
        self.listening = ListeningControls(session, self.peaks, prefs, self.waveform, *toggles, self)
        self.transcripts.show_marks_on(self.canvas.marks)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, self.transport)
        self.page_label = QLabel("")
        self.silent_label = QLabel("No audio device — playing silently" if session.playback.is_silent else "")
        self._build_toolbar()
        self._build_menus()
        self.statusBar().addPermanentWidget(self.silent_label)
        self._connect()
        self._apply_preferences()
        self._update_document_actions()
        splitter.share_height()
        self.resizeDocks([self.pages_dock, self.recordings_dock], [600, 110], Qt.Orientation.Vertical)
        self.resizeDocks([self.pages_dock], [190], Qt.Orientation.Horizontal)
        self.files.restore_window()
        self.canvas.setFocus()

    # --- actions, menus, docks ---------------------------------------------------------------
    def _make_actions(self) -> dict[str, QAction]:
        slots = command_slots(self)
        actions: dict[str, QAction] = {}
        for c in COMMANDS:
            action = QAction(c.text, self)
            action.setShortcuts(key_sequences(c))
            action.setCheckable(c.checkable)
            sequences = action.shortcuts()
            if sequences:
                action.setToolTip(f"{c.text.replace('&', '')} ({sequences[0].toString()})")
            action.triggered.connect(slots[c.name])
            self.addAction(action)  # shortcuts work with the menu bar hidden (full screen)
            actions[c.name] = action
        actions["preferences"].setMenuRole(QAction.MenuRole.PreferencesRole)
        actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        actions["about"].setMenuRole(QAction.MenuRole.AboutRole)
        return actions

    def _dock(self, title: str, widget: QWidget, command_name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}-dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        action = self.actions_by_name[command_name]
        action.setChecked(True)
        dock.visibilityChanged.connect(lambda visible: action.setChecked(visible or dock.isVisible()))
        return dock

    def _build_toolbar(self) -> None:
        bar = self.main_bar = QToolBar("Main", self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        a = self.actions_by_name
        self._refresh_toolbar_icons(bar)
        a["show_ghosts"].setIconText("Ghost ink")
        a["auto_page_turn"].setIconText("Follow pages")
        bar.addAction(a["open"])
        bar.addAction(a["export"])
        bar.addSeparator()
        bar.addAction(a["previous_page"])
        bar.addWidget(self.page_label)
        bar.addAction(a["next_page"])
        bar.addSeparator()
        bar.addAction(a["zoom_out"])
        self.zoom_box = ZoomBox(self.canvas, bar)
        bar.addWidget(self.zoom_box)
        bar.addAction(a["zoom_in"])
        bar.addSeparator()
        bar.addAction(a["show_ghosts"])
        bar.addAction(a["auto_page_turn"])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _refresh_toolbar_icons(self, bar: QToolBar) -> None:
        for name in TOOLBAR_ICONS:
            self.actions_by_name[name].setIcon(icon(name, bar))

    def _refresh_icons(self) -> None:
        """Glyph icons are drawn in the palette's colours: redraw them for a new theme."""
        self._refresh_toolbar_icons(self.main_bar)
        self.transport.refresh_icons()

    def _build_menus(self) -> None:
        for title, names in MENUS.items():
            menu = self.menuBar().addMenu(title)
            for name in names:
                if name is None:
                    menu.addSeparator()
                elif name == "recent":
                    menu.addMenu(self.files.recent_menu)
                else:
                    menu.addAction(self.actions_by_name[name])

    # --- session and preferences ----------------------------------------------------------------
    def _connect(self) -> None:
        s, prefs = self.session, self.preferences
        s.opening.connect(lambda path: self.statusBar().showMessage(f"Opening {path}…"))
        s.opened.connect(self._on_session_opened)
        s.open_failed.connect(self.files.on_open_failed)
        s.page_changed.connect(lambda _page: self._update_page_label())
        s.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        s.problem.connect(self._on_session_problem)
        s.playback.rate_changed.connect(lambda rate: prefs.set("rate", rate))
        s.playback.volume_changed.connect(lambda volume: prefs.set("volume", volume))
        s.playback.muted_changed.connect(lambda muted: prefs.set("muted", muted))
        s.options_changed.connect(self._on_session_options_changed)
        s.playback.state_changed.connect(self._on_session_playback_state_changed)
        s.sync_offset_changed.connect(lambda _ms: self.opener.remember_current())
        s.strokes_selected.connect(self._on_session_strokes_selected)

    def _apply_preferences(self) -> None:
        prefs, s = self.preferences, self.session
        s.set_options(
            preroll_s=prefs.get("preroll_s"),
            show_ghosts=prefs.get("show_ghosts"),
            auto_page_turn=prefs.get("auto_page_turn"),
        )
        s.playback.set_rate(prefs.get("rate"))
        s.playback.set_volume(prefs.get("volume"))
        s.playback.set_muted(prefs.get("muted"))
        if self.theme is not None:
            self.theme.apply(prefs.get("theme"))

    def _on_session_options_changed(self) -> None:
        s, prefs = self.session, self.preferences
        prefs.set("preroll_s", s.preroll_s)
        prefs.set("show_ghosts", s.show_ghosts)
        prefs.set("auto_page_turn", s.auto_page_turn)
        self.actions_by_name["show_ghosts"].setChecked(s.show_ghosts)
        self.actions_by_name["auto_page_turn"].setChecked(s.auto_page_turn)

    def _on_session_opened(self) -> None:
        doc = self.session.document
        assert doc is not None
        self.setWindowTitle(f"{doc.notebook.title or doc.path.name} — pencastviewer")
        outside = doc.notebook.outside_files  # files a notebook made us read: the user should know
        note = f"; it also uses {', '.join(outside)}" if outside else ""
        self.statusBar().showMessage(f"Opened {doc.path.name}{note}", 15000 if outside else 4000)
        self.opener.on_opened()
        self._update_page_label()
        self._update_document_actions()
        self.missing.on_opened()

    def _on_session_playback_state_changed(self, state: PlaybackState) -> None:
        if state != PlaybackState.PLAYING:
            self.opener.remember_current()

    def _on_session_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)
        advice = (
            "The ink can still be viewed. Check that the audio file is where the notebook "
            "expects it, or open the notebook again."
        )
        QMessageBox.warning(self, "Playback problem", f"{text}\n\n{advice}")

    def _on_session_strokes_selected(self, selected: tuple[int, tuple[int, ...]] | None) -> None:
        bar = self.statusBar()
        if selected is None:
            if bar.currentMessage().endswith(SELECTION_HINT):  # (not someone else's message)
                bar.clearMessage()
            return
        n, span = len(selected[1]), self.session.selection
        heard = f", heard {format_hms(span[0])}–{format_hms(span[1])}" if span else ", written without audio"
        bar.showMessage(f"{n} stroke{'s' * (n != 1)} selected{heard}{SELECTION_HINT}")

    def _update_page_label(self) -> None:
        doc, s = self.session.document, self.session
        if doc is None or not doc.notebook.pages:
            self.page_label.setText("" if doc is None else "  No pages  ")
            return
        page = doc.notebook.pages[s.page]
        label = f" (p. {page.label})" if page.label else ""
        self.page_label.setText(f"  Page {s.page + 1} of {s.n_pages}{label}  ")

    def _update_document_actions(self) -> None:
        has_document = self.session.document is not None
        for name in NEEDS_DOCUMENT:
            self.actions_by_name[name].setEnabled(has_document)

    # --- commands ----------------------------------------------------------------------------------
    def open_file(self, path: str | Path, audio: list[str] | None = None) -> None:
        self.files.open(path, audio)

    def open_export_dialog(self) -> None:
        if self.session.document is None:
            return
        bookmarks = self.transcripts.bookmarks.items
        dialog = ExportDialog(
            self.session,
            self,
            strokes=self.session.selected_strokes,
            listening=self.listening.listening,
            bookmarks=bookmarks,
        )
        dialog.exported.connect(lambda path: self.statusBar().showMessage(f"Exported {path}", 8000))
        dialog.exported.connect(self.desktop.on_exported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def edit_preferences(self) -> None:
        s = self.session
        theme = self.theme.choice if self.theme else "system"
        folders = tuple(self.preferences.audio_folders())
        values = PreferenceValues(
            s.preroll_s,
            s.show_ghosts,
            s.auto_page_turn,
            theme,
            folders,
            self.transcripts.choice(),
            self.listening.listening,
        )
        dialog = PreferencesDialog(values, self)
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        s.set_options(
            preroll_s=values.preroll_s, show_ghosts=values.show_ghosts, auto_page_turn=values.auto_page_turn
        )
        self.preferences.set("theme", values.theme)
        if self.theme is not None:
            self.theme.apply(values.theme)
        self.opener.set_audio_folders(values.audio_folders)
        self.transcripts.apply(values.transcription)
        if values.listening is not None:
            self.listening.setting.set(values.listening)

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- window events ------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_file(path)

    def changeEvent(self, event: QEvent) -> None:
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
        if themed and hasattr(self, "transport"):  # (not while the constructor runs)
            QTimer.singleShot(0, self, self._refresh_icons)  # once the children have the new palette too
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.transcripts.service.cancel()
        self.opener.remember_current()
        self.files.save_window()
        super().closeEvent(event)
