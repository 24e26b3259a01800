"""The whole-document PDF writes the ink itself (render.pdf_ink): vector strokes in one
stream per page, shared graphics states. Every page, rasterised, must show what our own
PNG of that page shows — on the real Xournal++ files (text, images, PDF and image
backgrounds, pressure, highlighters) and on a page holding every kind of stroke — and the
strokes must be paths, not pictures of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pikepdf
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument

from pencastviewer.formats import read_notebook
from pencastviewer.model import Page, PageText, Stroke, Tool
from pencastviewer.render.image_export import render_page_image
from pencastviewer.render.page_files import write_pdf

WIDTH_PX = 1200
INK = 30  # a pixel is ink when a channel is this far from white


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).astype(np.int16)


def _pdf_pages(path: Path) -> list[np.ndarray]:
    document = QPdfDocument()
    document.load(str(path))
    pages = []
    for n in range(document.pageCount()):
        size = document.pagePointSize(n)
        height = round(WIDTH_PX * size.height() / size.width())
        pages.append(_rgb(document.render(n, QSize(WIDTH_PX, height))))
    document.close()
    return pages


def _grow(mask: np.ndarray, by: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-by, by + 1):
        for dx in range(-by, by + 1):
            out |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return out


def _agreement(ours: np.ndarray, pdf: np.ndarray) -> float:
    """How much of each one's ink the other covers within 2 px, the smaller of the two."""
    rows = min(len(ours), len(pdf))
    a = np.abs(ours[:rows] - 255).max(axis=2) > INK
    b = np.abs(pdf[:rows] - 255).max(axis=2) > INK
    if not a.any() and not b.any():
        return 1.0
    return min((a & _grow(b, 2)).sum() / max(a.sum(), 1), (b & _grow(a, 2)).sum() / max(b.sum(), 1))


def _check_against_png(pages: list[Page], path: Path) -> list[float]:
    write_pdf(pages, path, "test")
    rendered = _pdf_pages(path)
    assert len(rendered) == len(pages)
    scores = [
        _agreement(_rgb(render_page_image(p, WIDTH_PX)), r) for p, r in zip(pages, rendered, strict=True)
    ]
    return scores


def _real_files(xournalpp_dir: Path) -> list[Path]:
    return sorted(p for p in xournalpp_dir.rglob("*") if p.suffix in (".xopp", ".xoj"))


def test_every_page_of_the_real_files_shows_what_the_png_shows(
    qapp, xournalpp_dir: Path, tmp_path: Path
) -> None:
    scores = []
    for source in _real_files(xournalpp_dir):
        pages = list(read_notebook(source).pages)
        scores += _check_against_png(pages, tmp_path / f"{source.stem}.pdf")
        assert min(scores) >= 0.96, (source.name, scores)  # image.xopp: 0.963, its image smoothed apart
    assert len(scores) >= 15 and np.mean(scores) > 0.99


def _every_kind_of_stroke() -> Page:
    rng = np.random.default_rng(5)

    def wave(x0: float, y0: float, n: int = 40) -> np.ndarray:
        x = x0 + np.linspace(0, 60, n)
        return np.column_stack([x, y0 + 4 * np.sin(x / 5)])

    def stroke(xy: np.ndarray, **kw: object) -> Stroke:
        return Stroke(xy, np.arange(len(xy), dtype=float), **kw)  # type: ignore[arg-type]

    blue, yellow = (30, 60, 200, 255), (250, 220, 0, 120)
    strokes = [
        stroke(wave(10, 20), width_mm=0.5),
        stroke(wave(10, 30), width_mm=0.5),  # alike: one path with the one before
        stroke(wave(10, 40), width_mm=1.2, color=blue, cap="butt"),
        stroke(wave(10, 50), width_mm=0.8, dash_mm=(3.0, 1.5)),
        stroke(wave(10, 60), widths_mm=rng.uniform(0.3, 1.5, 40)),
        stroke(wave(10, 70), widths_mm=rng.uniform(0.3, 1.5, 40), dash_mm=(2.0, 1.0), cap="square"),
        stroke(wave(10, 80), widths_mm=rng.uniform(0.5, 2.0, 40), color=(200, 0, 0, 128)),
        stroke(wave(5, 25), width_mm=5.0, color=yellow, tool=Tool.HIGHLIGHTER),
        stroke(wave(80, 30), width_mm=0.6, fill_alpha=100, color=blue),
        stroke(wave(80, 60), width_mm=4.0, fill_alpha=90, color=yellow, tool=Tool.HIGHLIGHTER),
        stroke(np.array([[100.0, 100.0]] * 3), width_mm=2.0),  # a dot
        stroke(np.array([[110.0, 100.0]] * 2), width_mm=2.0, cap="square"),
        stroke(np.array([[120.0, 100.0]] * 2), widths_mm=np.array([2.5, 2.5])),
    ]
    text = PageText("Text above the ink", 12.0, 18.0, size_pt=20.0)
    return Page(148.0, 120.0, tuple(strokes), texts=(text,))


def test_every_kind_of_stroke_shows_as_in_the_png(qapp, tmp_path: Path) -> None:
    page = _every_kind_of_stroke()
    (score,) = _check_against_png([page], tmp_path / "kinds.pdf")
    assert score >= 0.97


def test_strokes_are_vector_paths_and_states_are_shared(qapp, tmp_path: Path) -> None:
    page = _every_kind_of_stroke()
    path = tmp_path / "three.pdf"
    write_pdf([page, page, page], path, "three")
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 3
        states = set()
        for pdf_page in pdf.pages:
            xobjects = pdf_page.resources.get("/XObject", {})
            assert not [k for k, v in xobjects.items() if v.get("/Subtype") == "/Image"]
            operators = [str(op) for _, op in pikepdf.parse_content_stream(pdf_page)]
            assert operators.count("l") > 400 and operators.count("S") > 40  # lines, stroked
            assert "BT" in operators  # the text, drawn after the ink
            assert max(i for i, op in enumerate(operators) if op == "S") < operators.index("BT")
            for name, state in pdf_page.resources.ExtGState.items():
                if name.startswith("/GSink"):
                    states.add(state.objgen)
        assert 2 <= len(states) <= 6  # each graphics state of the ink is one object for all pages


def test_a_pdf_background_stays_the_vector_page_it_is(qapp, xournalpp_dir: Path, tmp_path: Path) -> None:
    """Annotated slides: the background PDF's pages are drawn as forms, not 300 dpi pictures
    (which made this two-page file 35 times larger)."""
    pages = list(read_notebook(xournalpp_dir / "more" / "pdfbg-packaged.xopp").pages)
    path = tmp_path / "slides.pdf"
    write_pdf(pages, path, "slides")
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        for pdf_page in pdf.pages:
            kinds = [str(x.get("/Subtype")) for x in pdf_page.resources.get("/XObject", {}).values()]
            assert "/Form" in kinds and "/Image" not in kinds
    assert path.stat().st_size < 60_000
