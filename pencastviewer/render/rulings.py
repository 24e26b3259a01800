"""Printed paper rulings, laid out exactly as Xournal++ 1.2 lays them out.

Geometry from src/core/view/background/*BackgroundView.cpp: which lines exist, where they
start and end, their caps. The painter's coordinates are millimetres.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from ..model import Ruling
from ..model.units import MM_PER_POINT

# Xournal++'s default line widths when the paper names none (config key `lw`).
DEFAULT_LINE_MM = 0.5 * MM_PER_POINT
DEFAULT_DOT_MM = 1.5 * MM_PER_POINT
DEFAULT_ISOGRAPH_MM = 1.0 * MM_PER_POINT
_DEFAULT_WIDTHS = {"dotted": DEFAULT_DOT_MM, "isodotted": DEFAULT_DOT_MM, "isograph": DEFAULT_ISOGRAPH_MM}
MIN_PITCH_MM = 0.5  # a finer pitch would draw millions of lines; Xournal++ clamps too
MAX_ITEMS = 1_000_000  # lines or dots: past this (an absurd page) the ruling is not drawn
_Cap = Qt.PenCapStyle


def line_width(ruling: Ruling) -> float:
    if ruling.line_width_mm is not None and ruling.line_width_mm > 0:
        return ruling.line_width_mm
    return _DEFAULT_WIDTHS.get(ruling.style, DEFAULT_LINE_MM)


def paint_ruling(painter: QPainter, width: float, height: float, ruling: Ruling) -> None:
    """Paint `ruling` over a page of `width` × `height` mm."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    lw = line_width(ruling)
    color = _qcolor(ruling.line_color)
    painter_for = _PAINTERS.get(ruling.style)
    if painter_for is not None:
        painter_for(painter, width, height, ruling, _pen(color, lw, _CAPS[ruling.style]))
    if ruling.margin_mm > 0:  # lined paper's vertical margin line
        painter.setPen(_pen(_qcolor(ruling.margin_color), lw, _Cap.FlatCap))
        painter.drawLine(QLineF(ruling.margin_mm, 0, ruling.margin_mm, height))
    painter.restore()


def _qcolor(rgba: tuple[int, int, int, int]) -> QColor:
    return QColor(*rgba)


def _pen(color: QColor, width: float, cap: Qt.PenCapStyle) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(cap)
    return pen


def _indices(lo: float, hi: float, step: float) -> range:
    """Xournal++'s getIndexBounds: the multiples of `step` within [lo, hi]."""
    found = range(math.ceil(lo / step), math.floor(hi / step) + 1)
    return found if len(found) <= MAX_ITEMS else range(0)


def _ruled(painter: QPainter, width: float, height: float, ruling: Ruling, pen: QPen) -> None:
    """Lines every `spacing` from the header down to the footer, edge to edge."""
    step = max(ruling.spacing_mm, MIN_PITCH_MM)
    usable = height - ruling.header_mm - ruling.footer_mm
    painter.setPen(pen)
    ys = [ruling.header_mm + i * step for i in _indices(0, usable, step)]
    painter.drawLines([QLineF(0, y, width, y) for y in ys])


def _graph(painter: QPainter, width: float, height: float, ruling: Ruling, pen: QPen) -> None:
    """Squares from the top-left corner; with a border, lines stop at it (or at the
    nearest whole square outside it, with round_to_grid)."""
    step = max(ruling.spacing_mm, MIN_PITCH_MM)
    m = max(ruling.grid_margin_mm, 0.0)
    x0, x1, y0, y1 = m, width - m, m, height - m
    hw = pen.widthF() / 2
    xs = _indices(max(x0 - hw, step), min(x1 + hw, step + width), step)
    ys = _indices(max(y0 - hw, step), min(y1 + hw, step + height), step)
    if ruling.round_to_grid and m > 0 and xs and ys:
        x0, x1, y0, y1 = xs[0] * step, xs[-1] * step, ys[0] * step, ys[-1] * step
    painter.setPen(pen)
    lines = [QLineF(i * step, y0, i * step, y1) for i in xs]
    painter.drawLines(lines + [QLineF(x0, j * step, x1, j * step) for j in ys])


def _dotted(painter: QPainter, width: float, height: float, ruling: Ruling, pen: QPen) -> None:
    step = max(ruling.spacing_mm, MIN_PITCH_MM)
    hw = pen.widthF() / 2
    xs = _indices(max(-hw, step), min(width + hw, step + width), step)
    ys = _indices(max(-hw, step), min(height + hw, step + height), step)
    if len(xs) * len(ys) > MAX_ITEMS:
        return
    painter.setPen(pen)
    painter.drawPoints([QPointF(i * step, j * step) for i in xs for j in ys])


