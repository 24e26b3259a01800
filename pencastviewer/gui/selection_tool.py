"""Selecting strokes on the page canvas — Shift+drag a rectangle, Ctrl+Shift+drag a lasso,
Shift+click a stroke to add or remove it, a click on bare paper to clear — and showing the
selection: a highlight under the selected ink (drawn in the page picture, page_layer, so
scrolling and playback repaint it only where they repaint anyway), a dashed frame around
it and the band being dragged (drawn over the picture, repainting only what they cover).

A stroke counts as inside when more than half of its points are: one that merely touches
the band is left out, one whose tail pokes out of it is still taken. The selection itself
lives in the session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPalette, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QApplication, QWidget

from ..app.session import Session
from ..model import Hit, Page, Stroke
from ..model.page_ink import StrokeViews
from .page_layer import PageLayer

RECTANGLE, LASSO = "rectangle", "lasso"
FRAME_PAD_PX = 6.0  # between the selected ink and the dashed frame around it (past its highlight)
LASSO_STEP_PX = 3.0  # a lasso point every few pixels of pointer travel is smooth enough
REPAINT_PAD_PX = 2.0  # antialiasing and pen width spill past a rectangle's edge


def points_inside(xy: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which of the (n, 2) points lie inside the closed (m, 2) polygon (even–odd rule,
    so a lasso that crosses itself leaves its doubly wound part out)."""
    x, y = xy[:, 0], xy[:, 1]
    inside = np.zeros(len(xy), dtype=bool)
    x0s, y0s = polygon[:, 0], polygon[:, 1]
    x1s, y1s = np.roll(x0s, 1), np.roll(y0s, 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # horizontal edges never count
        for x0, y0, x1, y1 in zip(x0s.tolist(), y0s.tolist(), x1s.tolist(), y1s.tolist(), strict=True):
            crosses = (y0 > y) != (y1 > y)
            inside ^= crosses & (x < x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return inside


def stroke_bounds(strokes: Sequence[Stroke]) -> np.ndarray:
    """(n, 4) point bounds x0, y0, x1, y1 of every stroke, mm (a page's strokes: its ink's
    column, computed once when the page was read)."""
    if isinstance(strokes, StrokeViews):
        return strokes.ink.bounds_mm
    return np.array([s.bounds_mm() for s in strokes], dtype=np.float64).reshape(-1, 4)


def overlapping(bounds: np.ndarray, area: QRectF) -> np.ndarray:
    """Which of the (n, 4) bounds meet `area` (mm)."""
    return (
        (bounds[:, 2] >= area.left())
        & (bounds[:, 0] <= area.right())
        & (bounds[:, 3] >= area.top())
        & (bounds[:, 1] <= area.bottom())
    )


def strokes_inside(strokes: Sequence[Stroke], bounds: np.ndarray, polygon: np.ndarray) -> list[int]:
    """Indices of the strokes more than half of whose points lie inside `polygon` (mm)."""
    if len(polygon) < 3 or not len(strokes):
        return []
    extent = QRectF(QPointF(*polygon.min(axis=0)), QPointF(*polygon.max(axis=0)))
    near = np.flatnonzero(overlapping(bounds, extent))
    if not near.size:
        return []
    counts = np.array([strokes[i].n_points for i in near.tolist()])
    inside = points_inside(np.vstack([strokes[i].xy_mm for i in near.tolist()]), polygon)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_inside = np.add.reduceat(inside.astype(np.int64), starts)
    chosen: list[int] = near[n_inside * 2 > counts].tolist()
    return chosen


class SelectionSurface(Protocol):
    """What the tool needs of the page canvas: the page shown, its kept layer, the
    mapping between the page (mm) and the viewport, and hit testing."""

    session: Session
    layer: PageLayer
    px_per_mm: float

    @property
    def page(self) -> Page | None: ...
    def viewport(self) -> QWidget: ...
    def palette(self) -> QPalette: ...
    def view_transform(self) -> QTransform: ...
    def page_point_mm(self, pos: QPointF) -> QPointF: ...
    def widget_point(self, x_mm: float, y_mm: float) -> QPointF: ...
    def hit_at(self, pos: QPointF) -> Hit | None: ...


class SelectionTool(QObject):
    """Filters the canvas viewport's mouse events (Shift-drags are its own; everything else
    goes on to the canvas) and paints the selection when the canvas asks."""

    def __init__(self, canvas: SelectionSurface, parent: QObject):
        super().__init__(parent)
        self.canvas, self.session = canvas, canvas.session
        self.shape: str | None = None  # RECTANGLE or LASSO while a drag is on
        self.band_mm: list[QPointF] = []  # rectangle: its two corners; lasso: its path
        self._press_pos = QPointF()
        self._dragged = False
        self._paper_click: QPointF | None = None  # a plain press on bare paper, until released
        self._bounds_of: tuple[object, np.ndarray] | None = None  # (page, its stroke bounds)
        self._frame_mm: QRectF | None = None  # around the selected strokes, when on the page shown
        self._widest_mm = 0.0  # of the selected ink: the frame stands clear of it
        canvas.viewport().installEventFilter(self)
        self.session.strokes_selected.connect(self._on_session_strokes_selected)
        self.session.page_changed.connect(self._on_session_page_changed)  # (after the canvas's own slot)

    # --- commands ---------------------------------------------------------------------------
    def select_all(self) -> None:
        if self.canvas.page is not None:
            self.session.select_strokes(self.session.page, range(len(self.canvas.page.strokes)))

    def clear(self) -> None:
        """Escape: drop the band being dragged and both selections."""
        self._end_drag()
        self.session.clear_selection()

    # --- mouse ----------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QMouseEvent) or self.canvas.page is None:
            return False
        kind, pos = event.type(), event.position()
        left = event.button() == Qt.MouseButton.LeftButton
        # (a quick second click arrives as a double click, which the canvas takes for a press)
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick) and left:
            self._paper_click = None
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                lasso = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                self._begin(pos, LASSO if lasso else RECTANGLE)
                return True
            if self.canvas.hit_at(pos) is None:
                self._paper_click = pos
            return False
        if kind == QEvent.Type.MouseMove and self.shape is not None:
            self._drag_to(pos)
            return True
        if kind == QEvent.Type.MouseButtonRelease and left:
            if self.shape is not None:
                self._finish()
                return True
            clicked = self._paper_click is not None and not self._moved(self._paper_click, pos)
            if clicked and self.session.selected_strokes is not None:  # (a waveform selection alone stays)
                self.session.clear_selection()
            self._paper_click = None
        return False

    def _moved(self, a: QPointF, b: QPointF) -> bool:
        return (b - a).manhattanLength() >= QApplication.startDragDistance()

    def _begin(self, pos: QPointF, shape: str) -> None:
        self.shape, self._press_pos, self._dragged = shape, pos, False
        here = self.canvas.page_point_mm(pos)
        self.band_mm = [here, here]
        self.canvas.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def _drag_to(self, pos: QPointF) -> None:
        self._dragged = self._dragged or self._moved(self._press_pos, pos)
        if not self._dragged:
            return
        here = self.canvas.page_point_mm(pos)
        if self.shape == RECTANGLE:
            dirty = [*self.band_mm, here]
            self.band_mm[1] = here
        else:
            last = self.canvas.widget_point(self.band_mm[-1].x(), self.band_mm[-1].y())
            if (pos - last).manhattanLength() < LASSO_STEP_PX:
                return
            dirty = [self.band_mm[0], self.band_mm[-1], here]  # the new segment and both closing lines
            self.band_mm.append(here)
        self._update_mm(dirty)

    def _finish(self) -> None:
        shape, dragged, band = self.shape, self._dragged, list(self.band_mm)
        self._end_drag()
        page = self.canvas.page
        if page is None:
            return
        if not dragged:  # Shift+click: add the stroke under the pointer, or take it out
            hit = self.canvas.hit_at(self._press_pos)
            if hit is not None:
                self._toggle(hit.stroke)
            return
        if shape == RECTANGLE:
            (x0, y0), (x1, y1) = (p.toTuple() for p in band)
            band = [QPointF(x0, y0), QPointF(x1, y0), QPointF(x1, y1), QPointF(x0, y1)]
        polygon = np.array([p.toTuple() for p in band], dtype=np.float64)
        chosen = strokes_inside(page.strokes, self._page_bounds(), polygon)
        self.session.select_strokes(self.session.page, chosen)

    def _toggle(self, stroke: int) -> None:
        selected, page = self.session.selected_strokes, self.session.page
        chosen = set(selected[1]) if selected is not None and selected[0] == page else set()
        self.session.select_strokes(page, chosen ^ {stroke})

    def _end_drag(self) -> None:
        if self.shape is not None:
            self._update_mm(self.band_mm)
            self.canvas.viewport().unsetCursor()
        self.shape, self.band_mm = None, []

    # --- what to repaint ------------------------------------------------------------------------------
    def _page_bounds(self) -> np.ndarray:
        page = self.canvas.page
        assert page is not None
        if self._bounds_of is None or self._bounds_of[0] is not page:
            self._bounds_of = (page, stroke_bounds(page.strokes))
        return self._bounds_of[1]

    def _update_mm(self, points_mm: list[QPointF], pad_px: float = REPAINT_PAD_PX) -> None:
        """Repaint the viewport around these page points."""
        rect = self.canvas.view_transform().map(QPolygonF(points_mm)).boundingRect()
        self.canvas.viewport().update(rect.adjusted(-pad_px, -pad_px, pad_px, pad_px).toAlignedRect())

    def _update_frame(self) -> None:
        if self._frame_mm is not None:
            frame = self._frame_mm
            self._update_mm([frame.topLeft(), frame.bottomRight()], self._frame_pad_px() + REPAINT_PAD_PX)

    def _frame_pad_px(self) -> float:
        return self._widest_mm / 2 * self.canvas.px_per_mm + FRAME_PAD_PX

    def _on_session_strokes_selected(self, _selected: object) -> None:
        self._update_frame()  # where the old frame was drawn
        for rect in self._follow_selection():
            self.canvas.viewport().update(rect.toAlignedRect())
        self._update_frame()

    def _on_session_page_changed(self, _page: int) -> None:
        self._end_drag()  # (a band drawn on the page turned away from)
        self._follow_selection()  # (the canvas repaints the whole new page anyway)

    def _follow_selection(self) -> list[QRectF]:
        """Show the session's selection if it is on the page shown; returns the rectangles
        of the page picture that changed."""
        self._frame_mm = None
        selected, page, layer = self.session.selected_strokes, self.canvas.page, self.canvas.layer
        layer.highlight = self.canvas.palette().color(QPalette.ColorRole.Highlight)
        if selected is None or page is None or selected[0] != self.session.page:
            return layer.set_selected([])
        bounds = self._page_bounds()[np.array(selected[1])]
        self._frame_mm = QRectF(QPointF(*bounds[:, :2].min(axis=0)), QPointF(*bounds[:, 2:].max(axis=0)))
        self._widest_mm = max(page.strokes[i].width_mm for i in selected[1])
        return layer.set_selected(selected[1])

    # --- painting ------------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """Draw the selection's frame and the band over the page picture, within `rect`
        (logical px)."""
        painter.save()
        painter.setClipRect(rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        color = self.canvas.palette().color(QPalette.ColorRole.Highlight)
        self._paint_frame(painter, color)
        self._paint_band(painter, color)
        painter.restore()

    def _paint_frame(self, painter: QPainter, color: QColor) -> None:
        if self._frame_mm is None:
            return
        pad = self._frame_pad_px()
        frame = self.canvas.view_transform().mapRect(self._frame_mm).adjusted(-pad, -pad, pad, pad)
        painter.setPen(QPen(color, 1.0, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(frame)

    def _paint_band(self, painter: QPainter, color: QColor) -> None:
        if self.shape is None or not self._dragged:
            return
        points = self.canvas.view_transform().map(QPolygonF(self.band_mm))
        fill = QColor(color)
        fill.setAlpha(40)
        painter.setPen(QPen(color, 1.0))
        if self.shape == RECTANGLE:
            painter.setBrush(fill)
            painter.drawRect(QRectF(points.at(0), points.at(1)).normalized())
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(points)
        painter.setPen(QPen(color, 1.0, Qt.PenStyle.DotLine))
        painter.drawLine(points.at(points.size() - 1), points.at(0))  # how the lasso will close
