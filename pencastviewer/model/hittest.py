"""Hit testing: which stroke a tap lands on, and when the tapped point was written.

A uniform grid over the page's segments (a segment is listed in every cell its bounding
box touches) keeps a query to a few small numpy operations whatever the page holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .page import Page


@dataclass(frozen=True)
class Hit:
    """stroke: index within the page; t_ms: notebook time at the tapped point, interpolated
    between the two samples of the segment hit; distance_mm: from the tap to the ink's
    centre line; recording: the stroke's recording index or None."""

    stroke: int
    t_ms: float
    distance_mm: float
    recording: int | None


class PageHitIndex:
    """Built once per page (immutable page -> immutable index)."""

    def __init__(self, page: Page, cell_mm: float = 4.0) -> None:
        self._page = page
        self._cell = float(cell_mm)
        a, b, ta, tb, sid = _segments(page)
        self._a, self._b, self._ta, self._tb, self._sid = a, b, ta, tb, sid
        self._origin = (
            np.floor(np.minimum(a.min(axis=0), b.min(axis=0)) / self._cell) if len(a) else np.zeros(2)
        )
        self._keys, self._entries, self._ncols = self._build_grid()

    def _cell_of(self, xy: NDArray[np.float64]) -> NDArray[np.int64]:
        return (np.floor(xy / self._cell) - self._origin).astype(np.int64)

    def _build_grid(self) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
        if len(self._a) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), 1
        lo = self._cell_of(np.minimum(self._a, self._b))
        hi = self._cell_of(np.maximum(self._a, self._b))
        ncols = int(hi[:, 0].max()) + 1
        # A segment is listed in every cell of its bounding box: enumerate those cells
        # for all segments at once (k-th cell of a box = column k % nx, row k // nx).
        nx = hi[:, 0] - lo[:, 0] + 1
        counts = nx * (hi[:, 1] - lo[:, 1] + 1)
        all_entries = np.repeat(np.arange(len(counts)), counts)
        k = np.arange(len(all_entries)) - np.repeat(np.cumsum(counts) - counts, counts)
        cx = lo[all_entries, 0] + k % nx[all_entries]
        cy = lo[all_entries, 1] + k // nx[all_entries]
        all_keys = cy * ncols + cx
        order = np.argsort(all_keys, kind="stable")
        return all_keys[order], all_entries[order], ncols

    def _candidates(self, x: float, y: float, radius: float) -> NDArray[np.int64]:
        lo = self._cell_of(np.array([x - radius, y - radius]))
        hi = self._cell_of(np.array([x + radius, y + radius]))
        x0, x1 = max(int(lo[0]), 0), min(int(hi[0]), self._ncols - 1)
        if x1 < x0:
            return np.zeros(0, np.int64)
        rows = np.arange(max(int(lo[1]), 0), int(hi[1]) + 1)
        first = np.searchsorted(self._keys, rows * self._ncols + x0, side="left")
        last = np.searchsorted(self._keys, rows * self._ncols + x1, side="right")
        parts = [self._entries[a:b] for a, b in zip(first, last, strict=True) if b > a]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def hit(self, x_mm: float, y_mm: float, radius_mm: float = 3.0) -> Hit | None:
        """The stroke nearest to (x, y) within `radius_mm`, or None. On a tie the stroke
        drawn last (on top) wins."""
        segs = self._candidates(x_mm, y_mm, radius_mm)
        if segs.size == 0:
            return None
        a, b = self._a[segs], self._b[segs]
        ab = b - a
        p = np.array([x_mm, y_mm]) - a
        length2 = np.einsum("ij,ij->i", ab, ab)
        u = np.where(length2 > 0, np.einsum("ij,ij->i", p, ab) / np.where(length2 > 0, length2, 1), 0.0)
        u = np.clip(u, 0.0, 1.0)
        d = np.hypot(*(p - ab * u[:, None]).T)
        best_d = d.min()
        if best_d > radius_mm:
            return None
        tied = np.flatnonzero(d <= best_d + 1e-9)
        k = tied[np.argmax(self._sid[segs[tied]])]
        seg = segs[k]
        t = self._ta[seg] + u[k] * (self._tb[seg] - self._ta[seg])
        stroke = int(self._sid[seg])
        return Hit(stroke, float(t), float(d[k]), self._page.strokes[stroke].recording)


def _segments(page: Page) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Flattened segments of all strokes; a one-point stroke becomes a zero-length one."""
    a_parts, b_parts, ta_parts, tb_parts, id_parts = [], [], [], [], []
    for i, stroke in enumerate(page.strokes):
        xy, t = stroke.xy_mm, stroke.t_ms
        if len(xy) == 1:
            xy, t = np.vstack([xy, xy]), np.concatenate([t, t])
        a_parts.append(xy[:-1])
        b_parts.append(xy[1:])
        ta_parts.append(t[:-1])
        tb_parts.append(t[1:])
        id_parts.append(np.full(len(xy) - 1, i, dtype=np.int64))
    if not a_parts:
        empty2, empty = np.zeros((0, 2)), np.zeros(0)
        return empty2, empty2, empty, empty, np.zeros(0, np.int64)
    return (
        np.concatenate(a_parts),
        np.concatenate(b_parts),
        np.concatenate(ta_parts),
        np.concatenate(tb_parts),
        np.concatenate(id_parts),
    )
