"""Xournal++ layer elements: strokes (pressure, fill, cap, dash, audio link), text, images."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ...model import BLACK, Color, PageText, Tool
from ...model.units import MM_PER_POINT
from ..colors import parse_color
from ..errors import CorruptFileError
from ..limits import points_left
from ..numtext import floats_in_text
from .background import lenient_int

# Xournal++ StrokeStyle.cpp, in points (drawn unscaled by the stroke width).
_DASHES_PT = {"dash": (6.0, 3.0), "dashdot": (6.0, 3.0, 0.5, 3.0), "dot": (0.5, 3.0)}
_SPLINE_STEPS = 16  # line segments per cubic piece of a spline stroke
HIGHLIGHTER_ALPHA = 120  # Xournal++ StrokeView OPACITY_HIGHLIGHTER = 0.47 (1.1: 120/255)
MAX_COORD_PT = 1e6  # 350 m: anything farther is damage, and would break drawing and hit tests


# (Named tuples, not frozen dataclasses: a big notebook makes 10 000 of each, and a frozen
# dataclass's __init__ costs several times a tuple's.)
class AudioLink(NamedTuple):
    """A recording named by an element and the element's time in it, in ms."""

    fn: str
    ts_ms: int


class RawStroke(NamedTuple):
    """A stroke before it gets its times: the model fields and the audio link."""

    xy_mm: NDArray[np.float64]
    widths_mm: NDArray[np.float64] | None
    width_mm: float
    color: Color
    tool: Tool
    link: AudioLink | None
    fill_alpha: int | None = None
    cap: str = "round"
    dash_mm: tuple[float, ...] = ()


class RawText(NamedTuple):
    text: PageText
    link: AudioLink | None


@dataclass
class ElementContext:
    """path: the file, for errors; fileversion: the root's (ts is in seconds below 4);
    warn: adds a notebook warning; read_member: reads an entry of the ZIP variant (None
    for gzip/plain files)."""

    path: str
    fileversion: int
    warn: Callable[[str], None]
    read_member: Callable[[str], bytes] | None = None
    n_points: int = 0  # read so far, against formats.limits.MAX_POINTS


def audio_link(elem: ET.Element, ctx: ElementContext, pending: AudioLink | None) -> AudioLink | None:
    """fn="" means no audio (old files write ts="0" fn=""). A `<timestamp ts fn>` element
    before the stroke (older files) applies when the stroke names none; Xournal++ takes
    its ts as milliseconds whatever the file version, and so do we. Text boxes follow the
    version rule like strokes (Xournal++'s loader forgets to for texts, which would put
    the links of old files' text boxes 1000 times too early)."""
    fn = (elem.get("fn") or "").strip()
    if not fn:
        return pending
    ts = lenient_int(elem.get("ts")) or 0
    return AudioLink(fn, ts * 1000 if ctx.fileversion < 4 else ts)


def parse_stroke(
    elem: ET.Element, ctx: ElementContext, link: AudioLink | None, where: str
) -> list[RawStroke]:
    """One `<stroke>`; a list because Xournal++ splits a stroke at non-positive pressure
    values (old files have them, see xournalpp#3643) and drops it when none is valid."""
    # Pressures may be nan (strtod reads "nan" and "-nan"): invalid values that split the
    # stroke below, like zero or negative ones, rather than the end of the list.
    widths = _floats(elem.get("width") or "", ctx, f"{where} width", nan_ok=True)
    width_pt = float(widths[0]) if len(widths) and np.isfinite(widths[0]) and widths[0] > 0 else 1.0
    pressures = (
        _floats(elem.get("pressures"), ctx, where, nan_ok=True)
        if elem.get("pressures") is not None
        else widths[1:]
    )
    text = elem.text or ""
    # Before converting: every two numbers need a separator, so this bounds the points
    # (a 255 KB file can unpack to 250 MB of coordinates).
    ctx.n_points += (text.count(" ") + text.count("\n") + text.count("\t") + 1) // 2
    points_left(ctx.path, ctx.n_points)
    coords = _floats(text, ctx, f"{where} points")
    if len(coords) % 2:
        ctx.warn(f"{where}: odd number of coordinates, the last one is ignored")
        coords = coords[:-1]
    xy_pt = coords.reshape(-1, 2)
    if len(xy_pt) and np.abs(xy_pt).max() > MAX_COORD_PT:
        ctx.warn(f"{where}: a stroke with coordinates beyond {MAX_COORD_PT:g} pt was skipped")
        return []
    if ctx.fileversion >= 5 and elem.get("pathtype") == "spline":
        xy_pt, pressures = _flatten_spline(xy_pt, ctx, where), pressures[:0]
    if len(xy_pt) == 0:
        ctx.warn(f"{where}: a stroke without points was skipped")
        return []
    style = stroke_style(elem)
    tool = style.tool
    pieces = _pressure_pieces(xy_pt, pressures, ctx, where)
    return [
        RawStroke(
            xy_mm=xy * MM_PER_POINT,
            # Xournal++ ignores pressure when it draws a highlighter.
            widths_mm=None if seg is None or tool == Tool.HIGHLIGHTER else point_widths(seg) * MM_PER_POINT,
            width_mm=width_pt * MM_PER_POINT,
            color=style.color,
            tool=tool,
            link=link,
            fill_alpha=style.fill_alpha,
            cap=style.cap,
            dash_mm=style.dash_mm,
        )
        for xy, seg in pieces
    ]


