"""A clip as a .pencast notebook of its own: the pages it touches, their ink within the
range with times shifted to the clip's start, and the audio cut to the sample. The clip's
transcript and bookmarks come along on its clock; loudness processing is not applied to
the samples but stored as the recording's level (the player applies it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...formats import FormatError
from ...formats.pencast import WriteCancelled, write_pencast
from ...model import (
    AudioFile,
    AudioStore,
    Bookmark,
    Notebook,
    Page,
    PageText,
    Recording,
    StoredLevel,
    Stroke,
    Timeline,
)
from ...model.units import format_hms
from ..document import OpenedNotebook
from .atomic import scratch_file
from .audio_clip import clip_frames, note_losses, open_encoder, write_clip
from .clip_transcript import clip_transcript
from .core import ClipSpec, ExportCancelled, ExportError, Progress, check_cancel
from .heard import clip_processing
from .ranges import clip_pages
from .recording_reader import RecordingReader

AUDIO_SHARE = 0.8  # of the progress bar: cutting the audio; the rest is writing the archive
_KEPT_CODECS = {"pcm": ".wav", "flac": ".flac"}  # cut without loss in their own format


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    check_cancel(progress, 0.0)
    pages = clip_pages(document, spec)
    if spec.recording is None:
        _write(_notebook(document, [(i, _without_audio(p)) for i, p in pages], ()), temp_path, progress, 0.0)
        return
    if spec.strokes is None:
        pages = [(i, p) for i, p in pages if p.strokes]
    if not pages:
        raise ExportError(
            f"no ink was written between {spec.start_s:.3f} s and {spec.end_s:.3f} s: "
            "export the audio alone instead"
        )
    source = document.notebook.recordings[spec.recording]
    if source.is_missing:
        raise ExportError(source.missing_text())
    level = _level(source, spec, progress)
    # Beside the target, where there is room for the clip; removed with the export's part.
    audio_path = scratch_file(_KEPT_CODECS.get(source.codec, ".flac"))
    recording = replace(_cut_audio(source, spec, audio_path, progress), level=level)
    shifter = _TimeShift(document.timeline, spec)
    shifted = [(i, shifter.page(p)) for i, p in pages]
    notebook = replace(
        _notebook(document, shifted, (recording,)),
        transcripts=(clip_transcript(document, spec),),
        bookmarks=_bookmarks(document, spec),
    )
    _write(notebook, temp_path, progress, AUDIO_SHARE)


def _level(source: Recording, spec: ClipSpec, progress: Progress) -> StoredLevel | None:
    """What --normalize / --voice-clarity ask for, stored instead of applied (the gain is
    solved from the whole source recording's loudness, so the clip plays as loud as there)."""
    if spec.normalize_lufs is None and not spec.voice_clarity:
        return source.level  # a clip of a clip plays as its source did
    processing = clip_processing(source, spec, lambda _f: check_cancel(progress, 0.0))
    return StoredLevel(processing.gain_db, processing.target_lufs, processing.voice_clarity)


def _bookmarks(document: OpenedNotebook, spec: ClipSpec) -> tuple[Bookmark, ...]:
    """The bookmarks inside the clip (the user's current ones, else the file's), on its clock."""
    marks = spec.bookmarks if spec.bookmarks is not None else document.notebook.bookmarks
    return tuple(
        Bookmark(0, b.position_s - spec.start_s, b.name)
        for b in marks
        if b.recording == spec.recording and spec.start_s <= b.position_s <= spec.end_s
    )


def _cut_audio(source: Recording, spec: ClipSpec, path: Path, progress: Progress) -> Recording:
    """The range of `source` as one file at `path`: WAV and FLAC stay themselves, lossy
    codecs become FLAC of their decoded samples (a packet copy cannot cut to the sample)."""
    with RecordingReader(source) as reader:
        start, end = clip_frames(spec, reader.sample_rate, reader.n_frames)
        with open_encoder(path, path.suffix, reader.sample_rate, reader.channels, bits=reader.bits) as enc:
            write_clip(reader, enc, start, end, spec.fade_ms, progress, 0.0, AUDIO_SHARE)
        note_losses(reader)
        n_frames = end - start
        audio = AudioFile(
            store=AudioStore.FILE,
            member=str(path),
            codec="pcm" if path.suffix == ".wav" else "flac",
            sample_rate=reader.sample_rate,
            channels=reader.channels,
            n_frames=n_frames,
            clock_start_ms=0.0,
            clock_duration_ms=n_frames * 1000.0 / reader.sample_rate,
        )
    name = f"{source.name} {format_hms(spec.start_s, millis=True)}–{format_hms(spec.end_s, millis=True)}"
    created = source.created + dt.timedelta(seconds=spec.start_s) if source.created else None
    return Recording(name=name, files=(audio,), created=created)


class _TimeShift:
    """Moves ink onto the clip's clock: 0 ms = the clip's first sample. Ink of the clip's
    recording lands where it sounds in the cut (pauses between files removed); other ink
    moves by the same offset and loses its audio link."""

    def __init__(self, timeline: Timeline, spec: ClipSpec):
        assert spec.recording is not None
        self._timeline, self._recording, self._start_s = timeline, spec.recording, spec.start_s
        self._offset_ms = timeline.ink_time_ms(spec.recording, spec.start_s)

    def time_ms(self, t_ms: np.ndarray) -> np.ndarray:
        position = self._timeline.position_s
        return np.array([(position(self._recording, t) - self._start_s) * 1000.0 for t in t_ms.tolist()])

    def stroke(self, stroke: Stroke) -> Stroke:
        if stroke.recording == self._recording:
            return stroke.with_changes(t_ms=self.time_ms(stroke.t_ms), recording=0)
        return stroke.with_changes(t_ms=stroke.t_ms - self._offset_ms, recording=None)

    def text(self, text: PageText) -> PageText:
        if text.t_ms is None:
            return replace(text, recording=0 if text.recording == self._recording else None)
        if text.recording == self._recording:
            return replace(text, t_ms=float(self.time_ms(np.array([text.t_ms]))[0]), recording=0)
        return replace(text, t_ms=text.t_ms - self._offset_ms, recording=None)

    def page(self, page: Page) -> Page:
        return replace(
            page,
            strokes=tuple(self.stroke(s) for s in page.strokes),
            texts=tuple(self.text(t) for t in page.texts),
        )


def _without_audio(page: Page) -> Page:
    """A page for a clip without a recording: its ink keeps its times, not its links."""
    return replace(
        page,
        strokes=tuple(s.with_changes(recording=None) for s in page.strokes),
        texts=tuple(replace(t, recording=None) for t in page.texts),
    )


def _notebook(
    document: OpenedNotebook, pages: list[tuple[int, Page]], recordings: tuple[Recording, ...]
) -> Notebook:
    source = document.notebook
    return Notebook(
        pages=tuple(p for _, p in pages),
        recordings=recordings,
        title=source.title,
        source_format=source.source_format,
        created=source.created,
    )


def _write(notebook: Notebook, temp_path: Path, progress: Progress, done: float) -> None:
    def on_progress(members_done: int, total: int) -> bool:
        return progress(done + (1.0 - done) * members_done / max(total, 1))

    try:
        write_pencast(notebook, temp_path, on_progress)
    except WriteCancelled:
        raise ExportCancelled() from None
    except FormatError as e:
        raise ExportError(str(e)) from None
