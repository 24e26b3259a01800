"""Opening files in the player window and what it remembers: a failed open keeps the
notebook and explains, drag and drop, recent files, each file's place restored on
reopen, window geometry, the command line, the theme and the preferences dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox
from support.player import notebook_of

from pencastviewer.app.preferences import Preferences
from pencastviewer.gui import launch, main_window
from pencastviewer.gui.preferences_dialog import PreferencesDialog
from pencastviewer.gui.theme import is_dark


@pytest.fixture
def warnings_shown(monkeypatch):
    """QMessageBox.warning replaced by a recorder (a real one would block the test)."""
    shown: list[tuple[str, str]] = []

    def record(parent, title, text, *args, **kwargs):
        shown.append((title, text))

    monkeypatch.setattr(QMessageBox, "warning", record)
    return shown


def test_a_file_that_fails_to_open_keeps_the_notebook_and_says_what_to_do(
    open_window, demo_path, tmp_path, warnings_shown, qtbot
):
    window = open_window(demo_path)
    session = window.session
    session.seek(33.0)
    session.set_page(1)
    broken = tmp_path / "broken.pencast"
    broken.write_bytes(b"PK\x03\x04 this is not a zip archive at all" * 10)
    with qtbot.waitSignal(session.open_failed, timeout=10000):
        window.open_file(broken)
    assert len(warnings_shown) == 1
    title, text = warnings_shown[0]
    assert title == "Could not open the file"
    assert "broken.pencast" in text and "copy it again" in text
    assert "“demo.pencast” is still open" in text
    assert session.document.path == demo_path  # nothing the user had is lost
    assert session.page == 1 and session.playback.position_s() == pytest.approx(33.0)
    assert window.windowTitle().startswith("CloudCamp Paris")


def test_a_missing_file_says_to_check_it_still_exists(
    open_window, demo_path, tmp_path, warnings_shown, qtbot
):
    window = open_window(demo_path)
    with qtbot.waitSignal(window.session.open_failed, timeout=10000):
        window.open_file(tmp_path / "moved-away.pencast")
    assert "may have been moved" in warnings_shown[0][1]


def test_a_file_dropped_on_the_window_is_opened(open_window, demo_path, tmp_path, qtbot):
    window = open_window(demo_path)
    copy = tmp_path / "dropped.pencast"
    copy.write_bytes(demo_path.read_bytes())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copy))])
    enter = QDragEnterEvent(
        QPoint(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPoint(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        window.dropEvent(drop)
    assert window.session.document.path == copy
    text_only = QMimeData()
    text_only.setText("not a file")
    refused = QDragEnterEvent(
        QPoint(1, 1),
        Qt.DropAction.CopyAction,
        text_only,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    refused.ignore()
    window.dragEnterEvent(refused)
    assert not refused.isAccepted()


def test_recent_files_are_listed_and_reopen(open_window, demo_path, tmp_path, qtbot):
    copy = tmp_path / "second.pencast"
    copy.write_bytes(demo_path.read_bytes())
    window = open_window(demo_path)
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        window.open_file(copy)
    assert Preferences().recent_files()[:2] == [str(copy.resolve()), str(demo_path.resolve())]
    menu = window.files.recent_menu
    menu.aboutToShow.emit()
    items = [a for a in menu.actions() if a.text().startswith("&")]
    assert [a.text() for a in items] == ["&1  second.pencast", "&2  demo.pencast"]
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        items[1].trigger()
    assert window.session.document.path.resolve() == demo_path.resolve()


def test_reopening_a_file_restores_position_page_sync_and_zoom(open_window, demo_path, qtbot):
    window = open_window(demo_path)
    s = window.session
    s.seek(97.25)
    s.set_page(0)
    s.set_sync_offset_ms(-40.0)
    window.canvas.set_zoom(175.0)
    window.close()  # remembered on closing
    again = open_window(demo_path)
    s2 = again.session
    assert s2.playback.position_s() == pytest.approx(97.25)
    assert s2.page == 0  # where the user was looking, not the page being written at 97 s
    assert s2.sync_offset_ms == -40.0
    assert again.canvas.zoom_percent == pytest.approx(175.0)
    assert again.transport.time_label.text().startswith("1:37")


def test_window_geometry_and_preferences_are_remembered(open_window, demo_path, qtbot):
    window = open_window(demo_path, size=(760, 560))  # (the offscreen screen is 800×600)
    window.session.set_options(preroll_s=2.5)
    window.session.playback.set_rate(1.5)
    window.close()
    again = open_window(demo_path, size=(300, 300))  # the remembered geometry wins over this
    again.files.restore_window()
    assert (again.width(), again.height()) == (760, 560)
    assert again.session.preroll_s == 2.5
    assert again.session.playback.rate == 1.5


def test_the_command_line_file_is_opened(demo_path, monkeypatch, qtbot):
    windows = []
    real_build = launch.build_window

    def build(app, preferences=None):
        window = real_build(app, preferences)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    monkeypatch.setattr(launch, "build_window", build)
    monkeypatch.setattr(
        launch,
        "create_output",
        lambda: __import__("pencastviewer.audio.silent_output", fromlist=["x"]).SilentAudioOutput(),
    )

    def exec_until_opened():
        qtbot.waitUntil(lambda: windows[0].session.document is not None, timeout=20000)
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(exec_until_opened))
    from pencastviewer.cli.main import main

    assert main([str(demo_path)]) == 0
    assert windows[0].session.document.path == demo_path
    assert windows[0].isVisible()


def test_the_dark_theme_darkens_the_window_and_system_restores_it(open_window, demo_path):
    window = open_window(demo_path)
    app = QApplication.instance()
    assert window.theme is not None
    light_window = app.palette().color(QPalette.ColorRole.Window)
    try:
        window.theme.apply("dark")
        assert is_dark(app.palette())
        assert window.canvas.desk_color().lightness() < light_window.lightness()
    finally:
        window.theme.apply("system")  # offscreen has no dark desktop: back to the original
    assert app.palette().color(QPalette.ColorRole.Window) == light_window


def test_the_preferences_dialog_applies_and_saves(open_window, demo_path, monkeypatch):
    window = open_window(demo_path)

    def accept_with_changes(dialog: PreferencesDialog) -> int:
        dialog.preroll.setValue(3.0)
        dialog.ghosts.setChecked(False)
        return PreferencesDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", accept_with_changes)
    window.edit_preferences()
    assert window.session.preroll_s == 3.0 and not window.session.show_ghosts
    assert Preferences().get("preroll_s") == 3.0
    assert not window.actions_by_name["show_ghosts"].isChecked()
    assert main_window.MainWindow is type(window)


def test_a_notebook_without_pages_or_recordings_opens_quietly(
    open_window, demo_path, tmp_path, warnings_shown
):
    window = open_window(demo_path)
    window.session.set_document(notebook_of([], [], tmp_path))
    window.grab()  # paints every view
    assert window.canvas.page is None and window.thumbnails.count() == 0
    assert window.page_label.text().strip() == "No pages"
    assert window.transport.time_label.text() == "no recording"
    window.session.toggle_play()
    assert window.session.playback.state() == "stopped" and not warnings_shown
