"""What the listener hears of a quiet recording: a gain that brings it to a loudness target,
an optional "voice clarity" stage (80 Hz high-pass, gentle compression) and a look-ahead
peak limiter so pen clicks and bumps cannot blast the listener. Written once, used by the
playback copy and by every audio export.

Every stage is a function of a bounded neighbourhood of each sample (moving windows, no
unbounded recursion), so a region processed with `CONTEXT_S` of real audio on each side
comes out the same whatever order regions are processed in: the progressive playback copy
writes the tapped region first and must still be sample-exact and seamless.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

LOOKAHEAD_S = 0.005  # the limiter starts turning down this long before a peak
HOLD_S = 0.05  # and holds the reduction this long after it (no 200 Hz gain ripple)
COMPRESSOR_WINDOW_S = 0.02  # RMS window of the compressor's level detector
COMPRESSOR_SMOOTHING_S = 0.05
HIGH_PASS_HZ = 80.0
CONTEXT_S = 0.25  # audio needed on each side of a region for an exact, seamless result
MAX_GAIN_DB = 30.0
MAX_VOLUME_DB = 20.0
# The limiter sees the 4× interpolated peaks; its smooth gain changes them by a few
# hundredths of a dB, which this margin absorbs.
INTERSAMPLE_MARGIN_DB = 0.1


@dataclass(frozen=True)
class Processing:
    """How a recording is to be heard. `gain_db` is the loudness normalisation (from the
    measured integrated loudness, 0 when off); `volume_db` the user's boost (0…+20 dB)."""

    gain_db: float = 0.0
    volume_db: float = 0.0
    voice_clarity: bool = False
    ceiling_dbtp: float = -1.0
    limit: bool = True
    target_lufs: float = -16.0  # the level voice clarity compresses around

    @property
    def reference_db(self) -> float:
        return self.target_lufs + min(max(self.volume_db, -60.0), MAX_VOLUME_DB)

    @property
    def is_identity(self) -> bool:
        return self.gain_db == 0.0 and self.volume_db == 0.0 and not self.voice_clarity and not self.limit

    @property
    def total_gain(self) -> float:
        db = min(self.gain_db, MAX_GAIN_DB) + min(max(self.volume_db, -60.0), MAX_VOLUME_DB)
        return float(10.0 ** (db / 20.0))


_INTERPOLATOR = signal.firwin(48, 0.25, window=("kaiser", 5.0)).astype(np.float32) * 4


def true_peak_envelope(frames: NDArray[np.float32]) -> NDArray[np.float32]:
    """Per frame, the largest |x| of the 4× interpolated signal around it (over channels),
    so the limiter catches the peaks between samples that a DAC or a resampler makes."""
    upsampled = signal.upfirdn(_INTERPOLATOR, frames, up=4, axis=0)
    delay = (len(_INTERPOLATOR) - 1) // 2
    body = np.abs(upsampled[delay : delay + 4 * len(frames)]).reshape(len(frames), 4, -1)
    return np.asarray(np.maximum(body.max(axis=(1, 2)), np.abs(frames).max(axis=1)), dtype=np.float32)


def _high_pass(frames: NDArray[np.float32], sample_rate: int) -> NDArray[np.float32]:
    if sample_rate <= 2 * HIGH_PASS_HZ:
        return frames
    sos = signal.butter(2, HIGH_PASS_HZ, btype="highpass", fs=sample_rate, output="sos")
    return np.asarray(signal.sosfilt(sos, frames, axis=0), dtype=np.float32)


def _compressor_gain(
    level: NDArray[np.float32], sample_rate: int, reference_db: float
) -> NDArray[np.float32]:
    """Gentle speech compression around the loudness the listener asked for: syllables
    more than 3 dB above it come down 2 dB per 3 dB, quiet speech more than 12 dB below it
    comes up by half the difference (at most 6 dB; nothing under −60 dBFS, which is room
    noise), smoothed over 50 ms. Loudness stays near the reference; its range shrinks."""
    window = max(1, round(COMPRESSOR_WINDOW_S * sample_rate))
    power = ndimage.uniform_filter1d(np.square(level, dtype=np.float32), window, mode="nearest")
    level_db = 10.0 * np.log10(np.maximum(power, 1e-12))
    cut = np.maximum(level_db - (reference_db + 3.0), 0.0) * (2.0 / 3.0)
    lift = np.clip((reference_db - 12.0) - level_db, 0.0, 12.0) * 0.5
    lift[level_db < -60.0] = 0.0
    smooth = max(1, round(COMPRESSOR_SMOOTHING_S * sample_rate))
    gain_db = ndimage.uniform_filter1d((lift - cut).astype(np.float32), smooth, mode="nearest")
    return np.asarray(np.power(np.float32(10.0), gain_db / np.float32(20.0)), dtype=np.float32)


