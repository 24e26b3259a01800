"""Strokes: the ink as it was written, with a time for every point.

A `Stroke` is a view on its page's columns (page_ink.PageInk): an ink and an index. A
stroke made on its own (tests, readers building strokes one by one) holds a one-stroke
ink of its own until a Page packs it with the others.
"""

from __future__ import annotations

import enum
from dataclasses import FrozenInstanceError
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .page_ink import CAPS, NO_FILL, NO_RECORDING, PageInk

Color = tuple[int, int, int, int]  # RGBA, 0-255 each
BLACK: Color = (0, 0, 0, 255)
__all__ = ["BLACK", "CAPS", "Color", "Stroke", "Tool"]


class Tool(enum.IntEnum):
    """What drew the stroke; the values are stored in the .pencast format."""

    PEN = 0
    HIGHLIGHTER = 1


def _points(values: object, shape_tail: tuple[int, ...], copy: bool) -> NDArray[np.float64]:
    array: NDArray[np.float64] = (
        np.array(values, dtype=np.float64) if copy else np.asarray(values, np.float64)
    )
    if array.ndim != 1 + len(shape_tail) or array.shape[1:] != shape_tail:
        raise ValueError(f"expected an array of shape (n, {shape_tail}), got {array.shape}")
    return array


def _style(
    color: object, tool: object, recording: object, fill_alpha: object, cap: object, dash_mm: object
) -> tuple[Color, Tool, int, int, int, tuple[float, ...]]:
    rgba = tuple(int(c) for c in color)  # type: ignore[attr-defined]
    if len(rgba) != 4 or not all(0 <= c <= 255 for c in rgba):
        raise ValueError(f"colour must be RGBA, 0..255 each, got {color!r}")
    if recording is not None and (int(recording) != recording or int(recording) < 0):  # type: ignore[call-overload]
        raise ValueError(f"recording must be None or an index ≥ 0, got {recording!r}")
    if fill_alpha is not None and (
        not 0 <= fill_alpha <= 255 or int(fill_alpha) != fill_alpha  # type: ignore[operator, call-overload]
    ):
        raise ValueError(f"fill_alpha must be None or an integer 0..255, got {fill_alpha!r}")
    if cap not in CAPS:
        raise ValueError(f"cap must be one of {', '.join(CAPS)}, got {cap!r}")
    dash = tuple(float(d) for d in dash_mm)  # type: ignore[attr-defined]
    if not all(np.isfinite(d) and d >= 0 for d in dash):
        raise ValueError(f"dash lengths must be finite and non-negative, got {dash}")
    rec = NO_RECORDING if recording is None else int(recording)  # type: ignore[call-overload]
    fill = NO_FILL if fill_alpha is None else int(fill_alpha)  # type: ignore[call-overload]
    return rgba, Tool(tool), rec, fill, CAPS.index(cap), dash  # type: ignore[arg-type]


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
    Arrays are copied on construction and read-only afterwards. Immutable.
    """

    __slots__ = ("_i", "_ink")
    _ink: PageInk
    _i: int

    def __init__(
        self,
        xy_mm: object,
        t_ms: object,
        width_mm: float = 0.35,
        color: Color = BLACK,
        tool: Tool = Tool.PEN,
        recording: int | None = None,
        widths_mm: object = None,
        fill_alpha: int | None = None,
        cap: str = "round",
        dash_mm: tuple[float, ...] = (),
        *,
        _copy: bool = True,
    ) -> None:
        xy = _points(xy_mm, (2,), _copy)
        t = _points(t_ms, (), _copy)
        if len(xy) == 0:
            raise ValueError("a stroke needs at least one point")
        if len(t) != len(xy):
            raise ValueError(f"{len(xy)} points but {len(t)} times")
        widths = None if widths_mm is None else _points(widths_mm, (), _copy)
        if widths is not None and len(widths) != len(xy):
            raise ValueError(f"{len(xy)} points but {len(widths)} widths")
        rgba, tool_, rec, fill, cap_index, dash = _style(color, tool, recording, fill_alpha, cap, dash_mm)
        ink = PageInk(
            xy,
            t,
            np.array([0, len(t)], np.int64),
            widths_mm=widths,
            has_widths=np.array([widths is not None]),
            width_mm=np.array([width_mm], np.float64),
            color=np.array([rgba], np.uint8),
            tool=np.array([int(tool_)], np.int8),
            recording=np.array([rec], np.int32),
            fill_alpha=np.array([fill], np.int16),
            cap=np.array([cap_index], np.int8),
            dash_mm=(dash,),
        )
        object.__setattr__(self, "_ink", ink)
        object.__setattr__(self, "_i", 0)

    @classmethod
    def view_of(cls, ink: PageInk, index: int) -> Stroke:
        """Stroke `index` of `ink` (no copy)."""
        stroke = object.__new__(cls)
        object.__setattr__(stroke, "_ink", ink)
        object.__setattr__(stroke, "_i", index)
        return stroke

    @classmethod
    def adopt(cls, **fields: Any) -> Stroke:
        """A stroke over float64 arrays a reader hands over without copying them — for
        readers that built fresh arrays of the right shapes and checked every value (a
        Page packs them into its columns once). The arrays are made read-only; the caller
        must keep no writable view of them. Takes the constructor's keyword fields."""
        return cls(**fields, _copy=False)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    # --- the stroke's place in its ink ------------------------------------------------
    @property
    def ink(self) -> PageInk:
        return self._ink

    @property
    def index(self) -> int:
        return self._i

    def _span(self) -> slice:
        offsets = self._ink.offsets
        return slice(int(offsets[self._i]), int(offsets[self._i + 1]))

    # --- fields ---------------------------------------------------------------------
    @property
    def xy_mm(self) -> NDArray[np.float64]:
        return self._ink.xy_mm[self._span()]

    @property
    def t_ms(self) -> NDArray[np.float64]:
        return self._ink.t_ms[self._span()]

    @property
    def widths_mm(self) -> NDArray[np.float64] | None:
        widths = self._ink.widths_mm
        return widths[self._span()] if widths is not None and self._ink.has_widths[self._i] else None

    @property
    def width_mm(self) -> float:
        return float(self._ink.width_mm[self._i])

    @property
    def color(self) -> Color:
        r, g, b, a = self._ink.color[self._i].tolist()
        return (r, g, b, a)

    @property
    def tool(self) -> Tool:
        return Tool(int(self._ink.tool[self._i]))

    @property
    def recording(self) -> int | None:
        rec = int(self._ink.recording[self._i])
        return None if rec == NO_RECORDING else rec

    @property
    def fill_alpha(self) -> int | None:
        fill = int(self._ink.fill_alpha[self._i])
        return None if fill == NO_FILL else fill

    @property
    def cap(self) -> str:
        return CAPS[int(self._ink.cap[self._i])]

    @property
    def dash_mm(self) -> tuple[float, ...]:
        return self._ink.dash_mm[self._i]

    @property
    def n_points(self) -> int:
        offsets = self._ink.offsets
        return int(offsets[self._i + 1] - offsets[self._i])

    @property
    def start_ms(self) -> float:
        return float(self._ink.start_ms[self._i])

    @property
    def end_ms(self) -> float:
        return float(self._ink.end_ms[self._i])

    def bounds_mm(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the points, not counting the width."""
        x0, y0, x1, y1 = self._ink.bounds_mm[self._i].tolist()
        return x0, y0, x1, y1

    def style_row(self) -> tuple[float, Color, int, int, int, int, tuple[float, ...]]:
        """(width_mm, color, tool, recording, fill_alpha, cap) as stored in the columns."""
        ink, i = self._ink, self._i
        return (
            float(ink.width_mm[i]),
            self.color,
            int(ink.tool[i]),
            int(ink.recording[i]),
            int(ink.fill_alpha[i]),
            int(ink.cap[i]),
            ink.dash_mm[i],
        )

    def fields(self) -> dict[str, Any]:
        return {
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

    def with_changes(self, **changes: Any) -> Stroke:
        fields = self.fields()
        fields.update(changes)
        return Stroke(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stroke):
            return NotImplemented
        mine, theirs = self.fields(), other.fields()
        arrays = ("xy_mm", "t_ms", "widths_mm")
        same_widths = (mine["widths_mm"] is None) == (theirs["widths_mm"] is None) and (
            mine["widths_mm"] is None or np.array_equal(mine["widths_mm"], theirs["widths_mm"])
        )
        return (
            same_widths
            and np.array_equal(mine["xy_mm"], theirs["xy_mm"])
            and np.array_equal(mine["t_ms"], theirs["t_ms"])
            and all(mine[k] == theirs[k] for k in mine if k not in arrays)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        span = f"{self.start_ms:g}–{self.end_ms:g} ms"
        return f"Stroke({self.n_points} points, {span}, recording {self.recording})"
