"""Selecting strokes on the page of the bundled demo (silent backend): Shift+drag a rectangle,
Ctrl+Shift+drag a lasso, Shift+click; the session's waveform selection follows; Escape and a
click on bare paper clear; plain drags still pan and clicks still play; Export uses it."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QKeySequence, QPolygonF
from PySide6.QtWidgets import QApplication
from support.player import viewport_image

from pencastviewer.gui import export_dialog
from pencastviewer.gui.export_dialog import ExportDialog

SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton
LINE_TOP_MM, LINE_BOTTOM_MM = 38.0, 50.0  # between the rulings around page 1's second written line


@pytest.fixture
def window(open_window, demo_path, qtbot):
    window = open_window(demo_path)
    window.activateWindow()
    qtbot.waitActive(window)
    window.canvas.setFocus()
    canvas, page = window.canvas, window.session.document.notebook.pages[0]
    canvas.set_zoom(150.0)
    canvas.center_on(page.width_mm / 3, (LINE_TOP_MM + LINE_BOTTOM_MM) / 2)
    canvas.viewport().repaint()
    return window


def second_line(page) -> list[int]:
    """The strokes of the second written line, from the model's geometry: those whose
    vertical middle lies between the rulings around it."""
    middles = [(s.bounds_mm()[1] + s.bounds_mm()[3]) / 2 for s in page.strokes]
    return [i for i, y in enumerate(middles) if LINE_TOP_MM < y < LINE_BOTTOM_MM]


def pixels(image, rect: QRect) -> np.ndarray:
    """(h, w, 4) bytes of `rect` of an RGB32 image."""
    array = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return array[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]


def drag(qtbot, canvas, points_mm, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Press at the first point, move through the others, release at the last."""
    viewport = canvas.viewport()
    at = [canvas.widget_point(x, y).toPoint() for x, y in points_mm]
    qtbot.mousePress(viewport, LEFT, modifiers, at[0])
    for pos in at[1:]:
        qtbot.mouseMove(viewport, pos)
    qtbot.mouseRelease(viewport, LEFT, modifiers, at[-1])


def press_key(qtbot, window, keys: str) -> None:
    combo = QKeySequence(keys)[0]
    qtbot.keyClick(window.canvas, combo.key(), combo.keyboardModifiers())


def heard_span(session, indices) -> tuple[float, float]:
    strokes = session.document.notebook.pages[0].strokes
    return (
        min(session.audio_position_s(0, strokes[i].start_ms) for i in indices),
        max(session.audio_position_s(0, strokes[i].end_ms) for i in indices),
    )


def select_second_line(qtbot, window) -> list[int]:
    page = window.session.document.notebook.pages[0]
    line = second_line(page)
    x0 = min(page.strokes[i].bounds_mm()[0] for i in line) - 2.0
    x1 = max(page.strokes[i].bounds_mm()[2] for i in line) + 2.0
    drag(qtbot, window.canvas, [(x0, LINE_TOP_MM), ((x0 + x1) / 2, 45.0), (x1, LINE_BOTTOM_MM)], SHIFT)
    return line


# --- rectangle ------------------------------------------------------------------------------
def test_shift_drag_over_a_line_selects_its_strokes_and_the_waveform_shows_their_span(window, qtbot):
    session, canvas = window.session, window.canvas
    strokes = session.document.notebook.pages[0].strokes
    scroll = (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value())
    line = select_second_line(qtbot, window)
    assert line == list(range(13, 37))  # the demo's second line: 24 strokes
    assert session.selected_strokes == (0, tuple(line))
    heard = session.audio_position_s
    span = (heard(0, strokes[line[0]].start_ms), heard(0, strokes[line[-1]].end_ms))
    assert span == heard_span(session, line)  # first start to last end
    assert session.selection == span
    for plot in (window.waveform.overview, window.waveform.detail):
        assert plot.selection.isVisible() and plot.selection.getRegion() == span
    assert session.playback.state() == "stopped"  # a selection neither plays ...
    assert (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value()) == scroll  # nor pans
    assert canvas.layer.valid  # the highlight went into the page picture where it changed ...
    incremental = canvas.layer.pixmap.toImage()
    canvas.layer.valid = False
    canvas.viewport().repaint()
    assert canvas.layer.pixmap.toImage() == incremental  # ... exactly as a fresh picture has it
    assert "24 strokes selected" in window.statusBar().currentMessage()


