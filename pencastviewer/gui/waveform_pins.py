"""Thin vertical marks on both waveforms (search hits, bookmarks) at times of the current
recording, drawn over the envelope and under the playhead."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor

from .waveform import WaveformView

PIN_Z = 2.5  # above the envelope (2), below the playhead (3)


class WaveformPins:
    def __init__(self, view: WaveformView, color: QColor, width: float = 1.5) -> None:
        self.view = view
        self.pen = pg.mkPen(color, width=width)
        self.positions_s: list[float] = []
        self._lines: list[tuple[pg.PlotWidget, pg.InfiniteLine]] = []

    def set_positions(self, positions_s: Sequence[float]) -> None:
        for plot, line in self._lines:
            plot.removeItem(line)
        self._lines = []
        self.positions_s = sorted(float(p) for p in positions_s)
        for plot in (self.view.overview, self.view.detail):
            for position in self.positions_s:
                line = pg.InfiniteLine(position, angle=90, movable=False, pen=self.pen)
                line.setZValue(PIN_Z)
                plot.addItem(line)
                self._lines.append((plot, line))
