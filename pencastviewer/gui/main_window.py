"""The main window: the composition root that wires the session to its views."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QSplitter, QToolBar

from ..app.session import Session
from ..formats.registry import open_filter
from ..model.units import format_hms
from .page_canvas import PageCanvas
from .waveform import WaveformView


class MainWindow(QMainWindow):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setWindowTitle("pencastviewer")
        self.resize(1000, 800)
        self.canvas = PageCanvas(session, self)
        self.waveform = WaveformView(session, self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.waveform)
        splitter.setStretchFactor(0, 1)  # the page takes the extra height, the waveform keeps its own
        self.setCentralWidget(splitter)
        self.page_label = QLabel("")
        self.time_label = QLabel("")
        self._build_actions()
        self.statusBar().addPermanentWidget(self.time_label)
        session.opening.connect(lambda path: self.statusBar().showMessage(f"Opening {path}…"))
        session.opened.connect(self._on_session_opened)
        session.open_failed.connect(self._on_session_open_failed)
        session.page_changed.connect(lambda _p: self._update_labels())
        session.recording_changed.connect(lambda _r: self._update_labels())
        session.playhead_moved.connect(lambda _s: self._update_time())
        session.playback_state_changed.connect(self._on_session_playback_state_changed)
        session.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def _action(self, text: str, shortcut: QKeySequence | str, slot, toolbar: QToolBar | None = None) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        if toolbar is not None:
            toolbar.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("main-toolbar")
        self.open_action = self._action("&Open…", QKeySequence.StandardKey.Open, self.choose_file, bar)
        bar.addSeparator()
        self._action("Previous page", "PgUp", lambda: self.session.set_page(self.session.page - 1), bar)
        bar.addWidget(self.page_label)
        self._action("Next page", "PgDown", lambda: self.session.set_page(self.session.page + 1), bar)
        bar.addSeparator()
        self.play_action = self._action("Play", "Space", self.session.toggle_play, bar)
        self._action("Quit", QKeySequence.StandardKey.Quit, self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.open_action)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open notebook", "", open_filter())
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        self.session.open_file(path)

    def _on_session_opened(self) -> None:
        doc = self.session.document
        assert doc is not None
        title = doc.notebook.title or doc.path.name
        self.setWindowTitle(f"{title} — pencastviewer")
        self.statusBar().showMessage(f"Opened {doc.path.name}", 4000)
        self._update_labels()

    def _on_session_open_failed(self, path: str, message: str) -> None:
        self.statusBar().showMessage(f"Could not open {Path(path).name}", 8000)
        QMessageBox.warning(self, "Could not open the file", f"{message}\n\nThe file was not changed.")

    def _on_session_playback_state_changed(self, state: str) -> None:
        self.play_action.setText("Pause" if state == "playing" else "Play")
        self._update_time()

    def _update_labels(self) -> None:
        doc, s = self.session.document, self.session
        if doc is None:
            return
        page = doc.notebook.pages[s.page]
        label = f" (p. {page.label})" if page.label else ""
        self.page_label.setText(f"  Page {s.page + 1} of {s.n_pages}{label}  ")
        self._update_time()

    def _update_time(self) -> None:
        doc, s = self.session.document, self.session
        if doc is None or s.recording < 0:
            self.time_label.setText("no recording")
            return
        rec = doc.notebook.recordings[s.recording]
        silent = " — no audio device, playing silently" if getattr(s.output, "is_silent", False) else ""
        self.time_label.setText(
            f"{rec.name}: {format_hms(s.position_s())} / {format_hms(rec.duration_s)}{silent}"
        )
