"""A page's ink as PDF drawing operators, written from the columns the way Xournal++'s
cairo writes it: a pen line is one path stroked with the stroke's width, cap, round joins
and dashes (runs of strokes that look alike share one path); a pressure stroke is one short
line per segment at that segment's width, which is exactly the union Xournal++ and the
window draw for opaque ink. Translucency and the highlighter's multiply are named graphics
states, defined once for the whole document. What has no such plain form (fills, a filled
highlighter, translucent pressure ink, square-capped dots) is filled as its outline, built
by stroke_shapes as the window draws it.

Coordinates are whole hundredths of a point, y down from the page's top: the caller puts
the stream under `0.01 0 0 -0.01 0 H cm`. Integers format several times faster than reals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QByteArray, QDataStream, QIODevice, Qt
from PySide6.QtGui import QPainterPath

from ..model import Page, Stroke, Tool
from .stroke_shapes import MIN_WIDTH_MM, StrokeShape, build_shape

UNITS_PER_MM = 7200 / 25.4  # hundredths of a point
OUTLINE_PX_PER_MM = 300 / 25.4  # round caps of outlines as fine as a 300 dpi print needs
_PDF_CAPS = {"butt": 0, "round": 1, "square": 2}
_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


@dataclass
class GraphicsStates:
    """Opacity and blend settings used by the ink, named once for the whole document:
    (stroke alpha, fill alpha, multiply) -> name."""

    names: dict[tuple[int, int, bool], str] = field(default_factory=dict)

    def name(self, stroke_alpha: int, fill_alpha: int, multiply: bool) -> str:
        key = (stroke_alpha, fill_alpha, multiply)
        if key not in self.names:
            self.names[key] = f"GSink{len(self.names)}"
        return self.names[key]


class _Writer:
    """Operators of one content stream, with the graphics state it has set so far."""

    def __init__(self, states: GraphicsStates) -> None:
        self.parts: list[str] = []
        self.states = states
        self.current: dict[str, object] = {}

    def set(self, key: str, value: object, operator: str) -> None:
        if self.current.get(key) != value:
            self.current[key] = value
            self.parts.append(operator)

    def style(self, stroke: Stroke, alpha: int, fill_alpha: int, width_units: int | None = None) -> None:
        r, g, b = (c / 255 for c in stroke.color[:3])
        self.set("stroke_rgb", (r, g, b), f"{r:.4g} {g:.4g} {b:.4g} RG\n")
        self.set("fill_rgb", (r, g, b), f"{r:.4g} {g:.4g} {b:.4g} rg\n")
        multiply = stroke.tool == Tool.HIGHLIGHTER
        gs = self.states.name(alpha, fill_alpha, multiply)
        self.set("gs", gs, f"/{gs} gs\n")
        if width_units is not None:
            self.set("width", width_units, f"{width_units} w\n")
        self.set("cap", stroke.cap, f"{_PDF_CAPS[stroke.cap]} J\n")
        self.set("join", 1, "1 j\n")


def ink_content(page: Page, states: GraphicsStates) -> bytes:
    """The operators drawing every stroke of `page`, in z-order."""
    out = _Writer(states)
    ink = page.ink
    strokes = page.strokes
    run: list[int] = []  # consecutive plain lines that look alike: one path
    for k in range(ink.n_strokes):
        stroke = strokes[k]
        if _is_plain_line(stroke):
            if run and not _alike(ink, run[-1], k):
                _lines(out, page, run)
                run = []
            run.append(k)
            continue
        if run:
            _lines(out, page, run)
            run = []
        _shape(out, stroke, build_shape(stroke))
    if run:
        _lines(out, page, run)
    return "".join(out.parts).encode("ascii")


def _is_plain_line(stroke: Stroke) -> bool:
    """Drawn by stroking its centre line: no per-point widths, no fill, and it moves."""
    if stroke.widths_mm is not None or stroke.fill_alpha is not None:
        return False
    xy = stroke.xy_mm
    return bool(len(xy) > 1 and (xy != xy[0]).any())


def _alike(ink: Any, a: int, b: int) -> bool:
    return bool(
        ink.width_mm[a] == ink.width_mm[b]
        and (ink.color[a] == ink.color[b]).all()
        and ink.tool[a] == ink.tool[b]
        and ink.cap[a] == ink.cap[b]
        and ink.dash_mm[a] == ink.dash_mm[b]
    )


def _units(xy_mm: NDArray[np.float64]) -> list[int]:
    values: list[int] = np.rint(xy_mm * UNITS_PER_MM).astype(np.int64).ravel().tolist()
    return values


def _lines(out: _Writer, page: Page, run: list[int]) -> None:
    """Strokes `run` (alike, plain) as the subpaths of one stroked path."""
    first = page.strokes[run[0]]
    width_mm = max(first.width_mm, MIN_WIDTH_MM)
    out.style(first, first.color[3], first.color[3], max(1, round(width_mm * UNITS_PER_MM)))
    shape = build_shape(first) if first.dash_mm else None
    dashes = shape.dashes_mm if shape is not None else ()
    pattern = " ".join(str(max(0, round(d * UNITS_PER_MM))) for d in dashes)
    out.set("dash", pattern, f"[{pattern}] 0 d\n")
    ink = page.ink
    a, b = int(ink.offsets[run[0]]), int(ink.offsets[run[-1] + 1])
    counts = np.diff(ink.offsets[run[0] : run[-1] + 2]).tolist()
    template = "".join("%d %d m" + " %d %d l" * (n - 1) + "\n" for n in counts)
    out.parts.append(template % tuple(_units(ink.xy_mm[a:b])) + "S\n")


def _shape(out: _Writer, stroke: Stroke, shape: StrokeShape) -> None:
    """A stroke that is not a plain line: pieces at their own widths, or outlines filled."""
    alpha, fill_alpha = stroke.color[3], stroke.fill_alpha or 0
    if shape.highlight is not None:
        out.style(stroke, fill_alpha, fill_alpha)
        out.parts.append(_path_ops(shape.highlight))
        return
    if shape.fill is not None:
        out.style(stroke, alpha, fill_alpha)
        out.parts.append(_path_ops(shape.fill))
    pieces = shape.pieces
    if pieces is None:  # a filled pen's line
        out.style(stroke, alpha, alpha, max(1, round(max(stroke.width_mm, MIN_WIDTH_MM) * UNITS_PER_MM)))
        pattern = " ".join(str(max(0, round(d * UNITS_PER_MM))) for d in shape.dashes_mm)
        out.set("dash", pattern, f"[{pattern}] 0 d\n")
        out.parts.append(_polyline_ops(stroke.xy_mm) + "S\n")
        return
    starts, ends, widths, _ = pieces
    moving = (starts != ends).any(axis=1)
    if alpha < 255 or (stroke.cap == "square" and not moving.all()):
        out.style(stroke, alpha, alpha)  # overlaps must not darken: the outline, filled once
        outline = shape.outline(OUTLINE_PX_PER_MM)
        if outline is not None:
            out.parts.append(_path_ops(outline))
        return
    if stroke.cap == "butt":  # cairo draws nothing for a zero-length piece with butt caps
        starts, ends, widths = starts[moving], ends[moving], widths[moving]
    out.style(stroke, alpha, alpha)
    out.set("dash", "", "[] 0 d\n")
    out.current.pop("width", None)
    w = np.maximum(1, np.rint(widths * UNITS_PER_MM)).astype(np.int64)
    numbers = np.column_stack([w, np.rint(np.hstack([starts, ends]) * UNITS_PER_MM).astype(np.int64)])
    out.parts.append("%d w %d %d m %d %d l S\n" * len(w) % tuple(numbers.ravel().tolist()))


def _polyline_ops(xy_mm: NDArray[np.float64]) -> str:
    return ("%d %d m" + " %d %d l" * (len(xy_mm) - 1) + "\n") % tuple(_units(xy_mm))


def _path_ops(path: QPainterPath) -> str:
    """A QPainterPath (mm) filled as PDF operators, its fill rule kept."""
    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    stream << path
    raw = bytes(data.data())
    n = int(np.frombuffer(raw[:4], ">i4")[0])
    elements = np.frombuffer(raw[4 : 4 + n * _ELEMENT.itemsize], _ELEMENT)
    xy = _units(np.column_stack([elements["x"], elements["y"]]))
    ops, i = [], 0
    types = elements["type"].tolist()
    while i < n:
        x, y = xy[2 * i], xy[2 * i + 1]
        if types[i] == 0:
            ops.append(f"{x} {y} m")
        elif types[i] == 1:
            ops.append(f"{x} {y} l")
        else:  # a curve: this control point, then two data elements
            ops.append(f"{x} {y} {xy[2 * i + 2]} {xy[2 * i + 3]} {xy[2 * i + 4]} {xy[2 * i + 5]} c")
            i += 2
        i += 1
    fill = "f" if path.fillRule() == Qt.FillRule.WindingFill else "f*"
    return " ".join(ops) + f"\n{fill}\n"
