"""Draws one model page — background, ink, text and images — with QPainter.

Coordinates: the caller maps millimetres to the device (see `page_transform`), so the
same code draws the canvas, thumbnails and exports at any resolution. Stroke shapes are
built once per stroke in millimetres (stroke_shapes.py) and reused on every paint.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QTextOption, QTransform

from ..model import Page, RevealState, Stroke
from ..model.units import MM_PER_POINT
from .backgrounds import RasterCache, paint_background, qcolor, raster_size
from .ink_style import InkStyle
from .qpath import polyline_path
from .stroke_shapes import StrokeShape, build_outlines, build_shape, line_pen, paint_shape


def page_transform(page: Page, target: QRectF) -> tuple[QTransform, float]:
    """The transform that fits `page` into `target` keeping its aspect ratio (centred),
    and the resulting device pixels per millimetre."""
    scale = min(target.width() / page.width_mm, target.height() / page.height_mm)
    dx = target.x() + (target.width() - page.width_mm * scale) / 2
    dy = target.y() + (target.height() - page.height_mm * scale) / 2
    return QTransform(scale, 0, 0, scale, dx, dy), scale


class PageRenderer:
    """Paints one page. Not thread-safe: one renderer per thread (Qt painting objects
    are per thread); cheap to create, paths are built lazily."""

    def __init__(self, page: Page, cache: RasterCache | None = None):
        self.page = page
        self._cache = cache or RasterCache()
        self._shapes: list[StrokeShape | None] = [None] * len(page.strokes)
        self._bounds, self._margin = page.ink.bounds_mm, page.ink.widest_mm()

    def shape(self, index: int) -> StrokeShape:
        """The paths that draw stroke `index`, built on first use."""
        shape = self._shapes[index]
        if shape is None:
            shape = self._shapes[index] = build_shape(self.page.strokes[index])
        return shape

    def prepare(self, indices: list[int], px_per_mm: float) -> None:
        """Build the shapes of these strokes and their outlines at this resolution
        together, before painting them one by one (see stroke_shapes.build_outlines)."""
        build_outlines([self.shape(i) for i in indices], px_per_mm)

    def stroke_path(self, index: int) -> QPainterPath:
        """The centre line of stroke `index`, in mm."""
        return self.shape(index).line

    def visible_strokes(self, area_mm: QRectF | None) -> np.ndarray:
        """Indices of strokes whose bounds meet `area_mm` (all when None), in z-order."""
        if area_mm is None:
            return np.arange(len(self.page.strokes))
        b, m = self._bounds, self._margin
        hit = (
            (b[:, 2] + m >= area_mm.left())
            & (b[:, 0] - m <= area_mm.right())
            & (b[:, 3] + m >= area_mm.top())
            & (b[:, 1] - m <= area_mm.bottom())
        )
        return np.flatnonzero(hit)

    def paint(
        self,
        painter: QPainter,
        px_per_mm: float,
        *,
        reveal: RevealState | None = None,
        style: InkStyle = InkStyle(),
        area_mm: QRectF | None = None,
        background: bool = True,
        ink: bool = True,
        texts: bool = True,
    ) -> None:
        """Paint in the painter's current coordinates, which must be millimetres;
        `px_per_mm` is the device resolution, for rasterising PDFs and images. Without
        `ink` or `texts`, the strokes or the text boxes are left out (the PDF export
        writes the ink itself, between the paper and the text)."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if background:
            paint_background(painter, self.page, px_per_mm, self._cache)
        self._paint_images(painter, px_per_mm)
        if ink:
            indices = self.visible_strokes(area_mm).tolist()
            self.prepare(indices, px_per_mm)
            self._paint_strokes(painter, indices, reveal, style, px_per_mm)
        if texts:
            self.paint_texts(painter)
        painter.restore()

    def paint_strokes(
        self,
        painter: QPainter,
        indices: list[int],
        *,
        reveal: RevealState | None = None,
        style: InkStyle = InkStyle(),
    ) -> None:
        """Only the strokes `indices` (in that order), each as paint() draws it: for exports
        that add the strokes finished since the last frame onto an image they keep."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_strokes(painter, indices, reveal, style, _device_px_per_mm(painter))
        painter.restore()

    def _paint_strokes(
        self,
        painter: QPainter,
        indices: list[int],
        reveal: RevealState | None,
        style: InkStyle,
        px_per_mm: float,
    ) -> None:
        writing = dict(reveal.writing) if reveal else {}
        for i in indices:
            stroke = self.page.strokes[i]
            if reveal is None or reveal.written[i]:
                opacity = 1.0
            elif i in writing:
                self._draw_writing(painter, i, writing[i], style)
                continue
            elif style.show_ghosts:
                opacity = style.ghost_alpha
            else:
                continue
            color = self._color(stroke, reveal, style)
            paint_shape(painter, stroke, self.shape(i), color, opacity, px_per_mm)

    def _color(self, stroke: Stroke, reveal: RevealState | None, style: InkStyle) -> QColor:
        """The colour to draw in; its alpha is the stroke's own (a highlighter keeps its
        translucency when shown in the no-audio colour)."""
        if reveal is not None and stroke.recording is None:
            return qcolor(style.no_audio_color)
        return qcolor(stroke.color)

    def _draw_writing(self, painter: QPainter, index: int, n_drawn: int, style: InkStyle) -> None:
        """The stroke being written: its drawn part in the highlight colour, point by point."""
        if n_drawn <= 0:
            return
        stroke = self.page.strokes[index]
        pen = line_pen(
            stroke,
            self.shape(index),
            qcolor(style.writing_color),
            max(stroke.width_mm, 1e-3) * style.writing_width_factor,
        )
        painter.strokePath(polyline_path(stroke.xy_mm[:n_drawn]), pen)

    def paint_texts(self, painter: QPainter) -> None:
        """Only the text boxes (in mm coordinates)."""
        for text in self.page.texts:
            painter.save()
            # Xournal++'s font size is in page points (Pango at 72 dpi): the em is size_pt
            # page units. A point size in Qt would go through the device's dpi (96/72 more
            # on a QImage); a pixel size is in the painter's own units, so draw the text at
            # a fixed em in a grid scaled to make that em size_pt points.
            size_pt = max(text.size_pt, 0.1)
            font = text_font(text.font)
            units_per_em = size_pt * MM_PER_POINT / _TEXT_EM_UNITS
            painter.translate(
                text.x_mm, text.y_mm + _baseline_snap_mm(painter, text.y_mm, font, units_per_em)
            )
            painter.scale(units_per_em, units_per_em)
            painter.setFont(font)
            painter.setPen(qcolor(text.color))
            painter.drawText(QRectF(0, 0, 1e7, 1e7), text.text, _text_option(font))
            painter.restore()

    def _paint_images(self, painter: QPainter, px_per_mm: float) -> None:
        for image in self.page.images:
            rect = QRectF(*image.rect_mm)
            if image.data.startswith(b"%PDF"):  # a Xournal++ TeX image: a one-page PDF
                size = raster_size(rect.width(), rect.height(), px_per_mm)
                raster = self._cache.pdf_image(image.data, size)
                if raster is not None:
                    painter.drawImage(rect, raster)
            else:
                painter.drawImage(rect, self._cache.image(image.data))


_TEXT_EM_UNITS = 1000  # text is laid out at this pixel size, then scaled: unhinted, linear metrics


def text_font(family: str) -> QFont:
    """`family` at an em of _TEXT_EM_UNITS painter units, laid out without hinting so
    widths and line spacing scale exactly to any zoom."""
    font = QFont(family)
    font.setPixelSize(_TEXT_EM_UNITS)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def _baseline_snap_mm(painter: QPainter, y_mm: float, font: QFont, mm_per_unit: float) -> float:
    """How far down to move a text box so that its first baseline lands where Xournal++'s
    hinted Pango text puts it: on the middle of the device pixel row below the exact
    position. Measured against `xournalpp --create-img` (sizes 8–48 pt, y in quarter
    points): text ink overlap 0.988 without this, 0.9998 with it."""
    transform = painter.combinedTransform()
    if transform.isRotating() or transform.m22() <= 0:
        return 0.0
    baseline_mm = y_mm + QFontMetricsF(font).ascent() * mm_per_unit
    device_y = transform.m22() * baseline_mm + transform.dy()
    return (math.ceil(device_y) + 0.5 - device_y) / transform.m22()


def _text_option(font: QFont) -> QTextOption:
    """Top-left aligned, no wrapping, tab stops every 8 spaces (Pango's default)."""
    option = QTextOption(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    option.setWrapMode(QTextOption.WrapMode.NoWrap)
    option.setTabStopDistance(8 * QFontMetricsF(font).horizontalAdvance(" "))
    return option


def _device_px_per_mm(painter: QPainter) -> float:
    """Device pixels per painter unit (mm), from the painter's transform."""
    scale = math.sqrt(abs(painter.combinedTransform().determinant()))
    return scale * painter.device().devicePixelRatioF()
