"""The notebook's strokes in the order they were written: the one index that says which
stroke and page are being written at an instant (the window's auto page turn, the video
export's page, `locate`), and where strokes and phrases begin (jumping through them).

The tie rule. Strokes are ordered by start time; strokes that start at the same
millisecond keep file order (page by page, then drawing order), file order being the
best account of the order they were written in. The stroke being written at t is the
last one in that order begun at or before t. So when the first strokes of two pages
start at the same ms, the later page in the file is the one being written (Xournal++
ink without audio links shares one start time, so this happens on real files); it is
also the stroke drawn on top, the one a tap on overlapping ink picks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .notebook import Notebook

PHRASE_GAP_MS = 1500.0  # a pause in writing longer than this starts a new phrase


class WritingOrder:
    """Built once per notebook (O(n log n) over all strokes); queries are binary searches.

    start_ms, end_ms, page, stroke, recording (-1: none): one entry per stroke of the
    notebook, in writing order (see the module's tie rule)."""

    def __init__(self, notebook: Notebook) -> None:
        inks = [page.ink for page in notebook.pages]
        counts = [ink.n_strokes for ink in inks]
        starts = np.concatenate([ink.start_ms for ink in inks]) if inks else np.zeros(0)
        order = np.argsort(starts, kind="stable")
        self.start_ms: NDArray[np.float64] = starts[order]
        self.end_ms: NDArray[np.float64] = np.concatenate([ink.end_ms for ink in inks] or [starts])[order]
        pages = np.repeat(np.arange(len(inks), dtype=np.int64), counts)
        self.page: NDArray[np.int64] = pages[order]
        strokes = np.concatenate([np.arange(n, dtype=np.int64) for n in counts] or [pages])
        self.stroke: NDArray[np.int64] = strokes[order]
        recordings = [ink.recording.astype(np.int64) for ink in inks]
        self.recording: NDArray[np.int64] = np.concatenate(recordings or [pages])[order]

    def __len__(self) -> int:
        return len(self.start_ms)

    def begun_by(self, t_ms: float) -> int:
        """How many strokes have begun at or before `t_ms` (the answers below change only
        when this does)."""
        return int(np.searchsorted(self.start_ms, t_ms, side="right"))

    def writing_at(self, t_ms: float) -> tuple[int, int] | None:
        """(page, stroke) of the latest stroke begun at or before `t_ms`; None before any."""
        k = self.begun_by(t_ms) - 1
        return (int(self.page[k]), int(self.stroke[k])) if k >= 0 else None

    def page_being_written(self, t_ms: float) -> int | None:
        """The page of the latest stroke begun at or before `t_ms` (None before any ink)."""
        k = self.begun_by(t_ms) - 1
        return int(self.page[k]) if k >= 0 else None

    def first_page_between(self, first_ms: float, last_ms: float) -> int | None:
        """The page of the first stroke begun within [first_ms, last_ms], or None."""
        k = int(np.searchsorted(self.start_ms, first_ms, side="left"))
        return int(self.page[k]) if k < len(self) and self.start_ms[k] <= last_ms else None

    def starts(self, recording: int, *, phrases: bool) -> NDArray[np.int64]:
        """Positions (into the sorted arrays) of the strokes of `recording` that begin a
        stroke — or, with phrases, that follow a pause longer than PHRASE_GAP_MS."""
        mine = np.flatnonzero(self.recording == recording)
        if not phrases or len(mine) == 0:
            return mine
        ended_before = np.maximum.accumulate(self.end_ms[mine])
        gap = self.start_ms[mine][1:] - ended_before[:-1]
        return np.concatenate([mine[:1], mine[1:][gap > PHRASE_GAP_MS]])