@dataclass(frozen=True)
class StrokeStyle:
    color: Color
    tool: Tool
    fill_alpha: int | None
    cap: str
    dash_mm: tuple[float, ...]


_STYLES: dict[tuple[str | None, ...], StrokeStyle] = {}  # a notebook has a handful


def stroke_style(elem: ET.Element) -> StrokeStyle:
    """The look of a `<stroke>`: tool, colour, fill, cap and dash (one object per look)."""
    get = elem.get
    key = (get("tool"), get("color"), get("fill"), get("capStyle"), get("style"))
    style = _STYLES.get(key)
    if style is None:
        if len(_STYLES) > 4096:
            _STYLES.clear()
        style = _STYLES[key] = _new_style(elem)
    return style


def _new_style(elem: ET.Element) -> StrokeStyle:
    tool_name = elem.get("tool") or "pen"
    tool = Tool.HIGHLIGHTER if tool_name == "highlighter" else Tool.PEN
    # Xournal++ drops the stored alpha (highlighters store 7f) and paints pens (and
    # erasers) opaque, highlighters at its fixed opacity.
    color = parse_color(elem.get("color"), BLACK, opaque=True)
    if tool == Tool.HIGHLIGHTER:
        color = (*color[:3], HIGHLIGHTER_ALPHA)
    # An "eraser" stroke is Xournal's whiteout: Xournal++ paints it exactly like a pen
    # stroke in its own colour (white), covering what lies below, even on coloured paper.
    # So it maps to PEN with that colour.
    return StrokeStyle(color, tool, _fill(elem.get("fill")), _cap(elem.get("capStyle")), _dash(elem))


def _floats(
    text: str | None, ctx: ElementContext, where: str, *, nan_ok: bool = False
) -> NDArray[np.float64]:
    """Whitespace-separated numbers; like Xournal++, reading stops at the first bad one
    (an infinity, or a nan unless `nan_ok`)."""
    values = floats_in_text(text or "")
    if values is None:
        values = np.array(_leading_floats((text or "").split()), dtype=np.float64)
        ctx.warn(f"{where}: unreadable number after {len(values)} values; the rest is ignored")
    finite = np.isfinite(values) | (np.isnan(values) if nan_ok else False)
    if not finite.all():
        values = values[: int(np.argmin(finite))]
        ctx.warn(f"{where}: a value that is not a finite number; the rest is ignored")
    return values


def _leading_floats(parts: list[str]) -> list[float]:
    values = []
    for part in parts:
        try:
            values.append(float(part))
        except ValueError:
            break
    return values


