"""What the user asked to export, and the one place it becomes a ClipSpec: the Export
dialog and `pencastviewer export` both describe a clip as a ClipRequest (Qt-free)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from ...model import Bookmark
from ..document import OpenedNotebook
from .core import ClipSpec, ExportError
from .ranges import (
    FADE_MS,
    LEAD_IN_S,
    LEAD_OUT_S,
    clip_for_page,
    clip_for_recording,
    clip_for_strokes,
    snap_to_recording_end,
    with_times,
)


class ClipRange(Enum):
    """Where a clip's range comes from."""

    STROKES = "strokes"  # strokes of `page`, as heard (with lead-in/out)
    PAGE = "page"  # all the ink of `page`, as heard
    RECORDING = "recording"  # a recording (all of it unless start/end say otherwise), ink of `page` if set
    PAGES = "pages"  # whole `pages` with all their ink, whatever recording it links; no sound (images)


@dataclass(frozen=True)
class ClipRequest:
    """A clip as the user describes it. `sync_offsets_ms` maps a recording to its sync
    offset (ms) as the session keeps them: the clip uses its own recording's offset, both
    to find where ink is heard and to place ink in images, video and web pages.
    `start_s`/`end_s` (seconds in the recording) replace the range's ends when given.
    `size`: the video frame or image width; a video without one fits the page's shape."""

    range: ClipRange
    page: int | None = None
    strokes: tuple[int, ...] = ()
    recording: int = 0
    start_s: float | None = None
    end_s: float | None = None
    lead_in_s: float = LEAD_IN_S
    lead_out_s: float = LEAD_OUT_S
    fade_ms: float = FADE_MS
    sync_offsets_ms: Mapping[int, float] = field(default_factory=dict)
    size: tuple[int, int] | None = None
    dpi: float | None = None
    pages: tuple[int, ...] = ()  # for PAGES, 0-based
    normalize_lufs: float | None = None
    voice_clarity: bool = False
    bookmarks: tuple[Bookmark, ...] | None = None  # the window's current ones (None: the file's)


def range_clip(document: OpenedNotebook, request: ClipRequest) -> ClipSpec:
    """The clip of the request's range alone, before its typed ends and output settings."""
    offsets, fade_ms = request.sync_offsets_ms, request.fade_ms
    if request.range is ClipRange.PAGES:
        pages = request.pages
        if len(pages) == 1:
            return ClipSpec(None, 0.0, 0.0, fade_ms=fade_ms, page=pages[0])
        return ClipSpec(None, 0.0, 0.0, fade_ms=fade_ms, pages=pages)
    if request.range is ClipRange.STROKES or request.range is ClipRange.PAGE:
        if request.page is None:
            raise ExportError("strokes need a page: strokes are numbered per page")
        if request.range is ClipRange.PAGE:
            return clip_for_page(
                document,
                request.page,
                lead_in_s=request.lead_in_s,
                lead_out_s=request.lead_out_s,
                fade_ms=fade_ms,
                sync_offsets_ms=offsets,
            )
        return clip_for_strokes(
            document,
            request.page,
            request.strokes,
            lead_in_s=request.lead_in_s,
            lead_out_s=request.lead_out_s,
            fade_ms=fade_ms,
            sync_offsets_ms=offsets,
        )
    if document.notebook.recordings:
        offset_ms = offsets.get(request.recording, 0.0)
        spec = clip_for_recording(document, request.recording, fade_ms, sync_offset_ms=offset_ms)
        return replace(spec, page=request.page)
    if request.start_s is not None or request.end_s is not None:
        raise ExportError(f"{document.path.name} has no recording: a start or end time needs one")
    return ClipSpec(None, 0.0, 0.0, fade_ms=fade_ms, page=request.page)


def build_clip(document: OpenedNotebook, request: ClipRequest) -> ClipSpec:
    """The clip to export: the range with its ends as typed (an end shown in whole ms that
    passes the recording's end by less than one means the end), then size and dpi."""
    spec = range_clip(document, request)
    if spec.recording is not None:
        spec = snap_to_recording_end(document, with_times(spec, request.start_s, request.end_s))
    return replace(
        spec,
        size=request.size or spec.size,
        dpi=request.dpi or None,
        normalize_lufs=request.normalize_lufs,
        voice_clarity=request.voice_clarity,
        bookmarks=request.bookmarks,
        fit_page=request.size is None,
    )
