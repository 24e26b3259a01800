"""Where ink is heard: notebook time ↔ recording position with a recording's sync offset —
the one mapping the session, its views and every export use — and the span of a recording
a set of strokes was written in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from ..model import Stroke, Timeline
from .document import OpenedNotebook

MAX_SYNC_OFFSET_MS = 60_000.0  # an offset beyond a minute is a different recording, not a sync error


def heard_position_s(timeline: Timeline, recording: int, t_ms: float, offset_ms: float = 0.0) -> float:
    """Where in `recording` (s) notebook time `t_ms` is heard. A positive offset (ms): the
    audio of a stroke comes that much later in the recording than its timestamps say."""
    return timeline.position_s(recording, t_ms) + offset_ms / 1000.0


def written_time_ms(timeline: Timeline, recording: int, position_s: float, offset_ms: float = 0.0) -> float:
    """The notebook time heard at `position_s` of `recording` (the inverse of the above)."""
    return timeline.ink_time_ms(recording, position_s - offset_ms / 1000.0)


class SyncedTimeline(Timeline):
    """`timeline` with `recording` heard `offset_ms` later, for code that is handed a
    Timeline (the exporters). It shares the original's tables rather than rebuilding them."""

    def __init__(self, timeline: Timeline, recording: int, offset_ms: float) -> None:
        self.__dict__.update(vars(timeline))  # (the inherited methods read these tables)
        self._plain, self.synced_recording, self.offset_ms = timeline, recording, float(offset_ms)

    def _offset_ms(self, recording: int) -> float:
        return self.offset_ms if recording == self.synced_recording else 0.0

    def position_s(self, recording: int, t_ms: float) -> float:
        return heard_position_s(self._plain, recording, t_ms, self._offset_ms(recording))

    def ink_time_ms(self, recording: int, position_s: float) -> float:
        return written_time_ms(self._plain, recording, position_s, self._offset_ms(recording))


def main_recording(strokes: Iterable[Stroke]) -> int | None:
    """The recording most of the strokes were written with (None: none has audio)."""
    counts = Counter(s.recording for s in strokes if s.recording is not None)
    return counts.most_common(1)[0][0] if counts else None


def heard_span_s(
    document: OpenedNotebook,
    page: int,
    strokes: Iterable[int],
    sync_offsets_ms: Mapping[int, float] | None = None,
) -> tuple[int, float, float] | None:
    """(recording, start_s, end_s): from where the first of these strokes of `page` begins
    to be heard to where the last one ends, in the recording most of them were written
    with, sync offset included; None when none of them has audio. Not clamped to the
    recording (an offset may move ink before its start)."""
    chosen = [document.notebook.pages[page].strokes[i] for i in strokes]
    recording = main_recording(chosen)
    if recording is None:
        return None
    offset_ms = (sync_offsets_ms or {}).get(recording, 0.0)
    heard = [s for s in chosen if s.recording == recording]
    timeline = document.timeline
    start_s = min(heard_position_s(timeline, recording, s.start_ms, offset_ms) for s in heard)
    end_s = max(heard_position_s(timeline, recording, s.end_ms, offset_ms) for s in heard)
    return recording, start_s, end_s
