"""The `<stroke>` elements of a layer read together: their numbers converted in one pass
(formats.numtext.floats_in_texts) and checked as columns, and the plain ones handed on as
runs of columns (StrokeRun) that the page's ink is joined from, so a 10 000-stroke
notebook costs a few numpy calls per layer and no array or tuple per stroke.

Only plain strokes take this path: decimal numbers, an even number of coordinates within
range, pressures in the width attribute that are all positive (or none), no spline. For
any other stroke the caller runs elements.parse_stroke, which reads it the same way and
says what is wrong with it; both give the same strokes, bit for bit.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ...model import Tool
from ...model.units import MM_PER_POINT
from ..limits import MAX_POINTS
from ..numtext import floats_in_texts
from .elements import MAX_COORD_PT, AudioLink, ElementContext, RawStroke, StrokeStyle, stroke_style

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class StrokeRun(NamedTuple):
    """Consecutive strokes of a layer as columns: points (m, 2) in mm, stroke k's points
    offsets[k]:offsets[k + 1], per-point widths in mm (0 for a stroke without:
    has_widths), and per stroke its nominal width in mm, its look and its audio link."""

    xy_mm: F64
    offsets: I64
    widths_mm: F64
    has_widths: NDArray[np.bool_]
    width_mm: F64
    styles: list[StrokeStyle]
    links: list[AudioLink | None]


def run_of(strokes: Sequence[RawStroke]) -> StrokeRun:
    """The strokes elements.parse_stroke read (one `<stroke>`, maybe split) as a run."""
    counts = [len(s.xy_mm) for s in strokes]
    return StrokeRun(
        np.concatenate([s.xy_mm for s in strokes]),
        _offsets(np.array(counts, np.int64)),
        np.concatenate(
            [
                np.zeros(n) if s.widths_mm is None else s.widths_mm
                for s, n in zip(strokes, counts, strict=True)
            ]
        ),
        np.array([s.widths_mm is not None for s in strokes], bool),
        np.array([s.width_mm for s in strokes], np.float64),
        [StrokeStyle(s.color, s.tool, s.fill_alpha, s.cap, s.dash_mm) for s in strokes],
        [s.link for s in strokes],
    )


class LayerBatch:
    """The plain strokes of a layer read together. plain[k]: whether `<stroke>` k is one
    (else read it with parse_stroke); run(a, b): the plain ones a to b − 1 (counted among
    the plain ones), which follow each other in the layer."""

    def __init__(self, plain: list[bool], points: StrokeRun) -> None:
        self.plain, self._all = plain, points

    def run(self, first: int, stop: int) -> StrokeRun:
        run = self._all
        a, b = int(run.offsets[first]), int(run.offsets[stop])
        return StrokeRun(
            run.xy_mm[a:b],
            run.offsets[first : stop + 1] - a,
            run.widths_mm[a:b],
            run.has_widths[first:stop],
            run.width_mm[first:stop],
            run.styles[first:stop],
            run.links[first:stop],
        )


def batch_strokes(
    elems: Sequence[ET.Element], links: Sequence[AudioLink | None], ctx: ElementContext
) -> LayerBatch | None:
    """The layer's `<stroke>`s that are plain, read together (their points counted into
    ctx.n_points); None when the layer must be read stroke by stroke (parse_stroke)."""
    n = len(elems)
    texts = [e.text or "" for e in elems]
    # Before converting, the points are bounded as parse_stroke bounds them (two numbers
    # need a separator): by the texts' length first, which is enough for any layer far
    # from the limit, by counting separators only near it (that took 30 ms of big.xopp).
    if not n or ctx.n_points + (sum(map(len, texts)) + n) // 2 > MAX_POINTS:
        estimate = sum((t.count(" ") + t.count("\n") + t.count("\t") + 1) // 2 for t in texts)
        if not n or ctx.n_points + estimate > MAX_POINTS:
            return None  # parse_stroke stops at the stroke that passes the limit
    values, counts, plain = floats_in_texts(texts)
    w_values, w_counts, plain_widths = floats_in_texts([e.get("width") or "" for e in elems])
    plain &= plain_widths & _plain(elems, ctx)
    off, w_off = _offsets(counts), _offsets(w_counts)
    n_points = counts // 2
    plain &= (counts >= 2) & (counts % 2 == 0) & (_runs(np.abs(values) > MAX_COORD_PT, off) == 0)
    n_press = np.maximum(w_counts - 1, 0)
    pressured = (n_press > 0) & (n_points >= 2)
    plain &= ~pressured | (n_press >= n_points - 1)
    # Pressure k (the width attribute's value k + 1) is segment k's: n − 1 of them are used.
    used = np.where(pressured & plain, n_points - 1, 0)
    seg_start = w_off[:-1] + 1
    seg_bounds = np.minimum(np.stack([seg_start, seg_start + used], axis=1).ravel(), len(w_values))
    bad_seg = _runs(w_values <= 0, seg_bounds)[::2]
    plain &= bad_seg == 0
    w0 = w_values[np.minimum(w_off[:-1], max(len(w_values) - 1, 0))] if len(w_values) else np.zeros(n)
    width_pt = np.where((w_counts >= 1) & (w0 > 0), w0, 1.0)
    taken = np.flatnonzero(plain)
    styles = [stroke_style(elems[k]) for k in taken.tolist()]
    # Xournal++ ignores the pressure of a highlighter.
    highlighter = np.fromiter((s.tool == Tool.HIGHLIGHTER for s in styles), bool, len(styles))
    has_widths = pressured[taken] & ~highlighter
    counts_taken = n_points[taken]
    ctx.n_points += int(counts_taken.sum())
    # (All plain, the usual case: the numbers as they are; selecting them took 0.5 ms a layer.)
    plain_values = values if len(taken) == n else values[np.repeat(plain, counts)]
    xy_mm = plain_values.reshape(-1, 2) * MM_PER_POINT
    point_w, _ = _point_widths(w_values, seg_start[taken], np.where(has_widths, counts_taken, 0))
    widths = np.zeros(len(xy_mm))
    widths[np.repeat(has_widths, counts_taken)] = point_w
    points = StrokeRun(
        xy_mm,
        _offsets(counts_taken),
        widths,
        has_widths,
        width_pt[taken] * MM_PER_POINT,
        styles,
        [links[k] for k in taken.tolist()],
    )
    return LayerBatch(plain.tolist(), points)


def _plain(elems: Sequence[ET.Element], ctx: ElementContext) -> NDArray[np.bool_]:
    """Strokes without a pressures attribute (its values may be nan) and not splines."""
    spline = ctx.fileversion >= 5
    return np.fromiter(
        (e.get("pressures") is None and not (spline and e.get("pathtype") == "spline") for e in elems),
        bool,
        len(elems),
    )


def _offsets(counts: I64) -> I64:
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _runs(flags: NDArray[np.bool_], bounds: I64) -> I64:
    """How many flags are set between consecutive bounds (empty runs allowed)."""
    total = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    at = total[bounds]
    return np.asarray(at[1:] - at[:-1], np.int64)


def _point_widths(w_values: F64, seg_start: I64, n_points: I64) -> tuple[F64, I64]:
    """Each pressured stroke's point widths in mm (as elements.point_widths: segment k's
    width for point k, the last segment's again for the last point), and their offsets."""
    off = _offsets(n_points)
    total = int(off[-1])
    if total == 0:
        return np.zeros(0), off
    within = np.arange(total) - np.repeat(off[:-1], n_points)
    index = np.repeat(seg_start, n_points) + np.minimum(within, np.repeat(n_points - 2, n_points))
    return w_values[index] * MM_PER_POINT, off
