"""Page images: PNG at the asked resolution, SVG and PDF with the ink as vector paths, and
with a time range only the ink written within it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.core import ClipSpec, ExportError
from pencastviewer.app.export.ranges import clip_pages
from pencastviewer.app.export.registry import export_clip

CLIP = (12.5, 30.0)
INK_HEX = "#162678"  # the demo's ink colour, (22, 38, 120)
SVG_NS = "{http://www.w3.org/2000/svg}"
MM_PER_INCH = 25.4


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> OpenedNotebook:
    return open_notebook(demo_path)


def rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return data[:, : w * 4].reshape(h, w, 4)[:, :, 2::-1].astype(np.int32)  # BGRA -> RGB


def ink_mask(image: QImage) -> np.ndarray:
    """Pixels of the dark-blue ink (not the light-blue ruling, the red margin, the paper)."""
    px = rgb(image)
    return (px[:, :, 0] < 110) & (px[:, :, 2] - px[:, :, 0] > 40)


def grow(mask: np.ndarray, radius: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            out |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return out


def strokes_in_clip(demo: OpenedNotebook) -> tuple[list[int], list[int]]:
    """Indices of page 1's strokes written within CLIP, and of those written outside it."""
    tl, strokes = demo.timeline, demo.notebook.pages[0].strokes
    inside = [
        i
        for i, s in enumerate(strokes)
        if CLIP[0] <= tl.position_s(0, s.start_ms) and tl.position_s(0, s.end_ms) <= CLIP[1]
    ]
    outside = [
        i
        for i, s in enumerate(strokes)
        if tl.position_s(0, s.end_ms) < CLIP[0] or tl.position_s(0, s.start_ms) > CLIP[1]
    ]
    return inside, outside


def ink_paths(svg: Path) -> list[ET.Element]:
    text = svg.read_text("utf-8")
    assert "<!DOCTYPE" not in text and "<!ENTITY" not in text
    root = ET.fromstring(text)
    found = []
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("stroke", "").lower() == INK_HEX:
            found += [e for e in group if e.tag in (f"{SVG_NS}path", f"{SVG_NS}polyline")]
    return found


# ---- PNG ----------------------------------------------------------------------------------------


