"""Decoding one file of a recording into the copy's int16 frames at the output rate, from
any frame on: a run starts its decoder and resampler WARMUP_S early, so that its output
equals one sequential pass (measured: the resampler's first ~32 output frames differ, an
Opus decoder needs 80 ms to converge). Ogg Vorbis/Opus runs are decoded by FFmpeg seeking
to the granule, where libsndfile would decode from the start (the two decode these
identically, ±1e-7). AAC with noise filling (PNS) decodes differently after any seek, as
FFmpeg's own seeks do: same place, other noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from numpy.typing import NDArray

from ..media.decode import SoundFileDecoder, open_audio
from ..media.dynamics import CONTEXT_S, IDENTITY, Processing, process_stream
from ..media.probe import probe
from ..model.back_to_back import BackToBack

CHUNK_FRAMES = (
    1 << 14
)  # the copy's unit of writing and of covers(): 0.34 s at 48 kHz (a tap waits for whole ones)
BLOCK_FRAMES = 1 << 16  # decoder block
WARMUP_S = 0.1  # decoded and dropped before a run: decoder and resampler settle (see above)
OGG_PREROLL_S = 0.2  # an Ogg seek lands this much early: Opus needs 80 ms to converge
_SEEKLESS_CODECS = frozenset({"vorbis", "opus"})  # libsndfile decodes these from the start to seek


@dataclass(frozen=True)
class Segment:
    """One file's place in the copy."""

    path: str
    first_frame: int  # where the file starts in the copy
    n_frames: int  # how long it lasts there (trimmed or padded with silence)


def _pcm_blocks(
    blocks: Iterator[np.ndarray], rate_in: int, rate_out: int, channels: int
) -> Generator[np.ndarray, None, None]:
    """Float32 (n, c) blocks at rate_in as interleaved int16 at rate_out with `channels` (1 or 2)."""
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="s16", layout=layout, rate=rate_out)
    for block in blocks:
        if block.shape[1] != channels:  # mix down, then spread out
            block = np.repeat(block.mean(axis=1, keepdims=True), channels, axis=1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout=layout)
        frame.sample_rate = rate_in
        for out in resampler.resample(frame):
            yield out.to_ndarray().reshape(-1)
    for out in resampler.resample(None):
        yield out.to_ndarray().reshape(-1)


def _ogg_frames(path: str, start_frame: int) -> Iterator[np.ndarray]:
    """Float32 (n, channels) codec frames of an Ogg Vorbis/Opus file from `start_frame` on,
    decoded by FFmpeg, which seeks to the granule (its FFmpegDecoder would first read every
    packet of the file for the length: 1.8 s for 3 hours of Opus). Placed as FFmpegDecoder
    does: the first frame after the seek by its timestamp, the next ones by counting."""
    with av.open(path) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        origin = next(container.decode(stream)).pts or 0
        time_base = stream.time_base
        if time_base is None:
            return
        first: av.AudioFrame | None = None
        for target in (max(0, start_frame - round(OGG_PREROLL_S * rate)), 0):  # from the start if need be
            ticks = int(Fraction(target, rate) / time_base)
            container.seek(origin + ticks, stream=stream, backward=True)
            stream.codec_context.flush_buffers()
            frames = container.decode(stream)
            first = next(frames, None)
            if first is None or first.pts is None:
                return
            position = round(Fraction(first.pts - origin) * time_base * rate)
            if position <= start_frame:
                break
        if first is None:
            return
        for frame in itertools.chain([first], frames):
            data = frame.to_ndarray()
            data = data.T if frame.format.is_planar else data.reshape(-1, frame.layout.nb_channels)
            position += len(data)
            if position > start_frame:
                yield data[max(0, len(data) - (position - start_frame)) :].astype(np.float32, copy=False)


def _batched(frames: Iterator[np.ndarray], n_frames: int) -> Iterator[np.ndarray]:
    """Small blocks joined into blocks of at least n_frames (per-block costs add up)."""
    pending, have = [], 0
    for block in frames:
        pending.append(block)
        have += len(block)
        if have >= n_frames:
            yield np.concatenate(pending)
            pending, have = [], 0
    if pending:
        yield np.concatenate(pending)


def _first_block(blocks: Iterator[np.ndarray], n_frames: int) -> Iterator[np.ndarray]:
    """`blocks` with the first n_frames joined into one block (the rest as they come)."""
    pending, have = [], 0
    for block in blocks:
        pending.append(block)
        have += len(block)
        if have >= n_frames:
            break
    if pending:
        joined = np.concatenate(pending)
        yield joined[:n_frames]
        if len(joined) > n_frames:
            yield joined[n_frames:]
    yield from blocks


