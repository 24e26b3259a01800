"""A page's ink as columns: every point of every stroke in one set of arrays.

Built once per page by every reader (the .pencast reader straight from its columns, the
others by packing the strokes they made), and read-only afterwards. `Stroke` objects are
views on it (an ink and an index), so a page of 500 strokes keeps a few arrays alive,
not 1 500; what is derived per stroke (start/end time, bounds) is computed here, once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from .ink import Stroke

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
CAPS = ("round", "butt", "square")  # line caps; the index is stored in the .pencast format
NO_RECORDING = -1  # recording column: no audio covers the stroke
NO_FILL = -1  # fill_alpha column: not filled


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array


class PageInk:
    """Columns of one page's ink, strokes in drawing order (also the z-order).

    Points (n_points rows): xy_mm (n, 2) mm from the page's top-left, y down; t_ms (n,)
    notebook-clock time; widths_mm (n,) per-point width, or None when no stroke has one.
    Strokes (n_strokes rows): offsets (n_strokes + 1,) stroke k's points are
    offsets[k]:offsets[k+1]; has_widths (bool, per-point widths used); width_mm nominal
    width; color (n_strokes, 4) uint8 RGBA; tool (Tool values); recording (-1: none);
    fill_alpha (-1: not filled); cap (index into CAPS); dash_mm (tuple per stroke).
    Derived once: start_ms, end_ms, bounds_mm (n_strokes, 4) x0, y0, x1, y1 of the points.
    Every array is read-only; the constructor trusts its caller to have checked values
    (Stroke's constructor and the readers do).
    """

    __slots__ = (
        "bounds_mm",
        "cap",
        "color",
        "dash_mm",
        "end_ms",
        "fill_alpha",
        "has_widths",
        "offsets",
        "recording",
        "start_ms",
        "t_ms",
        "tool",
        "width_mm",
        "widths_mm",
        "xy_mm",
    )

    def __init__(
        self,
        xy_mm: F64,
        t_ms: F64,
        offsets: I64,
        *,
        widths_mm: F64 | None = None,
        has_widths: NDArray[np.bool_] | None = None,
        width_mm: F64,
        color: NDArray[np.uint8],
        tool: NDArray[np.int8],
        recording: NDArray[np.int32],
        fill_alpha: NDArray[np.int16],
        cap: NDArray[np.int8],
        dash_mm: tuple[tuple[float, ...], ...],
    ) -> None:
        n = len(offsets) - 1
        if has_widths is None or widths_mm is None or not has_widths.any():
            widths_mm, has_widths = None, np.zeros(n, bool)
        self.xy_mm, self.t_ms, self.widths_mm = _frozen(xy_mm), _frozen(t_ms), widths_mm
        self.offsets, self.has_widths = _frozen(offsets), _frozen(has_widths)
        self.width_mm, self.color, self.tool = _frozen(width_mm), _frozen(color), _frozen(tool)
        self.recording, self.fill_alpha, self.cap = _frozen(recording), _frozen(fill_alpha), _frozen(cap)
        self.dash_mm = dash_mm
        if widths_mm is not None:
            _frozen(widths_mm)
        if not all(len(c) == n for c in (width_mm, color, tool, recording, fill_alpha, cap, dash_mm)):
            raise ValueError(f"stroke columns disagree on the number of strokes ({n})")
        if n and (offsets[0] != 0 or offsets[-1] != len(t_ms) or (np.diff(offsets) < 1).any()):
            raise ValueError("stroke offsets must run from 0 to the number of points, a point or more each")
        if len(xy_mm) != len(t_ms) or (widths_mm is not None and len(widths_mm) != len(t_ms)):
            raise ValueError("point columns disagree on the number of points")
        first, last = offsets[:-1], offsets[1:] - 1
        self.start_ms, self.end_ms = _frozen(t_ms[first]), _frozen(t_ms[last])
        self.bounds_mm = _frozen(_bounds(xy_mm, first))

    @property
    def n_strokes(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_points(self) -> int:
        return len(self.t_ms)

    def strokes(self) -> StrokeViews:
        """The strokes as a sequence of views, each made when asked for (an ink
        reference and an index): a page keeps no object per stroke."""
        return StrokeViews(self)

    def page_bounds_mm(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of every point of the page, or None without ink."""
        if not self.n_strokes:
            return None
        lo, hi = self.bounds_mm[:, :2].min(axis=0), self.bounds_mm[:, 2:].max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    def widest_mm(self) -> F64:
        """(n_strokes,) the widest each stroke is drawn: its nominal width, or its widest
        per-point width when wider (computed on each call: callers keep it)."""
        widest = np.array(self.width_mm, dtype=np.float64)
        if self.widths_mm is not None and self.n_strokes:
            per_point = np.maximum.reduceat(self.widths_mm, self.offsets[:-1])
            widest = np.where(self.has_widths, np.maximum(widest, per_point), widest)
        return widest

    def stroke_of_point(self, point: NDArray[np.int64]) -> I64:
        """The stroke each point index belongs to."""
        return np.searchsorted(self.offsets, point, side="right") - 1


class StrokeViews(Sequence["Stroke"]):
    """An immutable sequence of an ink's strokes; compares equal to any sequence of
    equal strokes (a tuple of them included). Slicing gives a tuple."""

    __slots__ = ("ink",)

    def __init__(self, ink: PageInk) -> None:
        self.ink = ink

    def __len__(self) -> int:
        return self.ink.n_strokes

    @overload
    def __getitem__(self, index: int) -> Stroke: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Stroke, ...]: ...
    def __getitem__(self, index: int | slice) -> Stroke | tuple[Stroke, ...]:
        from .ink import Stroke

        n = self.ink.n_strokes
        if isinstance(index, slice):
            return tuple(Stroke.view_of(self.ink, k) for k in range(*index.indices(n)))
        k = index + n if index < 0 else index
        if not 0 <= k < n:
            raise IndexError(f"stroke {index} out of range ({n} strokes)")
        return Stroke.view_of(self.ink, k)

    def __iter__(self) -> Iterator[Stroke]:
        from .ink import Stroke

        view, ink = Stroke.view_of, self.ink
        return (view(ink, k) for k in range(ink.n_strokes))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StrokeViews) and other.ink is self.ink:
            return True
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} strokes>"