def _pressure_pieces(
    xy: NDArray[np.float64], seg: NDArray[np.float64], ctx: ElementContext, where: str
) -> list[tuple[NDArray[np.float64], NDArray[np.float64] | None]]:
    """(points, per-segment widths or None) pieces of one stroke. Xournal++ writes n−1
    segment widths for n points; more are cut off, fewer make it ignore them all. A
    segment whose pressure is not a positive number is dropped, splitting the stroke."""
    n = len(xy)
    if len(seg) == 0 or n < 2:
        return [(xy, None)]
    if len(seg) < n - 1:
        ctx.warn(f"{where}: {len(seg)} pressure widths for {n} points; drawn without pressure")
        return [(xy, None)]
    seg = seg[: n - 1]
    valid = np.isfinite(seg) & (seg > 0)
    if valid.all():
        return [(xy, seg)]
    if not valid.any():
        ctx.warn(f"{where}: a stroke with no positive pressure was skipped (Xournal++ drops it too)")
        return []
    ctx.warn(
        f"{where}: zero, negative or nan pressure values; the stroke is split around them as Xournal++ does"
    )
    edges = np.flatnonzero(np.diff(np.concatenate(([0], valid.astype(np.int8), [0]))))
    return [(xy[a : b + 1], seg[a:b]) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def point_widths(seg: NDArray[np.float64]) -> NDArray[np.float64]:
    """n−1 segment widths -> n point widths. Xournal++ draws segment k (point k to k+1)
    with the width stored for point k, so point k keeps segment k's width and the last
    point, which starts no segment, repeats the last segment's width."""
    return np.append(seg, seg[-1])


def _flatten_spline(xy: NDArray[np.float64], ctx: ElementContext, where: str) -> NDArray[np.float64]:
    """Spline strokes (fileversion 5) store knot, control, control, knot, …: sample each
    cubic Bézier piece into straight segments."""
    if len(xy) < 4 or (len(xy) - 1) % 3:
        ctx.warn(f"{where}: spline with {len(xy)} points is drawn as a polyline")
        return xy
    t = np.linspace(0.0, 1.0, _SPLINE_STEPS + 1)[1:, None]
    parts = [xy[:1]]
    for k in range(0, len(xy) - 1, 3):
        p0, c1, c2, p1 = xy[k], xy[k + 1], xy[k + 2], xy[k + 3]
        parts.append((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * c1 + 3 * (1 - t) * t**2 * c2 + t**3 * p1)
    return np.concatenate(parts)


def _fill(text: str | None) -> int | None:
    """fill="-1" (or none) = not filled; otherwise the fill's opacity, 0-255."""
    match = re.match(r"\s*([+-]?)(\d+)", text or "")
    if not match:
        return None
    digits = match.group(2).lstrip("0") or "0"
    if match.group(1) == "-" and digits != "0":
        return None
    return 255 if len(digits) > 3 else min(int(digits), 255)  # opacities saturate


def _cap(text: str | None) -> str:
    return text if text in ("round", "butt", "square") else "round"


def _dash(elem: ET.Element) -> tuple[float, ...]:
    """`style="dash|dashdot|dot|cust: on off …"` in points -> dash lengths in mm. Lengths
    that would make Qt or cairo refuse the pattern (negative, all zero) mean solid."""
    text = elem.get("style") or ""
    if text in _DASHES_PT:
        return tuple(v * MM_PER_POINT for v in _DASHES_PT[text])
    if not text.startswith("cust:"):
        return ()
    values = []
    for part in text[5:].split():
        try:
            values.append(float(part))
        except ValueError:
            break
    if not all(np.isfinite(v) and v >= 0 for v in values) or sum(values) <= 0:
        return ()
    return tuple(v * MM_PER_POINT for v in values)


def affine(elem: ET.Element) -> tuple[float, ...] | None:
    """fileversion 5 places text and images by an affine `matrix="a b c d e f"`."""
    try:
        values = tuple(float(v) for v in (elem.get("matrix") or "").split())
    except ValueError:
        return None
    return values if len(values) == 6 and all(np.isfinite(values)) else None


def number(elem: ET.Element, name: str, ctx: ElementContext, where: str) -> float:
    try:
        value = float(elem.get(name, ""))
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        raise CorruptFileError(ctx.path, f"attribute {name!r} is missing or not a number", where=where)
    return value


def parse_text(elem: ET.Element, ctx: ElementContext, link: AudioLink | None, where: str) -> RawText:
    matrix = affine(elem)
    size_pt = number(elem, "size", ctx, where) if elem.get("size") else 12.0
    if matrix is not None:
        x_pt, y_pt = matrix[4], matrix[5]
        size_pt *= abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]) ** 0.5
    else:
        x_pt, y_pt = number(elem, "x", ctx, where), number(elem, "y", ctx, where)
    text = PageText(
        text=elem.text or "",
        x_mm=x_pt * MM_PER_POINT,
        y_mm=y_pt * MM_PER_POINT,
        font=elem.get("font") or "Sans",
        size_pt=size_pt if np.isfinite(size_pt) and size_pt > 0 else 12.0,
        color=parse_color(elem.get("color"), BLACK, opaque=True),
    )
    return RawText(text, link)