class Run:
    """Consecutive output frames of one file from `first_frame` (of the file, at the
    output rate) on, as int16, as heard with `processing` (media.dynamics: applied at the
    file's own rate before resampling, from CONTEXT_S earlier, so that every run of the
    file hears the same limiter and compressor); silence past the end of the file's audio.
    `wanted_frames`: that many are wanted at once (a tap waits for them): they are decoded
    and processed as one block, not in BLOCK_FRAMES with one more block of look-ahead."""

    def __init__(
        self,
        segment: Segment,
        first_frame: int,
        sample_rate: int,
        channels: int,
        processing: Processing = IDENTITY,
        wanted_frames: int = 0,
    ) -> None:
        self.segment, self.next_frame, self._channels = segment, first_frame, channels
        self.processing = processing
        self._decoder = decoder = open_audio(segment.path)
        rate_in = decoder.sample_rate
        step = math.gcd(rate_in, sample_rate)
        q_in, q_out = rate_in // step, sample_rate // step  # q_in input frames make exactly q_out
        warmup = round(WARMUP_S * rate_in)
        if not processing.is_identity:
            warmup += math.ceil(CONTEXT_S * rate_in)
        in_start = max(0, (first_frame * rate_in // sample_rate - warmup) // q_in * q_in)
        self._skip = first_frame - in_start * q_out // q_in
        blocks: Iterator[NDArray[np.float32]]
        if in_start > 0 and decoder.codec in _SEEKLESS_CODECS and isinstance(decoder, SoundFileDecoder):
            blocks = _batched(_ogg_frames(segment.path, in_start), BLOCK_FRAMES)
        else:
            blocks = decoder.blocks(BLOCK_FRAMES, in_start)
        if wanted_frames > 0:  # what is wanted, the limiter's context after it, the resampler's delay
            extra = (math.ceil(CONTEXT_S * rate_in) if not processing.is_identity else 0) + rate_in // 50
            blocks = _first_block(
                blocks, math.ceil((self._skip + wanted_frames) * rate_in / sample_rate) + extra
            )
        blocks = process_stream(blocks, rate_in, processing, first_frame=in_start, eager=True)
        self._pcm = _pcm_blocks(blocks, rate_in, sample_rate, channels)
        self._pending = np.empty(0, np.int16)

    def read(self, n_frames: int) -> np.ndarray:
        wanted = n_frames * self._channels
        parts, have = [self._pending], len(self._pending)
        while have < wanted + self._skip * self._channels:
            block = next(self._pcm, None)
            if block is None:
                break
            parts.append(block)
            have += len(block)
        samples = np.concatenate(parts)[self._skip * self._channels :]
        self._skip = 0
        out, self._pending = samples[:wanted], samples[wanted:]
        self.next_frame += n_frames
        return out if len(out) == wanted else np.concatenate([out, np.zeros(wanted - len(out), np.int16)])

    def close(self) -> None:
        self._pcm.close()  # closes an Ogg reader's container
        self._decoder.close()


def plan(files: Sequence[tuple[str, float | None]], sample_rate: int) -> tuple[list[Segment], int]:
    """Where each file goes in the copy, and the copy's channels (mono when every file is)."""
    infos = [probe(path) for path, _ in files]
    decoded_s = [info.n_frames / info.sample_rate for info in infos]
    durations = [length if d is None else d for (_, d), length in zip(files, decoded_s, strict=True)]
    frames = BackToBack(durations).frame_starts(sample_rate)
    segments = [Segment(path, frames[i], frames[i + 1] - frames[i]) for i, (path, _) in enumerate(files)]
    return segments, 1 if all(info.channels == 1 for info in infos) else 2


def chunk_table(segments: list[Segment]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first frame, end frame, segment index) of every chunk: each file's own run of chunks."""
    none = np.zeros(0, np.int64)
    starts = [s.first_frame + np.arange(0, s.n_frames, CHUNK_FRAMES, dtype=np.int64) for s in segments]
    ends = [
        np.minimum(first + CHUNK_FRAMES, s.first_frame + s.n_frames)
        for first, s in zip(starts, segments, strict=True)
    ]
    segment_of = [np.full(len(first), i, np.int64) for i, first in enumerate(starts)]
    return np.concatenate([none, *starts]), np.concatenate([none, *ends]), np.concatenate([none, *segment_of])


def wanted_of(start: int, wanted: tuple[int, int], segment: Segment) -> int:
    """How many frames from `start` a run starting there decodes at once: the rest of the
    span a request waits for (in this segment) when `start` is its first chunk or in it;
    none elsewhere (the chunks the copy wraps round to are not waited for)."""
    first, end = wanted
    if not first - CHUNK_FRAMES < start < end:
        return 0
    return max(0, min(end, segment.first_frame + segment.n_frames) - start)
