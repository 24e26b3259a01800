"""The timeline: ink time on the notebook clock <-> position inside a recording.

Exact arithmetic in float64 milliseconds; frame indices are rounded, never truncated.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .ink import Stroke
from .notebook import Notebook
from .recording import Recording


@dataclass(frozen=True)
class _Placement:
    clock_starts_ms: tuple[float, ...]
    durations_ms: tuple[float, ...]
    played_starts_ms: tuple[float, ...]  # where each file begins once files are back-to-back


def _placement(recording: Recording) -> _Placement:
    starts = tuple(f.clock_start_ms for f in recording.files)
    durations = tuple(f.clock_duration_ms for f in recording.files)
    played = [0.0]
    for duration in durations[:-1]:
        played.append(played[-1] + duration)
    return _Placement(starts, durations, tuple(played))


@dataclass(frozen=True)
class RevealState:
    """Which strokes of a page are written at an instant.

    written: bool per stroke, the whole stroke is on paper.
    writing: (stroke index, number of its points already drawn) for strokes being written.
    """

    written: NDArray[np.bool_]
    writing: tuple[tuple[int, int], ...]


class Timeline:
    """Maps times both ways for every recording of one notebook (the official Livescribe
    rule: a recording's files play back-to-back with the pauses between them removed)."""

    def __init__(self, notebook: Notebook) -> None:
        self._notebook = notebook
        self._placements = [_placement(r) for r in notebook.recordings]
        self._page_starts: list[NDArray[np.float64]] = []
        self._page_ends: list[NDArray[np.float64]] = []
        for page in notebook.pages:
            self._page_starts.append(np.array([s.start_ms for s in page.strokes], dtype=np.float64))
            self._page_ends.append(np.array([s.end_ms for s in page.strokes], dtype=np.float64))

    def position_s(self, recording: int, t_ms: float) -> float:
        """Position in seconds within `recording` of notebook time `t_ms`.

        A time inside a pause maps to the end of the file before it; before the first
        file to 0; after the last file to the recording's end.
        """
        p = self._placements[recording]
        i = bisect.bisect_right(p.clock_starts_ms, t_ms) - 1
        if i < 0:
            return 0.0
        offset = min(max(t_ms - p.clock_starts_ms[i], 0.0), p.durations_ms[i])
        return (p.played_starts_ms[i] + offset) / 1000.0

    def ink_time_ms(self, recording: int, position_s: float) -> float:
        """Notebook time at which `position_s` of `recording` was recorded."""
        p = self._placements[recording]
        played_ms = max(position_s * 1000.0, 0.0)
        i = max(bisect.bisect_right(p.played_starts_ms, played_ms) - 1, 0)
        offset = min(played_ms - p.played_starts_ms[i], p.durations_ms[i])
        return p.clock_starts_ms[i] + offset

    def stroke_position_s(self, stroke: Stroke, point: int = 0) -> float | None:
        """Where in its recording a point of a stroke was written; None without audio."""
        if stroke.recording is None:
            return None
        return self.position_s(stroke.recording, float(stroke.t_ms[point]))

    def reveal(self, page: int, t_ms: float) -> RevealState:
        """Strokes of `page` written by notebook time `t_ms` (for ink reveal)."""
        starts, ends = self._page_starts[page], self._page_ends[page]
        written = ends <= t_ms
        writing_idx = np.flatnonzero((starts <= t_ms) & ~written)
        strokes = self._notebook.pages[page].strokes
        writing = tuple(
            (int(i), int(np.searchsorted(strokes[i].t_ms, t_ms, side="right"))) for i in writing_idx
        )
        return RevealState(written, writing)

    def page_being_written(self, t_ms: float) -> int | None:
        """The page whose most recent stroke start is the latest one at or before t_ms."""
        best_page, best_time = None, -np.inf
        for page, starts in enumerate(self._page_starts):
            before = starts[starts <= t_ms]
            if before.size and before.max() > best_time:
                best_page, best_time = page, float(before.max())
        return best_page
