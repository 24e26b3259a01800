"""Which page a video clip shows at each moment, and its frames at positions of the
recording (painted by render.video_frames)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect

from ...model import Page
from ...render.ink_style import InkStyle
from ...render.video_frames import FramePainter
from ..document import OpenedNotebook
from .core import ClipSpec, ExportError


def page_changes(document: OpenedNotebook, spec: ClipSpec) -> list[tuple[float, int]]:
    """(seconds into the clip, page) each time the page shown changes, the first at 0."""
    chooser = PageChooser(document, spec)
    assert spec.recording is not None
    first_ms, last_ms = chooser.ink_time_ms(spec.start_s), chooser.ink_time_ms(spec.end_s)
    changes = [(0.0, chooser.page_at(first_ms))]
    starts = sorted(s.start_ms for page in document.notebook.pages for s in page.strokes)
    for t_ms in starts:  # the page shown can only change when a stroke starts
        if first_ms < t_ms <= last_ms and chooser.page_at(t_ms) != changes[-1][1]:
            at_s = document.timeline.position_s(spec.recording, t_ms) - spec.start_s
            changes.append((at_s, chooser.page_at(t_ms)))
    return changes


class PageChooser:
    """Which page a clip shows at each moment: the page being written (the window's rule).
    Until the first stroke of the clip begins: `spec.page` when the clip is of a page (so
    its lead-in does not flash the page before), else the page being written, else the
    first page written on during the clip."""

    def __init__(self, document: OpenedNotebook, spec: ClipSpec) -> None:
        assert spec.recording is not None
        self._timeline = document.timeline
        self._recording = spec.recording
        pages = document.notebook.pages
        if not pages:
            raise ExportError("the notebook has no pages to show")
        starts = [s.start_ms for page in pages for s in page.strokes]
        self._starts = np.sort(np.array(starts, dtype=np.float64))
        self._by_count: dict[int, int | None] = {}
        first_ms, last_ms = self.ink_time_ms(spec.start_s), self.ink_time_ms(spec.end_s)
        inside = self._starts[(self._starts >= first_ms) & (self._starts <= last_ms)]
        self._first_start_ms = float(inside[0]) if len(inside) else np.inf
        self._chosen = spec.page
        self._fallback = spec.page if spec.page is not None else self._first_touched(pages, first_ms, last_ms)

    @staticmethod
    def _first_touched(pages: tuple[Page, ...], first_ms: float, last_ms: float) -> int:
        best, best_ms = 0, np.inf
        for p, page in enumerate(pages):
            inside = [s.start_ms for s in page.strokes if first_ms <= s.start_ms <= last_ms]
            if inside and min(inside) < best_ms:
                best, best_ms = p, min(inside)
        return best

    def ink_time_ms(self, position_s: float) -> float:
        return self._timeline.ink_time_ms(self._recording, position_s)

    def page_at(self, t_ms: float) -> int:
        if self._chosen is not None and t_ms < self._first_start_ms:
            return self._chosen
        # The answer changes only when a stroke starts: key it by how many have started.
        count = int(np.searchsorted(self._starts, t_ms, side="right"))
        if count not in self._by_count:
            self._by_count[count] = self._timeline.page_being_written(t_ms)
        page = self._by_count[count]
        return self._fallback if page is None else page


class ClipFramePainter(FramePainter):
    """The clip's frames: at each position of the recording, the page the clip shows
    (PageChooser) as it looks then. Not thread-safe."""

    def __init__(
        self, document: OpenedNotebook, spec: ClipSpec, size: tuple[int, int], style: InkStyle | None = None
    ) -> None:
        super().__init__(document.notebook.pages, document.timeline, size, style)
        self.chooser = PageChooser(document, spec)

    def frame_at(self, position_s: float) -> QRect:
        """Paint `image` as the clip looks at `position_s` of the recording; returns the
        rectangle that changed (empty when the picture is the same as before)."""
        t_ms = self.chooser.ink_time_ms(position_s)
        return self.paint_frame(self.chooser.page_at(t_ms), t_ms)