def test_png_of_a_page_at_300_dpi_has_ink_on_every_stroke(qapp, tmp_path, demo):
    out = export_clip(demo, ClipSpec(None, 0, 0, page=0, dpi=300), tmp_path / "page.png")
    image = QImage(str(out))
    page = demo.notebook.pages[0]
    assert image.width() == round(page.width_mm / MM_PER_INCH * 300) == 2198
    assert image.height() == round(2198 * page.height_mm / page.width_mm)
    assert abs(image.dotsPerMeterX() - 300 / 0.0254) < 2
    ink = grow(ink_mask(image), 2)
    px_per_mm = image.width() / page.width_mm
    for stroke in page.strokes:
        x, y = (stroke.xy_mm[len(stroke.xy_mm) // 2] * px_per_mm).astype(int)
        assert ink[y, x], f"no ink drawn where a stroke passes ({x}, {y})"


def test_png_of_a_range_shows_only_the_ink_written_within_it(qapp, tmp_path, demo):
    out = export_clip(demo, ClipSpec(0, *CLIP, size=(1000, 0)), tmp_path / "range.png")
    image = QImage(str(out))
    page = demo.notebook.pages[0]
    px_per_mm = image.width() / page.width_mm
    ink, ink_near = ink_mask(image), grow(ink_mask(image), 2)
    inside, outside = strokes_in_clip(demo)
    assert len(inside) == 38 and len(outside) > 100
    for i in inside:
        x, y = (page.strokes[i].xy_mm[len(page.strokes[i].xy_mm) // 2] * px_per_mm).astype(int)
        assert ink_near[y, x]
    inside_xy = np.vstack([page.strokes[i].xy_mm for i in inside])
    lonely = [
        p for i in outside for p in page.strokes[i].xy_mm if np.min(np.hypot(*(inside_xy - p).T)) > 1.5
    ]  # points far from any ink in range
    assert len(lonely) > 1000
    hits = [bool(ink[int(y * px_per_mm), int(x * px_per_mm)]) for x, y in lonely]
    assert not any(hits), f"{sum(hits)} points written outside the range were drawn"


def test_an_image_width_beyond_reason_is_refused(qapp, tmp_path, demo):
    with pytest.raises(ExportError, match="cannot be made"):
        export_clip(demo, ClipSpec(None, 0, 0, page=0, dpi=100000), tmp_path / "huge.png")
    assert list(tmp_path.iterdir()) == []


# ---- SVG ----------------------------------------------------------------------------------------


def test_svg_is_in_millimetres_with_one_vector_path_per_stroke(qapp, tmp_path, demo):
    out = export_clip(demo, ClipSpec(None, 0, 0, page=0), tmp_path / "page.svg")
    root = ET.fromstring(out.read_text("utf-8"))
    page = demo.notebook.pages[0]
    view_box = [float(v) for v in root.get("viewBox").split()]
    assert view_box == pytest.approx([0, 0, page.width_mm, page.height_mm], abs=1e-3)
    assert float(root.get("width").removesuffix("mm")) == pytest.approx(page.width_mm, abs=0.01)
    assert root.find(f"{SVG_NS}title").text == "CloudCamp Paris — notes, page 1"
    assert len(ink_paths(out)) == len(page.strokes) == 171
    assert not list(root.iter(f"{SVG_NS}image"))  # nothing rasterised


def test_svg_of_a_range_draws_the_strokes_of_the_range(qapp, tmp_path, demo):
    out = export_clip(demo, ClipSpec(0, *CLIP), tmp_path / "range.svg")
    paths = ink_paths(out)
    inside, _ = strokes_in_clip(demo)
    assert len(paths) == len(inside)
    first = demo.notebook.pages[0].strokes[inside[0]].xy_mm[0]
    start = paths[0].get("d") or paths[0].get("points")
    x, y = (float(v) for v in start.lstrip("M ").replace(",", " ").split()[:2])
    assert (x, y) == pytest.approx(tuple(first), abs=1e-3)  # coordinates are millimetres


def test_a_stroke_selection_draws_exactly_those_strokes(qapp, tmp_path, demo):
    out = export_clip(demo, ClipSpec(0, 0.0, 5.0, page=0, strokes=(0, 20, 29)), tmp_path / "sel.svg")
    assert len(ink_paths(out)) == 10


# ---- PDF ----------------------------------------------------------------------------------------


def render_pdf_page(path: Path, page: int, width_px: int) -> QImage:
    document = QPdfDocument()
    document.load(str(path))
    size = document.pagePointSize(page)
    image = document.render(page, QSize(width_px, round(width_px * size.height() / size.width())))
    document.close()
    return image


def test_pdf_is_vector_ink_that_matches_the_png(qapp, tmp_path, demo):
    spec = ClipSpec(0, *CLIP, size=(1200, 0))
    pdf = export_clip(demo, spec, tmp_path / "range.pdf")
    png = export_clip(demo, spec, tmp_path / "range.png")
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) == 1
        page = doc.pages[0]
        width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
        assert width_pt == pytest.approx(demo.notebook.pages[0].width_mm / MM_PER_INCH * 72, abs=0.5)
        xobjects = page.resources.get("/XObject", {})
        assert not [k for k, v in xobjects.items() if v.get("/Subtype") == "/Image"]
        operators = [str(op) for _, op in pikepdf.parse_content_stream(page)]
        assert operators.count("l") + operators.count("c") > 500  # the ink is drawn as paths
    from_pdf, from_png = ink_mask(render_pdf_page(pdf, 0, 1200)), ink_mask(QImage(str(png)))
    # The PDF page is sized in whole points (Qt's rule): its height may differ by a pixel.
    rows = min(len(from_pdf), len(from_png))
    from_pdf, from_png = from_pdf[:rows], from_png[:rows]
    assert from_png.sum() > 5000
    assert (from_png & grow(from_pdf, 2)).sum() / from_png.sum() > 0.97
    assert (from_pdf & grow(from_png, 2)).sum() / from_pdf.sum() > 0.97


def test_pdf_of_a_range_over_two_pages_has_both(qapp, tmp_path, demo):
    length = demo.notebook.recordings[0].duration_s
    out = export_clip(demo, ClipSpec(0, 0.0, length), tmp_path / "all.pdf")
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 2
        assert str(doc.docinfo.get("/Title")) == "CloudCamp Paris — notes, pages 1–2"


# ---- the ink of a range, and empty ranges -------------------------------------------------------


def test_a_stroke_running_past_the_range_end_is_cut_there(demo):
    strokes = demo.notebook.pages[0].strokes
    tl = demo.timeline
    long = next(
        s
        for s in strokes
        if tl.position_s(0, s.end_ms) - tl.position_s(0, s.start_ms) > 1.0
        and tl.position_s(0, s.start_ms) > CLIP[0]
    )
    end_s = (tl.position_s(0, long.start_ms) + tl.position_s(0, long.end_ms)) / 2
    ((_, page),) = clip_pages(demo, ClipSpec(0, CLIP[0], end_s, page=0))
    cut = page.strokes[-1]
    limit = tl.ink_time_ms(0, end_s)
    assert 1 < cut.n_points < long.n_points
    np.testing.assert_array_equal(cut.t_ms, long.t_ms[long.t_ms <= limit])


def test_a_range_without_ink_is_refused(qapp, tmp_path, demo):
    with pytest.raises(ExportError, match="no ink was written"):
        export_clip(demo, ClipSpec(0, 159.5, 160.5), tmp_path / "empty.png")
    assert list(tmp_path.iterdir()) == []
