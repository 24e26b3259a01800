"""Choosing a clip — a waveform region, a stroke selection, a page, a recording — and the ink it holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from ...model import Page, Stroke
from ..document import OpenedNotebook
from ..heard_time import heard_span_s
from .core import ClipSpec, ExportError

LEAD_IN_S = 1.0  # a selection's clip starts this much before its first stroke (what was being said) ...
LEAD_OUT_S = 1.0  # ... and ends this much after its last one
FADE_MS = 20.0


def clip_for_span(
    document: OpenedNotebook,
    recording: int,
    start_s: float,
    end_s: float,
    fade_ms: float = FADE_MS,
    *,
    sync_offset_ms: float = 0.0,
) -> ClipSpec:
    """A region of a recording (a drag on the waveform); its ends in either order. The
    sync offset decides which ink was heard in it (for images, video, web pages)."""
    _check_recording(document, recording)
    start_s, end_s = sorted((float(start_s), float(end_s)))
    return ClipSpec(recording, start_s, end_s, fade_ms=fade_ms, sync_offset_ms=sync_offset_ms)


def clip_for_recording(
    document: OpenedNotebook, recording: int, fade_ms: float = FADE_MS, *, sync_offset_ms: float = 0.0
) -> ClipSpec:
    """The whole recording."""
    _check_recording(document, recording)
    length_s = document.notebook.recordings[recording].duration_s
    return ClipSpec(recording, 0.0, length_s, fade_ms=fade_ms, sync_offset_ms=sync_offset_ms)


def clip_for_strokes(
    document: OpenedNotebook,
    page: int,
    strokes: Iterable[int],
    *,
    lead_in_s: float = LEAD_IN_S,
    lead_out_s: float = LEAD_OUT_S,
    fade_ms: float = FADE_MS,
    sync_offsets_ms: Mapping[int, float] | None = None,
) -> ClipSpec:
    """From the first selected stroke's start to the last one's end as heard (with the
    recording's sync offset from `sync_offsets_ms`, as the session applies it), plus
    lead-in/out, clamped to the recording. The ink of the clip is the strokes from the
    first selected to the last selected one (in drawing order). Strokes without audio
    give an image-only clip (recording None)."""
    _check_page(document, page)
    indices = sorted(set(int(i) for i in strokes))
    n_strokes = len(document.notebook.pages[page].strokes)
    if not indices:
        raise ExportError("no strokes are selected: select some ink first")
    if indices[0] < 0 or indices[-1] >= n_strokes:
        raise ExportError(
            f"page {page + 1} has strokes 0–{n_strokes - 1} (0 = first); the selection names others"
        )
    span = (page, indices[0], indices[-1])
    heard = heard_span_s(document, page, indices, sync_offsets_ms)
    if heard is None:
        return ClipSpec(None, 0.0, 0.0, fade_ms=fade_ms, page=page, strokes=span)
    recording, first_s, last_s = heard
    length_s = document.notebook.recordings[recording].duration_s
    start_s = max(first_s - max(lead_in_s, 0.0), 0.0)
    end_s = min(last_s + max(lead_out_s, 0.0), length_s)
    if end_s <= start_s:  # a dot written at the very end: give it a moment of sound anyway
        start_s = max(0.0, end_s - 0.1)
    offset_ms = (sync_offsets_ms or {}).get(recording, 0.0)
    return ClipSpec(
        recording, start_s, end_s, fade_ms=fade_ms, page=page, strokes=span, sync_offset_ms=offset_ms
    )


def clip_for_page(
    document: OpenedNotebook,
    page: int,
    *,
    lead_in_s: float = LEAD_IN_S,
    lead_out_s: float = LEAD_OUT_S,
    fade_ms: float = FADE_MS,
    sync_offsets_ms: Mapping[int, float] | None = None,
) -> ClipSpec:
    """All the ink of a page, and the sound recorded while it was written (as heard, with
    the sync offsets, like clip_for_strokes)."""
    _check_page(document, page)
    n_strokes = len(document.notebook.pages[page].strokes)
    if n_strokes == 0:
        return ClipSpec(None, 0.0, 0.0, fade_ms=fade_ms, page=page)
    return clip_for_strokes(
        document,
        page,
        range(n_strokes),
        lead_in_s=lead_in_s,
        lead_out_s=lead_out_s,
        fade_ms=fade_ms,
        sync_offsets_ms=sync_offsets_ms,
    )


def with_times(spec: ClipSpec, start_s: float | None, end_s: float | None) -> ClipSpec:
    """`spec` with the ends the user typed (None keeps an end)."""
    return replace(
        spec,
        start_s=spec.start_s if start_s is None else float(start_s),
        end_s=spec.end_s if end_s is None else float(end_s),
    )


def with_sync_offset(document: OpenedNotebook, spec: ClipSpec) -> OpenedNotebook:
    """The document as the clip hears it: its timeline moved by the clip's sync offset,
    so every exporter places ink where the session plays it."""
    if spec.recording is None or not spec.sync_offset_ms:
        return document
    offsets = {spec.recording: spec.sync_offset_ms}
    return replace(document, timeline=document.timeline.with_sync_offsets(offsets))


def snap_to_recording_end(document: OpenedNotebook, spec: ClipSpec) -> ClipSpec:
    """An end typed as times are shown (whole ms) may pass the recording's end by half a
    millisecond: that means the end."""
    if spec.recording is None or not 0 <= spec.recording < len(document.notebook.recordings):
        return spec
    length_s = document.notebook.recordings[spec.recording].duration_s
    return replace(spec, end_s=length_s) if length_s < spec.end_s <= length_s + 0.0005 else spec


def _check_recording(document: OpenedNotebook, recording: int) -> None:
    n = len(document.notebook.recordings)
    if not 0 <= recording < n:
        raise ExportError(f"recording {recording} does not exist (the file has {n})")


def _check_page(document: OpenedNotebook, page: int) -> None:
    n = len(document.notebook.pages)
    if not 0 <= page < n:
        raise ExportError(f"page {page + 1} does not exist (the file has {n} pages)")


# --- the ink of a clip ----------------------------------------------------------------


def clip_pages(document: OpenedNotebook, spec: ClipSpec) -> list[tuple[int, Page]]:
    """(page index, page holding only the clip's ink) for every page the clip touches.

    - `spec.strokes` set: those strokes, whole, on their page;
    - no recording: the whole pages `spec.pages`, else `spec.page` (every page when None);
    - otherwise the ink of `spec.recording` written within [start_s, end_s], strokes cut
      to the points written in it, on `spec.page` or on every page that has some.
    Pages keep their background, images and untimed text; timed text follows the range."""
    pages = document.notebook.pages
    if spec.strokes is not None:
        page, first, last = spec.strokes
        _check_page(document, page)
        return [(page, replace(pages[page], strokes=pages[page].strokes[first : last + 1]))]
    if spec.recording is None:
        indices = range(len(pages)) if spec.page is None else [spec.page]
        if spec.pages is not None:
            indices = list(spec.pages)
        for i in indices:
            _check_page(document, i)
        return [(i, pages[i]) for i in indices]
    t0_ms, t1_ms = clock_window_ms(document, spec)
    candidates = range(len(pages)) if spec.page is None else [spec.page]
    result: list[tuple[int, Page]] = []
    for i in candidates:
        _check_page(document, i)
        clipped = _page_in_window(pages[i], spec.recording, t0_ms, t1_ms)
        if clipped.strokes or spec.page is not None:
            result.append((i, clipped))
    return result


def clock_window_ms(document: OpenedNotebook, spec: ClipSpec) -> tuple[float, float]:
    """The notebook-clock interval recorded in [start_s, end_s] of the recording. Position
    never decreases with clock time, so the ink of a range is the ink of one interval."""
    assert spec.recording is not None
    to_clock = document.timeline.ink_time_ms
    return to_clock(spec.recording, spec.start_s), to_clock(spec.recording, spec.end_s)


def _page_in_window(page: Page, recording: int, t0_ms: float, t1_ms: float) -> Page:
    strokes = []
    for stroke in page.strokes:
        if stroke.recording != recording or stroke.end_ms < t0_ms or stroke.start_ms > t1_ms:
            continue
        inside = np.flatnonzero((stroke.t_ms >= t0_ms) & (stroke.t_ms <= t1_ms))
        strokes.append(_points(stroke, int(inside[0]), int(inside[-1]) + 1) if inside.size else None)
    texts = tuple(
        t for t in page.texts if t.t_ms is None or t.recording != recording or t0_ms <= t.t_ms <= t1_ms
    )
    return replace(page, strokes=tuple(s for s in strokes if s is not None), texts=texts)


def _points(stroke: Stroke, first: int, stop: int) -> Stroke:
    """The part of `stroke` from point `first` up to (not including) `stop`."""
    if first == 0 and stop == stroke.n_points:
        return stroke
    widths = None if stroke.widths_mm is None else stroke.widths_mm[first:stop]
    return stroke.with_changes(xy_mm=stroke.xy_mm[first:stop], t_ms=stroke.t_ms[first:stop], widths_mm=widths)


def pages_label(document: OpenedNotebook, page_indices: list[int]) -> str:
    """'page 3' / 'pages 3–4' using the pages' printed labels where they have them."""
    if not page_indices:
        return ""
    pages = document.notebook.pages
    names = [pages[i].label or str(i + 1) for i in page_indices]
    if len(names) == 1:
        return f"page {names[0]}"
    return f"pages {names[0]}–{names[-1]}"


@dataclass(frozen=True)
class Tags:
    """Metadata written into exported files: title and date (ISO 8601, may be empty)."""

    title: str = ""
    date: str = ""


def clip_tags(document: OpenedNotebook, spec: ClipSpec) -> Tags:
    """title = notebook title and the pages the clip shows; date = when the clip was recorded."""
    notebook = document.notebook
    recording = notebook.recordings[spec.recording] if spec.recording is not None else None
    pages = [spec.page] if spec.page is not None else [i for i, p in clip_pages(document, spec) if p.strokes]
    name = notebook.title or (recording.name if recording else "") or document.path.stem
    title = ", ".join(part for part in (name, pages_label(document, pages)) if part)
    created = (recording.created if recording else None) or notebook.created
    date = ""
    if created is not None:
        moment = created + dt.timedelta(seconds=spec.start_s if recording else 0.0)
        date = moment.replace(tzinfo=None).isoformat(timespec="seconds")  # local time where recorded
    return Tags(title, date)
