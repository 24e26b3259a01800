"""Draws one model page — background, ink, text and images — with QPainter.

Coordinates: the caller maps millimetres to the device (see `page_transform`), so the
same code draws the canvas, thumbnails and exports at any resolution. Stroke paths are
built once per page in millimetres and reused on every paint.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QTransform

from ..model import Page, RevealState, Stroke, Tool
from .backgrounds import RasterCache, paint_background, qcolor
from .ink_style import InkStyle


def page_transform(page: Page, target: QRectF) -> tuple[QTransform, float]:
    """The transform that fits `page` into `target` keeping its aspect ratio (centred),
    and the resulting device pixels per millimetre."""
    scale = min(target.width() / page.width_mm, target.height() / page.height_mm)
    dx = target.x() + (target.width() - page.width_mm * scale) / 2
    dy = target.y() + (target.height() - page.height_mm * scale) / 2
    return QTransform(scale, 0, 0, scale, dx, dy), scale


def _path(xy: np.ndarray) -> QPainterPath:
    path = QPainterPath(QPointF(float(xy[0, 0]), float(xy[0, 1])))
    if len(xy) == 1:  # a dot: a zero-length segment still gets round caps
        path.lineTo(float(xy[0, 0]) + 1e-3, float(xy[0, 1]))
    for x, y in xy[1:].tolist():
        path.lineTo(x, y)
    return path


class PageRenderer:
    """Paints one page. Not thread-safe: one renderer per thread (Qt painting objects
    are per thread); cheap to create, paths are built lazily."""

    def __init__(self, page: Page, cache: RasterCache | None = None):
        self.page = page
        self._cache = cache or RasterCache()
        self._paths: list[QPainterPath | None] = [None] * len(page.strokes)
        if page.strokes:
            self._bounds = np.array([s.bounds_mm() for s in page.strokes])
            self._margin = np.array([max(s.width_mm, _max_width(s)) for s in page.strokes])
        else:
            self._bounds, self._margin = np.zeros((0, 4)), np.zeros(0)

    def stroke_path(self, index: int) -> QPainterPath:
        path = self._paths[index]
        if path is None:
            path = self._paths[index] = _path(self.page.strokes[index].xy_mm)
        return path

    def visible_strokes(self, area_mm: QRectF | None) -> np.ndarray:
        """Indices of strokes whose bounds meet `area_mm` (all when None), in z-order."""
        if area_mm is None:
            return np.arange(len(self.page.strokes))
        b, m = self._bounds, self._margin
        hit = (
            (b[:, 2] + m >= area_mm.left()) & (b[:, 0] - m <= area_mm.right())
            & (b[:, 3] + m >= area_mm.top()) & (b[:, 1] - m <= area_mm.bottom())
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
        """Paint in the painter's current coordinates, which must be millimetres."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if background:
            paint_background(painter, self.page, px_per_mm, self._cache)
        self._paint_images(painter)
        writing = dict(reveal.writing) if reveal else {}
        for i in self.visible_strokes(area_mm).tolist():
            stroke = self.page.strokes[i]
            if reveal is None or reveal.written[i]:
                self._draw(painter, i, self._color(stroke, reveal, style))
            elif i in writing:
                self._draw_writing(painter, stroke, writing[i], style)
            elif style.show_ghosts:
                color = self._color(stroke, reveal, style)
                color.setAlphaF(color.alphaF() * style.ghost_alpha)
                self._draw(painter, i, color)
        self._paint_texts(painter)
        painter.restore()

    def _color(self, stroke: Stroke, reveal: RevealState | None, style: InkStyle) -> QColor:
        if reveal is not None and stroke.recording is None:
            return qcolor(style.no_audio_color)
        return qcolor(stroke.color)

    def _pen(self, stroke: Stroke, color: QColor, width_mm: float) -> QPen:
        pen = QPen(color, width_mm)
        flat = stroke.tool == Tool.HIGHLIGHTER
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if flat else Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _draw(self, painter: QPainter, index: int, color: QColor) -> None:
        stroke = self.page.strokes[index]
        if stroke.widths_mm is not None and stroke.n_points > 1:
            _draw_pressure(painter, stroke, self._pen(stroke, color, stroke.width_mm), len(stroke.xy_mm))
            return
        painter.setPen(self._pen(stroke, color, stroke.width_mm))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.stroke_path(index))

    def _draw_writing(self, painter: QPainter, stroke: Stroke, n_drawn: int, style: InkStyle) -> None:
        """The stroke being written: its drawn part in the highlight colour, point by point."""
        if n_drawn <= 0:
            return
        color = qcolor(style.writing_color)
        width = stroke.width_mm * style.writing_width_factor
        painter.setPen(self._pen(stroke, color, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(_path(stroke.xy_mm[:n_drawn]))

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

    def _paint_images(self, painter: QPainter) -> None:
        for image in self.page.images:
            painter.drawImage(QRectF(*image.rect_mm), self._cache.image(image.data))


def _max_width(stroke: Stroke) -> float:
    return float(stroke.widths_mm.max()) if stroke.widths_mm is not None else stroke.width_mm


def _draw_pressure(painter: QPainter, stroke: Stroke, pen: QPen, n: int) -> None:
    """Variable width: each segment with the width of its first point (Xournal++ draws a
    pressure stroke as segments of their own width)."""
    widths = stroke.widths_mm.tolist()  # type: ignore[union-attr]
    xy = stroke.xy_mm.tolist()
    for k in range(n - 1):
        pen.setWidthF(widths[k])
        painter.setPen(pen)
        painter.drawLine(QPointF(*xy[k]), QPointF(*xy[k + 1]))
