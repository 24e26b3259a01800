"""The page canvas on the bundled demo (silent backend): zoom, pan, ink reveal seen in the
pixels, tap to play, hover; and a partially updated picture equal to a fresh one."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QNativeGestureEvent, QPointingDevice, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolTip
from support.player import darkest_near, horizontal_stroke, ink_darkness, notebook_of, viewport_image

from pencastviewer.gui.page_canvas import FIT_WIDTH, MARGIN_PX
from pencastviewer.gui.stroke_sprites import PLAIN
from pencastviewer.model import Page, Stroke, Tool
from pencastviewer.model.units import format_hms


@pytest.fixture
def window(open_window, demo_path):
    window = open_window(demo_path)
    window.canvas.set_mode("fit-page")  # these tests tap and hover all over the page: all of it in view
    return window


def max_difference(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    arrays = [np.frombuffer(i.constBits(), np.uint8).reshape(i.height(), i.bytesPerLine()) for i in (a, b)]
    return int(np.abs(arrays[0].astype(int) - arrays[1].astype(int)).max())


def _near(a: QPointF, b: QPointF, tolerance: float) -> bool:
    return abs(a.x() - b.x()) <= tolerance and abs(a.y() - b.y()) <= tolerance


# --- zoom and pan ------------------------------------------------------------------------------
def test_zoom_changes_the_scale_and_keeps_the_point_under_the_cursor(window):
    canvas = window.canvas
    canvas.set_zoom(100.0)
    px_at_100 = canvas.px_per_mm
    assert px_at_100 == pytest.approx(canvas.logicalDpiX() / 25.4)
    anchor = QPointF(canvas.viewport().width() * 0.3, canvas.viewport().height() * 0.6)
    under_cursor = canvas.page_point_mm(anchor)
    canvas.set_zoom(250.0, anchor)
    assert canvas.px_per_mm == pytest.approx(2.5 * px_at_100)
    assert canvas.zoom_percent == pytest.approx(250.0)
    # the same paper is under the cursor, to within a pixel's rounding of the scroll position
    assert _near(canvas.page_point_mm(anchor), under_cursor, 1.0 / canvas.px_per_mm)


def test_ctrl_wheel_zooms_around_the_pointer_and_clamps_to_the_limits(window):
    canvas = window.canvas
    canvas.set_zoom(200.0)
    pos = QPointF(canvas.viewport().width() * 0.7, canvas.viewport().height() * 0.4)
    before = canvas.page_point_mm(pos)
    wheel = QWheelEvent(
        pos,
        canvas.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), wheel)
    assert canvas.zoom_percent == pytest.approx(240.0)
    assert _near(canvas.page_point_mm(pos), before, 1.0 / canvas.px_per_mm)
    canvas.set_zoom(5000.0)
    assert canvas.zoom_percent == pytest.approx(800.0)
    canvas.set_zoom(1.0)
    assert canvas.zoom_percent == pytest.approx(25.0)


def test_a_touchpad_pinch_zooms_around_the_fingers(window):
    canvas = window.canvas
    canvas.set_zoom(200.0)
    pos = QPointF(canvas.viewport().width() * 0.4, canvas.viewport().height() * 0.5)
    before = canvas.page_point_mm(pos)
    touchpad = QPointingDevice.primaryPointingDevice()
    pinch = QNativeGestureEvent(
        Qt.NativeGestureType.ZoomNativeGesture,
        touchpad,
        2,
        pos,
        pos,
        canvas.viewport().mapToGlobal(pos),
        0.5,
        QPointF(0, 0),
        0,
    )  # 1.5× apart
    QApplication.sendEvent(canvas.viewport(), pinch)
    assert canvas.zoom_percent == pytest.approx(300.0)
    assert _near(canvas.page_point_mm(pos), before, 1.0 / canvas.px_per_mm)


def test_fit_width_fills_the_width_and_fit_page_shows_the_whole_page(window):
    canvas, page = window.canvas, window.session.document.notebook.pages[0]
    canvas.set_mode(FIT_WIDTH)
    QApplication.processEvents()
    width_px = page.width_mm * canvas.px_per_mm
    assert width_px == pytest.approx(canvas.viewport().width() - 2 * MARGIN_PX, abs=2)
    canvas.set_mode("fit-page")
    QApplication.processEvents()
    assert page.height_mm * canvas.px_per_mm <= canvas.viewport().height() - 2 * MARGIN_PX + 1
    assert page.width_mm * canvas.px_per_mm <= canvas.viewport().width() - 2 * MARGIN_PX + 1


def test_dragging_the_paper_pans_and_a_click_on_paper_does_nothing(window, qtbot):
    canvas, session = window.canvas, window.session
    canvas.set_zoom(400.0)
    canvas.center_on(150.0, 200.0)  # the demo's page is empty down there
    blank = canvas.widget_point(150.0, 200.0)
    assert canvas.hit_at(blank) is None
    h, v = canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value()
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=blank.toPoint())
    assert session.playback.state() == "stopped" and session.playback.position_s() == 0.0
    assert (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value()) == (h, v)
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=blank.toPoint())
    moved = (blank + QPointF(-40, -30)).toPoint()
    qtbot.mouseMove(canvas.viewport(), moved)
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=moved)
    assert (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value()) == (h + 40, v + 30)
    assert session.playback.state() == "stopped"


# --- tap to play and hover -----------------------------------------------------------------------
def test_a_click_on_ink_plays_from_the_tapped_time_minus_the_preroll(window, qtbot):
    session, canvas = window.session, window.canvas
    doc = session.document
    stroke = doc.notebook.pages[0].strokes[50]
    k = stroke.n_points // 2
    x, y = stroke.xy_mm[k]
    expected = doc.timeline.position_s(0, float(stroke.t_ms[k])) - session.preroll_s
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.widget_point(x, y).toPoint())
    assert session.playback.playing
    session.playback.pause()
    # the tap time is interpolated along the segment under the pointer: within one sample (13 ms)
    # of the nearest point, plus the little the silent clock ran before the pause
    assert session.playback.position_s() == pytest.approx(expected, abs=0.06)
    assert session.playback.position_s() >= expected - 0.014


def test_the_sync_offset_moves_where_a_tap_plays_from(window, qtbot):
    session, canvas = window.session, window.canvas
    stroke = session.document.notebook.pages[0].strokes[100]
    x, y = stroke.xy_mm[0]
    session.set_sync_offset_ms(250.0)
    expected = session.document.timeline.position_s(0, stroke.start_ms) + 0.25 - session.preroll_s
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.widget_point(x, y).toPoint())
    session.playback.pause()
    assert session.playback.position_s() == pytest.approx(expected, abs=0.06)


def test_hovering_ink_shows_a_pointing_hand_and_the_time(window, qtbot):
    session, canvas = window.session, window.canvas
    stroke = session.document.notebook.pages[0].strokes[0]
    pos = canvas.widget_point(*stroke.xy_mm[5]).toPoint()
    qtbot.mouseMove(canvas.viewport(), pos)
    hit = canvas.hit_at(QPointF(pos))
    assert hit is not None and hit.stroke == 0
    time_text = format_hms(session.document.timeline.position_s(0, hit.t_ms))
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    assert QToolTip.isVisible()
    assert f"▶ {time_text} — CloudCamp Paris" in QToolTip.text()
    qtbot.mouseMove(canvas.viewport(), canvas.widget_point(150.0, 220.0).toPoint())
    assert canvas.viewport().cursor().shape() != Qt.CursorShape.PointingHandCursor
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)  # Qt hides a tip after a short delay


# --- ink reveal ----------------------------------------------------------------------------------
def _zoom_on(canvas, strokes) -> None:
    canvas.set_zoom(300.0)
    xy = np.vstack([s.xy_mm for s in strokes])
    canvas.center_on(*((xy.min(axis=0) + xy.max(axis=0)) / 2))


def test_paused_mid_recording_earlier_ink_is_full_colour_and_later_ink_faint(window):
    session, canvas = window.session, window.canvas
    page = session.document.notebook.pages[0]
    earlier, later = page.strokes[95], page.strokes[103]  # written at 53 s and 57 s, on one line
    _zoom_on(canvas, [earlier, later])
    session.seek(55.5)  # paused (never played): the reveal shows the playhead's instant
    image = viewport_image(canvas)
    assert ink_darkness(canvas, image, earlier) > 0.55
    assert ink_darkness(canvas, image, later) < 0.3
    assert ink_darkness(canvas, image, later) > 0.03  # faint, but there: a ghost
    session.set_options(show_ghosts=False)
    hidden = viewport_image(canvas)
    assert ink_darkness(canvas, hidden, later) < ink_darkness(canvas, image, later) - 0.02
    session.playback.stop()  # stopped at the start: all ink in full colour again
    assert ink_darkness(canvas, viewport_image(canvas), later) > 0.55


def test_the_stroke_being_written_is_drawn_point_by_point_in_the_highlight(window):
    session, canvas = window.session, window.canvas
    doc = session.document
    stroke = doc.notebook.pages[0].strokes[50]  # 105 points
    _zoom_on(canvas, [stroke])
    half = stroke.n_points // 2
    session.seek(doc.timeline.position_s(0, float(stroke.t_ms[half])) + 0.001)
    image = viewport_image(canvas)
    drawn = canvas.widget_point(*stroke.xy_mm[half // 2]).toPoint()
    to_come = canvas.widget_point(*stroke.xy_mm[-3]).toPoint()
    orange = image.pixelColor(drawn)
    assert orange.red() > 180 and orange.blue() < 120, orange.name()  # InkStyle.writing_color
    assert image.pixelColor(to_come).red() < 180 or image.pixelColor(to_come).blue() > 150


def test_after_many_partial_updates_the_picture_equals_a_fresh_one(window):
    session, canvas = window.session, window.canvas
    canvas.set_zoom(180.0)
    canvas.center_on(60.0, 60.0)
    canvas.viewport().repaint()  # the full picture at this zoom, before the playhead moves
    for t in np.arange(20.0, 34.0, 1 / 60):  # 14 s of playback, frame by frame
        session.seek(float(t))
    incremental = canvas.layer.pixmap.toImage()
    canvas.layer.valid = False
    canvas.viewport().repaint()
    fresh = canvas.layer.pixmap.toImage()
    assert incremental.size() == fresh.size()
    assert incremental == fresh


def test_the_picture_is_kept_at_the_device_pixel_ratio(window):
    layer, canvas = window.canvas.layer, window.canvas
    layer.rebuild(
        canvas.viewport().size(), 2.0, canvas.view_transform(), canvas.desk_color(), None, canvas.ink_style()
    )
    assert layer.pixmap.width() == 2 * canvas.viewport().width()
    assert layer.px_per_mm == pytest.approx(2 * canvas.px_per_mm)
    image: QImage = layer.pixmap.toImage()
    stroke = window.session.document.notebook.pages[0].strokes[0]
    x, y = stroke.xy_mm[10]
    at = canvas.widget_point(x, y)
    dark = image.pixelColor(round(at.x() * 2), round(at.y() * 2))
    assert dark.lightnessF() < 0.6  # the ink is drawn at the doubled resolution, not stretched


# --- made-to-order pages -------------------------------------------------------------------------
@pytest.fixture
def canvas_on(qtbot, tmp_path):
    """canvas_on(pages, durations) -> a shown PageCanvas on a session holding that notebook."""
    from pencastviewer.app.session import Session
    from pencastviewer.audio.silent_output import SilentAudioOutput
    from pencastviewer.gui.page_canvas import PageCanvas

    def make(pages, durations_s=(30.0,)):
        session = Session(SilentAudioOutput())
        canvas = PageCanvas(session)
        qtbot.addWidget(canvas)
        canvas.resize(700, 800)
        canvas.show()
        qtbot.waitExposed(canvas)
        session.set_document(notebook_of(pages, list(durations_s), tmp_path))
        canvas.set_zoom(200.0)
        canvas.center_on(50.0, 40.0)
        return session, canvas

    return make


def test_ink_without_audio_is_drawn_in_a_neutral_grey_while_playing(canvas_on):
    with_audio = horizontal_stroke(30.0, 1000.0)
    without = horizontal_stroke(50.0, 2000.0, recording=None)
    session, canvas = canvas_on([Page(148, 210, (with_audio, without))])
    plain = viewport_image(canvas)
    assert darkest_near(plain, canvas.widget_point(50.0, 50.0)).blue() > 100  # its own dark blue
    session.seek(10.0)  # both written by then
    image = viewport_image(canvas)
    blue = darkest_near(image, canvas.widget_point(50.0, 30.0))
    grey = darkest_near(image, canvas.widget_point(50.0, 50.0))
    assert blue.blue() - blue.red() > 60
    assert abs(grey.red() - grey.blue()) < 12 and 90 < grey.red() < 140  # InkStyle.no_audio_color


def test_strokes_copied_from_sprites_look_exactly_as_drawn(canvas_on, qtbot):
    """Pen, pressure and translucent highlighter ink, overlapping: the picture made of
    sprites equals the one the renderer draws directly (the first paint, before sprites),
    to within one level of 255 where the translucent highlighter is (its colour is rounded
    once more in the sprite)."""
    pen = horizontal_stroke(30.0, 1000.0)
    pressure = Stroke(
        pen.xy_mm + [0, 8],
        pen.t_ms + 3000,
        width_mm=1.0,
        color=(160, 20, 20, 255),
        recording=0,
        widths_mm=np.linspace(0.3, 2.5, pen.n_points),
    )
    marker = Stroke(
        np.array([[25.0, 25.0], [70.0, 45.0]]),
        np.array([6000.0, 6500.0]),
        width_mm=6.0,
        color=(255, 230, 0, 128),
        tool=Tool.HIGHLIGHTER,
        recording=0,
    )
    session, canvas = canvas_on([Page(148, 210, (pen, pressure, marker))])
    canvas.layer.set_renderer(canvas.layer.renderer)  # no sprites: drawn directly
    direct = viewport_image(canvas)
    assert canvas.layer.warm_sprites(10.0)
    canvas.layer.repaint_all()
    assert canvas.layer.sprites.has(2, PLAIN)
    assert max_difference(viewport_image(canvas), direct) <= 1
    session.seek(20.0)  # all written, with a reveal: the same again, now from WRITTEN sprites
    revealed = viewport_image(canvas)
    canvas.layer.set_renderer(canvas.layer.renderer)
    canvas.layer.valid = False
    assert max_difference(viewport_image(canvas), revealed) <= 1
    assert darkest_near(revealed, canvas.widget_point(50.0, 30.0)).lightnessF() < 0.5  # (ink is shown)
