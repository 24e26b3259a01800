"""Where a set of strokes is heard: the span of a recording they were written in, sync
offsets included (the mapping itself, offsets and all, is the model's Timeline)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from ..model import Stroke
from .document import OpenedNotebook

MAX_SYNC_OFFSET_MS = 60_000.0  # an offset beyond a minute is a different recording, not a sync error


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
    heard = [s for s in chosen if s.recording == recording]
    timeline = document.timeline.with_sync_offsets(sync_offsets_ms or {})
    start_s = min(timeline.position_s(recording, s.start_ms) for s in heard)
    end_s = max(timeline.position_s(recording, s.end_ms) for s in heard)
    return recording, start_s, end_s
