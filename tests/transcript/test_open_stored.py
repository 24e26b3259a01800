"""A .pencast that carries transcripts and bookmarks shows them when opened in the window,
with no speech model chosen: the Transcript panel, search and the Bookmarks list."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from pencastviewer.app.preferences import Preferences
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.formats.pencast import read_pencast, write_pencast
from pencastviewer.model import Bookmark, Segment, Transcript, Word


@pytest.fixture
def preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Preferences:
    settings = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(settings))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    prefs = Preferences()
    prefs.set("speech_model", "")  # no model: only what the file carries
    return prefs


@pytest.fixture
def carried(demo_path: Path, tmp_path: Path) -> Path:
    words = (Word(" Mitochondria", 3.0, 3.5), Word(" make", 3.5, 3.75), Word(" energy.", 3.75, 4.25))
    transcript = Transcript("en", "tiny.en", (Segment(3.0, 4.25, "Mitochondria make energy.", words),))
    marks = (Bookmark(0, 2.0, "opening"), Bookmark(0, 9.5, "second point"))
    path = tmp_path / "carried.pencast"
    write_pencast(
        dataclasses.replace(read_pencast(demo_path), transcripts=(transcript,), bookmarks=marks), path
    )
    return path


@pytest.fixture
def window(qtbot, preferences, carried):
    from pencastviewer.gui.main_window import MainWindow

    session = Session(SilentAudioOutput())
    window = MainWindow(session, preferences)
    session.setParent(window)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(session.opened, timeout=20000):
        window.open_file(carried)
    return window


def test_the_stored_transcript_shows_and_is_searched_without_a_model(qtbot, window) -> None:
    docks = window.transcripts
    assert docks.service.transcripts[0].segments[0].text == "Mitochondria make energy."
    docks.show_transcript()
    qtbot.waitUntil(lambda: "Mitochondria make energy" in docks.panel.text.toPlainText(), timeout=5000)
    assert docks.panel.status.text() == "en · tiny.en"
    docks.find()
    docks.search.box.setText("energy")
    (hit,) = docks.search.hits
    assert (hit.recording, hit.time_s, hit.source) == (0, 3.75, "speech")


def test_the_stored_bookmarks_are_listed(window) -> None:
    panel = window.transcripts.bookmark_list
    assert [panel.item(k).text() for k in range(panel.count())] == ["opening", "second point"]
    assert window.transcripts.bookmarks.items == [
        Bookmark(0, 2.0, "opening"),
        Bookmark(0, 9.5, "second point"),
    ]
