"""How one stroke is drawn, as Xournal++ draws it: its paths, built once, and the painting.

Xournal++ (src/core/view/StrokeView.cpp, StrokeViewHelper.cpp) strokes a pen line with
round joins and the stroke's cap; a pressure stroke one segment at a time, segment k with
the width of point k, the dash pattern running on across segments; a fill under the line
at fill/255 in the stroke's colour; a highlighter multiplied onto what lies below; a
filled highlighter as one shape, line and interior together, at fill/255.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen

from ..model import Stroke, Tool
from .qpath import arc_steps, corners_path, outline_corners, polyline_path, segments_outline

# (starts, ends, widths, directions) of a pressure stroke's drawn pieces
Pieces = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None]

MIN_WIDTH_MM = 1e-3  # a non-positive width still draws a hairline, as Xournal++ falls back to one
MAX_DASHES = 100_000  # a pattern this fine for the stroke's length is drawn solid
UNION_PX_PER_MM = 40.0  # a filled highlighter's shape is built once, fine enough for close zoom
_QT_CAPS = {
    "round": Qt.PenCapStyle.RoundCap,
    "butt": Qt.PenCapStyle.FlatCap,
    "square": Qt.PenCapStyle.SquareCap,
}


@dataclass
class StrokeShape:
    """The paths that draw one stroke, in mm. line: the centre line (of xy_mm), stroked with a pen
    unless `pieces` is set: then the segments (starts, ends, widths, directions) whose
    outline is filled instead (pressure, a dot). fill: the interior, when the stroke is
    filled; highlight: a filled highlighter's line and interior as one area."""

    xy_mm: NDArray[np.float64]
    cap: str = "round"
    dashes_mm: tuple[float, ...] = ()  # the pattern the line pen uses (Qt's: even length)
    pieces: Pieces | None = None
    fill: QPainterPath | None = None
    highlight: QPainterPath | None = None
    _outlines: dict[int, QPainterPath] = field(default_factory=dict)
    _line: QPainterPath | None = None

    @property
    def line(self) -> QPainterPath:
        """The centre line, made when first asked for (a pressure stroke is drawn from its
        pieces: exports never need it)."""
        if self._line is None:
            self._line = polyline_path(self.xy_mm)
        return self._line

    def outline(self, px_per_mm: float) -> QPainterPath | None:
        """The filled outline at this resolution: round caps get as many sides as they
        need there, built once per power-of-two step (see qpath.arc_steps)."""
        if self.pieces is None:
            return None
        starts, ends, widths, directions = self.pieces
        steps = self.steps(px_per_mm)
        if steps not in self._outlines:
            self._outlines[steps] = segments_outline(starts, ends, widths, self.cap, directions, steps)
        return self._outlines[steps]

    def steps(self, px_per_mm: float) -> int:
        """Sides of each round cap's half-polygon at this resolution (1 for other caps)."""
        assert self.pieces is not None
        return arc_steps(float(self.pieces[2].max()) / 2 * px_per_mm) if self.cap == "round" else 1


def build_outlines(shapes: Sequence[StrokeShape], px_per_mm: float) -> None:
    """The outlines of many pressure strokes at this resolution made together — the
    polygons of all their segments in one numpy pass, then a path per stroke — exactly as
    each one's outline() would make it alone (a page of 500 pressure strokes: 4× faster)."""
    groups: dict[tuple[int, str], list[StrokeShape]] = {}
    for shape in shapes:
        if shape.pieces is not None and shape.pieces[3] is None:
            steps = shape.steps(px_per_mm)
            if steps not in shape._outlines:
                groups.setdefault((steps, shape.cap), []).append(shape)
    for (steps, cap), members in groups.items():
        pieces = [m.pieces for m in members if m.pieces is not None]
        starts, ends, widths = (np.concatenate([pc[k] for pc in pieces]) for k in range(3))
        corners, keep = outline_corners(starts, ends, widths, cap, None, steps)
        counts = np.fromiter((len(pc[2]) for pc in pieces), np.int64, len(pieces))
        kept = np.concatenate(([0], np.cumsum(keep)))[np.concatenate(([0], np.cumsum(counts)))].tolist()
        for shape, a, b in zip(members, kept[:-1], kept[1:], strict=True):
            shape._outlines[steps] = corners_path(corners[a:b])


def width_of(stroke: Stroke) -> float:
    return stroke.width_mm if stroke.width_mm > 0 else MIN_WIDTH_MM


def build_shape(stroke: Stroke) -> StrokeShape:
    xy = stroke.xy_mm
    still = bool((xy == xy[0]).all())
    length = float(np.hypot(*np.diff(xy, axis=0).T).sum()) if stroke.dash_mm else 0.0
    shape = StrokeShape(xy, stroke.cap, _qt_dashes(stroke.dash_mm, length))
    if still:  # a dot: a pen draws nothing for a zero-length line, cairo draws the cap
        width = stroke.widths_mm[0] if stroke.widths_mm is not None else stroke.width_mm
        shape.pieces = (xy[:1], xy[:1], np.array([max(width, MIN_WIDTH_MM)]), None)
    elif stroke.widths_mm is not None:
        widths = np.maximum(stroke.widths_mm[:-1], MIN_WIDTH_MM)
        shape.pieces = _dash_pieces(xy, widths, shape.dashes_mm)
    if stroke.fill_alpha is not None:
        shape.fill = polyline_path(xy, winding=True)
        if stroke.tool == Tool.HIGHLIGHTER:
            line = shape.outline(UNION_PX_PER_MM)
            if line is None:
                line = QPainterPathStroker(line_pen(stroke, shape, QColor())).createStroke(shape.line)
            shape.highlight = line.united(shape.fill)
    return shape


