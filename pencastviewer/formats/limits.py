"""Limits a real notebook never reaches, and the check every notebook passes on its way out
of the read entry point: every number finite and within them, so nothing downstream (the
timeline, hit testing, drawing, `info --json`, exports) meets a NaN, an infinity or a
value that overflows. Readers check the same limits while streaming, to stop early.

docs/formats.md lists these limits for users.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..model import AudioFile, AudioStore, Notebook, Page, PageInk, Recording
from .errors import CorruptFileError, TooLargeError

# A semester of daily lectures written densely is ~1 M points; 5 M points cost ~200 MB.
MAX_POINTS = 5_000_000
MAX_STROKES = 1_000_000
MAX_PAGES = 100_000
MAX_PAGE_MM = 1e6  # 1 km
# Coordinates and widths need only be finite: hit testing and drawing bound what they
# use (readers skip strokes beyond their own format's reach).
# Times in ms on any clock: 2^53 ms is 285 000 years, and float64 still holds each ms.
MAX_TIME_MS = float(2**53)
MAX_SAMPLE_RATE = 1_536_000  # the highest rate any audio interface records (PCM 1536 kHz)
MAX_CHANNELS = 64
MAX_FRAMES = 2**48  # 185 years at 48 kHz
# A declared span may exceed the audio present by this much (encoder padding, rounding of
# the declared end); beyond it the audio's own length is used.
SPAN_SLACK_MS = 2000.0
SPAN_SLACK_RATIO = 0.005
# A file whose length could not be measured plays at most this long (a declared 2^52 ms
# would make an export pad silence forever).
MAX_UNMEASURED_MS = 24 * 3600 * 1000.0


def unix_ms_datetime(unix_ms: float) -> dt.datetime | None:
    """The UTC date of a Unix time in ms; None for one no calendar date has (year 78901)."""
    try:
        return dt.datetime.fromtimestamp(unix_ms / 1000.0, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def points_left(path: str | Path, n_points: int) -> None:
    """For readers, while streaming: TooLargeError once `n_points` pass MAX_POINTS."""
    if n_points > MAX_POINTS:
        raise TooLargeError(
            path, f"holds more than {MAX_POINTS:,} points (the most a notebook file may have)"
        )


def check_notebook(notebook: Notebook, path: str | Path) -> Notebook:
    """`notebook` when every number in it is finite and within the limits above (else a
    CorruptFileError / TooLargeError naming `path` and the place), with each audio file's
    declared span checked against the audio actually present (see measured_spans)."""
    if len(notebook.pages) > MAX_PAGES:
        raise TooLargeError(path, f"has {len(notebook.pages):,} pages (limit {MAX_PAGES:,})")
    n_points = n_strokes = 0
    for p, page in enumerate(notebook.pages):
        _check_page(page, path, f"page {p + 1}")
        n_strokes += page.ink.n_strokes
        n_points += page.n_points
    if n_strokes > MAX_STROKES:
        raise TooLargeError(path, f"has {n_strokes:,} strokes (limit {MAX_STROKES:,})")
    points_left(path, n_points)
    for r, recording in enumerate(notebook.recordings):
        _check_recording(recording, path, f"recording {r + 1}")
    return measured_spans(notebook)


def measured_spans(notebook: Notebook) -> Notebook:
    """Spans on the notebook clock that the audio can fill: a file declared longer than
    its audio (beyond the slack) plays for its audio's length, one whose length is unknown
    for at most MAX_UNMEASURED_MS; each change is a warning for the user."""
    warnings: list[str] = []
    recordings = []
    for recording in notebook.recordings:
        files = tuple(_measured(f, recording.name, warnings) for f in recording.files)
        recordings.append(
            recording if files == recording.files else dataclasses.replace(recording, files=files)
        )
    if not warnings:
        return notebook
    return dataclasses.replace(
        notebook, recordings=tuple(recordings), warnings=(*notebook.warnings, *warnings)
    )


def _measured(audio: AudioFile, name: str, warnings: list[str]) -> AudioFile:
    declared = audio.clock_duration_ms
    if audio.store == AudioStore.MISSING:
        return audio
    if audio.n_frames > 0 and audio.sample_rate > 0:
        present = audio.n_frames * 1000.0 / audio.sample_rate
        if declared <= present + max(SPAN_SLACK_MS, present * SPAN_SLACK_RATIO):
            return audio
        warnings.append(
            f"recording “{name}”: {audio.member} is said to last {declared / 1000:,.3f} s but holds "
            f"{present / 1000:,.3f} s of audio; its audio's length is used"
        )
        return dataclasses.replace(audio, clock_duration_ms=present)
    if declared <= MAX_UNMEASURED_MS:
        return audio
    warnings.append(
        f"recording “{name}”: {audio.member} is said to last {declared / 1000:,.3f} s and its length "
        f"could not be measured; it is played for at most {MAX_UNMEASURED_MS / 3_600_000:g} hours"
    )
    return dataclasses.replace(audio, clock_duration_ms=MAX_UNMEASURED_MS)


def _bad(path: str | Path, where: str, what: str) -> CorruptFileError:
    return CorruptFileError(path, what, where=where)


def _within(values: Iterable[float], limit: float) -> bool:
    return all(math.isfinite(v) and abs(v) <= limit for v in values)


def _check_page(page: Page, path: str | Path, where: str) -> None:
    if not _within((page.width_mm, page.height_mm), MAX_PAGE_MM):
        raise _bad(path, where, f"a page size of {page.width_mm} × {page.height_mm} mm is impossible")
    bad = _bad_stroke(page.ink)
    if bad is not None:
        raise _bad(path, f"{where}, stroke {bad[0] + 1}", bad[1])
    for t, text in enumerate(page.texts):
        times = () if text.t_ms is None else (text.t_ms,)
        if not (_within((text.x_mm, text.y_mm), math.inf) and _within(times, MAX_TIME_MS)):
            raise _bad(path, f"{where}, text {t + 1}", "a position or time is not a number or out of range")
        if not _within((text.size_pt,), MAX_PAGE_MM):
            raise _bad(path, f"{where}, text {t + 1}", "the font size is not a number or out of range")
    rects = [image.rect_mm for image in page.images]
    if page.background is not None and page.background.image_rect_mm is not None:
        rects.append(page.background.image_rect_mm)
    if not all(_within(rect, math.inf) for rect in rects):
        raise _bad(path, where, "an image's rectangle is not a finite number")


def _bad_stroke(ink: PageInk) -> tuple[int, str] | None:
    """The first stroke with a number out of range and what is wrong with it (checked as
    columns, in the order a coordinate, a time, a width)."""
    if _all_within(ink):
        return None
    counts = np.diff(ink.offsets)
    with np.errstate(invalid="ignore"):
        point_bad = np.stack(
            [
                ~np.isfinite(ink.xy_mm).all(axis=1),
                ~(np.abs(ink.t_ms) <= MAX_TIME_MS),
                (~np.isfinite(ink.widths_mm) & np.repeat(ink.has_widths, counts))
                if ink.widths_mm is not None
                else np.zeros(ink.n_points, bool),
            ],
            axis=1,
        )
    stroke_bad = np.zeros((ink.n_strokes, 3), bool)
    rows = np.flatnonzero(point_bad.any(axis=1))
    np.logical_or.at(stroke_bad, ink.stroke_of_point(rows), point_bad[rows])
    stroke_bad[:, 2] |= ~np.isfinite(ink.width_mm)
    stroke_bad[:, 2] |= np.fromiter(
        (not all(math.isfinite(d) for d in dash) for dash in ink.dash_mm), bool, ink.n_strokes
    )
    if not stroke_bad.any():
        return None
    s = int(np.flatnonzero(stroke_bad.any(axis=1))[0])
    return s, _STROKE_PROBLEMS[int(np.argmax(stroke_bad[s]))]


def _all_within(ink: PageInk) -> bool:
    """Nothing out of range on the page, found with whole-column reductions (the usual
    case: the per-point table below costs ~2 ms a page of 30 000 points)."""
    with np.errstate(invalid="ignore"):
        return (
            bool(np.isfinite(ink.xy_mm).all())
            and bool((np.abs(ink.t_ms) <= MAX_TIME_MS).all())
            and (ink.widths_mm is None or bool(np.isfinite(ink.widths_mm).all()))
            and bool(np.isfinite(ink.width_mm).all())
            and all(math.isfinite(d) for dash in set(ink.dash_mm) for d in dash)
        )


_STROKE_PROBLEMS = (
    "a coordinate is not a finite number",
    "a time is not a number or out of range",
    "a width is not a finite number",
)


def _array_within(values: np.ndarray, limit: float) -> bool:
    if values.size == 0:
        return True
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(values) <= limit) if math.isfinite(limit) else np.isfinite(values).all())


def _check_recording(recording: Recording, path: str | Path, where: str) -> None:
    for f, audio in enumerate(recording.files):
        at = f"{where}, file {f + 1} ({audio.member})"
        if not 0 <= audio.sample_rate <= MAX_SAMPLE_RATE:  # 0: unknown (a missing file)
            raise _bad(path, at, f"a sample rate of {audio.sample_rate} Hz is impossible")
        if not 0 <= audio.channels <= MAX_CHANNELS:
            raise _bad(path, at, f"{audio.channels} channels is impossible")
        if not 0 <= audio.n_frames <= MAX_FRAMES:
            raise _bad(path, at, f"a length of {audio.n_frames} frames is impossible")
        if (
            not _within((audio.clock_start_ms, audio.clock_duration_ms), MAX_TIME_MS)
            or audio.clock_duration_ms < 0
        ):
            raise _bad(path, at, "its place on the notebook clock is not a number or out of range")
