"""Hit testing: which stroke a tap lands on, and when the tapped point was written.

A uniform grid over the page's segments (a segment is listed in every cell its bounding
box touches) keeps a query to a few small numpy operations whatever the page holds.

The grid is bounded whatever the file says (issue 10): it covers the page plus a margin
in at most MAX_CELLS_PER_AXIS² cells (larger cells on huge pages); cell indices are
computed on coordinates clamped to that area, so ink far off the page lands in the edge
cells (clamping is monotone: a tap box and a segment box that meet still meet after
clamping, so no hit is lost); a segment whose box covers more than LONG_SEGMENT_CELLS
cells is kept in a short list that every query checks instead of being listed in each
cell; segments with a non-finite coordinate are never hit. Memory and build time are
therefore O(segments) for any input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .page import Page

MAX_CELLS_PER_AXIS = 512
LONG_SEGMENT_CELLS = 64  # a segment listed in more cells than this goes to the long list
MARGIN_MM = 50.0  # ink this far off the page still gets cells of its own

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Hit:
    """stroke: index within the page; t_ms: notebook time at the tapped point, interpolated
    between the two samples of the segment hit; distance_mm: from the tap to the ink's
    centre line; recording: the stroke's recording index or None."""

    stroke: int
    t_ms: float
    distance_mm: float
    recording: int | None


@dataclass(frozen=True)
class _Grid:
    """origin + cell size in mm, ncols × nrows cells."""

    x0: float
    y0: float
    cell: float
    ncols: int
    nrows: int

    @classmethod
    def over(cls, width_mm: float, height_mm: float, cell_mm: float) -> _Grid:
        # a page of absurd size (or inf) still gets a grid of bounded size
        width, height = (min(float(v), 1e9) for v in (width_mm, height_mm))
        extent = max(width, height) + 2 * MARGIN_MM
        cell = max(float(cell_mm), extent / MAX_CELLS_PER_AXIS)
        ncols = int(np.ceil((width + 2 * MARGIN_MM) / cell))
        nrows = int(np.ceil((height + 2 * MARGIN_MM) / cell))
        return cls(-MARGIN_MM, -MARGIN_MM, cell, max(ncols, 1), max(nrows, 1))

    def cells(self, xy: F64) -> I64:
        """(n, 2) cell column and row of each point, clamped into the grid."""
        col = np.clip(np.floor((xy[:, 0] - self.x0) / self.cell), 0, self.ncols - 1)
        row = np.clip(np.floor((xy[:, 1] - self.y0) / self.cell), 0, self.nrows - 1)
        return np.stack([col, row], axis=1).astype(np.int64)


