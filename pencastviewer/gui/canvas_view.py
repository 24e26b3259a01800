"""Where the page view looks: the page point at its centre (remembered per file, so a
file reopens on the region the user was reading) and the point a keyboard zoom keeps
still (the pointer, else the ink in view, never blank paper by accident)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtGui import QCursor

if TYPE_CHECKING:
    from .page_canvas import PageCanvas


def view_centre_mm(canvas: PageCanvas) -> tuple[float, float] | None:
    """The page point at the centre of the view, in mm (None without a page)."""
    if canvas.page is None:
        return None
    centre = canvas.page_point_mm(QPointF(canvas.viewport().width() / 2, canvas.viewport().height() / 2))
    return round(centre.x(), 2), round(centre.y(), 2)


def restore_view_centre(canvas: PageCanvas, x_mm: float, y_mm: float) -> None:
    """Centre the view on (x_mm, y_mm) now and once more when the window has its final
    layout (a file opened with the window is restored before the window is shown)."""
    canvas.center_on(x_mm, y_mm)
    page = canvas.page
    QTimer.singleShot(0, canvas, lambda: canvas.center_on(x_mm, y_mm) if canvas.page is page else None)


def zoom_anchor(canvas: PageCanvas) -> QPointF | None:
    """Where a zoom from the keyboard or the toolbar keeps the page still: the pointer when
    it is over the page view, else the middle of the ink in view, else the view's centre
    (None)."""
    viewport = canvas.viewport()
    pointer = QPointF(viewport.mapFromGlobal(QCursor.pos()))
    if QRectF(viewport.rect()).contains(pointer) and viewport.underMouse():
        return pointer
    renderer = canvas.layer.renderer
    if renderer is None:
        return None
    top_left = canvas.page_point_mm(QPointF(0, 0))
    bottom_right = canvas.page_point_mm(QPointF(viewport.width(), viewport.height()))
    area = QRectF(top_left, bottom_right)
    visible = renderer.visible_strokes(area)
    if len(visible) == 0:
        return None
    bounds = np.array([renderer.page.strokes[i].bounds_mm() for i in visible])
    x0, y0 = max(bounds[:, 0].min(), area.left()), max(bounds[:, 1].min(), area.top())
    x1, y1 = min(bounds[:, 2].max(), area.right()), min(bounds[:, 3].max(), area.bottom())
    return canvas.widget_point((x0 + x1) / 2, (y0 + y1) / 2)
