"""A page's strokes as the model's columns (model.page_ink.PageInk), timed on the notebook
clock: the points of all strokes in one array, their writing times computed together
(formats.timing.writing_times_many), no Stroke object on the way."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...model import CAPS, PageInk
from ...model.page_ink import NO_FILL, NO_RECORDING
from ..timing import writing_times_many
from .elements import AudioLink
from .stroke_batch import StrokeRun

F64 = NDArray[np.float64]


class PageColumns:
    """The points of a page's strokes, and their times from the start of each stroke's
    recording (0 when unlinked)."""

    def __init__(self, runs: Sequence[StrokeRun], starts: dict[str, list[float]]) -> None:
        self.runs = runs
        counts = np.concatenate([np.diff(r.offsets) for r in runs]) if runs else np.zeros(0, np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.xy_mm = _joined([r.xy_mm for r in runs], np.zeros((0, 2)))
        links = [link for r in runs for link in r.links]
        self.n_strokes = n = len(links)
        # Per stroke the index of its recording in self.names (NO_RECORDING: unlinked): a
        # page links to a handful, so per-recording work is done once, not per stroke.
        codes: dict[str | None, int] = {None: NO_RECORDING}
        self.recording = np.fromiter(
            (codes.setdefault(link.fn, len(codes) - 1) if link else NO_RECORDING for link in links),
            np.intp,
            n,
        )
        self.names = [name for name in codes if name is not None]
        start = np.fromiter((link.ts_ms if link else 0 for link in links), np.float64, n)
        limit = np.array([_next_start(starts, link) for link in links], np.float64)
        self.relative_ms = writing_times_many(self.xy_mm, self.offsets, start, limit)
        self.relative_ms[np.repeat(self.recording == NO_RECORDING, counts)] = 0.0

    def ends(self) -> dict[str, float]:
        """How far into each recording this page's strokes reach, in ms."""
        if not self.n_strokes:
            return {}
        last = self.relative_ms[self.offsets[1:] - 1]
        reach = np.full(len(self.names), -np.inf)
        linked = self.recording != NO_RECORDING
        np.maximum.at(reach, self.recording[linked], last[linked])
        return dict(zip(self.names, reach.tolist(), strict=True))

    def ink(self, clock: dict[str, float], index: dict[str, int], static_ms: float) -> PageInk:
        """The columns on the notebook clock; unlinked strokes at `static_ms`."""
        runs, n = self.runs, self.n_strokes
        counts = np.diff(self.offsets)
        linked = self.recording != NO_RECORDING
        shift = np.array([clock[name] for name in self.names] + [0.0], np.float64)[self.recording]  # (-1: 0)
        t_ms = np.where(np.repeat(linked, counts), np.repeat(shift, counts) + self.relative_ms, static_ms)
        has_widths = _joined([r.has_widths for r in runs], np.zeros(0, bool))
        widths = _joined([r.widths_mm for r in runs], np.zeros(0)) if has_widths.any() else None
        # The looks as a table of the distinct ones (the reader makes one object per look),
        # and each stroke's row in it; the recordings likewise (NO_RECORDING, -1: the last row).
        distinct = {id(s): s for r in runs for s in r.styles}
        rows = {key: row for row, key in enumerate(distinct)}
        look = np.fromiter((rows[id(s)] for r in runs for s in r.styles), np.intp, n)
        looks = list(distinct.values())
        return PageInk(
            self.xy_mm,
            t_ms,
            self.offsets,
            widths_mm=widths,
            has_widths=has_widths,
            width_mm=_joined([r.width_mm for r in runs], np.zeros(0)),
            color=np.array([s.color for s in looks], np.uint8).reshape(-1, 4)[look],
            tool=np.array([int(s.tool) for s in looks], np.int8)[look],
            recording=np.array([index[name] for name in self.names] + [NO_RECORDING], np.int32)[
                self.recording
            ],
            fill_alpha=np.array([NO_FILL if s.fill_alpha is None else s.fill_alpha for s in looks], np.int16)[
                look
            ],
            cap=np.array([CAPS.index(s.cap) for s in looks], np.int8)[look],
            dash_mm=tuple(s.dash_mm for r in runs for s in r.styles),
        )


def _next_start(starts: dict[str, list[float]], link: AudioLink | None) -> float:
    """The first start strictly after the stroke's in its recording (nan: none)."""
    if link is None:
        return float("nan")
    sorted_starts, start = starts[link.fn], float(link.ts_ms)
    i = bisect.bisect_right(sorted_starts, start)
    return sorted_starts[i] if i < len(sorted_starts) else float("nan")


def _joined(parts: list[NDArray[Any]], empty: NDArray[Any]) -> NDArray[Any]:
    """The parts one after the other: the only one as it is (a page of one layer of plain
    strokes, the usual case, copies none of its points: fewer pages of memory touched)."""
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else empty
