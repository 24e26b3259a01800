"""Transcribing a whole recording without holding it: its files are decoded in blocks,
converted to 16 kHz mono and cut into windows of a few minutes at the quietest moment near
each window's end (so no word is cut in two); each window goes to the Transcriber and its
words are moved onto the recording's clock (files back-to-back, as played)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .document import Segment, Transcript
from .engine import SAMPLE_RATE, Progress, Transcriber, TranscriptionCancelled
from .resample import mono_16k

WINDOW_S = 60.0  # what one window holds: 3.8 MB of samples, ~60 MB of Whisper features at its peak
CUT_SEARCH_S = 6.0  # the cut goes at the quietest 50 ms in the last seconds of a window
_QUIET_FRAME = SAMPLE_RATE // 20
_BLOCK_FRAMES = 1 << 15


class BlockSource(Protocol):
    """An open audio file as the project's decoders give it (float32 (n, channels) blocks)."""

    sample_rate: int
    n_frames: int

    def blocks(
        self, block_frames: int = ..., start_frame: int = ..., end_frame: int | None = ...
    ) -> Iterator[NDArray[np.float32]]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class FileSpan:
    """One file of a recording: opened when its turn comes, played from played_start_s for
    played_duration_s on the recording's clock (a file's span on the notebook clock may be
    shorter than what it decodes to: only the span is transcribed). content_key: what the
    cache knows the file's audio by (cache.file_content_key)."""

    open: Callable[[], BlockSource]
    played_start_s: float
    played_duration_s: float
    content_key: str = ""


def _quietest_cut(samples: NDArray[np.float32], window: int) -> int:
    """A cut index in (window - CUT_SEARCH_S, window]: the start of the quietest 50 ms."""
    lo = max(window - int(CUT_SEARCH_S * SAMPLE_RATE), _QUIET_FRAME)
    region = samples[lo:window]
    n = len(region) // _QUIET_FRAME
    if n == 0:
        return window
    energy = np.square(region[: n * _QUIET_FRAME].reshape(n, _QUIET_FRAME)).mean(axis=1)
    return lo + int(np.argmin(energy)) * _QUIET_FRAME


def windows(source: BlockSource, duration_s: float) -> Iterator[tuple[float, NDArray[np.float32]]]:
    """(start in seconds, 16 kHz mono samples) windows covering the first duration_s."""
    end_frame = min(source.n_frames, round(duration_s * source.sample_rate))
    window = int(WINDOW_S * SAMPLE_RATE)
    pending: list[NDArray[np.float32]] = []
    n_pending, start = 0, 0
    for block in mono_16k(source.blocks(_BLOCK_FRAMES, 0, end_frame), source.sample_rate):
        pending.append(block)
        n_pending += len(block)
        if n_pending < window:
            continue
        samples = np.concatenate(pending)
        cut = _quietest_cut(samples, window)
        yield start / SAMPLE_RATE, samples[:cut]
        pending, n_pending, start = [samples[cut:]], len(samples) - cut, start + cut
    if n_pending:
        yield start / SAMPLE_RATE, np.concatenate(pending)


class _Run:
    def __init__(
        self, transcriber: Transcriber, language: str | None, total_s: float, progress: Progress | None
    ):
        self.transcriber, self.language = transcriber, language
        self.total_s, self.progress = max(total_s, 1e-9), progress
        self.segments: list[Segment] = []

    def report(self, done_s: float) -> None:
        if self.progress is not None and self.progress(min(max(done_s / self.total_s, 0.0), 1.0)):
            raise TranscriptionCancelled()

    def window(self, samples: NDArray[np.float32], at_s: float, end_s: float) -> None:
        language, segments = self.transcriber.transcribe(samples, self.language)
        self.language = self.language or language  # the first window's guess holds for the rest
        for segment in segments:
            placed = segment.shifted(at_s, at_s, end_s)
            self.segments.append(placed)
            self.report(placed.end_s)
        self.report(at_s + len(samples) / SAMPLE_RATE)


def transcribe_files(
    transcriber: Transcriber,
    files: Sequence[FileSpan],
    language: str | None = None,
    progress: Progress | None = None,
) -> Transcript:
    """The transcript of a recording made of `files`. progress(fraction) returning True
    cancels (TranscriptionCancelled). Word times are monotonic and inside the recording."""
    run = _Run(transcriber, language, sum(f.played_duration_s for f in files), progress)
    run.report(0.0)
    for file in files:
        source = file.open()
        try:
            end_s = file.played_start_s + file.played_duration_s
            for at_s, samples in windows(source, file.played_duration_s):
                run.window(samples, file.played_start_s + at_s, end_s)
        finally:
            source.close()
    made = Transcript(run.language or "", transcriber.model_name, _monotonic(run.segments))
    return Transcript.from_dict(made.to_dict())  # as stored (ms, rounded): cached and fresh compare equal


def _monotonic(segments: list[Segment]) -> tuple[Segment, ...]:
    """Word starts never go back (Whisper's alignment can, by a few ms, at segment seams)."""
    out, floor = [], 0.0
    for segment in segments:
        words = []
        for w in segment.words:
            floor = max(floor, w.start_s)
            words.append(
                w if w.start_s >= floor else w.shifted(floor - w.start_s, floor, max(w.end_s, floor))
            )
        start = min([segment.start_s, *(w.start_s for w in words)])
        out.append(Segment(start, max(segment.end_s, start), segment.text, tuple(words)))
    return tuple(out)
