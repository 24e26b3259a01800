"""A .pencast that carries transcripts and bookmarks shows them when opened in the window,
with no speech model chosen: the Transcript panel, search and the Bookmarks list."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor

from pencastviewer.app.preferences import Preferences
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.formats.pencast import read_pencast, write_pencast
from pencastviewer.model import Bookmark, PageText, Segment, Timeline, Transcript, Word


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


def said_while_writing(demo_path: Path) -> tuple[float, np.ndarray]:
    """A moment (s into the recording) in the middle of the 6th stroke of page 2, and that
    stroke's points."""
    demo = read_pencast(demo_path)
    stroke = demo.pages[1].strokes[5]
    middle = stroke.n_points // 2
    return Timeline(demo).position_s(0, float(stroke.t_ms[middle])), stroke.xy_mm


@pytest.fixture
def carried(demo_path: Path, tmp_path: Path) -> Path:
    words = (Word(" Mitochondria", 3.0, 3.5), Word(" make", 3.5, 3.75), Word(" energy.", 3.75, 4.25))
    when, _ = said_while_writing(demo_path)
    later = (Word(" respiration", round(when, 3), round(when, 3) + 0.5),)
    transcript = Transcript(
        "en",
        "tiny.en",
        (
            Segment(3.0, 4.25, "Mitochondria make energy.", words),
            Segment(later[0].start_s, later[0].end_s, "respiration", later),
        ),
    )
    marks = (Bookmark(0, 2.0, "opening"), Bookmark(0, 9.5, "second point"))
    demo = read_pencast(demo_path)
    note = PageText("typed respiration note", 20.0, 30.0, "Sans", 12.0, (0, 0, 0, 255))
    pages = (demo.pages[0], dataclasses.replace(demo.pages[1], texts=(*demo.pages[1].texts, note)))
    path = tmp_path / "carried.pencast"
    write_pencast(dataclasses.replace(demo, pages=pages, transcripts=(transcript,), bookmarks=marks), path)
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


def orange_near(window, x_mm: float, y_mm: float) -> int:
    """Pixels of the markers' orange within 12 px of a page point, on the canvas as shown."""
    canvas = window.canvas
    image = canvas.viewport().grab().toImage()
    centre = canvas.widget_point(x_mm, y_mm)
    dpr = image.devicePixelRatio()
    found = 0
    for dx in range(-12, 13, 2):
        for dy in range(-12, 13, 2):
            x, y = round((centre.x() + dx) * dpr), round((centre.y() + dy) * dpr)
            if 0 <= x < image.width() and 0 <= y < image.height():
                c = QColor(image.pixel(x, y))
                found += c.red() > 200 and 100 < c.green() < 180 and c.blue() < 90
    return found


def test_search_hits_are_marked_on_their_page(qtbot, window, demo_path: Path) -> None:
    docks, canvas, session = window.transcripts, window.canvas, window.session
    docks.show_marks_on(canvas.marks)  # the main window's hook (one line)
    docks.find()
    docks.search.box.setText("respiration")
    speech, typed = sorted(docks.search.hits, key=lambda h: h.source)
    assert (speech.source, speech.page, typed.source, typed.page) == ("speech", 1, "text", 1)
    _, stroke_xy = said_while_writing(demo_path)
    (pen, note) = canvas.marks.on_page(1)
    assert np.hypot(*(stroke_xy - pen).T).min() < 1e-9  # a point of the stroke being written
    assert np.hypot(*(stroke_xy[len(stroke_xy) // 2] - pen)) < 3.0  # where the pen was then
    assert note == (20.0, 30.0) and canvas.marks.on_page(0) == []
    session.set_page(0)
    qtbot.wait(50)
    assert orange_near(window, *pen) == 0  # the marks are on page 2, not on page 1
    docks.search.go_to(docks.search.hits.index(speech))  # a speech hit plays and turns the page
    qtbot.waitUntil(lambda: session.page == 1, timeout=5000)
    assert session.playback.position_s() == pytest.approx(
        max(speech.time_s - session.preroll_s, 0.0), abs=0.5
    )
    qtbot.wait(50)
    assert orange_near(window, *pen) > 3 and orange_near(window, *note) > 3
    assert canvas.marks.current == (1, pen)
    docks.search.box.setText("")
    assert canvas.marks.on_page(1) == []
