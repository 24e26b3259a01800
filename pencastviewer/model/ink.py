"""Strokes: the ink as it was written, with a time for every point."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Color = tuple[int, int, int, int]  # RGBA, 0-255 each
BLACK: Color = (0, 0, 0, 255)
CAPS = ("round", "butt", "square")  # line caps; the index is stored in the .pencast format


class Tool(enum.IntEnum):
    """What drew the stroke; the values are stored in the .pencast format."""

    PEN = 0
    HIGHLIGHTER = 1


def _frozen(values: object, dtype: type, shape_tail: tuple[int, ...]) -> NDArray:
    array = np.array(values, dtype=dtype, copy=True)
    if array.ndim != 1 + len(shape_tail) or array.shape[1:] != shape_tail:
        raise ValueError(f"expected an array of shape (n, {shape_tail}), got {array.shape}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Stroke:
    """One pen-down to pen-up trace.

    xy_mm: (n, 2) float64, millimetres from the page's top-left, y downwards.
    t_ms: (n,) float64, per-point time in ms on the notebook clock, non-decreasing.
    widths_mm: optional (n,) float64 per-point width (pressure); None = nominal width.
        Segment k (point k to k+1) is drawn with widths_mm[k], as Xournal++ does.
    recording: index into Notebook.recordings of the recording that was running while
        this stroke was written, or None when no audio covers it.
    fill_alpha: 0-255 opacity of the interior (the polyline closed) painted in the stroke's
        colour under the line; None = not filled. A filled highlighter is painted, line
        and interior as one shape, at fill_alpha / 255 instead of its colour's alpha.
    cap: line cap, one of CAPS ("round", "butt", "square").
    dash_mm: on/off dash lengths in mm, starting with "on"; () = solid.
    Arrays are copied on construction and read-only afterwards.
    """

    xy_mm: NDArray[np.float64]
    t_ms: NDArray[np.float64]
    width_mm: float = 0.35
    color: Color = BLACK
    tool: Tool = Tool.PEN
    recording: int | None = None
    widths_mm: NDArray[np.float64] | None = field(default=None)
    fill_alpha: int | None = None
    cap: str = "round"
    dash_mm: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        xy = _frozen(self.xy_mm, np.float64, (2,))
        t = _frozen(self.t_ms, np.float64, ())
        if len(xy) == 0:
            raise ValueError("a stroke needs at least one point")
        if len(t) != len(xy):
            raise ValueError(f"{len(xy)} points but {len(t)} times")
        object.__setattr__(self, "xy_mm", xy)
        object.__setattr__(self, "t_ms", t)
        object.__setattr__(self, "tool", Tool(self.tool))
        object.__setattr__(self, "color", tuple(int(c) for c in self.color))
        if self.widths_mm is not None:
            widths = _frozen(self.widths_mm, np.float64, ())
            if len(widths) != len(xy):
                raise ValueError(f"{len(xy)} points but {len(widths)} widths")
            object.__setattr__(self, "widths_mm", widths)
        self._check_style()

    def _check_style(self) -> None:
        if self.fill_alpha is not None:
            if not 0 <= self.fill_alpha <= 255 or int(self.fill_alpha) != self.fill_alpha:
                raise ValueError(f"fill_alpha must be None or an integer 0..255, got {self.fill_alpha!r}")
            object.__setattr__(self, "fill_alpha", int(self.fill_alpha))
        if self.cap not in CAPS:
            raise ValueError(f"cap must be one of {', '.join(CAPS)}, got {self.cap!r}")
        dash = tuple(float(d) for d in self.dash_mm)
        if not all(np.isfinite(d) and d >= 0 for d in dash):
            raise ValueError(f"dash lengths must be finite and non-negative, got {dash}")
        object.__setattr__(self, "dash_mm", dash)

    @property
    def n_points(self) -> int:
        return len(self.t_ms)

    @property
    def start_ms(self) -> float:
        return float(self.t_ms[0])

    @property
    def end_ms(self) -> float:
        return float(self.t_ms[-1])

    def bounds_mm(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the points, not counting the width."""
        lo = self.xy_mm.min(axis=0)
        hi = self.xy_mm.max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    @classmethod
    def adopt(cls, **fields: object) -> Stroke:
        """A stroke over arrays a reader hands over without copying them — for readers
        that built fresh float64 arrays of the right shapes and checked every value
        (copying and re-checking costs ~10 µs a stroke: a second on a big notebook).
        The arrays are made read-only; the caller must keep no writable view of them.
        Takes the same keyword fields as the constructor (all of them)."""
        for name in ("xy_mm", "t_ms", "widths_mm"):
            array = fields[name]
            if array is not None:
                array.flags.writeable = False  # type: ignore[attr-defined]
        stroke = object.__new__(cls)
        object.__setattr__(stroke, "__dict__", fields)
        return stroke

    def with_changes(self, **changes: object) -> Stroke:
        fields = {
            "xy_mm": self.xy_mm,
            "t_ms": self.t_ms,
            "width_mm": self.width_mm,
            "color": self.color,
            "tool": self.tool,
            "recording": self.recording,
            "widths_mm": self.widths_mm,
            "fill_alpha": self.fill_alpha,
            "cap": self.cap,
            "dash_mm": self.dash_mm,
        }
        fields.update(changes)
        return Stroke(**fields)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stroke):
            return NotImplemented
        same_widths = (self.widths_mm is None and other.widths_mm is None) or (
            self.widths_mm is not None
            and other.widths_mm is not None
            and np.array_equal(self.widths_mm, other.widths_mm)
        )
        return (
            np.array_equal(self.xy_mm, other.xy_mm)
            and np.array_equal(self.t_ms, other.t_ms)
            and self.width_mm == other.width_mm
            and self.color == other.color
            and self.tool == other.tool
            and self.recording == other.recording
            and same_widths
            and self.fill_alpha == other.fill_alpha
            and self.cap == other.cap
            and self.dash_mm == other.dash_mm
        )

    __hash__ = None  # type: ignore[assignment]