def line_pen(stroke: Stroke, shape: StrokeShape, color: QColor, width_mm: float | None = None) -> QPen:
    """The pen for the centre line: the stroke's cap, round joins and dash pattern (Qt's
    pattern is in pen widths, the model's in mm)."""
    width = width_of(stroke) if width_mm is None else width_mm
    pen = QPen(color, width)
    pen.setCapStyle(_QT_CAPS[stroke.cap])
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if shape.dashes_mm:
        pen.setDashPattern([d / width for d in shape.dashes_mm])
    return pen


def paint_shape(
    painter: QPainter, stroke: Stroke, shape: StrokeShape, rgb: QColor, opacity: float, px_per_mm: float
) -> None:
    """Paint the stroke in colour `rgb` (its alpha ignored: the stroke's own alpha or fill
    opacity applies), all of it made `opacity` times as opaque (ghosted ink); `px_per_mm`
    is the device resolution."""
    highlighter = stroke.tool == Tool.HIGHLIGHTER
    if highlighter:
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
    if shape.highlight is not None:
        painter.fillPath(shape.highlight, _alpha(rgb, stroke.fill_alpha or 0, opacity))
    else:
        if shape.fill is not None:
            painter.fillPath(shape.fill, _alpha(rgb, stroke.fill_alpha or 0, opacity))
        color = _alpha(rgb, stroke.color[3], opacity)
        outline = shape.outline(px_per_mm)
        if outline is not None:
            painter.fillPath(outline, color)
        else:
            painter.strokePath(shape.line, line_pen(stroke, shape, color))
    if highlighter:
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)


def _alpha(rgb: QColor, alpha: int, opacity: float) -> QColor:
    color = QColor(rgb)
    color.setAlphaF(alpha / 255 * opacity)
    return color


def _qt_dashes(dash_mm: tuple[float, ...], length_mm: float) -> tuple[float, ...]:
    """cairo repeats an odd-length pattern to make it even; Qt needs it even. An all-zero
    pattern is solid (cairo refuses it), and so is one too fine to draw in reasonable time."""
    if not dash_mm or sum(dash_mm) <= 0 or length_mm / sum(dash_mm) * len(dash_mm) > MAX_DASHES:
        return ()
    return dash_mm * 2 if len(dash_mm) % 2 else dash_mm


def _dash_pieces(xy: NDArray[np.float64], widths: NDArray[np.float64], dash_mm: tuple[float, ...]) -> Pieces:
    """(starts, ends, widths, directions) of the drawn pieces of a pressure stroke: its
    segments, or with a dash pattern (even length) the parts of them under the pattern's
    "on" intervals measured along the whole stroke (each piece gets its own caps, as in
    cairo)."""
    p, q = xy[:-1], xy[1:]
    if not dash_mm:
        return p, q, widths, None
    seg_len = np.hypot(*(q - p).T)
    ends = np.concatenate([[0.0], np.cumsum(seg_len)])
    on = _on_intervals(np.array(dash_mm), float(ends[-1]))
    first = np.searchsorted(ends, on[:, 0], side="right") - 1
    last = np.searchsorted(ends, on[:, 1], side="left") - 1
    first, last = np.clip(first, 0, len(p) - 1), np.clip(np.maximum(last, first), 0, len(p) - 1)
    counts = last - first + 1  # segments each "on" interval touches
    interval = np.repeat(np.arange(len(on)), counts)
    segment = first[interval] + np.arange(len(interval)) - np.repeat(np.cumsum(counts) - counts, counts)
    a = np.maximum(on[interval, 0], ends[segment])
    b = np.minimum(on[interval, 1], ends[segment + 1])
    direction = (q - p)[segment] / np.where(seg_len > 0, seg_len, 1.0)[segment, None]
    start = p[segment] + direction * (a - ends[segment])[:, None]
    stop = p[segment] + direction * (b - ends[segment])[:, None]
    return start, stop, widths[segment], direction


def _on_intervals(pattern: NDArray[np.float64], total: float) -> NDArray[np.float64]:
    """[start, end] of every "on" dash that starts within [0, total], clipped to it."""
    period = pattern.sum()
    bounds = np.concatenate([[0.0], np.cumsum(pattern)])
    starts, stops = bounds[0:-1:2], bounds[1::2]
    repeats = np.arange(int(total // period) + 1)[:, None] * period
    on = np.column_stack([(repeats + starts).ravel(), (repeats + stops).ravel()])
    on = on[on[:, 0] <= total]
    on[:, 1] = np.minimum(on[:, 1], total)
    return on