def _iso_grid(width: float, height: float, ruling: Ruling) -> tuple[int, int, float, float, float, float]:
    """(columns, rows, x step, y step, x offset, y offset) of the triangle lattice,
    centred on the page with a one-triangle margin."""
    size = max(ruling.spacing_mm, MIN_PITCH_MM)
    xstep, ystep = math.sqrt(3) / 2 * size, size / 2
    cols = max(math.floor((width - 2 * size) / xstep), 0)
    rows = max(math.floor((height - 2 * size) / ystep), 0)
    if cols * rows > MAX_ITEMS:
        cols = rows = 0
    return cols, rows, xstep, ystep, (width - cols * xstep) / 2, (height - rows * ystep) / 2


def _isodotted(painter: QPainter, width: float, height: float, ruling: Ruling, pen: QPen) -> None:
    cols, rows, xstep, ystep, x0, y0 = _iso_grid(width, height, ruling)
    points = []
    for col in range(cols + 1):
        even = col % 2 == 0
        first, last = (ystep, rows - 2) if even else (0.0, rows)
        points += [QPointF(x0 + col * xstep, y0 + first + row * ystep) for row in range(0, last + 1, 2)]
    painter.setPen(pen)
    painter.drawPoints(points)


def _isograph(painter: QPainter, width: float, height: float, ruling: Ruling, pen: QPen) -> None:
    """Xournal++'s IsoGraphBackgroundView::paintGrid: border lines, columns, and the two
    families of diagonals walked from the corners."""
    cols, rows, xs, ys, x0, y0 = _iso_grid(width, height, ruling)
    w, h = cols * xs, rows * ys
    lines = [(0.0, 0.0, w, 0.0), (0.0, h, w, h)] + [(c * xs, 0.0, c * xs, h) for c in range(cols + 1)]
    hd, vd = cols // 2, rows // 2
    hc, vc = cols - 2 * hd, rows - 2 * vd
    for d in range(hd + vd + hc * vc):  # left-down diagonals from the top edge, then the right
        x1, y1 = (xs + d * 2 * xs, 0.0) if d < hd else (w, ys + (d - hd) * 2 * ys - hc * ys)
        x2, y2 = (0.0, ys + d * 2 * ys) if d < vd else (xs + (d - vd) * 2 * xs - vc * xs, h)
        lines.append((x1, y1, x2, y2))
    for d in range(hd + vd):  # right-down diagonals
        x1, y1 = (w - (xs + d * 2 * xs) - hc * xs, 0.0) if d < hd else (0.0, ys + (d - hd) * 2 * ys)
        if d < vd:
            x2, y2 = w, ys + d * 2 * ys + hc * ys
        else:
            x2, y2 = w - (xs + (d - vd) * 2 * xs) + (vc - hc) * xs, h
        lines.append((x1, y1, x2, y2))
    painter.setPen(pen)
    painter.drawLines([QLineF(a + x0, b + y0, c + x0, e + y0) for a, b, c, e in lines])


def _staves(painter: QPainter, width: float, height: float, ruling: Ruling, pen: QPen) -> None:
    """Five-line staves from the header down to the footer, `staff_side_mm` from the page
    edges, closed by a bar at each end."""
    pitch = max(ruling.spacing_mm, MIN_PITCH_MM / 4)
    lw = pen.widthF()
    staff = lw + 4 * pitch
    # Xournal++ keeps the `+ 4 × line width` for the sake of existing documents.
    every = max(ruling.staff_gap_mm + staff + 4 * lw, MIN_PITCH_MM)
    left, right = ruling.staff_side_mm, width - ruling.staff_side_mm
    lines = []
    for i in _indices(0, height - ruling.header_mm - ruling.footer_mm, every):
        top = ruling.header_mm + i * every
        lines += [QLineF(left, top + k * pitch, right, top + k * pitch) for k in range(5)]
        lines += [QLineF(right, top + 4 * pitch, right, top), QLineF(left, top, left, top + 4 * pitch)]
    painter.setPen(pen)
    painter.drawLines(lines)


_PAINTERS: dict[str, Callable[[QPainter, float, float, Ruling, QPen], None]] = {
    "ruled": _ruled,
    "lined": _ruled,
    "graph": _graph,
    "dotted": _dotted,
    "isodotted": _isodotted,
    "isograph": _isograph,
    "staves": _staves,
}
_CAPS = {
    "ruled": _Cap.FlatCap,
    "lined": _Cap.FlatCap,
    "graph": _Cap.SquareCap,
    "dotted": _Cap.RoundCap,
    "isodotted": _Cap.RoundCap,
    "isograph": _Cap.RoundCap,
    "staves": _Cap.SquareCap,
}
