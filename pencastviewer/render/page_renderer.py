"""Draws one model page — background, ink, text and images — with QPainter.

Coordinates: the caller maps millimetres to the device (see `page_transform`), so the
same code draws the canvas, thumbnails and exports at any resolution. Stroke shapes are
built once per stroke in millimetres (stroke_shapes.py) and reused on every paint.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QTransform

from ..model import Page, RevealState, Stroke
from .backgrounds import RasterCache, paint_background, qcolor, raster_size
from .ink_style import InkStyle
from .qpath import polyline_path
from .stroke_shapes import StrokeShape, build_shape, line_pen, paint_shape


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
    ) -> None:
        """Paint in the painter's current coordinates, which must be millimetres;
        `px_per_mm` is the device resolution, for rasterising PDFs and images."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if background:
            paint_background(painter, self.page, px_per_mm, self._cache)
        self._paint_images(painter, px_per_mm)
        self._paint_strokes(painter, self.visible_strokes(area_mm).tolist(), reveal, style, px_per_mm)
        self._paint_texts(painter)
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

    def _paint_texts(self, painter: QPainter) -> None:
        for text in self.page.texts:
            font = QFont(text.font)
            font.setPointSizeF(max(text.size_pt, 1.0))
            painter.save()
            # Font sizes are in points; the painter works in mm: scale a 1-pt font grid.
            painter.translate(text.x_mm, text.y_mm)
            painter.scale(25.4 / 72, 25.4 / 72)
            painter.setFont(font)
            painter.setPen(qcolor(text.color))
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            painter.drawText(QRectF(0, 0, 10000, 10000), int(flags), text.text)
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


def _device_px_per_mm(painter: QPainter) -> float:
    """Device pixels per painter unit (mm), from the painter's transform."""
    scale = math.sqrt(abs(painter.combinedTransform().determinant()))
    return scale * painter.device().devicePixelRatioF()
