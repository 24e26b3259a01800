"""The window's Transcript, Search and Bookmarks docks on espeak speech transcribed by the
real tiny.en model, with the silent audio backend (its clock is the playhead)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer

from pencastviewer.app.bookmarks import Bookmarks
from pencastviewer.app.preferences import Preferences
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput

TRANSCRIBE_TIMEOUT_MS = 180_000


@pytest.fixture
def preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_dir: Path) -> Preferences:
    settings = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(settings))
    prefs = Preferences()
    prefs.set("speech_model", str(model_dir))
    return prefs


@pytest.fixture
def window(qtbot, preferences, spoken):
    from pencastviewer.gui.main_window import MainWindow

    session = Session(SilentAudioOutput())
    window = MainWindow(session, preferences)
    session.setParent(window)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(session.opened, timeout=20000):
        window.open_file(spoken[2]["one"])
    return window


def transcribed(qtbot, window):
    service = window.transcripts.service
    window.transcripts.show_transcript()
    if 0 not in service.transcripts:
        qtbot.waitUntil(lambda: not service._jobs, timeout=20000)  # the cache lookup on open
    if 0 not in service.transcripts:
        with qtbot.waitSignal(service.transcript_ready, timeout=TRANSCRIBE_TIMEOUT_MS):
            window.actions_by_name["transcribe"].trigger()
    return service.transcripts[0]


def word_index(view, word: str) -> int:
    for k in range(len(view.word_starts_s)):
        if word in view.word_text(k).lower():
            return k
    raise AssertionError(f"{word!r} is not in the transcript panel")


def test_the_panel_shows_the_transcript_and_follows_the_playhead(qtbot, window, spoken):
    said = spoken[1]
    transcript = transcribed(qtbot, window)
    panel = window.transcripts.panel
    text = panel.text.toPlainText()
    assert "volcanoes" in text.lower() and text.startswith("[0:0")
    assert "en ·" in panel.status.text()
    k = word_index(panel.text, "museum")
    start = float(panel.text.word_starts_s[k])
    assert said[3].start_s - 0.3 <= start <= said[3].end_s
    window.session.seek(start + 0.05)
    assert panel.text.highlighted_word() == k  # the word being heard
    (selection,) = panel.text.extraSelections()
    cursor = selection.cursor  # (kept in a name: PySide hands out a temporary)
    assert "museum" in cursor.selectedText().lower()
    assert len(list(transcript.words())) == len(panel.text.word_starts_s)


def test_clicking_a_word_plays_from_it_with_the_preroll(qtbot, window, spoken):
    transcribed(qtbot, window)
    session, view = window.session, window.transcripts.panel.text
    k = word_index(view, "elephant")
    start = float(view.word_starts_s[k])
    view.centerCursor()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.point_of_word(k))
    assert session.playback.playing
    position = session.playback.position_s()
    assert start - session.preroll_s - 0.01 <= position <= start - session.preroll_s + 1.0
    tip = window.transcripts.panel.text.toolTip()
    window.transcripts.panel._on_text_paragraph_hovered(0.0, spoken[1][2].end_s)
    tip = window.transcripts.panel.text.toolTip()
    assert "page 1 (3 strokes)" in tip


def test_find_steps_through_hits_on_their_pages_and_marks_the_waveform(qtbot, window, spoken):
    said = spoken[1]
    transcribed(qtbot, window)
    search, session = window.transcripts.search, window.session
    window.actions_by_name["find"].trigger()
    assert window.transcripts.search_dock.isVisible()
    qtbot.keyClicks(search.box, "the")
    n = len(search.hits)
    assert n >= 6 and search.results.count() == n
    qtbot.keyClick(search.box, Qt.Key.Key_Return)
    assert search.results.currentRow() == 0 and session.playback.playing
    window.actions_by_name["find_next"].trigger()
    assert search.results.currentRow() == 1
    window.actions_by_name["find_previous"].trigger()
    assert search.results.currentRow() == 0
    search.box.setText("elephant")
    (hit,) = search.hits
    assert said[4].start_s - 0.3 <= hit.time_s <= said[4].end_s and hit.page == 1
    window.actions_by_name["find_next"].trigger()
    assert session.page == 1
    assert session.playback.position_s() == pytest.approx(max(hit.time_s - session.preroll_s, 0.0), abs=1.0)
    assert search.pins.positions_s == [hit.time_s]
    search.box.setText("xylophone")
    assert search.hits == [] and search.summary.text() == "Not found"


def test_bookmarks_added_at_the_playhead_renamed_removed_and_kept(qtbot, window, preferences):
    session, docks = window.session, window.transcripts
    assert not docks.bookmarks_dock.isVisible()  # until the first bookmark
    session.seek(7.25)
    window.actions_by_name["add_bookmark"].trigger()
    (bookmark,) = docks.bookmarks.items
    assert docks.bookmarks_dock.isVisible()
    assert bookmark.recording == 0 and bookmark.position_s == pytest.approx(7.25, abs=0.05)
    assert docks.bookmark_list.pins.positions_s == [bookmark.position_s]
    item = docks.bookmark_list.item(0)
    item.setText("the equation")
    assert docks.bookmarks.items[0].name == "the equation"
    session.seek(2.0)
    window.actions_by_name["add_bookmark"].trigger()
    assert [b.name for b in docks.bookmarks.items] == ["Bookmark 2", "the equation"]  # in time order
    again = Bookmarks(preferences)
    again.load(session.document.path)
    assert [(b.name, round(b.position_s, 1)) for b in again.items] == [
        ("Bookmark 2", 2.0),
        ("the equation", 7.2),
    ]
    docks.bookmark_list.setCurrentRow(0)
    qtbot.keyClick(docks.bookmark_list, Qt.Key.Key_Delete)
    assert [b.name for b in docks.bookmarks.items] == ["the equation"]


def test_transcribing_runs_in_the_background_and_cancel_leaves_nothing(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh-cache"))
    service = window.transcripts.service
    service.set_document(window.session.document)  # looks in the fresh (empty) cache
    qtbot.waitUntil(lambda: not service._jobs, timeout=20000)
    assert service.transcripts == {}
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    progress = []

    def press_cancel(_recording, fraction, _left):  # in the worker, as soon as it reports
        progress.append(fraction)
        if fraction > 0:
            service.cancel()  # what the Cancel button calls

    service._relay.progressed.connect(press_cancel, Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(service.finished, timeout=TRANSCRIBE_TIMEOUT_MS):
        window.actions_by_name["transcribe"].trigger()
        assert window.transcripts.panel.cancel_button.isVisible()
    assert 0 < progress[-1] < 1
    timer.stop()
    assert len(ticks) >= 3  # the GUI thread kept running while the model worked
    assert service.transcripts == {} and not service.running
    cache = tmp_path / "fresh-cache" / "pencastviewer" / "transcripts"
    assert not cache.exists() or list(cache.iterdir()) == []
    assert "Not transcribed yet" in window.transcripts.panel.status.text()


def test_selected_ink_shows_the_words_said_while_it_was_written(qtbot, window, spoken):
    from PySide6.QtWidgets import QApplication

    transcribed(qtbot, window)
    panel, session = window.transcripts.panel, window.session
    window.transcripts.transcript_dock.hide()
    session.select_strokes(0, [1])  # written while "The teacher wrote the equation..." was said
    assert window.transcripts.transcript_dock.isVisible()
    assert "equation" in panel.said_text and "blackboard" in panel.said_text
    assert "volcanoes" not in panel.said_text and "museum" not in panel.said_text
    assert panel.copy_button.isVisible()
    panel.copy_button.click()
    assert QApplication.clipboard().text() == panel.said_text
    session.clear_selection()
    assert panel.said_text == "" and not panel.copy_button.isVisible()
