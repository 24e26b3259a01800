"""Markers on the page: where the hits of the current search are (the point the pen had
reached when a word was said, a typed text box), drawn over the page picture. The canvas
owns one; whoever searches hands it plain positions per page (no use-case here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPen

MARK_COLOR = QColor(230, 140, 0)  # the search's colour on the waveforms too
RADIUS_PX = 7.0
CURRENT_RADIUS_PX = 11.0

Point = tuple[float, float]


class PageMarks:
    """marks: page index -> positions in mm; `current` (page, position): the hit last
    stepped to, drawn larger. `to_widget(x_mm, y_mm)` places a position in the widget,
    `page()` is the page shown, `update()` repaints."""

    def __init__(
        self,
        to_widget: Callable[[float, float], QPointF],
        page: Callable[[], int],
        update: Callable[[], None],
    ) -> None:
        self._to_widget, self._page, self._update = to_widget, page, update
        self.marks: dict[int, list[Point]] = {}
        self.current: tuple[int, Point] | None = None

    def set_marks(
        self, marks: Mapping[int, Sequence[Point]], current: tuple[int, Point] | None = None
    ) -> None:
        self.marks = {page: list(points) for page, points in marks.items()}
        self.current = current
        self._update()

    def on_page(self, page: int) -> list[Point]:
        return self.marks.get(page, [])

    def paint(self, painter: QPainter) -> None:
        page = self._page()
        points = self.on_page(page)
        if not points:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(MARK_COLOR)
        fill.setAlpha(90)
        painter.setBrush(fill)
        painter.setPen(QPen(MARK_COLOR, 2.0))
        for x_mm, y_mm in points:
            current = self.current is not None and self.current == (page, (x_mm, y_mm))
            radius = CURRENT_RADIUS_PX if current else RADIUS_PX
            painter.drawEllipse(self._to_widget(x_mm, y_mm), radius, radius)
        painter.restore()