class PageHitIndex:
    """Built once per page (immutable page -> immutable index)."""

    def __init__(self, page: Page, cell_mm: float = 4.0) -> None:
        self._page = page
        a, b, ta, tb, sid = _segments(page)
        self._a, self._b, self._ta, self._tb, self._sid = a, b, ta, tb, sid
        self._grid = _Grid.over(page.width_mm, page.height_mm, cell_mm)
        self._keys, self._entries, self._long = self._build_grid()

    def _build_grid(self) -> tuple[I64, I64, I64]:
        """(sorted cell keys, the segment of each key, the segments of the long list)."""
        if len(self._a) == 0:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        lo = self._grid.cells(np.minimum(self._a, self._b))
        hi = self._grid.cells(np.maximum(self._a, self._b))
        nx = hi[:, 0] - lo[:, 0] + 1
        counts = nx * (hi[:, 1] - lo[:, 1] + 1)  # ≤ MAX_CELLS_PER_AXIS², no overflow
        is_long = counts > LONG_SEGMENT_CELLS
        counts = np.where(is_long, 0, counts)
        # A segment is listed in every cell of its bounding box: enumerate those cells
        # for all segments at once (k-th cell of a box = column k % nx, row k // nx).
        all_entries = np.repeat(np.arange(len(counts)), counts)
        k = np.arange(len(all_entries)) - np.repeat(np.cumsum(counts) - counts, counts)
        cx = lo[all_entries, 0] + k % nx[all_entries]
        cy = lo[all_entries, 1] + k // nx[all_entries]
        all_keys = cy * self._grid.ncols + cx
        order = np.argsort(all_keys, kind="stable")
        return all_keys[order], all_entries[order], np.flatnonzero(is_long)

    def _candidates(self, x: float, y: float, radius: float) -> I64:
        box = np.array([[x - radius, y - radius], [x + radius, y + radius]], dtype=np.float64)
        (x0, y0), (x1, y1) = self._grid.cells(box).tolist()
        rows = np.arange(y0, y1 + 1, dtype=np.int64)
        ncols = self._grid.ncols
        first = np.searchsorted(self._keys, rows * ncols + x0, side="left")
        last = np.searchsorted(self._keys, rows * ncols + x1, side="right")
        parts = [self._entries[a:b] for a, b in zip(first, last, strict=True) if b > a]
        if len(self._long):
            parts.append(self._long)
        return np.concatenate(parts) if parts else self._long

    def hit(self, x_mm: float, y_mm: float, radius_mm: float = 3.0) -> Hit | None:
        """The stroke nearest to (x, y) within `radius_mm`, or None. On a tie the stroke
        drawn last (on top) wins."""
        if not all(math.isfinite(v) for v in (x_mm, y_mm, radius_mm)):
            return None
        segs = self._candidates(x_mm, y_mm, radius_mm)
        if segs.size == 0:
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            u, d = _project(self._a[segs], self._b[segs], x_mm, y_mm)
        d = np.where(np.isnan(d), np.inf, d)
        best_d = d.min()
        if not best_d <= radius_mm:
            return None
        tied = np.flatnonzero(d <= best_d + 1e-9)
        k = tied[np.argmax(self._sid[segs[tied]])]
        seg = segs[k]
        t = self._ta[seg] + u[k] * (self._tb[seg] - self._ta[seg])
        stroke = int(self._sid[seg])
        return Hit(stroke, float(t), float(d[k]), self._page.strokes[stroke].recording)


def _project(a: F64, b: F64, x: float, y: float) -> tuple[F64, F64]:
    """(position 0..1 along each segment of the point nearest to (x, y), its distance).
    When a squared length overflows (coordinates near 1e308) the projection is redone on
    segments scaled to unit size."""
    ab = b - a
    p = np.array([x, y]) - a
    ab_s, p_s = ab, p
    length2 = np.einsum("ij,ij->i", ab, ab)
    if not np.isfinite(length2).all():
        scale = np.abs(ab).max(axis=1)
        scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)[:, None]
        ab_s, p_s = ab / scale, p / scale
        length2 = np.einsum("ij,ij->i", ab_s, ab_s)
    safe = np.where(length2 > 0, length2, 1.0)
    u = np.clip(np.where(length2 > 0, np.einsum("ij,ij->i", p_s, ab_s) / safe, 0.0), 0.0, 1.0)
    d = np.hypot(*(p - ab * u[:, None]).T)
    return u, d


def _segments(page: Page) -> tuple[F64, F64, F64, F64, I64]:
    """Flattened segments of all strokes, straight from the page's columns; a one-point
    stroke becomes a zero-length segment. Segments with a non-finite coordinate are left
    out (they cannot be drawn or hit)."""
    ink = page.ink
    n = ink.n_points
    counts = np.diff(ink.offsets)
    is_last = np.zeros(n, bool)
    is_last[ink.offsets[1:] - 1] = True
    single = np.repeat(counts == 1, counts)  # points of one-point strokes
    a_idx = np.flatnonzero(~is_last | single)
    b_idx = a_idx + np.where(single[a_idx], 0, 1)
    a, b = ink.xy_mm[a_idx], ink.xy_mm[b_idx]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    sid = ink.stroke_of_point(a_idx)
    return a[ok], b[ok], ink.t_ms[a_idx][ok], ink.t_ms[b_idx][ok], sid[ok]
