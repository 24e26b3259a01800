"""Times a file does not state, worked out the same way for every format: a recording's
start from its name, and point times for strokes known only by their start."""

from __future__ import annotations

import bisect
import datetime as dt
import re

import numpy as np
from numpy.typing import NDArray

WRITING_SPEED_MM_PER_S = 40.0  # typical handwriting speed, for files with one time per stroke
_NAME_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})")  # Xournal++ recording names


def time_from_name(name: str) -> dt.datetime | None:
    """Xournal++ names a recording YYYY-MM-DD_HH-MM-SS.ogg after its start, in local time.
    Which zone that was is not recorded, so it is taken as UTC (the per-recording offset
    control corrects it if ever needed; within one notebook all recordings agree)."""
    match = _NAME_TIME.search(name.replace("\\", "/").rsplit("/", 1)[-1])
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None


def unix_ms(when: dt.datetime) -> float:
    return when.timestamp() * 1000.0


def writing_times(xy_mm: NDArray[np.float64], start_ms: float, limit_ms: float | None) -> NDArray[np.float64]:
    """Point times for a stroke known only by its start. Xournal++ stores no per-point
    times, so the points are spread along the path at a typical writing speed
    (WRITING_SPEED_MM_PER_S), never past `limit_ms` (the next stroke's start in the same
    recording): the pen cannot still be writing this stroke once the next one began."""
    steps = np.hypot(*np.diff(xy_mm, axis=0).T) if len(xy_mm) > 1 else np.zeros(0)
    along = np.concatenate(([0.0], np.cumsum(steps)))
    total = along[-1]
    if total <= 0:
        return np.full(len(xy_mm), start_ms)
    duration = total / WRITING_SPEED_MM_PER_S * 1000.0
    if limit_ms is not None:
        duration = min(duration, max(limit_ms - start_ms, 0.0))
    times: NDArray[np.float64] = start_ms + along / total * duration
    return times


def next_start(sorted_starts: list[float], start_ms: float) -> float | None:
    """The first start strictly after `start_ms` (strokes sharing a time do not limit each
    other: old files store whole seconds)."""
    i = bisect.bisect_right(sorted_starts, start_ms)
    return sorted_starts[i] if i < len(sorted_starts) else None


def writing_times_many(
    xy_mm: NDArray[np.float64],
    offsets: NDArray[np.int64],
    start_ms: NDArray[np.float64],
    limit_ms: NDArray[np.float64],
) -> NDArray[np.float64]:
    """writing_times of many strokes at once, bit for bit: stroke k is
    xy_mm[offsets[k]:offsets[k + 1]], starts at start_ms[k] and is limited by limit_ms[k]
    (nan: no limit). Strokes of similar length are laid out as the rows of one array, so
    each stroke's distances are summed in its own order, as writing_times sums them."""
    counts = np.diff(offsets)
    n = len(xy_mm)
    # One slot past the points: a row's cells beyond its stroke read a 0 step from it and
    # write their sums to it (in no particular order: the slot is dropped).
    steps = np.zeros(n + 1)
    if n > 1:
        steps[1:n] = np.hypot(*np.diff(xy_mm, axis=0).T)
    steps[offsets[:-1][counts > 0]] = 0.0  # a stroke's first point: no step into it
    along = np.empty(n + 1)
    bucket = np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)
    for b in np.flatnonzero(np.bincount(bucket)).tolist():  # (np.unique would import numpy.ma: 7 ms)
        rows = np.flatnonzero(bucket == b)
        width = int(counts[rows].max())
        index = np.where(np.arange(width) < counts[rows, None], offsets[rows, None] + np.arange(width), n)
        along[index] = np.cumsum(steps[index], axis=1)
    along = along[:n]
    last = offsets[1:] - 1
    total = along[np.maximum(last, 0)]
    duration = total / WRITING_SPEED_MM_PER_S * 1000.0
    limited = ~np.isnan(limit_ms)
    duration[limited] = np.minimum(duration[limited], np.maximum(limit_ms[limited] - start_ms[limited], 0.0))
    per_point = np.repeat(np.arange(len(counts)), counts)
    moved = (total > 0)[per_point]
    start = start_ms[per_point]
    times: NDArray[np.float64] = np.where(
        moved, start + along / np.where(moved, total[per_point], 1.0) * duration[per_point], start
    )
    return times
