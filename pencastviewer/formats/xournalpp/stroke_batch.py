"""The `<stroke>` elements of a layer read together: their numbers converted in one pass
(formats.numtext.floats_in_texts) and checked as columns, so a 10 000-stroke notebook
costs a few numpy calls per layer, not a dozen per stroke.

Only plain strokes take this path: decimal numbers, an even number of coordinates within
range, pressures in the width attribute that are all positive (or none), no spline. For
any other stroke the caller runs elements.parse_stroke, which reads it the same way and
says what is wrong with it; both give the same strokes, bit for bit.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ...model import Tool
from ...model.units import MM_PER_POINT
from ..limits import MAX_POINTS
from ..numtext import floats_in_texts
from .elements import MAX_COORD_PT, AudioLink, ElementContext, RawStroke, stroke_style

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def batch_strokes(
    elems: Sequence[ET.Element], links: Sequence[AudioLink | None], ctx: ElementContext
) -> list[RawStroke | None]:
    """For each `<stroke>`: its stroke when it is plain, else None (read it with
    parse_stroke). The plain ones' points are counted into ctx.n_points."""
    n = len(elems)
    texts = [e.text or "" for e in elems]
    # Before converting, the points are bounded as parse_stroke bounds them (two numbers
    # need a separator): by the texts' length first, which is enough for any layer far
    # from the limit, by counting separators only near it (that took 30 ms of big.xopp).
    if not n or ctx.n_points + (sum(map(len, texts)) + n) // 2 > MAX_POINTS:
        estimate = sum((t.count(" ") + t.count("\n") + t.count("\t") + 1) // 2 for t in texts)
        if not n or ctx.n_points + estimate > MAX_POINTS:
            return [None] * n  # parse_stroke stops at the stroke that passes the limit
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
    pressured &= plain
    w0 = w_values[np.minimum(w_off[:-1], max(len(w_values) - 1, 0))] if len(w_values) else np.zeros(n)
    width_pt = np.where((w_counts >= 1) & (w0 > 0), w0, 1.0)
    xy_mm = values * MM_PER_POINT
    point_w, point_w_off = _point_widths(w_values, seg_start, np.where(pressured, n_points, 0))
    ctx.n_points += int(n_points[plain].sum())
    result: list[RawStroke | None] = [None] * n
    # (Python lists for the loop: a numpy scalar per index costs more than the rest of it.)
    off_at, widths_at = off.tolist(), point_w_off.tolist()
    pressured_at, width_at = pressured.tolist(), width_pt.tolist()
    for k in np.flatnonzero(plain).tolist():
        style = stroke_style(elems[k])
        has_w = pressured_at[k] and style.tool != Tool.HIGHLIGHTER  # Xournal++ ignores it there
        result[k] = RawStroke(
            xy_mm[off_at[k] : off_at[k + 1]].reshape(-1, 2),
            point_w[widths_at[k] : widths_at[k + 1]] if has_w else None,
            width_at[k] * MM_PER_POINT,
            style.color,
            style.tool,
            links[k],
            style.fill_alpha,
            style.cap,
            style.dash_mm,
        )
    return result


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
