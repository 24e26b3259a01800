"""The notebook's strokes in the order they were written: which page is being written at
an instant (auto page turn), and where strokes and phrases begin (jumping through them)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..model import Notebook

PHRASE_GAP_MS = 1500.0  # a pause in writing longer than this starts a new phrase


class WritingOrder:
    """Built once per notebook (O(n log n) over all strokes); queries are binary searches."""

    def __init__(self, notebook: Notebook):
        starts, ends, pages, strokes, recordings = [], [], [], [], []
        for p, page in enumerate(notebook.pages):
            for i, stroke in enumerate(page.strokes):
                starts.append(stroke.start_ms)
                ends.append(stroke.end_ms)
                pages.append(p)
                strokes.append(i)
                recordings.append(-1 if stroke.recording is None else stroke.recording)
        order = np.argsort(np.array(starts, dtype=np.float64), kind="stable")
        self.start_ms: NDArray[np.float64] = np.array(starts, dtype=np.float64)[order]
        self.end_ms: NDArray[np.float64] = np.array(ends, dtype=np.float64)[order]
        self.page: NDArray[np.int64] = np.array(pages, dtype=np.int64)[order]
        self.stroke: NDArray[np.int64] = np.array(strokes, dtype=np.int64)[order]
        self.recording: NDArray[np.int64] = np.array(recordings, dtype=np.int64)[order]

    def page_being_written(self, t_ms: float) -> int | None:
        """The page of the latest stroke begun at or before `t_ms` (None before any ink)."""
        k = int(np.searchsorted(self.start_ms, t_ms, side="right")) - 1
        return int(self.page[k]) if k >= 0 else None

    def starts(self, recording: int, *, phrases: bool) -> NDArray[np.int64]:
        """Positions (into the sorted arrays) of the strokes of `recording` that begin a
        stroke — or, with phrases, that follow a pause longer than PHRASE_GAP_MS."""
        mine = np.flatnonzero(self.recording == recording)
        if not phrases or len(mine) == 0:
            return mine
        ended_before = np.maximum.accumulate(self.end_ms[mine])
        gap = self.start_ms[mine][1:] - ended_before[:-1]
        return np.concatenate([mine[:1], mine[1:][gap > PHRASE_GAP_MS]])