def test_the_selection_is_highlighted_and_escape_clears_both_selections(window, qtbot):
    session, canvas = window.session, window.canvas
    before = viewport_image(canvas)
    line = select_second_line(qtbot, window)
    highlighted = viewport_image(canvas)

    def changed_in_box(i: int) -> float:  # the share of the pixels in stroke i's box that changed
        x0, y0, x1, y1 = session.document.notebook.pages[0].strokes[i].bounds_mm()
        box = QRect(canvas.widget_point(x0, y0).toPoint(), canvas.widget_point(x1, y1).toPoint())
        return float((pixels(highlighted, box) != pixels(before, box)).any(axis=2).mean())

    assert changed_in_box(line[5]) > 0.3 and changed_in_box(line[20]) > 0.3  # tinted around the ink
    assert changed_in_box(40) == 0.0  # (a stroke on the next line)
    press_key(qtbot, window, "Esc")
    assert session.selected_strokes is None and session.selection is None
    assert not window.waveform.detail.selection.isVisible()
    assert viewport_image(canvas) == before


def test_a_rectangle_takes_a_stroke_only_when_most_of_its_points_are_inside(window, qtbot):
    session = window.session
    stroke = session.document.notebook.pages[0].strokes[22]  # a long, flat stroke of the second line
    xs = np.sort(stroke.xy_mm[:, 0])
    y0, y1 = stroke.xy_mm[:, 1].min() - 1.0, stroke.xy_mm[:, 1].max() + 1.0
    most = xs[int(len(xs) * 0.7)] + 0.01
    drag(qtbot, window.canvas, [(xs[0] - 0.5, y0), (most, y1)], SHIFT)
    assert 22 in session.selected_strokes[1]
    few = xs[int(len(xs) * 0.3)] + 0.01
    drag(qtbot, window.canvas, [(xs[0] - 0.5, y0), (few, y1)], SHIFT)
    assert session.selected_strokes is None or 22 not in session.selected_strokes[1]


class PaintRecorder(QObject):
    def __init__(self):
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())
        return False


def test_dragging_the_band_repaints_only_around_it(window, qtbot):
    canvas = window.canvas
    viewport = canvas.viewport()
    corners = [canvas.widget_point(40.0, 40.0).toPoint(), canvas.widget_point(70.0, 48.0).toPoint()]
    recorder = PaintRecorder()
    qtbot.mousePress(viewport, LEFT, SHIFT, corners[0])
    QApplication.processEvents()
    viewport.installEventFilter(recorder)
    for step in np.linspace(0.1, 1.0, 8):
        qtbot.mouseMove(viewport, (corners[0] + (corners[1] - corners[0]) * float(step)))
        QApplication.processEvents()
    viewport.removeEventFilter(recorder)
    qtbot.mouseRelease(viewport, LEFT, SHIFT, corners[1])
    band = QRect(corners[0], corners[1]).normalized().adjusted(-4, -4, 4, 4)
    assert recorder.rects, "the band was never drawn"
    assert all(band.contains(r) for r in recorder.rects), (band, recorder.rects)
    assert canvas.layer.valid


# --- lasso, Shift+click, clearing ----------------------------------------------------------------
def test_ctrl_shift_drag_selects_the_strokes_inside_a_lasso(window, qtbot):
    session = window.session
    page = session.document.notebook.pages[0]
    diamond = [(27.0, 44.0), (48.0, 37.0), (69.0, 44.0), (48.0, 51.0)]  # around the middle of the second line
    path = []
    for (ax, ay), (bx, by) in zip(diamond, diamond[1:] + diamond[:1], strict=True):
        path += [(ax + (bx - ax) * f, ay + (by - ay) * f) for f in np.linspace(0.0, 1.0, 12, endpoint=False)]
    drag(qtbot, window.canvas, [*path, diamond[0]], SHIFT | CTRL)
    polygon = QPolygonF([QPointF(x, y) for x, y in diamond])

    def mostly_inside(stroke) -> bool:  # Qt's own polygon test, point by point
        points = [QPointF(x, y) for x, y in stroke.xy_mm.tolist()]
        return 2 * sum(polygon.containsPoint(p, Qt.FillRule.OddEvenFill) for p in points) > stroke.n_points

    expected = [i for i, s in enumerate(page.strokes) if mostly_inside(s)]
    assert len(expected) >= 5
    assert session.selected_strokes == (0, tuple(expected))
    in_its_box = [i for i in second_line(page) if 27.0 < page.strokes[i].bounds_mm()[0] < 69.0]
    assert set(expected) < set(in_its_box)  # the corners of its bounding box were left out
    assert session.selection == heard_span(session, expected)


