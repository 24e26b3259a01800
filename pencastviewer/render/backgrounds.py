"""Page backgrounds: paper colour, printed rulings, images and PDF pages."""

from __future__ import annotations

import math
from collections import OrderedDict

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtPdf import QPdfDocument

from ..model import Background, BackgroundKind, Page, Ruling

RULING_WIDTH_MM = 0.18
MAX_RASTER_PX = 6000  # a PDF page is never rasterised larger than this on a side


def qcolor(rgba: tuple[int, int, int, int]) -> QColor:
    return QColor(rgba[0], rgba[1], rgba[2], rgba[3])


class RasterCache:
    """Decoded images and rasterised PDF pages, least recently used first out.
    Keys hold the bytes' identity, so two pages sharing one PDF share one document."""

    def __init__(self, max_items: int = 24):
        self._max = max_items
        self._images: OrderedDict[tuple, QImage] = OrderedDict()
        self._docs: dict[tuple, tuple[QPdfDocument, QBuffer | None]] = {}

    def _remember(self, key: tuple, image: QImage) -> QImage:
        self._images[key] = image
        self._images.move_to_end(key)
        while len(self._images) > self._max:
            self._images.popitem(last=False)
        return image

    def image(self, data: bytes) -> QImage:
        key = ("img", id(data), len(data))
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        return self._remember(key, QImage.fromData(data))

    def _document(self, bg: Background) -> QPdfDocument:
        key = ("pdf", bg.pdf_path, id(bg.pdf_data))
        if key not in self._docs:
            doc = QPdfDocument()
            buffer = None
            if bg.pdf_data is not None:
                buffer = QBuffer()
                buffer.setData(QByteArray(bg.pdf_data))
                buffer.open(QIODevice.OpenModeFlag.ReadOnly)
                doc.load(buffer)
            else:
                doc.load(str(bg.pdf_path))
            self._docs[key] = (doc, buffer)
        return self._docs[key][0]

    def pdf_page(self, bg: Background, size: QSize) -> QImage | None:
        key = ("pdfpage", bg.pdf_path, id(bg.pdf_data), bg.pdf_page, size.width(), size.height())
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        doc = self._document(bg)
        if doc.status() != QPdfDocument.Status.Ready or not 0 <= bg.pdf_page < doc.pageCount():
            return None
        return self._remember(key, doc.render(bg.pdf_page, size))


def paint_background(painter: QPainter, page: Page, px_per_mm: float, cache: RasterCache) -> None:
    """Paint `page`'s background; the painter's coordinates are millimetres."""
    bg = page.background or Background()
    full = QRectF(0, 0, page.width_mm, page.height_mm)
    painter.fillRect(full, qcolor(bg.color) if bg.kind == BackgroundKind.SOLID else QColor(Qt.GlobalColor.white))
    if bg.kind == BackgroundKind.IMAGE and bg.image:
        rect = QRectF(*bg.image_rect_mm) if bg.image_rect_mm else full
        painter.drawImage(rect, cache.image(bg.image))
    elif bg.kind == BackgroundKind.PDF:
        scale = min(px_per_mm, MAX_RASTER_PX / max(page.width_mm, page.height_mm))
        size = QSize(max(1, round(page.width_mm * scale)), max(1, round(page.height_mm * scale)))
        image = cache.pdf_page(bg, size)
        if image is not None:
            painter.drawImage(full, image)
    if bg.ruling is not None:
        paint_ruling(painter, page.width_mm, page.height_mm, bg.ruling)


def paint_ruling(painter: QPainter, width: float, height: float, ruling: Ruling) -> None:
    style, step = ruling.style, max(ruling.spacing_mm, 0.5)
    pen = QPen(qcolor(ruling.line_color), RULING_WIDTH_MM)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    top = ruling.header_mm
    if style in ("lined", "ruled"):
        y = top + step
        while y < height:
            painter.drawLine(QPointF(0, y), QPointF(width, y))
            y += step
    elif style == "graph":
        _grid_lines(painter, width, height, step)
    elif style == "dotted":
        _dots(painter, ((x, y) for x in _steps(step, width) for y in _steps(step, height)), ruling)
    elif style in ("isodotted", "isograph"):
        _isometric(painter, width, height, step, ruling, lines=style == "isograph")
    elif style == "staves":
        _staves(painter, width, height, step, top)
    if ruling.margin_mm > 0:
        painter.setPen(QPen(qcolor(ruling.margin_color), RULING_WIDTH_MM))
        painter.drawLine(QPointF(ruling.margin_mm, 0), QPointF(ruling.margin_mm, height))


def _steps(step: float, limit: float) -> list[float]:
    return [i * step for i in range(1, int(limit / step) + 1) if i * step < limit]


def _grid_lines(painter: QPainter, width: float, height: float, step: float) -> None:
    for x in _steps(step, width):
        painter.drawLine(QPointF(x, 0), QPointF(x, height))
    for y in _steps(step, height):
        painter.drawLine(QPointF(0, y), QPointF(width, y))


def _dots(painter: QPainter, points, ruling: Ruling) -> None:
    pen = QPen(qcolor(ruling.line_color), RULING_WIDTH_MM * 2.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    for x, y in points:
        painter.drawPoint(QPointF(x, y))


def _isometric(painter: QPainter, width: float, height: float, step: float, ruling: Ruling, *, lines: bool) -> None:
    """A triangular lattice: columns `step × √3/2` apart, every other column shifted by
    half a step, as Xournal++'s isometric papers."""
    dx = step * math.sqrt(3) / 2
    columns = _steps(dx, width)
    if lines:
        for x in columns:
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        slope = math.tan(math.radians(30))
        y0 = -width * slope
        while y0 < height + width * slope:
            painter.drawLine(QPointF(0, y0), QPointF(width, y0 + width * slope))
            painter.drawLine(QPointF(0, y0 + width * slope), QPointF(width, y0))
            y0 += step
        return
    points = []
    for i, x in enumerate(columns):
        offset = step / 2 if i % 2 else 0.0
        points += [(x, y + offset) for y in _steps(step, height)]
    _dots(painter, points, ruling)


def _staves(painter: QPainter, width: float, height: float, step: float, top: float) -> None:
    y = top + step * 2
    while y + 4 * step < height:
        for k in range(5):
            painter.drawLine(QPointF(0, y + k * step), QPointF(width, y + k * step))
        y += 8 * step
