"""Our render of a Livescribe page puts the ink where the Pencast PDF's own vector ink is.

The PDF's visible page is the notebook page's printable area (activeArea cropBounds)
with the ink drawn as green vector paths; QtPdf renders it, our renderer draws the same
area from the InkML, and the two ink masks must overlap."""

import re

import numpy as np
import pikepdf
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtPdf import QPdfDocument

from pencastviewer.formats import read_notebook
from pencastviewer.model.units import MM_PER_ANOTO
from pencastviewer.render.page_renderer import PageRenderer

WIDTH_PX = 1368  # 3 px per PDF point


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[:, : image.width()].astype(int)


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out |= np.roll(np.roll(mask, dy, 0), dx, 1)
    return out


def _crop_origin_mm(pdf_path, page_index_label: str) -> tuple[float, float]:
    with pikepdf.open(pdf_path) as pdf:
        inkml = pdf.Root.Livescribe_Metadata.Livescribe_InkML.read_bytes().decode("latin-1")
    area = re.search(
        rf'<activeArea cropBounds="\{{\((\d+), (\d+)\)[^>]*pageIndex="{page_index_label}"', inkml
    )
    assert area, "no activeArea for that page in the InkML"
    return int(area.group(1)) * MM_PER_ANOTO, int(area.group(2)) * MM_PER_ANOTO


@pytest.mark.parametrize("pdf_page, label", [(1, "14"), (2, "15")])
def test_ink_lands_where_the_pdf_draws_it(qapp, livescribe_dir, pdf_page, label):
    path = livescribe_dir / "2-pages.pdf"
    notebook = read_notebook(path)
    page = next(p for p in notebook.pages if p.label == label)

    doc = QPdfDocument()
    doc.load(str(path))
    assert doc.pageLabel(pdf_page) == label
    size_pt = doc.pagePointSize(pdf_page)
    height_px = round(WIDTH_PX * size_pt.height() / size_pt.width())
    theirs = _rgb(doc.render(pdf_page, QSize(WIDTH_PX, height_px)))
    r, g, b = theirs[..., 0], theirs[..., 1], theirs[..., 2]
    pdf_ink = g - np.maximum(r, b) > 60  # Livescribe draws ink that has audio in green

    x0, y0 = _crop_origin_mm(path, label)
    ours_image = QImage(WIDTH_PX, height_px, QImage.Format.Format_ARGB32_Premultiplied)
    ours_image.fill(Qt.GlobalColor.transparent)
    px_per_mm = WIDTH_PX / (size_pt.width() * 25.4 / 72)
    painter = QPainter(ours_image)
    painter.setTransform(QTransform.fromTranslate(-x0, -y0) * QTransform.fromScale(px_per_mm, px_per_mm))
    PageRenderer(page).paint(painter, px_per_mm, background=False)
    painter.end()
    our_ink = _rgb(ours_image)[..., 3] > 128

    assert pdf_ink.sum() > 5000 and our_ink.sum() > 5000
    tolerance = 3  # px (1 PDF point): pen widths differ, antialiasing differs
    pdf_covered = (pdf_ink & _dilate(our_ink, tolerance)).sum() / pdf_ink.sum()
    ours_covered = (our_ink & _dilate(pdf_ink, tolerance)).sum() / our_ink.sum()
    print(
        f"page {label}: PDF ink covered by ours {pdf_covered:.3f}, "
        f"ours covered by the PDF's {ours_covered:.3f}"
    )
    assert pdf_covered >= 0.9 and ours_covered >= 0.9