def test_shift_click_adds_and_removes_one_stroke(window, qtbot):
    session, canvas = window.session, window.canvas
    strokes = session.document.notebook.pages[0].strokes
    for i in (50, 52, 50):
        x, y = strokes[i].xy_mm[strokes[i].n_points // 2]
        qtbot.mouseClick(canvas.viewport(), LEFT, SHIFT, canvas.widget_point(x, y).toPoint())
    assert session.selected_strokes == (0, (52,))
    assert session.selection == heard_span(session, [52])
    assert session.playback.state() == "stopped"
    at = canvas.widget_point(*strokes[60].xy_mm[0]).toPoint()
    qtbot.mouseClick(canvas.viewport(), LEFT, SHIFT, at)  # a quick second click comes as a double click:
    qtbot.mouseDClick(canvas.viewport(), LEFT, SHIFT, at)
    qtbot.mouseRelease(canvas.viewport(), LEFT, SHIFT, at)
    assert session.selected_strokes == (0, (52,))  # it too adds or removes the stroke


def test_plain_drag_still_pans_plain_click_still_plays_and_bare_paper_clears(window, qtbot):
    session, canvas = window.session, window.canvas
    line = select_second_line(qtbot, window)
    canvas.center_on(150.0, 200.0)  # the demo's page is empty down there
    blank = canvas.widget_point(150.0, 200.0)
    assert canvas.hit_at(blank) is None
    h, v = canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value()
    drag_to = (blank + QPointF(40, 30)).toPoint()  # (the view is scrolled to its far corner)
    qtbot.mousePress(canvas.viewport(), LEFT, pos=blank.toPoint())
    qtbot.mouseMove(canvas.viewport(), drag_to)
    qtbot.mouseRelease(canvas.viewport(), LEFT, pos=drag_to)
    assert (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value()) == (h - 40, v - 30)
    assert session.selected_strokes == (0, tuple(line))  # panning keeps the selection
    stroke = session.document.notebook.pages[0].strokes[100]
    canvas.center_on(*stroke.xy_mm[0])
    qtbot.mouseClick(canvas.viewport(), LEFT, pos=canvas.widget_point(*stroke.xy_mm[0]).toPoint())
    assert session.playback.playing  # a tap plays, selection or not
    session.playback.pause()
    assert session.selected_strokes == (0, tuple(line))
    canvas.center_on(150.0, 200.0)
    qtbot.mouseClick(canvas.viewport(), LEFT, pos=canvas.widget_point(150.0, 200.0).toPoint())
    assert session.selected_strokes is None and session.selection is None


def test_a_region_dragged_on_the_waveform_replaces_the_stroke_selection(window, qtbot):
    session = window.session
    select_second_line(qtbot, window)
    window.waveform.detail.view.selection_dragged.emit(3.0, 7.5)
    assert session.selected_strokes is None and session.selection == (3.0, 7.5)
    press_key(qtbot, window, "Ctrl+A")
    n = len(session.document.notebook.pages[0].strokes)
    assert session.selected_strokes == (0, tuple(range(n)))
    assert session.selection == heard_span(session, range(n))


def test_the_selection_follows_the_sync_offset_as_taps_do(window, qtbot):
    session = window.session
    session.set_sync_offset_ms(250.0)
    line = select_second_line(qtbot, window)
    strokes = session.document.notebook.pages[0].strokes
    plain = session.document.timeline.position_s
    assert session.selection == pytest.approx(
        (plain(0, strokes[line[0]].start_ms) + 0.25, plain(0, strokes[line[-1]].end_ms) + 0.25), abs=1e-9
    )
    press_key(qtbot, window, "Alt+]")  # 10 ms later still
    assert session.selected_strokes == (0, tuple(line))
    assert session.selection == pytest.approx(
        (plain(0, strokes[line[0]].start_ms) + 0.26, plain(0, strokes[line[-1]].end_ms) + 0.26), abs=1e-9
    )
    assert window.waveform.detail.selection.getRegion() == session.selection


# --- export --------------------------------------------------------------------------------------------
def test_export_with_a_selection_writes_its_span_plus_lead_in_and_out(window, qtbot, tmp_path):
    session = window.session
    session.set_sync_offset_ms(-120.0)
    line = select_second_line(qtbot, window)
    span = heard_span(session, line)
    window.actions_by_name["export"].trigger()
    dialog = window.findChildren(ExportDialog)[0]
    assert dialog.range_box.currentData() == export_dialog.RANGE_STROKES
    assert dialog.range_box.findData(export_dialog.RANGE_SELECTION) == -1  # (it is the same span)
    assert (dialog.lead_in.value(), dialog.lead_out.value()) == (1.0, 1.0)
    dialog.lead_out.setValue(0.5)
    spec = dialog.clip_spec()
    assert (spec.start_s, spec.end_s) == (span[0] - 1.0, span[1] + 0.5)
    assert spec.strokes == (0, line[0], line[-1]) and spec.sync_offset_ms == -120.0
    # the clip starts where a tap on its first stroke is heard, less the lead-in
    first = session.document.notebook.pages[0].strokes[line[0]]
    assert spec.start_s + 1.0 == pytest.approx(session.audio_position_s(0, first.start_ms), abs=1e-9)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".wav"))
    dialog.path_edit.setText(str(tmp_path / "line.wav"))
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.export_button.click()
    info = sf.info(tmp_path / "line.wav")
    assert info.samplerate == 22050
    assert info.frames == round((span[1] + 0.5) * 22050) - round((span[0] - 1.0) * 22050)
    dialog.close()


