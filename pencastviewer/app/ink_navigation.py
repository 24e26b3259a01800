"""Where the writing is heard: the targets of "next/previous stroke or phrase", the
waveform's writing marks and the hint for a recording without audio. Pure functions of
the document's Timeline (with the session's sync offsets) and its writing order."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..model import Recording, Timeline

JUMP_GRACE_S = 1.0  # "previous" within this long after a stroke's start goes to the one before
NEXT_MARGIN_S = 0.05  # "next" skips a stroke whose pre-roll starts this close after the playhead


def jump_target(
    timeline: Timeline,
    recording: int,
    position_s: float,
    preroll_s: float,
    direction: int,
    *,
    phrases: bool,
) -> tuple[int, float] | None:
    """(page, heard_s) of the next (direction 1) or previous (-1) stroke or phrase of
    `recording` from `position_s`, where a tap on it would play from `preroll_s` before
    heard_s; None when there is none."""
    order = timeline.order
    starts = order.starts(recording, phrases=phrases)
    heard = timeline.positions_s(recording, order.start_ms[starts])
    targets = np.maximum(heard - preroll_s, 0.0)
    if direction > 0:
        k = int(np.searchsorted(targets, position_s + NEXT_MARGIN_S, side="right"))
    else:
        k = int(np.searchsorted(targets, position_s - JUMP_GRACE_S, side="left")) - 1
    if not 0 <= k < len(targets):
        return None
    return int(order.page[starts[k]]), float(heard[k])


def writing_positions_s(timeline: Timeline, recording: int) -> NDArray[np.float64]:
    """(n, 2) start and end in `recording` (s) of every stroke written with it, in writing
    order: where the waveform marks that writing happened."""
    order = timeline.order
    mine = order.recording == recording
    starts = timeline.positions_s(recording, order.start_ms[mine])
    ends = timeline.positions_s(recording, order.end_ms[mine])
    return np.column_stack([starts, ends]) if len(starts) else np.zeros((0, 2))


def merged_marks(spans: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sorted, disjoint (starts, ends) covering every (n, 2) span: what the waveform marks."""
    if not len(spans):
        return np.empty(0), np.empty(0)
    pairs = spans[np.lexsort((spans[:, 1], spans[:, 0]))]
    starts, ends = pairs[:, 0], np.maximum.accumulate(pairs[:, 1])
    new = np.flatnonzero(starts[1:] > ends[:-1]) + 1  # a span that begins after all before it ended
    first = np.concatenate([[0], new])
    last = np.concatenate([new - 1, [len(pairs) - 1]])
    return starts[first], ends[last]


def missing_hint(recording: Recording) -> str:
    """The status-bar hint when a recording's audio is missing."""
    why = recording.missing_text()
    if recording.is_lost:
        return f"Nothing to play: {why}. The ink is shown without sound."
    return f"Nothing to play: {why} — File ▸ Locate recording… finds it."


def ordered_span(span: tuple[float, float] | None) -> tuple[float, float] | None:
    """A region in order, not before the recording's start."""
    if span is None:
        return None
    start, end = sorted(span)
    return (max(start, 0.0), max(end, 0.0))
