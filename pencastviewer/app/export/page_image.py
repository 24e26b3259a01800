"""Images of a clip's page: PNG at a chosen resolution, SVG and PDF as vector ink, all
drawn by the one PageRenderer. With a time range, only the ink written within it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QPageSize, QPainter, QPdfWriter, QTransform
from PySide6.QtSvg import QSvgGenerator

from ...model import Page
from ...model.units import MM_PER_INCH
from ...render.image_export import render_page_image
from ...render.page_renderer import PageRenderer
from ..document import OpenedNotebook
from .core import ClipSpec, ExportError, Progress, check_cancel
from .ranges import Tags, clip_pages, clip_tags

MAX_IMAGE_PX = 20000  # on a side: a 300 dpi A0 poster fits, a typo does not eat the memory
VECTOR_RASTER_DPI = 300.0  # resolution of raster parts (scanned backgrounds) in SVG and PDF
PDF_DPI = 1200  # PDF coordinates' resolution; the ink stays vector at any zoom
SVG_DPI = 2540.0  # 100 px per mm: the SVG's width and height, in mm, to 0.01 mm


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    """PNG and SVG show one page (the clip's first); PDF has one PDF page per page touched."""
    pages = clip_pages(document, spec)
    if spec.recording is not None and spec.strokes is None:  # a time range: the pages it wrote on
        pages = [(i, p) for i, p in pages if p.strokes]
        if not pages:
            where = f" on page {spec.page + 1}" if spec.page is not None else ""
            raise ExportError(
                f"no ink was written{where} between {spec.start_s:.3f} s and "
                f"{spec.end_s:.3f} s: nothing to draw"
            )
    if not pages:
        raise ExportError("the notebook has no pages: nothing to draw")
    check_cancel(progress, 0.0)
    ext = temp_path.suffix.lower()
    tags = clip_tags(document, spec)
    if ext == ".png":
        write_png(pages[0][1], temp_path, image_width(pages[0][1], spec))
    elif ext == ".svg":
        write_svg(pages[0][1], temp_path, tags)
    elif ext == ".pdf":
        write_pdf([p for _, p in pages], temp_path, tags, progress)
    else:
        raise ExportError(f"{temp_path.name}: not an image format: {ext}")
    check_cancel(progress, 1.0)


def image_width(page: Page, spec: ClipSpec) -> int:
    """Pixels across: from `spec.dpi` when given, else `spec.size`'s width."""
    width = round(page.width_mm / MM_PER_INCH * spec.dpi) if spec.dpi else int(spec.size[0])
    height = round(width * page.height_mm / page.width_mm)
    if not (1 <= width <= MAX_IMAGE_PX and 1 <= height <= MAX_IMAGE_PX):
        raise ExportError(f"an image of {width} × {height} px cannot be made (1 to {MAX_IMAGE_PX} px a side)")
    return width


def write_png(page: Page, path: Path, width_px: int) -> None:
    image = render_page_image(page, width_px)
    dots_per_metre = round(width_px / page.width_mm * 1000)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    if not image.save(str(path), "PNG"):
        raise ExportError(f"{path.name}: cannot write the PNG image")


def write_svg(page: Page, path: Path, tags: Tags) -> None:
    """An SVG whose user units are millimetres: the ink as paths, the page at its size."""
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setResolution(round(SVG_DPI))  # only sets the width and height attributes
    px_per_mm = SVG_DPI / MM_PER_INCH
    generator.setSize(QSize(round(page.width_mm * px_per_mm), round(page.height_mm * px_per_mm)))
    generator.setViewBox(QRectF(0, 0, page.width_mm, page.height_mm))
    generator.setTitle(tags.title)
    generator.setDescription(f"Recorded {tags.date}" if tags.date else "")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"{path.name}: cannot write the SVG image")
    try:
        PageRenderer(page).paint(painter, VECTOR_RASTER_DPI / MM_PER_INCH)
    finally:
        painter.end()


def write_pdf(pages: list[Page], path: Path, tags: Tags, progress: Progress) -> None:
    """A PDF with one page per notebook page, each at the notebook page's size."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setTitle(tags.title)
    writer.setCreator("pencastviewer")
    _set_page_size(writer, pages[0])
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"{path.name}: cannot write the PDF")
    try:
        for n, page in enumerate(pages):
            if n:
                _set_page_size(writer, page)
                writer.newPage()
            painter.setTransform(QTransform.fromScale(PDF_DPI / MM_PER_INCH, PDF_DPI / MM_PER_INCH))
            PageRenderer(page).paint(painter, VECTOR_RASTER_DPI / MM_PER_INCH)
            check_cancel(progress, (n + 1) / len(pages))
    finally:
        painter.end()


def _set_page_size(writer: QPdfWriter, page: Page) -> None:
    size = QPageSize(
        QSizeF(page.width_mm, page.height_mm),
        QPageSize.Unit.Millimeter,
        "",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    writer.setPageSize(size)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
