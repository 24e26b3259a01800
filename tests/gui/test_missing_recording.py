"""A Xournal++ notebook whose recording is not where it links to: the ink opens with no
dialog, the recording is marked missing, Locate recording… (File menu or recordings list)
points to it once for every stroke and is remembered for the file, and a folder added in
Preferences ▸ Audio folders makes it found on open.

Uses the real ../shared/fixtures/xournalpp/audio-old.xopp (one stroke, `fn="test.ogg"`,
`ts="0"`), copied alone into the test's folder so its test.ogg is not beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from support.player import ink_darkness, viewport_image

from pencastviewer.app.preferences import Preferences
from pencastviewer.gui.preferences_dialog import PreferencesDialog
from pencastviewer.model import AudioStore

FIXTURE_AUDIO_S = 5.0  # test.ogg as probed: 240 000 frames at 48 kHz


@pytest.fixture
def missing_notebook(xournalpp_dir: Path, tmp_path: Path) -> Path:
    """audio-old.xopp alone in a folder: its test.ogg is neither beside it nor in audio/."""
    folder = tmp_path / "notes"
    folder.mkdir()
    return Path(shutil.copy(xournalpp_dir / "audio-old.xopp", folder / "audio-old.xopp"))


@pytest.fixture
def dialogs(monkeypatch) -> list[str]:
    """Every QMessageBox shown (static helpers and exec) and every other modal dialog run is
    recorded here instead of blocking: a missing recording must show none of them."""
    shown: list[str] = []
    for name in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, lambda *args, _n=name, **kw: shown.append(_n))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append("QMessageBox.exec"))
    monkeypatch.setattr(QDialog, "exec", lambda self: shown.append(type(self).__name__) or 0)
    return shown


@pytest.fixture
def chosen_files(monkeypatch, xournalpp_dir: Path) -> list[str]:
    """QFileDialog.getOpenFileName is replaced: it answers with the fixture's real test.ogg
    (as if the user picked it) and records each dialog's title."""
    titles: list[str] = []

    def answer(parent, title, folder, filters, *args, **kwargs):
        titles.append(title)
        return str(xournalpp_dir / "test.ogg"), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    return titles


def _assert_missing_but_shown(window) -> None:
    s = window.session
    recording = s.document.notebook.recordings[0]
    assert recording.is_missing and recording.name == "test.ogg"
    assert s.recording == 0 and s.is_missing(0) and not s.audible  # selected, known to be silent
    assert window.recordings.is_marked_missing(0)
    assert "audio missing" in window.recordings.item(0).text()
    assert window.actions_by_name["locate_recording"].isEnabled()
    assert not window.missing.button.isHidden()
    assert "“test.ogg” was not found" in window.statusBar().currentMessage()
    stroke = s.document.notebook.pages[0].strokes[0]
    image = viewport_image(window.canvas)
    below = stroke.with_changes(xy_mm=stroke.xy_mm + [0.0, 40.0])  # the same path on bare ruled paper
    # the ink is drawn (measured 0.23 on the stroke at fit-page against 0.04 on ruled paper)
    assert ink_darkness(window.canvas, image, stroke) > 3 * ink_darkness(window.canvas, image, below)


def _assert_located(window, xournalpp_dir: Path) -> None:
    s = window.session
    audio = s.document.notebook.recordings[0].files[0]
    assert audio.store == AudioStore.FILE and Path(audio.member) == (xournalpp_dir / "test.ogg").resolve()
    assert s.recording == 0 and s.audible and not window.recordings.is_marked_missing(0)
    assert s.playback.duration_s() == pytest.approx(FIXTURE_AUDIO_S)
    assert window.missing.button.isHidden() and not window.actions_by_name["locate_recording"].isEnabled()
    stroke = s.document.notebook.pages[0].strokes[0]
    assert stroke.recording == 0 and s.audio_position_s(0, float(stroke.t_ms[0])) == 0.0


