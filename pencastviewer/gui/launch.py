"""Starting the window: the only place a QApplication is created."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ..app.preferences import Preferences
from ..app.resources import demo_path
from ..app.session import Session
from ..audio.devices import create_output
from .main_window import MainWindow


def build_window(app: QApplication, preferences: Preferences | None = None) -> MainWindow:
    session = Session(create_output())
    window = MainWindow(session, preferences)
    session.setParent(window)
    return window


def run_gui(file: str | None, audio: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("pencastviewer")
    app.setOrganizationName("pencastviewer")
    app.setApplicationDisplayName("pencastviewer")
    app.setDesktopFileName("pencastviewer")
    window = build_window(app)
    window.show()
    window.open_file(Path(file) if file else demo_path(), audio)
    return app.exec()
