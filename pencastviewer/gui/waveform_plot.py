"""One waveform plot drawn from the peak pyramid at one bin per pixel, as recorded or as
heard, on a linear or a decibel scale (media/envelope_scale.py), with the playhead, the
writing marks, the selection and, for the heard signal, the limiter's ceiling; its clock
axis and the view box that turns clicks into seeks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

from ..media.envelope_scale import EnvelopeScale
from ..media.peaks import PeakPyramid

WAVE_PEN = (40, 90, 160)
MARK_BRUSH = (255, 170, 0, 60)
SELECTION_BRUSH = (60, 160, 90, 60)
WINDOW_BRUSH = (0, 0, 0, 30)
PLAYHEAD_PEN = pg.mkPen((200, 30, 30), width=2)
CEILING_PEN = pg.mkPen((200, 30, 30, 150), width=1, style=Qt.PenStyle.DashLine)
# (major, minor) tick spacings in seconds that read well as clock times
_TIME_STEPS = (
    (0.1, 0.02),
    (0.2, 0.05),
    (0.5, 0.1),
    (1, 0.2),
    (2, 0.5),
    (5, 1),
    (10, 2),
    (15, 5),
    (30, 5),
    (60, 10),
    (120, 30),
    (300, 60),
    (600, 120),
    (900, 300),
    (1800, 300),
    (3600, 600),
    (7200, 1800),
    (14400, 3600),
    (28800, 7200),
)
_LABEL_PX = 90  # room a major tick's label needs


def format_clock(seconds: float, decimals: int = 0) -> str:
    """h:mm:ss, with `decimals` digits of the seconds."""
    total = round(max(seconds, 0.0), decimals)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    width = 2 + (decimals + 1 if decimals else 0)
    return f"{int(h)}:{int(m):02d}:{s:0{width}.{decimals}f}"


class TimeAxis(pg.AxisItem):  # type: ignore[misc]  # (pyqtgraph is untyped)
    """Ticks at clock-friendly steps, labelled h:mm:ss (with tenths below one second)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = abs(maxVal - minVal)
        if span == 0 or size <= 0:
            return []
        wanted = span * _LABEL_PX / size
        major, minor = next((step for step in _TIME_STEPS if step[0] >= wanted), _TIME_STEPS[-1])
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        decimals = 1 if spacing < 1 else 0
        return [format_clock(v, decimals) for v in values]


class SeekViewBox(pg.ViewBox):  # type: ignore[misc]
    """Left click seeks; left drag scrubs; Shift + left drag selects; wheel zooms in time
    around the cursor and middle drag pans (pyqtgraph's own, x only); a right click asks
    for the view's menu at a point of the screen."""

    seek_requested = Signal(float)
    selection_dragged = Signal(float, float)  # where the drag began, where it is now (s)
    menu_requested = Signal(QPoint)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)
        self.dragging = False

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self.menu_requested.emit(ev.screenPos().toPoint())
            return
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseClickEvent(ev)
            return
        ev.accept()
        self.seek_requested.emit(self.mapToView(ev.pos()).x())

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        self.dragging = not ev.isFinish()
        x = self.mapToView(ev.pos()).x()
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.selection_dragged.emit(self.mapToView(ev.buttonDownPos()).x(), x)
        else:
            self.seek_requested.emit(x)


