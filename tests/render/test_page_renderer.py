"""The page renderer draws what the model says, as Xournal++ would: dashes, caps, pressure,
fills, highlighters, dots, TeX images, rulings — measured on the pixels it paints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QTransform

from pencastviewer.formats.pencast import read_pencast, write_pencast
from pencastviewer.formats.registry import ReadOptions
from pencastviewer.formats.xournalpp import reader as xournalpp
from pencastviewer.model import Background, Notebook, Page, PageImage, RevealState, Ruling, Stroke, Tool
from pencastviewer.model.units import MM_PER_POINT
from pencastviewer.render import page_renderer
from pencastviewer.render.ink_style import InkStyle
from pencastviewer.render.page_renderer import PageRenderer

PX_PER_MM = 10.0
BLUE = (0, 0, 255, 255)


def render(
    page: Page,
    *,
    px_per_mm: float = PX_PER_MM,
    renderer: PageRenderer | None = None,
    reveal: RevealState | None = None,
) -> np.ndarray:
    """(h, w, 3) RGB of the page on white at `px_per_mm`."""
    width, height = round(page.width_mm * px_per_mm), round(page.height_mm * px_per_mm)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setTransform(QTransform.fromScale(px_per_mm, px_per_mm))
    (renderer or PageRenderer(page)).paint(painter, px_per_mm, reveal=reveal)
    painter.end()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    return rows[:, : 4 * width].reshape(height, width, 4)[:, :, 2::-1].astype(int)


def ink(rgb: np.ndarray) -> np.ndarray:
    return (255 - rgb).max(axis=-1) > 128


def runs(row: np.ndarray) -> list[int]:
    """Lengths of the runs of True in a 1-D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
    return (edges[1::2] - edges[::2]).tolist()


def line(x0: float, x1: float, y: float, n: int = 2) -> np.ndarray:
    return np.column_stack([np.linspace(x0, x1, n), np.full(n, y)])


def page_of(*strokes: Stroke, **kwargs: object) -> Page:
    return Page(60.0, 40.0, strokes, **kwargs)  # type: ignore[arg-type]


def ink_stroke(xy: np.ndarray, **kwargs: object) -> Stroke:
    return Stroke(xy, np.zeros(len(xy)), **kwargs)  # type: ignore[arg-type]


# --- strokes ----------------------------------------------------------------------------


@pytest.mark.parametrize("pressure", [False, True], ids=["pen", "pressure"])
def test_dash_lengths_are_millimetres_whatever_the_width(qapp, pressure: bool) -> None:
    xy = line(10, 50, 20, n=9)
    widths = np.full(9, 1.5) if pressure else None
    stroke = ink_stroke(xy, width_mm=1.5, color=BLUE, cap="butt", dash_mm=(4.0, 2.0), widths_mm=widths)
    dashes = runs(ink(render(page_of(stroke)))[200, 95:505])
    assert len(dashes) == 7  # 40 mm of 4 on / 2 off: six whole dashes and a last 4 mm one
    assert all(abs(d - 40) <= 1 for d in dashes)


def test_odd_dash_patterns_repeat_like_cairo(qapp) -> None:
    stroke = ink_stroke(line(10, 40, 20), width_mm=1.0, cap="butt", dash_mm=(3.0, 1.0, 1.0))
    # 3 on, 1 off, 1 on, 3 off, 1 on, 1 off, 3 on, …
    assert runs(ink(render(page_of(stroke)))[200, 95:405])[:4] == pytest.approx([30, 10, 10, 30], abs=1)


@pytest.mark.parametrize(
    ("cap", "left", "right"), [("butt", 100, 300), ("square", 80, 320), ("round", 80, 320)]
)
def test_caps_extend_as_named(qapp, cap: str, left: int, right: int) -> None:
    stroke = ink_stroke(line(10, 30, 20), width_mm=4.0, cap=cap)
    mask = ink(render(page_of(stroke)))
    columns = np.flatnonzero(mask[200])
    assert columns[0] == pytest.approx(left, abs=1) and columns[-1] + 1 == pytest.approx(right, abs=1)
    corner = mask[182, left + 1]  # 1.8 mm above the centre line at the cap's outer edge
    assert corner == (cap != "round")


def test_pressure_segment_k_has_the_width_of_point_k(qapp) -> None:
    stroke = ink_stroke(line(10, 50, 20, n=3), width_mm=1.0, widths_mm=[1.0, 3.0, 3.0], cap="butt")
    mask = ink(render(page_of(stroke)))
    assert mask[:, 200].sum() == pytest.approx(10, abs=1)  # first segment, 1 mm
    assert mask[:, 400].sum() == pytest.approx(30, abs=1)  # second, 3 mm