def test_help_lists_the_selection_commands_and_gestures(window):
    from pencastviewer.gui.shortcuts import MOUSE_HELP, help_rows

    rows = {(group, text): keys for group, text, keys in help_rows()}
    assert rows[("Edit", "Clear selection")] == "Esc"
    assert rows[("Edit", "Select all ink on the page")] == "Ctrl+A"
    gestures = dict(MOUSE_HELP)
    assert "rectangle" in gestures["Shift+drag on the page"]
    assert "lasso" in gestures["Ctrl+Shift+drag on the page"]
    assert [a.text() for a in window.menuBar().actions()][:2] == ["&File", "&Edit"]


# --- made-to-order notebooks -------------------------------------------------------------------------
def test_strokes_of_another_recording_make_it_current_and_ink_without_audio_has_no_region(qtbot, tmp_path):
    from support.player import horizontal_stroke, notebook_of

    from pencastviewer.app.session import Session
    from pencastviewer.audio.silent_output import SilentAudioOutput
    from pencastviewer.model import Page

    strokes = (
        horizontal_stroke(30.0, 1000.0),
        horizontal_stroke(50.0, 1_002_000.0, recording=1),
        horizontal_stroke(70.0, 5000.0, recording=None),
    )
    session = Session(SilentAudioOutput())
    session.set_document(notebook_of([Page(148, 210, strokes)], [30.0, 20.0], tmp_path))
    assert session.recording == 0
    session.select_strokes(0, [1])  # written during the second recording, 2 s in, for 2 s
    assert session.recording == 1 and session.selection == pytest.approx((2.0, 4.0))
    assert session.selected_strokes == (0, (1,))
    session.select_strokes(0, [2])
    assert session.selected_strokes == (0, (2,)) and session.selection is None
    session.select_strokes(0, [0, 1, 0, 99])  # (repeats and strokes that do not exist are dropped)
    assert session.selected_strokes == (0, (0, 1))
    session.set_document(notebook_of([Page(148, 210, strokes[:1])], [30.0], tmp_path))  # another file
    assert session.selected_strokes is None and session.selection is None