def test_a_missing_recording_opens_the_ink_without_any_dialog(open_window, missing_notebook, dialogs):
    window = open_window(missing_notebook)
    _assert_missing_but_shown(window)
    s = window.session
    stroke = s.document.notebook.pages[0].strokes[0]
    x_mm, y_mm = stroke.xy_mm[len(stroke.xy_mm) // 2]
    hit = s.tap(0, float(x_mm), float(y_mm))  # a tap on its ink: nothing to hear, a hint instead
    assert hit is not None and hit.recording == 0
    s.toggle_play()
    s.seek(1.0)
    assert s.playback.state() == "stopped" and s.playback.position_s() == 0.0
    assert "Locate recording" in window.statusBar().currentMessage()
    assert dialogs == []


def test_locate_recording_reopens_with_its_audio_and_keeps_the_place(
    open_window, missing_notebook, dialogs, chosen_files, xournalpp_dir, qtbot
):
    window = open_window(missing_notebook)
    window.canvas.set_zoom(175.0)
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        window.actions_by_name["locate_recording"].trigger()  # File ▸ Locate recording…
    assert chosen_files == ["Locate the recording “test.ogg”"]
    _assert_located(window, xournalpp_dir)
    assert window.canvas.zoom_percent == pytest.approx(175.0)  # the place in the file is kept
    memory = Preferences().file_memory(missing_notebook)
    assert memory is not None and memory.located == {"test.ogg": str((xournalpp_dir / "test.ogg").resolve())}
    window.session.play_at(0, 0.5)
    assert window.session.playback.playing
    assert dialogs == []


def test_a_located_recording_is_remembered_for_the_next_open(
    open_window, missing_notebook, dialogs, chosen_files, xournalpp_dir, qtbot
):
    window = open_window(missing_notebook)
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        window.missing.locate()
    window.close()
    again = open_window(missing_notebook)
    _assert_located(again, xournalpp_dir)
    assert len(chosen_files) == 1  # asked once, in the first window only
    assert dialogs == []


def test_the_recordings_list_offers_locate_on_a_missing_recording(
    open_window, missing_notebook, dialogs, chosen_files, xournalpp_dir, qtbot
):
    window = open_window(missing_notebook)
    menu = window.recordings.menu_for(0)
    assert menu is not None
    [locate] = [a for a in menu.actions() if a.text() == "Locate recording…"]
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        locate.trigger()
    _assert_located(window, xournalpp_dir)
    assert window.recordings.menu_for(0) is None  # found: nothing left to locate
    assert dialogs == []


def test_cancelling_locate_changes_nothing(open_window, missing_notebook, dialogs, monkeypatch):
    window = open_window(missing_notebook)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: ("", ""))  # the user cancels
    document = window.session.document
    assert window.missing.locate() is False
    assert window.session.document is document and window.session.is_missing(0)
    window.close()
    assert Preferences().file_memory(missing_notebook).located == {}
    assert dialogs == []


def test_a_file_that_is_not_audio_is_refused(open_window, missing_notebook, dialogs, monkeypatch):
    window = open_window(missing_notebook)
    not_audio = missing_notebook.with_name("notes.txt")
    not_audio.write_text("these are not sounds\n" * 20)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(not_audio), ""))
    assert window.missing.locate() is False
    assert dialogs == ["warning"]  # an answer to the user's own choice: told, nothing remembered
    assert window.session.is_missing(0)
    window.close()
    assert Preferences().file_memory(missing_notebook).located == {}


def test_an_audio_folder_added_in_preferences_finds_the_recording(
    open_window, missing_notebook, dialogs, xournalpp_dir, monkeypatch, qtbot
):
    window = open_window(missing_notebook)
    dialogs.clear()

    def add_folder_and_accept(dialog: PreferencesDialog) -> int:
        dialog.add_audio_folder(str(xournalpp_dir))  # the folder that holds test.ogg
        return PreferencesDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", add_folder_and_accept)
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        window.edit_preferences()  # the open notebook is read again, looking there too
    assert Preferences().audio_folders() == [str(xournalpp_dir)]
    _assert_located(window, xournalpp_dir)
    assert Preferences().file_memory(missing_notebook).located == {}  # found, not located by hand
    window.close()
    again = open_window(missing_notebook)  # and on every later open
    _assert_located(again, xournalpp_dir)
    assert dialogs == []


def test_audio_folders_can_be_removed_in_preferences(qtbot, tmp_path):
    from pencastviewer.gui.preferences_dialog import PreferenceValues

    dialog = PreferencesDialog(PreferenceValues(1.5, True, True, "system", (str(tmp_path), "/elsewhere")))
    qtbot.addWidget(dialog)
    dialog.audio_folders.setCurrentRow(0)
    dialog.remove_audio_folder()
    dialog.add_audio_folder("/elsewhere")  # already listed: not twice
    assert dialog.values().audio_folders == ("/elsewhere",)