def test_ghosted_pressure_stroke_is_one_even_tint(qapp) -> None:
    """Pressure segments overlap at every joint; a translucent stroke must not darken there."""
    xy = np.column_stack([np.linspace(10, 50, 41), 20 + 5 * np.sin(np.linspace(0, 3, 41))])
    stroke = ink_stroke(xy, width_mm=2.0, widths_mm=np.full(41, 2.0), color=BLUE, recording=0)
    page = page_of(stroke)
    reveal = RevealState(written=np.array([False]), writing=())
    rgb = render(page, reveal=reveal)
    tinted = rgb[(255 - rgb).max(axis=-1) > 20]
    expected_red = 255 * (1 - InkStyle().ghost_alpha)
    assert np.median(tinted[:, 0]) == pytest.approx(expected_red, abs=3)
    assert tinted[:, 0].min() >= expected_red - 3  # no darker beads at the joints


def test_fill_is_painted_under_the_line_at_its_opacity(qapp) -> None:
    triangle = np.array([[10.0, 30], [30, 5], [50, 30], [10, 30]])
    rgb = render(page_of(ink_stroke(triangle, width_mm=0.5, color=BLUE, fill_alpha=128)))
    assert rgb[250, 300].tolist() == pytest.approx([127, 127, 255], abs=2)  # inside: half blue
    assert rgb[300, 300].tolist() == [0, 0, 255]  # on the line: opaque
    assert rgb[50, 100].tolist() == [255, 255, 255]


def test_highlighter_multiplies_onto_ink_below(qapp) -> None:
    yellow = (255, 235, 59, 120)
    pen = ink_stroke(line(10, 50, 20), width_mm=2.0, color=BLUE)
    marker = ink_stroke(np.array([[30.0, 5], [30, 35]]), width_mm=6.0, color=yellow, tool=Tool.HIGHLIGHTER)
    rgb = render(page_of(pen, marker))
    assert rgb[200, 300, 0] <= 2  # multiplied: blue ink stays blue-black, not tinted yellow
    a = 120 / 255
    assert rgb[100, 300].tolist() == pytest.approx([255, round(255 - 20 * a), round(255 - 196 * a)], abs=2)


def test_filled_highlighter_is_one_shape_at_the_fill_opacity(qapp) -> None:
    square = np.array([[10.0, 10], [40, 10], [40, 30], [10, 30], [10, 10]])
    marker = ink_stroke(square, width_mm=4.0, color=(0, 0, 0, 120), tool=Tool.HIGHLIGHTER, fill_alpha=51)
    rgb = render(page_of(marker))
    inside, on_line, line_outside = rgb[200, 250], rgb[100, 250], rgb[85, 250]
    assert inside.tolist() == on_line.tolist() == line_outside.tolist()  # no double coat where they meet
    assert inside[0] == pytest.approx(255 * 0.8, abs=2)  # fill 51/255, not the colour's 120


@pytest.mark.parametrize(("cap", "dot"), [("round", True), ("square", True), ("butt", False)])
def test_a_stroke_that_does_not_move_is_a_dot_as_in_cairo(qapp, cap: str, dot: bool) -> None:
    stroke = ink_stroke(np.array([[30.0, 20], [30, 20]]), width_mm=3.0, cap=cap)
    mask = ink(render(page_of(stroke)))
    assert mask[200, 300] == dot
    if dot:
        assert mask.sum() == pytest.approx(np.pi * 15**2 if cap == "round" else 30**2, rel=0.1)


def test_round_caps_stay_round_when_zoomed_and_outlines_are_reused(qapp) -> None:
    stroke = ink_stroke(line(20, 40, 20, n=3), width_mm=2.0, widths_mm=[2.0, 2.0, 2.0])
    renderer = PageRenderer(page_of(stroke))
    shape = renderer.shape(0)
    assert shape.outline(8.0) is shape.outline(9.0)  # rebuilt per power-of-two step only
    assert shape.outline(8.0) is not shape.outline(100.0)
    mask = ink(render(renderer.page, px_per_mm=50, renderer=renderer))
    area_mm2 = mask.sum() / 50**2
    assert area_mm2 == pytest.approx(20 * 2 + np.pi, rel=0.005)  # a 20 × 2 mm band and two half discs


