"""Page image files — PNG at a chosen width, SVG and PDF as vector ink — painted by the one
PageRenderer, so every image export draws as the window does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

from ..model import Page, RevealState
from ..model.units import MM_PER_INCH
from .image_export import render_page_image
from .ink_style import InkStyle
from .page_renderer import PageRenderer
from .pdf_document import PdfError, pdf_bytes
from .png_file import png_bytes

VECTOR_RASTER_DPI = 300.0  # resolution of raster parts (scanned backgrounds) in SVG and PDF
PDF_DPI = 1200  # PDF coordinates' resolution; the ink stays vector at any zoom
SVG_DPI = 2540.0  # 100 px per mm: the SVG's width and height, in mm, to 0.01 mm


class PageFileError(Exception):
    """Qt could not open the file to paint into (one line, naming the file)."""


def _in_memory() -> QBuffer:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer


def _write_bytes(path: Path, buffer: QBuffer) -> None:
    """Qt's image, SVG and PDF writers do not report a failed write (a full disk gave an
    exit status 0 and a truncated file): they paint into memory, and Python's own write
    raises the OSError (ENOSPC, EFBIG) the export's atomic output reports."""
    with open(path, "wb") as f:
        f.write(buffer.data().data())


def write_png(page: Page, path: Path, width_px: int) -> None:
    image = render_page_image(page, width_px)
    if image.isNull():
        raise PageFileError(f"{path.name}: cannot make the PNG image")
    with open(path, "wb") as f:
        f.write(png_bytes(image, round(width_px / page.width_mm * 1000)))


def background_png(page: Page, width_px: int) -> bytes:
    """The page without its strokes (paper, ruling, images, text) as PNG bytes."""
    no_ink = RevealState(np.zeros(len(page.strokes), dtype=bool), ())
    image = render_page_image(page, width_px, reveal=no_ink, style=InkStyle(show_ghosts=False))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


def write_svg(page: Page, path: Path, title: str, description: str) -> None:
    """An SVG whose user units are millimetres: the ink as paths, the page at its size."""
    buffer = _in_memory()
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setResolution(round(SVG_DPI))  # only sets the width and height attributes
    px_per_mm = SVG_DPI / MM_PER_INCH
    generator.setSize(QSize(round(page.width_mm * px_per_mm), round(page.height_mm * px_per_mm)))
    generator.setViewBox(QRectF(0, 0, page.width_mm, page.height_mm))
    generator.setTitle(title)
    generator.setDescription(description)
    painter = QPainter()
    if not painter.begin(generator):
        raise PageFileError(f"{path.name}: cannot write the SVG image")
    try:
        PageRenderer(page).paint(painter, VECTOR_RASTER_DPI / MM_PER_INCH)
    finally:
        painter.end()
    _write_bytes(path, buffer)


def write_pdf(
    pages: Sequence[Page], path: Path, title: str, page_done: Callable[[int], None] = lambda _n: None
) -> None:
    """A PDF with one page per notebook page, each at the notebook page's size, the ink as
    vector strokes (render.pdf_document). `page_done(n)` is called after page n (0-based)
    is written; what it raises (a cancel) stops the writing."""
    try:
        data = pdf_bytes(pages, title, page_done)
    except PdfError as e:
        raise PageFileError(f"{path.name}: cannot write the PDF ({e})") from None
    with open(path, "wb") as f:
        f.write(data)
