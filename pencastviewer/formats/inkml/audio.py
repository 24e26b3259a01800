"""The recording that goes with an InkML file: given or found beside it, placed on the ink's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ...media.probe import probe
from ...media.source import AudioError, AudioInfo
from ...model import AudioFile, AudioStore, Page, Recording
from ..registry import ReadOptions
from ..timing import time_from_name, unix_ms

AUDIO_SUFFIXES = (".ogg", ".wav", ".flac", ".opus", ".mp3", ".m4a")


def attach_recording(
    path: Path,
    options: ReadOptions,
    pages: list[Page],
    absolute_time: bool,
    livescribe_start_ms: float | None,
    warn: Callable[[str], None],
) -> tuple[list[Page], list[Recording]]:
    """`options.audio_paths[0]`, else a same-named audio file beside the ink. Strokes that
    start while it runs are linked to it. Without a usable start time it is placed so its
    first sample lines up with the first stroke, with a warning."""
    audio_path = _audio_path(path, options, warn)
    if audio_path is None:
        return pages, []
    try:
        info = probe(audio_path)
    except AudioError as e:
        warn(f"recording {audio_path.name!r} cannot be read ({e}); the ink opens without audio")
        return pages, []
    starts = [s.start_ms for p in pages for s in p.strokes]
    ends = [s.end_ms for p in pages for s in p.strokes]
    start_ms = _known_start(audio_path, info, absolute_time, livescribe_start_ms)
    aligned = "its beginning is aligned with the first stroke (adjust with the recording offset control)"
    if start_ms is None:
        warn(f"recording {audio_path.name!r}: when it started is not known, so {aligned}")
    elif not (start_ms <= max(ends) and start_ms + info.duration_ms >= min(starts)):
        warn(f"recording {audio_path.name!r} does not overlap the ink by its start time, so {aligned}")
        start_ms = None
    if start_ms is None:
        start_ms = min(starts)
    audio = AudioFile(
        AudioStore.FILE,
        str(audio_path.resolve()),
        info.codec,
        info.sample_rate,
        info.channels,
        info.n_frames,
        start_ms,
        info.duration_ms,
    )
    end_ms = start_ms + info.duration_ms
    linked = [
        replace(
            page,
            strokes=tuple(
                s.with_changes(recording=0) if start_ms <= s.start_ms <= end_ms else s for s in page.strokes
            ),
        )
        for page in pages
    ]
    return linked, [Recording(audio_path.name, (audio,), _dated(audio_path, info))]


def _audio_path(path: Path, options: ReadOptions, warn: Callable[[str], None]) -> Path | None:
    if options.audio_paths:
        if len(options.audio_paths) > 1:
            warn("InkML takes one recording: only the first audio file given is used")
        given = Path(options.audio_paths[0])
        if given.is_file():
            return given
        warn(f"recording {str(given)!r} not found; the ink opens without audio")
        return None
    return next((path.with_suffix(s) for s in AUDIO_SUFFIXES if path.with_suffix(s).is_file()), None)


def _dated(audio_path: Path, info: AudioInfo) -> dt.datetime | None:
    return time_from_name(audio_path.name) or info.created


def _known_start(
    audio_path: Path, info: AudioInfo, absolute_time: bool, livescribe_ms: float | None
) -> float | None:
    """Livescribe names its audio's start on the pen clock the ink uses; otherwise a wall
    clock time (file name YYYY-MM-DD_HH-MM-SS, read as UTC, or a date tag) only helps
    when the ink itself is timed by the wall clock."""
    if livescribe_ms is not None:
        return livescribe_ms
    when = _dated(audio_path, info)
    return unix_ms(when) if when is not None and absolute_time else None