class WaveformPlot(pg.PlotWidget):  # type: ignore[misc]
    """One view of the envelope: redrawn from the pyramid at one bin per pixel whenever its
    time range changes. The curve gets only those bins, never raw samples, so pyqtgraph's
    downsampling (which rescans samples on every change) is not involved. `scale` says how
    the bins are drawn (as heard, in dB); a limiter's ceiling is drawn as dashed lines."""

    def __init__(self, parent: QWidget | None = None):
        self.view = SeekViewBox()
        super().__init__(parent, viewBox=self.view, axisItems={"bottom": TimeAxis("bottom")})
        self.hideAxis("left")
        self.hideButtons()
        self.setDownsampling(ds=1, auto=False)  # (it only acts on PlotDataItems; said for the record)
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        axis = self.getAxis("bottom")
        axis.setPen(palette.color(QPalette.ColorRole.Mid))
        axis.setTextPen(palette.color(QPalette.ColorRole.Text))
        axis.setStyle(maxTextLevel=0)  # label major ticks only: measuring minor labels cost ms
        axis.enableAutoSIPrefix(False)  # seconds stay seconds (and no label re-layout per range)
        self.setYRange(-1.0, 1.0, padding=0.02)
        self.pyramid: PeakPyramid | None = None
        self.scale = EnvelopeScale()
        self.marks = (np.empty(0), np.empty(0))
        self.mark_curve = pg.PlotCurveItem(pen=None, brush=MARK_BRUSH, fillLevel=-1.0, skipFiniteCheck=True)
        self.envelope = pg.PlotCurveItem(pen=WAVE_PEN, connect="pairs", skipFiniteCheck=True)
        self.envelope.setSegmentedLineMode("on")  # drawLines: measured faster than one path
        self.selection = pg.LinearRegionItem(brush=SELECTION_BRUSH, movable=True)
        self.selection.setMovable(False)  # the body passes clicks and drags on to the view...
        for line in self.selection.lines:
            line.setMovable(True)  # ... while its edges can be dragged
        self.selection.hide()
        self.playhead = pg.InfiniteLine(0.0, angle=90, movable=False, pen=PLAYHEAD_PEN)
        for z, item in enumerate((self.mark_curve, self.selection, self.envelope, self.playhead)):
            item.setZValue(z)
            self.addItem(item)
        self.ceiling_lines = [pg.InfiniteLine(0.0, angle=0, movable=False, pen=CEILING_PEN) for _ in "+-"]
        for line in self.ceiling_lines:
            line.setZValue(2.2)  # over the envelope, under pins and the playhead
            line.hide()
            self.addItem(line)
        self.view.sigXRangeChanged.connect(lambda *_: self.redraw())
        self.view.sigResized.connect(lambda *_: self.redraw())

    def x_range(self) -> tuple[float, float]:
        x0, x1 = self.view.viewRange()[0]
        return x0, x1

    def width_px(self) -> int:
        return max(int(self.view.width() * self.devicePixelRatioF()), 1)

    def set_content(self, pyramid: PeakPyramid | None, marks: tuple[np.ndarray, np.ndarray]) -> None:
        self.pyramid, self.marks = pyramid, marks
        self.redraw()

    def set_scale(self, scale: EnvelopeScale) -> None:
        self.scale = scale
        ceiling = scale.ceiling
        for line, sign in zip(self.ceiling_lines, (1.0, -1.0), strict=True):
            line.setVisible(ceiling is not None)
            line.setValue(sign * scale.height_of(ceiling) if ceiling is not None else 0.0)
        self.redraw()

    def redraw(self) -> None:
        x0, x1 = self.x_range()
        n_px = self.width_px()
        if self.pyramid is None:
            self.envelope.setData([], [])
        else:
            times, mins, maxs = self.pyramid.query(x0, x1, n_px)
            bin_s = float(times[1] - times[0]) if len(times) > 1 else x1 - x0
            mins, maxs = self.scale.apply(mins, times, bin_s), self.scale.apply(maxs, times, bin_s)
            self.envelope.setData(np.repeat(times, 2), np.column_stack([mins, maxs]).ravel())
        self._draw_marks(x0, x1, (x1 - x0) / n_px)

    def _draw_marks(self, x0: float, x1: float, px_s: float) -> None:
        """The marks in view as one filled step curve; gaps under a pixel are closed and
        marks are at least a pixel wide, so the curve stays within ~width/2 steps."""
        starts, ends = self.marks
        lo, hi = np.searchsorted(ends, x0), np.searchsorted(starts, x1, side="right")
        starts, ends = starts[lo:hi], np.maximum(ends[lo:hi], starts[lo:hi] + px_s)
        if len(starts) == 0:
            self.mark_curve.setData([], [])
            return
        keep = np.flatnonzero(starts[1:] - ends[:-1] >= px_s)
        starts, ends = starts[np.concatenate([[0], keep + 1])], ends[np.concatenate([keep, [len(ends) - 1]])]
        xs = np.column_stack([starts, starts, ends, ends]).ravel()
        ys = np.tile([-1.0, 1.0, 1.0, -1.0], len(starts))
        self.mark_curve.setData(xs, ys)
