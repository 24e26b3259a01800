"""What a new user meets in the window (issue 11): the page at a readable size that keeps
its place, zooms that stay on the ink, a waveform that says what is selected and loops it,
no audio area without audio, labelled sync buttons, one date per recording, and a
damaged Pencast PDF that says its audio is missing from it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox, QToolButton
from support.player import horizontal_stroke, notebook_of

from pencastviewer.gui.canvas_view import view_centre_mm
from pencastviewer.gui.page_canvas import FIT_PAGE, FIT_WIDTH
from pencastviewer.gui.page_pan import hover_text
from pencastviewer.model import Page


@pytest.fixture
def no_dialogs(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def test_reopening_restores_the_region_being_read_not_just_the_zoom(open_window, demo_path):
    window = open_window(demo_path)
    window.canvas.set_zoom(158.0)
    window.canvas.center_on(140.0, 200.0)  # lower right, far from where a fresh view starts
    x, y = view_centre_mm(window.canvas)
    assert y > 150
    window.close()
    again = open_window(demo_path)
    assert again.canvas.zoom_percent == pytest.approx(158.0)
    assert view_centre_mm(again.canvas) == pytest.approx((x, y), abs=1.0)


def test_a_new_file_opens_at_fit_width_with_the_page_taking_most_of_the_window(open_window, demo_path):
    window = open_window(demo_path, size=(780, 580))
    canvas = window.canvas
    assert canvas.mode == FIT_WIDTH
    assert canvas.page.width_mm * canvas.px_per_mm >= 0.85 * canvas.viewport().width()
    assert canvas.height() >= 0.55 * window.centralWidget().height()


def test_the_chosen_fit_is_how_the_next_new_file_opens(open_window, demo_path, livescribe_dir):
    window = open_window(demo_path)
    window.actions_by_name["fit_page"].trigger()
    window.close()
    other = open_window(livescribe_dir / "3-dots.pdf")
    assert other.canvas.mode == FIT_PAGE


def test_the_waveform_strips_grow_with_the_window(open_window, demo_path, qtbot):
    window = open_window(demo_path, size=(760, 420))
    small = window.waveform.detail.height()
    window.resize(760, 1000)
    qtbot.waitUntil(lambda: window.waveform.detail.height() > small + 50, timeout=3000)
    assert window.canvas.height() > 2 * window.waveform.height()  # the page keeps most of it


def test_zooming_in_from_the_keyboard_keeps_the_ink_in_view(open_window, demo_path, tmp_path, qtbot):
    """Ink only in the top-left corner of an A4 page: zooming around the page's centre
    leaves blank paper on screen (the pointer is not over the page)."""
    window = open_window(demo_path)
    page = Page(210.0, 297.0, (horizontal_stroke(25.0, 0.0, x0_mm=15.0, length_mm=40.0),))
    window.session.set_document(notebook_of([page], [60.0], tmp_path))
    canvas = window.canvas
    qtbot.mouseMove(window.statusBar())  # the pointer away from the page: Ctrl++ from the keyboard
    window.actions_by_name["fit_page"].trigger()
    before = canvas.zoom_percent
    for _ in range(4):
        window.actions_by_name["zoom_in"].trigger()
    assert canvas.zoom_percent == pytest.approx(before * 1.25**4)
    start, end = canvas.widget_point(15.0, 25.0), canvas.widget_point(55.0, 25.0)
    view = canvas.viewport().rect()
    assert view.contains(start.toPoint()) and view.contains(end.toPoint())


def test_zooming_in_keeps_the_point_under_the_pointer_still(open_window, demo_path, qtbot):
    window = open_window(demo_path)
    canvas = window.canvas
    pos = canvas.widget_point(60.0, 80.0).toPoint()
    qtbot.mouseMove(canvas.viewport(), pos)
    window.actions_by_name["zoom_in"].trigger()
    moved = canvas.widget_point(60.0, 80.0)
    assert abs(moved.x() - pos.x()) <= 2 and abs(moved.y() - pos.y()) <= 2


def test_the_detail_waveform_opens_on_30_s_around_the_playhead(open_window, demo_path):
    window = open_window(demo_path)
    x0, x1 = window.waveform.detail.x_range()
    assert x1 - x0 == pytest.approx(30.0, abs=0.5)  # not 0–2:00 of a 2:40 recording
    assert x0 <= window.session.playback.position_s() <= x1


def test_a_waveform_selection_shows_its_ends_and_length_and_loops(open_window, demo_path, qtbot):
    window = open_window(demo_path)
    s = window.session
    bar = window.waveform.selection_bar
    loop = window.actions_by_name["loop_selection"]
    assert not loop.isEnabled()  # nothing to loop yet
    s.set_selection((12.5, 13.1))
    assert bar.label.text() == "Selection 0:12.500 – 0:13.100 (0.6 s)"
    assert loop.isEnabled() and loop.shortcut().toString() == "L"
    loop.trigger()
    assert s.playback.looping
    s.seek(12.9)
    seen: list[float] = []
    s.playback.playhead_moved.connect(seen.append)
    s.toggle_play()
    qtbot.waitUntil(lambda: any(p < 12.8 for p in seen[1:]), timeout=5000)  # came round again
    s.toggle_play()
    assert max(seen) < 13.3
    s.set_selection(None)
    assert not s.playback.looping and not loop.isChecked()


def test_the_sync_buttons_say_what_they_do(open_window, demo_path):
    window = open_window(demo_path)
    earlier = window.transport.findChild(QToolButton, "sync_earlier")
    later = window.transport.findChild(QToolButton, "sync_later")
    assert (earlier.text(), later.text()) == ("−10 ms", "+10 ms")
    assert "earlier" in earlier.toolTip() and "Alt+[" in earlier.toolTip()
    assert "later" in later.toolTip() and "Alt+]" in later.toolTip()


def test_a_recording_named_by_its_date_shows_the_date_once(open_window, livescribe_dir):
    window = open_window(livescribe_dir / "2-pages.pdf")
    text = window.recordings.item(0).text()
    assert text.splitlines()[0] == "9/11/13, 2:56:36 AM"
    assert "2013" not in text  # not again as 2013-09-11 02:56
    demo = window.session.document.notebook.recordings[0]
    assert demo.created is not None


def test_no_audio_no_audio_area_and_no_transport(open_window, livescribe_dir):
    window = open_window(livescribe_dir / "2-pages-no-audio.pdf")
    window.grab()
    assert not window.waveform.isVisible()
    assert not window.actions_by_name["play_pause"].isEnabled()
    assert not window.transport.position.isEnabled()
    assert window.canvas.height() > 0.9 * window.centralWidget().height()


def test_after_a_failed_first_open_the_transport_is_off(qtbot, preferences, tmp_path, no_dialogs):
    from pencastviewer.app.session import Session
    from pencastviewer.audio.silent_output import SilentAudioOutput
    from pencastviewer.gui.main_window import MainWindow

    session = Session(SilentAudioOutput())
    window = MainWindow(session, preferences)
    qtbot.addWidget(window)
    window.show()
    broken = tmp_path / "broken.pencast"
    broken.write_bytes(b"not a notebook")
    with qtbot.waitSignal(session.open_failed, timeout=10000):
        window.open_file(broken)
    assert not window.waveform.isVisible()
    assert not window.actions_by_name["play_pause"].isEnabled() and no_dialogs


@pytest.fixture
def cut_pencast(livescribe_dir, tmp_path):
    """2-pages.pdf cut in half: the ink survives, the embedded audio does not."""
    data = (livescribe_dir / "2-pages.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def test_a_truncated_pencast_says_it_is_damaged_and_promises_no_sound(open_window, cut_pencast, qtbot):
    window = open_window(cut_pencast)
    message = window.statusBar().currentMessage()
    assert "damaged" in message and "missing from it" in message and "Locate" not in message
    assert not window.actions_by_name["locate_recording"].isEnabled()
    canvas, stroke = window.canvas, window.canvas.page.strokes[5]
    hit = window.canvas.hit_at(canvas.widget_point(*stroke.xy_mm[1]))
    tip = hover_text(window.session, hit)
    assert "Click to play" not in tip and "No sound" in tip and "damaged" in tip
    window.actions_by_name["play_pause"].trigger()
    message = window.statusBar().currentMessage()
    assert message.startswith("Nothing to play") and "damaged" in message
    assert "missing from the damaged file" in window.recordings.item(0).text()
    assert not window.waveform.isVisible()  # no empty time axis with a playhead


def test_the_command_line_points_to_audio_not_to_a_menu(capsys, cut_pencast, xournalpp_dir, tmp_path):
    from pencastviewer.cli.main import main

    assert main(["export", str(cut_pencast), "-o", str(tmp_path / "a.wav")]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "missing from it" in err and "Locate" not in err
    assert main(["info", str(cut_pencast)]) == 0
    assert "no sound: the file cut.pdf is damaged" in capsys.readouterr().out
    moved = tmp_path / "moved.xopp"  # its recording test.ogg is not beside it
    moved.write_bytes((xournalpp_dir / "audio-old.xopp").read_bytes())
    assert main(["export", str(moved), "-o", str(tmp_path / "b.wav")]) == 1
    err = capsys.readouterr().err
    assert "--audio" in err and "Locate" not in err
    assert main(["info", str(moved)]) == 0
    out = capsys.readouterr().out
    assert "--audio" in out and "Locate" not in out
