"""A page's strokes <-> the strokes.bin member: one header, a stroke table, point columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...model import CAPS, PageInk, Stroke, Tool
from ...model.page_ink import NO_FILL
from .layout import (
    HEADER_DTYPE,
    HEADER_FLAG_WIDTHS,
    MAX_COUNT,
    STROKE_DTYPE,
    STROKE_FLAG_FILLED,
    STROKE_FLAG_WIDTHS,
    STROKES_MAGIC,
    STYLE_VERSION,
    VERSION,
    section_offsets,
    strokes_size,
)

Dashes = tuple[tuple[float, ...], ...]

_TOOLS = tuple(Tool)  # index = stored value (checked below)
assert all(int(tool) == i for i, tool in enumerate(_TOOLS))


class StrokeDataError(ValueError):
    """strokes.bin contradicts itself or the manifest; `where` names the stroke."""

    def __init__(self, problem: str, where: str | None = None):
        self.problem = problem
        self.where = where
        super().__init__(problem)


def is_styled(stroke: Stroke) -> bool:
    """Whether the stroke needs version 2 (a fill, a cap other than round, or a dash)."""
    return stroke.fill_alpha is not None or stroke.cap != CAPS[0] or bool(stroke.dash_mm)


def dash_table(strokes: Sequence[Stroke]) -> Dashes:
    """The page's distinct dash patterns in order of first use (the manifest's `dashes`)."""
    return tuple(dict.fromkeys(s.dash_mm for s in strokes if s.dash_mm))


def encode_strokes(strokes: Sequence[Stroke], dashes: Dashes = ()) -> bytes:
    """The strokes.bin bytes of one page (strokes in drawing order); `dashes` is the page's
    dash_table(strokes), written to the manifest beside it."""
    n_strokes = len(strokes)
    counts = np.fromiter((s.n_points for s in strokes), np.int64, n_strokes)
    n_points = int(counts.sum())
    if n_strokes > MAX_COUNT or n_points > MAX_COUNT:
        raise StrokeDataError(f"{n_strokes} strokes / {n_points} points exceed the format's 2³²−1 limit")
    has_widths = any(s.widths_mm is not None for s in strokes)
    header = np.zeros(1, HEADER_DTYPE)
    header[0] = (STROKES_MAGIC, n_strokes, n_points, HEADER_FLAG_WIDTHS if has_widths else 0, 0)
    table = np.zeros(n_strokes, STROKE_DTYPE)
    table["first_point"][1:] = np.cumsum(counts)[:-1]
    table["n_points"] = counts
    table["width_mm"] = [s.width_mm for s in strokes]
    table["color"] = [_color(s, k) for k, s in enumerate(strokes)]
    table["tool"] = [int(s.tool) for s in strokes]
    table["flags"] = [
        (STROKE_FLAG_WIDTHS if s.widths_mm is not None else 0)
        | (STROKE_FLAG_FILLED if s.fill_alpha is not None else 0)
        for s in strokes
    ]
    table["fill_alpha"] = [s.fill_alpha or 0 for s in strokes]
    table["cap"] = [CAPS.index(s.cap) for s in strokes]
    table["recording"] = [_recording(s, k) for k, s in enumerate(strokes)]
    dash_index = {pattern: k for k, pattern in enumerate(dashes, 1)}
    table["dash"] = [dash_index[s.dash_mm] if s.dash_mm else 0 for s in strokes]
    columns = []
    if n_strokes:
        columns = [np.concatenate([s.xy_mm for s in strokes]), np.concatenate([s.t_ms for s in strokes])]
        if has_widths:
            widths = [s.widths_mm if s.widths_mm is not None else np.zeros(s.n_points) for s in strokes]
            columns.append(np.concatenate(widths))
        # A reader refuses non-finite values, so refuse to write a file it could not open.
        _check_finite(columns[0], columns[1], columns[2] if has_widths else None, table)
        _first_bad(~np.isfinite(table["width_mm"]), "stroke {k} width is not finite")
    parts = [header.tobytes(), table.tobytes(), *(c.astype("<f8").tobytes() for c in columns)]
    data = b"".join(parts)
    assert len(data) == strokes_size(n_strokes, n_points, has_widths)
    return data


def _color(stroke: Stroke, k: int) -> tuple[int, ...]:
    if len(stroke.color) != 4 or not all(0 <= c <= 255 for c in stroke.color):
        raise StrokeDataError(f"colour {stroke.color} is not RGBA 0..255", f"stroke {k}")
    return stroke.color


def _recording(stroke: Stroke, k: int) -> int:
    if stroke.recording is None:
        return -1
    if not 0 <= stroke.recording < 2**31:
        raise StrokeDataError(f"recording index {stroke.recording} out of range", f"stroke {k}")
    return stroke.recording


def decode_strokes(
    data: bytes,
    n_strokes: int,
    n_points: int,
    has_widths: bool,
    n_recordings: int,
    dashes: Dashes = (),
    version: int = VERSION,
) -> Sequence[Stroke]:
    """The strokes of a strokes.bin whose size was already checked against the counts;
    `dashes` is the page's table from the manifest, `version` the file's.

    Per-stroke arrays are read-only views of the page's columns: no copy per stroke.
    """
    if len(data) != strokes_size(n_strokes, n_points, has_widths):
        raise StrokeDataError(
            f"is {len(data)} bytes, expected {strokes_size(n_strokes, n_points, has_widths)}"
        )
    _check_header(data, n_strokes, n_points, has_widths)
    table_at, xy_at, t_at, widths_at = section_offsets(n_strokes, n_points)
    table = np.frombuffer(data, STROKE_DTYPE, n_strokes, table_at)
    xy = np.frombuffer(data, "<f8", 2 * n_points, xy_at).reshape(n_points, 2)
    t = np.frombuffer(data, "<f8", n_points, t_at)
    widths = np.frombuffer(data, "<f8", n_points, widths_at) if has_widths else None
    _check_table(table, n_points, n_recordings)
    _check_style(table, has_widths, len(dashes), version)
    _check_finite(xy, t, widths, table)
    return _build(table, xy, t, widths, dashes)


def _check_header(data: bytes, n_strokes: int, n_points: int, has_widths: bool) -> None:
    header = np.frombuffer(data, HEADER_DTYPE, 1)[0]
    if bytes(header["magic"]) != STROKES_MAGIC:
        raise StrokeDataError(f"does not start with {STROKES_MAGIC!r}", "byte 0")
    if (int(header["n_strokes"]), int(header["n_points"])) != (n_strokes, n_points):
        raise StrokeDataError(
            f"header counts {int(header['n_strokes'])} strokes / {int(header['n_points'])} "
            f"points differ from the manifest's {n_strokes} / {n_points}",
            "byte 8",
        )
    expected_flags = HEADER_FLAG_WIDTHS if has_widths else 0
    if int(header["flags"]) != expected_flags or int(header["reserved"]) != 0:
        raise StrokeDataError(
            f"header flags {int(header['flags'])} / reserved {int(header['reserved'])} "
            f"do not match the manifest (expected {expected_flags} / 0)",
            "byte 16",
        )


def _first_bad(bad: np.ndarray, problem: str) -> None:
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise StrokeDataError(problem.format(k=k), f"stroke {k}")


def _check_table(table: np.ndarray, n_points: int, n_recordings: int) -> None:
    first = table["first_point"].astype(np.int64)
    count = table["n_points"].astype(np.int64)
    _first_bad(count < 1, "stroke {k} has no points")
    _first_bad(first + count > n_points, f"stroke {{k}} point range is out of bounds ({n_points} points)")
    expected_first = np.concatenate(([0], np.cumsum(count)[:-1])) if len(count) else count
    _first_bad(first != expected_first, "stroke {k} points do not follow the previous stroke's")
    if len(count) and int(count.sum()) != n_points:
        raise StrokeDataError(f"the strokes use {int(count.sum())} of {n_points} points")
    _first_bad(table["tool"] >= len(_TOOLS), "stroke {k} has an unknown tool")
    recording = table["recording"]
    _first_bad(
        (recording < -1) | (recording >= n_recordings),
        f"stroke {{k}} names a recording out of range (the notebook has {n_recordings})",
    )
    _first_bad(~np.isfinite(table["width_mm"]), "stroke {k} width is not finite")


def _check_style(table: np.ndarray, has_widths: bool, n_dashes: int, version: int) -> None:
    """Flags, fill, cap and dash: reserved (0) before version 2, checked from it on."""
    styled = version >= STYLE_VERSION
    known_flags = (STROKE_FLAG_WIDTHS if has_widths else 0) | (STROKE_FLAG_FILLED if styled else 0)
    flags = table["flags"]
    _first_bad((flags & ~np.uint8(known_flags)) != 0, "stroke {k} has unknown flags")
    if not styled:
        _first_bad(
            (table["fill_alpha"] != 0) | (table["cap"] != 0) | (table["dash"] != 0),
            "stroke {k} has non-zero reserved bytes",
        )
        return
    unfilled = (flags & STROKE_FLAG_FILLED) == 0
    _first_bad(unfilled & (table["fill_alpha"] != 0), "stroke {k} has a fill opacity but no fill flag")
    _first_bad(table["cap"] >= len(CAPS), "stroke {k} has an unknown cap")
    _first_bad(
        table["dash"] > n_dashes,
        f"stroke {{k}} names a dash pattern out of range (the page has {n_dashes})",
    )


def _check_finite(xy: np.ndarray, t: np.ndarray, widths: np.ndarray | None, table: np.ndarray) -> None:
    bad_points = ~np.isfinite(xy).all(axis=1) | ~np.isfinite(t)
    if widths is not None:
        bad_points |= ~np.isfinite(widths)
    if bad_points.any():
        point = int(np.flatnonzero(bad_points)[0])
        k = int(np.searchsorted(table["first_point"], point, side="right")) - 1
        raise StrokeDataError(f"point {point} has a non-finite coordinate, time or width", f"stroke {k}")


def _build(
    table: np.ndarray, xy: np.ndarray, t: np.ndarray, widths: np.ndarray | None, dashes: Dashes
) -> Sequence[Stroke]:
    """The page's ink straight from the checked columns, and the strokes as views on it.
    The point columns are copied out of the member's bytes, which are then dropped (its
    stroke table is not kept alive by them)."""
    n = len(table)
    offsets = np.zeros(n + 1, np.int64)
    offsets[1:] = np.cumsum(table["n_points"], dtype=np.int64)
    flags = table["flags"]
    filled = (flags & STROKE_FLAG_FILLED) != 0
    patterns = ((), *dashes)
    ink = PageInk(
        xy.astype(np.float64),
        t.astype(np.float64),
        offsets,
        widths_mm=None if widths is None else widths.astype(np.float64),
        has_widths=(flags & STROKE_FLAG_WIDTHS) != 0,
        width_mm=np.ascontiguousarray(table["width_mm"], np.float64),
        color=np.ascontiguousarray(table["color"], np.uint8),
        tool=table["tool"].astype(np.int8),
        recording=table["recording"].astype(np.int32),
        fill_alpha=np.where(filled, table["fill_alpha"].astype(np.int16), np.int16(NO_FILL)),
        cap=table["cap"].astype(np.int8),
        dash_mm=tuple(patterns[d] for d in table["dash"].tolist()),
    )
    return ink.strokes()
