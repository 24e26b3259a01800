"""Decoded blocks of any rate and channel count → mono float32 at 16 kHz, streamed.

FFmpeg's resampler (through PyAV, already a dependency) keeps its filter state between
blocks, so a recording is converted block by block without seams and never held whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import av
import numpy as np
from numpy.typing import NDArray

from .engine import SAMPLE_RATE


def mono_16k(blocks: Iterable[NDArray[np.float32]], sample_rate: int) -> Iterator[NDArray[np.float32]]:
    """`blocks` (frames, channels) at `sample_rate` as mono 16 kHz blocks."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    for block in blocks:
        if len(block) == 0:
            continue
        mono = block.mean(axis=1, dtype=np.float32) if block.ndim == 2 else block.astype(np.float32)
        if sample_rate == SAMPLE_RATE:
            yield np.ascontiguousarray(mono)
            continue
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(mono)[None, :], format="flt", layout="mono")
        frame.sample_rate = sample_rate
        yield from _arrays(resampler.resample(frame))
    if sample_rate != SAMPLE_RATE:
        yield from _arrays(resampler.resample(None))  # the filter's tail


def _arrays(frames: Iterable[av.AudioFrame]) -> Iterator[NDArray[np.float32]]:
    for frame in frames:
        yield frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)