def limiter_gain(peak: NDArray[np.float32], ceiling: float, sample_rate: int) -> NDArray[np.float32]:
    """Per-frame gain ≤ 1 such that peak · gain ≤ ceiling everywhere. The needed gain's
    minimum over [n − hold, n + look-ahead] is averaged over the look-ahead: each averaged
    value covers sample n, so the result never exceeds what n needs, and the gain falls
    smoothly over 5 ms before a click and comes back 50 ms after it."""
    needed = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12)).astype(np.float32)
    look = max(1, round(LOOKAHEAD_S * sample_rate))
    hold = max(look, round(HOLD_S * sample_rate))
    size = hold + look + 1
    # minimum_filter1d's window is [n − size//2 + origin … ]: shift it to [n − hold, n + look]
    origin = hold - size // 2
    held = ndimage.minimum_filter1d(needed, size, mode="nearest", origin=origin)
    # the average over [n − look/2 … n + look/2] of windows that all contain n
    smoothed = ndimage.uniform_filter1d(held, look // 2 * 2 + 1, mode="nearest")
    return np.asarray(np.minimum(smoothed, needed) if look < 3 else smoothed, dtype=np.float32)


def process(frames: NDArray[np.float32], sample_rate: int, processing: Processing) -> NDArray[np.float32]:
    """frames (n, channels) float32 → the same shape as heard. For a region of a longer
    signal, pass CONTEXT_S of real audio on each side and keep the middle."""
    if processing.is_identity or not len(frames):
        return frames
    out = frames.reshape(len(frames), -1).astype(np.float32, copy=True)
    out *= np.float32(processing.total_gain)
    if processing.voice_clarity:
        out = _high_pass(out, sample_rate)
        out *= _compressor_gain(np.abs(out).max(axis=1), sample_rate, processing.reference_db)[:, None]
    if processing.limit:
        ceiling = 10.0 ** ((processing.ceiling_dbtp - INTERSAMPLE_MARGIN_DB) / 20.0)
        out *= limiter_gain(true_peak_envelope(out), ceiling, sample_rate)[:, None]
    np.clip(out, -1.0, 1.0, out=out)
    return out.reshape(frames.shape)


def process_region(
    frames: NDArray[np.float32], start: int, stop: int, sample_rate: int, processing: Processing
) -> NDArray[np.float32]:
    """Frames [start, stop) of `frames` as heard, computed from a neighbourhood of
    CONTEXT_S on each side, so the result does not depend on how a long signal is cut."""
    context = math.ceil(CONTEXT_S * sample_rate)
    lo, hi = max(0, start - context), min(len(frames), stop + context)
    return process(frames[lo:hi], sample_rate, processing)[start - lo : stop - lo]


def process_stream(
    blocks: Iterable[NDArray[np.float32]], sample_rate: int, processing: Processing
) -> Iterator[NDArray[np.float32]]:
    """`blocks` (n, channels) in order, as heard, in blocks of the same sizes: each is
    processed with CONTEXT_S of its neighbours, so the result equals process() on the whole
    (the stream's own ends are its edges). One block of delay, bounded memory."""
    if processing.is_identity:
        yield from blocks
        return
    context = math.ceil(CONTEXT_S * sample_rate)
    history = np.zeros((0, 1), dtype=np.float32)  # the last `context` frames already emitted
    waiting: list[NDArray[np.float32]] = []  # blocks read but not emitted, in order
    for block in blocks:
        waiting.append(block)
        while len(waiting) > 1 and sum(len(b) for b in waiting[1:]) >= context:
            history = yield from _emit_first(waiting, history, context, sample_rate, processing)
    while waiting:
        history = yield from _emit_first(waiting, history, context, sample_rate, processing)


def _emit_first(
    waiting: list[NDArray[np.float32]],
    history: NDArray[np.float32],
    context: int,
    sample_rate: int,
    processing: Processing,
) -> Generator[NDArray[np.float32], None, NDArray[np.float32]]:
    block = waiting.pop(0)
    ahead = np.concatenate(waiting)[:context] if waiting else block[:0]
    if len(history) and history.shape[1] != block.shape[1]:
        history = history[:0].reshape(0, block.shape[1])
    window = np.concatenate([history.reshape(-1, block.shape[1]), block, ahead.reshape(-1, block.shape[1])])
    yield process(window, sample_rate, processing)[len(history) : len(history) + len(block)]
    return np.concatenate([history.reshape(-1, block.shape[1]), block])[-context:]
