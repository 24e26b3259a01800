"""Which page a video clip shows at each moment, and its frames at positions of the
recording (painted by render.video_frames)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect

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
    for t_ms in document.timeline.order.start_ms.tolist():  # the page changes only when a stroke starts
        if first_ms < t_ms <= last_ms and chooser.page_at(t_ms) != changes[-1][1]:
            at_s = document.timeline.position_s(spec.recording, t_ms) - spec.start_s
            changes.append((at_s, chooser.page_at(t_ms)))
    return changes


class PageChooser:
    """Which page a clip shows at each moment: the page being written (the Timeline's
    writing order, as the window follows it). Until the first stroke of the clip begins:
    `spec.page` when the clip is of a page (so its lead-in does not flash the page
    before), else the page being written, else the first page written on during the clip."""

    def __init__(self, document: OpenedNotebook, spec: ClipSpec) -> None:
        assert spec.recording is not None
        self._timeline = document.timeline
        self._recording = spec.recording
        if not document.notebook.pages:
            raise ExportError("the notebook has no pages to show")
        order = self._timeline.order
        first_ms, last_ms = self.ink_time_ms(spec.start_s), self.ink_time_ms(spec.end_s)
        k = int(np.searchsorted(order.start_ms, first_ms, side="left"))
        inside = k < len(order) and order.start_ms[k] <= last_ms
        self._first_start_ms = float(order.start_ms[k]) if inside else np.inf
        self._chosen = spec.page
        first_page = order.first_page_between(first_ms, last_ms)
        self._fallback = spec.page if spec.page is not None else (first_page or 0)

    def ink_time_ms(self, position_s: float) -> float:
        return self._timeline.ink_time_ms(self._recording, position_s)

    def page_at(self, t_ms: float) -> int:
        if self._chosen is not None and t_ms < self._first_start_ms:
            return self._chosen
        page = self._timeline.page_being_written(t_ms)
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
