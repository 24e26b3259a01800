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
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from numpy.typing import NDArray

from ..media.decode import SoundFileDecoder, open_audio
from ..media.dynamics import CONTEXT_S, IDENTITY, Processing, process_stream

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


class Run:
    """Consecutive output frames of one file from `first_frame` (of the file, at the
    output rate) on, as int16, as heard with `processing` (media.dynamics: applied at the
    file's own rate before resampling, from CONTEXT_S earlier, so that every run of the
    file hears the same limiter and compressor); silence past the end of the file's audio."""

    def __init__(
        self,
        segment: Segment,
        first_frame: int,
        sample_rate: int,
        channels: int,
        processing: Processing = IDENTITY,
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
        blocks = process_stream(blocks, rate_in, processing, first_frame=in_start)
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