def _bounds(xy: F64, first: I64) -> F64:
    if len(first) == 0:
        return np.zeros((0, 4))
    lo = np.minimum.reduceat(xy, first, axis=0)
    hi = np.maximum.reduceat(xy, first, axis=0)
    return np.hstack([lo, hi])


def ink_of(strokes: Sequence[Stroke]) -> PageInk:
    """The ink these strokes are, in this order: the one they are all views on when they
    are exactly its strokes in order (no copy), else their columns packed anew."""
    if isinstance(strokes, StrokeViews):
        return strokes.ink
    if strokes:
        ink = strokes[0].ink
        if ink.n_strokes == len(strokes) and all(
            s.ink is ink and s.index == k for k, s in enumerate(strokes)
        ):
            return ink
    return pack(strokes)


def pack(strokes: Sequence[Stroke]) -> PageInk:
    """New columns holding copies of these strokes' points and styles (one copy each)."""
    n = len(strokes)
    counts = np.fromiter((s.n_points for s in strokes), np.int64, n)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    has_widths = np.fromiter((s.widths_mm is not None for s in strokes), bool, n)
    widths = None
    if has_widths.any():
        widths = np.concatenate(
            [s.widths_mm if s.widths_mm is not None else np.zeros(s.n_points) for s in strokes]
        )
    style = [s.style_row() for s in strokes]
    return PageInk(
        np.concatenate([s.xy_mm for s in strokes]) if n else np.zeros((0, 2)),
        np.concatenate([s.t_ms for s in strokes]) if n else np.zeros(0),
        offsets,
        widths_mm=widths,
        has_widths=has_widths,
        width_mm=np.array([r[0] for r in style], np.float64),
        color=np.array([r[1] for r in style], np.uint8).reshape(n, 4),
        tool=np.array([r[2] for r in style], np.int8),
        recording=np.array([r[3] for r in style], np.int32),
        fill_alpha=np.array([r[4] for r in style], np.int16),
        cap=np.array([r[5] for r in style], np.int8),
        dash_mm=tuple(r[6] for r in style),
    )


def ink_of_points(
    xy_mm: Sequence[F64],
    t_ms: Sequence[F64],
    recording: Sequence[int | None],
    *,
    width_mm: float,
    color: tuple[int, int, int, int] = (0, 0, 0, 255),
) -> PageInk:
    """Columns for strokes that share one look (a pen's own files: one width, one colour,
    no pressure), given as their points and times: one concatenation, where a Stroke per
    trace made a one-stroke ink each (135 µs a stroke). Shapes are checked as Stroke
    checks them; values are left to the readers' limits, as for Stroke."""
    n = len(xy_mm)
    if len(t_ms) != n or len(recording) != n:
        raise ValueError("as many time arrays and recordings as point arrays are needed")
    counts = np.fromiter((len(xy) for xy in xy_mm), np.int64, n)
    for xy, t in zip(xy_mm, t_ms, strict=True):
        if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) == 0 or t.shape != (len(xy),):
            raise ValueError(f"a stroke needs (n, 2) points and n times, got {xy.shape} and {t.shape}")
    if any(r is not None and r < 0 for r in recording):
        raise ValueError("a recording index is ≥ 0")
    return PageInk(
        np.concatenate(xy_mm).astype(np.float64) if n else np.zeros((0, 2)),
        np.concatenate(t_ms).astype(np.float64) if n else np.zeros(0),
        np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        width_mm=np.full(n, width_mm, np.float64),
        color=np.tile(np.array(color, np.uint8), (n, 1)),
        tool=np.zeros(n, np.int8),
        recording=np.array([NO_RECORDING if r is None else r for r in recording], np.int32),
        fill_alpha=np.full(n, NO_FILL, np.int16),
        cap=np.zeros(n, np.int8),
        dash_mm=((),) * n,
    )
