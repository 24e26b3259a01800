"""The timeline: ink time on the notebook clock <-> where it is heard in a recording.

One object owns every time rule of a notebook: each recording's file layout on its own
clock (layout.py: files back to back, pauses removed), the per-recording sync offsets,
and the writing order (writing_order.py: which stroke and page are being written at t,
with its tie rule). The window, the CLI and every export ask it, so they agree.

Sync offsets. A positive offset (ms) for a recording means the audio of a stroke comes
that much later in the recording than its timestamps say. `Timeline(notebook)` has no
offsets; `with_sync_offsets` gives a timeline sharing the same tables with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .ink import Stroke
from .layout import RecordingLayout
from .notebook import Notebook
from .units import ms_to_s
from .writing_order import WritingOrder


@dataclass(frozen=True)
class RevealState:
    """Which strokes of a page are written at an instant.

    written: bool per stroke, the whole stroke is on paper.
    writing: (stroke index, number of its points already drawn) for strokes being written.
    """

    written: NDArray[np.bool_]
    writing: tuple[tuple[int, int], ...]


class _Tables:
    """What a notebook's timelines share, whatever their sync offsets (built lazily)."""

    def __init__(self, notebook: Notebook) -> None:
        self.notebook = notebook
        self.layouts = tuple(RecordingLayout.of(r) for r in notebook.recordings)

    @cached_property
    def order(self) -> WritingOrder:
        return WritingOrder(self.notebook)


class Timeline:
    """Maps times both ways for every recording of one notebook. Immutable."""

    def __init__(self, notebook: Notebook, sync_offsets_ms: Mapping[int, float] | None = None) -> None:
        self._tables = _Tables(notebook)
        self._offsets_ms = _clean(sync_offsets_ms)

    def with_sync_offsets(self, sync_offsets_ms: Mapping[int, float]) -> Timeline:
        """This timeline with recording r heard sync_offsets_ms[r] later (the others: 0)."""
        timeline = object.__new__(Timeline)
        timeline._tables, timeline._offsets_ms = self._tables, _clean(sync_offsets_ms)
        return timeline

    @property
    def notebook(self) -> Notebook:
        return self._tables.notebook

    @property
    def sync_offsets_ms(self) -> dict[int, float]:
        return dict(self._offsets_ms)

    def sync_offset_ms(self, recording: int) -> float:
        return self._offsets_ms.get(recording, 0.0)

    def layout(self, recording: int) -> RecordingLayout:
        """Where `recording`'s files lie on its own clock (no sync offset)."""
        return self._tables.layouts[recording]

    @property
    def order(self) -> WritingOrder:
        """Every stroke of the notebook in writing order (built on first use)."""
        return self._tables.order

    def position_s(self, recording: int, t_ms: float) -> float:
        """Where in `recording` (s) notebook time `t_ms` is heard, sync offset included.
        Without an offset: a time inside a pause maps to the end of the file before it;
        before the first file to 0; after the last file to the recording's end. Not
        clamped once an offset is added (it may move ink before the start)."""
        return self.layout(recording).position_s(t_ms) + ms_to_s(self.sync_offset_ms(recording))

    def positions_s(self, recording: int, t_ms: NDArray[np.float64]) -> NDArray[np.float64]:
        """position_s() of many notebook times of `recording` at once."""
        return self.layout(recording).positions_s(t_ms) + ms_to_s(self.sync_offset_ms(recording))

    def ink_time_ms(self, recording: int, position_s: float) -> float:
        """The notebook time heard at `position_s` of `recording` (the inverse)."""
        shifted_s = position_s - ms_to_s(self.sync_offset_ms(recording))
        return self.layout(recording).ink_time_ms(shifted_s)

    def stroke_position_s(self, stroke: Stroke, point: int = 0) -> float | None:
        """Where in its recording a point of a stroke is heard; None without audio."""
        if stroke.recording is None:
            return None
        return self.position_s(stroke.recording, float(stroke.t_ms[point]))

    def page_being_written(self, t_ms: float) -> int | None:
        """The page being written at notebook time `t_ms` (WritingOrder's tie rule)."""
        return self.order.page_being_written(t_ms)

    def writing_at(self, t_ms: float) -> tuple[int, int] | None:
        """(page, stroke) being written at notebook time `t_ms`, or None before any ink."""
        return self.order.writing_at(t_ms)

    def reveal(self, page: int, t_ms: float) -> RevealState:
        """Strokes of `page` written by notebook time `t_ms` (for ink reveal)."""
        ink = self.notebook.pages[page].ink
        written = ink.end_ms <= t_ms
        writing_idx = np.flatnonzero((ink.start_ms <= t_ms) & ~written).tolist()
        offsets, times = ink.offsets, ink.t_ms
        writing = tuple(
            (i, int(np.searchsorted(times[offsets[i] : offsets[i + 1]], t_ms, side="right")))
            for i in writing_idx
        )
        return RevealState(written, writing)


def _clean(offsets_ms: Mapping[int, float] | None) -> dict[int, float]:
    return {int(r): float(ms) for r, ms in (offsets_ms or {}).items() if ms}