def test_shapes_are_built_once_not_per_paint(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    build = page_renderer.build_shape
    monkeypatch.setattr(page_renderer, "build_shape", lambda stroke: calls.append(stroke) or build(stroke))
    strokes = [
        ink_stroke(line(5, 55, y, n=20), widths_mm=np.full(20, 1.0), dash_mm=(1.0, 1.0)) for y in (10, 20)
    ]
    renderer = PageRenderer(page_of(*strokes))
    first = render(renderer.page, renderer=renderer)
    assert np.array_equal(render(renderer.page, renderer=renderer), first)
    assert len(calls) == 2


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_stroke_style_paints_without_error(qapp, data: st.DataObject) -> None:
    """Degenerate input too: zero or negative widths, repeated points, all-zero, odd and
    absurdly fine dash patterns, fills of one point."""
    n = data.draw(st.integers(1, 8))
    coords = st.floats(-20, 80, allow_nan=False)
    widths = st.floats(-1, 6, allow_nan=False)
    stroke = ink_stroke(
        data.draw(hnp.arrays(np.float64, (n, 2), elements=coords)),
        width_mm=data.draw(widths),
        widths_mm=data.draw(st.none() | hnp.arrays(np.float64, n, elements=widths)),
        tool=data.draw(st.sampled_from(Tool)),
        fill_alpha=data.draw(st.none() | st.integers(0, 255)),
        cap=data.draw(st.sampled_from(["round", "butt", "square"])),
        dash_mm=tuple(data.draw(st.lists(st.sampled_from([0.0, 1e-9, 0.3, 2.0]), max_size=5))),
    )
    rgb = render(page_of(stroke), px_per_mm=2)
    assert rgb.shape == (80, 120, 3)


# --- images, backgrounds ------------------------------------------------------------------


def test_a_tex_image_that_is_a_pdf_is_drawn(qapp, tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(40, 20)).Contents = pdf.make_stream(b"0 0 0 rg 10 5 20 10 re f")
    pdf.save(tmp_path / "tex.pdf")
    page = page_of(images=(PageImage((tmp_path / "tex.pdf").read_bytes(), (10.0, 10.0, 40.0, 20.0)),))
    mask = ink(render(page))
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    # the black box fills the middle half of the image's rectangle
    assert (rows[0], rows[-1] + 1, columns[0], columns[-1] + 1) == pytest.approx((150, 250, 200, 400), abs=1)


def ruled_rows(ruling: Ruling, height_mm: float = 100.0) -> list[float]:
    """Centres (mm) of the horizontal lines crossing the page's middle column."""
    page = Page(50.0, height_mm, background=Background(ruling=ruling))
    column = ink(render(page, px_per_mm=20))[:, 25 * 20]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], column.astype(int), [0]])))
    return [(a + b) / 2 / 20 for a, b in zip(edges[::2], edges[1::2], strict=True)]


def test_lined_paper_starts_at_the_header_and_stops_at_the_footer(qapp) -> None:
    ruling = Ruling(
        "ruled", spacing_mm=8.0, line_color=(0, 0, 0, 255), header_mm=20.0, footer_mm=30.0, line_width_mm=0.5
    )
    assert ruled_rows(ruling) == pytest.approx([20, 28, 36, 44, 52, 60, 68], abs=0.05)


def test_graph_border_rounds_out_to_whole_squares(qapp) -> None:
    black = (0, 0, 0, 255)
    ruling = Ruling("graph", 5.0, black, grid_margin_mm=7.0, round_to_grid=True, line_width_mm=0.3)
    page = Page(50.0, 40.0, background=Background(ruling=ruling))
    mask = ink(render(page, px_per_mm=20))
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    # the border of 7 mm grows to 5 mm squares: lines from 10 mm to 40 (across) and 30 (down)
    square_cap = 0.15
    assert rows[0] / 20 == pytest.approx(10 - square_cap, abs=0.06)
    assert (rows[-1] + 1) / 20 == pytest.approx(30 + square_cap, abs=0.06)
    assert (columns[-1] + 1) / 20 == pytest.approx(40 + square_cap, abs=0.06)


def test_default_ruling_width_is_xournalpps_half_point(qapp) -> None:
    ruling = Ruling("ruled", spacing_mm=10.0, line_color=(0, 0, 0, 255), header_mm=10.0)
    column = ink(render(Page(20.0, 30.0, background=Background(ruling=ruling)), px_per_mm=100))[:, 1000]
    assert runs(column)[0] == pytest.approx(0.5 * MM_PER_POINT * 100, abs=1.5)


# --- one notebook, three ways -------------------------------------------------------------


def test_pencast_round_trip_draws_the_same_pixels(qapp, xournalpp_dir: Path, tmp_path: Path) -> None:
    notebook = xournalpp.read(xournalpp_dir / "strokes.xopp", ReadOptions())
    write_pencast(notebook, tmp_path / "strokes.pencast")
    again = read_pencast(tmp_path / "strokes.pencast")
    assert [s.dash_mm for s in again.pages[0].strokes] == [s.dash_mm for s in notebook.pages[0].strokes]
    assert np.array_equal(render(again.pages[0], px_per_mm=4), render(notebook.pages[0], px_per_mm=4))
    assert isinstance(again, Notebook)
