"""Page backgrounds: paper colour, printed rulings, images and PDF pages."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from ..model import Background, BackgroundKind, Page
from ..model.units import MM_PER_POINT
from .rulings import paint_ruling

MAX_RASTER_PX = 6000  # a PDF page is never rasterised larger than this on a side
PDF_MISSING = "PDF background missing"
MISSING_TEXT_PT = 26.0  # the placeholder's size and grey, measured on Xournal++'s own
MISSING_TEXT_GREY = 0xCC
_EM_UNITS = 1000


def qcolor(rgba: tuple[int, int, int, int]) -> QColor:
    return QColor(rgba[0], rgba[1], rgba[2], rgba[3])


class RasterCache:
    """Decoded images and rasterised PDF pages, least recently used first out.
    Keys hold the bytes' identity, so two pages sharing one PDF share one document."""

    def __init__(self, max_items: int = 24):
        self._max = max_items
        self._images: OrderedDict[tuple[object, ...], QImage] = OrderedDict()
        self._docs: dict[tuple[object, ...], tuple[QPdfDocument, QBuffer | None]] = {}

    def _remember(self, key: tuple[object, ...], image: QImage) -> QImage:
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

    def image_at(self, data: bytes, size: QSize) -> QImage:
        """The image resampled to `size` when drawn smaller than it is: Qt's smooth scaling
        averages the pixels, where drawing the full image into a small rectangle samples
        them and loses thin printed lines (the Livescribe rulings vanish below ~60 %)."""
        image = self.image(data)
        if image.isNull() or (size.width() >= image.width() * 0.9 and size.height() >= image.height() * 0.9):
            return image
        key = ("imgsized", id(data), len(data), size.width(), size.height())
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        scaled = image.scaled(
            size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        return self._remember(key, scaled)

    def _document(self, path: str | None, data: bytes | None) -> QPdfDocument:
        key = ("pdf", path, id(data))
        if key not in self._docs:
            doc = QPdfDocument()
            buffer = None
            if data is not None:
                buffer = QBuffer()
                buffer.setData(QByteArray(data))
                buffer.open(QIODevice.OpenModeFlag.ReadOnly)
                doc.load(buffer)
            else:
                doc.load(str(path))
            self._docs[key] = (doc, buffer)
        return self._docs[key][0]

    def _pdf_render(self, path: str | None, data: bytes | None, page: int, size: QSize) -> QImage | None:
        key = ("pdfpage", path, id(data), page, size.width(), size.height())
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        doc = self._document(path, data)
        if doc.status() != QPdfDocument.Status.Ready or not 0 <= page < doc.pageCount():
            return None
        return self._remember(key, doc.render(page, size))

    def pdf_page(self, bg: Background, size: QSize) -> QImage | None:
        """Page `bg.pdf_page` of a PDF background, rendered at `size` pixels."""
        return self._pdf_render(bg.pdf_path, bg.pdf_data, bg.pdf_page, size)

    def pdf_image(self, data: bytes, size: QSize) -> QImage | None:
        """The first page of a PDF held in memory (a Xournal++ TeX image), at `size` pixels."""
        return self._pdf_render(None, data, 0, size)


def paint_background(painter: QPainter, page: Page, px_per_mm: float, cache: RasterCache) -> None:
    """Paint `page`'s background; the painter's coordinates are millimetres."""
    bg = page.background or Background()
    full = QRectF(0, 0, page.width_mm, page.height_mm)
    paper = qcolor(bg.color) if bg.kind == BackgroundKind.SOLID else QColor(Qt.GlobalColor.white)
    painter.fillRect(full, paper)
    if bg.kind == BackgroundKind.IMAGE and bg.image:
        rect = QRectF(*bg.image_rect_mm) if bg.image_rect_mm else full
        painter.drawImage(rect, cache.image_at(bg.image, raster_size(rect.width(), rect.height(), px_per_mm)))
    elif bg.kind == BackgroundKind.PDF:
        image = cache.pdf_page(bg, raster_size(page.width_mm, page.height_mm, px_per_mm))
        if image is not None:
            painter.drawImage(full, image)
        else:  # the PDF cannot be read (any more), or has fewer pages than the notebook
            paint_missing(painter, page, PDF_MISSING)
    if bg.missing:
        paint_missing(painter, page, bg.missing)
    if bg.ruling is not None:
        paint_ruling(painter, page.width_mm, page.height_mm, bg.ruling)


def paint_missing(painter: QPainter, page: Page, message: str) -> None:
    """`message` centred on the page in large light-grey bold letters, as Xournal++ paints
    "PDF background missing": the page is not blank, its background could not be shown."""
    painter.save()
    font = QFont("Sans")
    font.setBold(True)
    font.setPixelSize(_EM_UNITS)  # laid out at a fixed em, scaled to MISSING_TEXT_PT
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    scale = MISSING_TEXT_PT * MM_PER_POINT / _EM_UNITS
    painter.translate(page.width_mm / 2, page.height_mm / 2)
    painter.scale(scale, scale)
    painter.setFont(font)
    painter.setPen(QColor(MISSING_TEXT_GREY, MISSING_TEXT_GREY, MISSING_TEXT_GREY))
    # Placed like Xournal++ places it: the ink centred across, its baseline half the ink's
    # height above the middle of the page.
    ink = QFontMetricsF(font).tightBoundingRect(message)
    painter.drawText(QPointF(-ink.x() - ink.width() / 2, -ink.height() / 2), message)
    painter.restore()


def raster_size(width_mm: float, height_mm: float, px_per_mm: float) -> QSize:
    """Pixels to rasterise a `width_mm` × `height_mm` area at `px_per_mm`, capped."""
    scale = min(px_per_mm, MAX_RASTER_PX / max(width_mm, height_mm, 1e-9))
    return QSize(max(1, round(width_mm * scale)), max(1, round(height_mm * scale)))
