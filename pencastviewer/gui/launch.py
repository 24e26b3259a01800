"""Starting the window: the only place a QApplication is created."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ..app.memory import freeze_long_lived, limit_arenas
from ..app.preferences import Preferences
from ..app.resources import demo_path
from ..app.session import Session
from ..app.termination import Termination
from ..audio.devices import create_output
from .app_icon import app_icon
from .main_window import MainWindow
from .single_instance import InstanceServer, hand_over


def build_window(app: QApplication, preferences: Preferences | None = None) -> MainWindow:
    limit_arenas()  # before the session's worker threads start (app.memory)
    session = Session(create_output())
    window = MainWindow(session, preferences)
    session.setParent(window)
    freeze_long_lived()  # (app.memory)
    return window


def _take_over(window: MainWindow, file: str, audio: list[str]) -> None:
    """A later `pencastviewer FILE` handed FILE over: open it here, and come to the front."""
    if file:
        window.open_file(file, audio)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def run_gui(file: str | None, audio: list[str] | None = None, new_instance: bool = False) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("pencastviewer")
    app.setOrganizationName("pencastviewer")
    app.setApplicationDisplayName("pencastviewer")
    app.setDesktopFileName("pencastviewer")
    app.setWindowIcon(app_icon())  # every window: the title bar, the task bar, _NET_WM_ICON
    if not new_instance and hand_over(file, audio):
        print("pencastviewer: opened in the window already open", file=sys.stderr)
        return 0
    window = build_window(app)
    server = InstanceServer(window)  # goes with the window: a later run never reaches a closed one
    server.received.connect(lambda f, a: _take_over(window, f, a))
    server.listen()
    Termination(app, close=app.closeAllWindows)  # SIGTERM, SIGHUP, Ctrl+C: as if closed, no part file left
    window.show()
    window.open_file(Path(file) if file else demo_path(), audio)
    return app.exec()
