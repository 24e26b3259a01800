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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .high_pass import HIGH_PASS_HZ, high_pass
from .true_peak import true_peak_envelope

LOOKAHEAD_S = 0.005  # the limiter starts turning down this long before a peak
HOLD_S = 0.02  # and holds it this long after: a full cycle of the lowest voices (50 Hz), so the
# gain does not ripple with the waveform, yet a pen click ducks only ~25 ms of speech around it
# (at 50 ms the export test's speech envelope correlated only 0.86 with the source's)
COMPRESSOR_WINDOW_S = 0.02  # RMS window of the compressor's level detector
COMPRESSOR_SMOOTHING_S = 0.05
MAX_LIFT_DB = 6.0  # the most voice clarity raises quiet speech
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


IDENTITY = Processing(limit=False)  # the samples as recorded


def _high_pass(frames: NDArray[np.float32], sample_rate: int) -> NDArray[np.float32]:
    if sample_rate <= 2 * HIGH_PASS_HZ:
        return frames
    return high_pass(frames, sample_rate, HIGH_PASS_HZ)


def compressor_gain_db(level_db: NDArray[np.float32], reference_db: float) -> NDArray[np.float32]:
    """Voice clarity's static curve, the one rule for what it does to a level (dBFS, RMS over
    COMPRESSOR_WINDOW_S), used by the compressor itself and by what models it (the gain
    solved for a loudness target, the waveform as heard: media/normalize.py). Gentle speech
    compression around the loudness the listener asked for: syllables more than 3 dB above
    it come down 2 dB per 3 dB, quiet speech more than 12 dB below it comes up by half the
    difference (at most 6 dB; nothing under −60 dBFS, which is room noise)."""
    cut = np.maximum(level_db - (reference_db + 3.0), 0.0) * (2.0 / 3.0)
    lift = np.clip((reference_db - 12.0) - level_db, 0.0, 2.0 * MAX_LIFT_DB) * 0.5
    lift[level_db < -60.0] = 0.0
    return np.asarray(lift - cut, dtype=np.float32)


_GAIN_STEP = 16  # the compressor's and the limiter's gains are worked out per 16 frames (0.33 ms at 48 kHz)


def _compressor_gain(
    level: NDArray[np.float32], sample_rate: int, reference_db: float, first_frame: int = 0
) -> NDArray[np.float32]:
    """The compressor's gain per frame: compressor_gain_db of the RMS level over
    COMPRESSOR_WINDOW_S, smoothed over COMPRESSOR_SMOOTHING_S. Loudness stays near the
    reference; its range shrinks. Worked out per _GAIN_STEP frames, as the limiter's gain
    (steps at multiples of it in the whole signal: `first_frame` is where `level` starts):
    the level's window is a whole number of steps, so each step's is the frames' own;
    the gain, smoothed over 50 ms, moves < 0.2 dB within a step. Per frame, the two moving
    means cost 7-10 ms of a tap's 6.5 s (measured), per step a sixteenth of that."""
    n, step = len(level), _GAIN_STEP
    lead = first_frame % step
    n_steps = -(-(lead + n) // step)
    padded = np.zeros(n_steps * step, dtype=np.float32)
    padded[lead : lead + n] = level
    rows = padded.reshape(n_steps, step)
    frames_in = np.full(n_steps, step, dtype=np.float32)  # the ends' steps hold fewer frames
    frames_in[0] -= lead
    frames_in[-1] -= n_steps * step - lead - n
    step_power = np.einsum("ij,ij->i", rows, rows) / frames_in
    window = max(1, round(COMPRESSOR_WINDOW_S * sample_rate / step))
    power = _moving_mean(step_power, window)
    level_db = np.asarray(10.0 * np.log10(np.maximum(power, 1e-12)), dtype=np.float32)
    smooth = max(1, round(COMPRESSOR_SMOOTHING_S * sample_rate / step))
    gain_db = _moving_mean(compressor_gain_db(level_db, reference_db), smooth)
    gain = np.power(np.float32(10.0), gain_db / np.float32(20.0))
    return np.asarray(np.repeat(gain, step)[lead : lead + n], dtype=np.float32)


def _moving_mean(x: NDArray[np.float32], size: int) -> NDArray[np.float32]:
    """The mean of x[i − size//2 …] over `size` frames, the ends repeated: scipy.ndimage's
    uniform_filter1d (mode "nearest"), with numpy alone (the limiter loads no scipy).
    The running sums are made in place, in one buffer: each fresh temporary of a tap's
    region (~2.5 MB) cost ~1-4 ms of page faults, more than the arithmetic (measured)."""
    left, n = size // 2, len(x)
    total = np.empty(n + size, dtype=np.float64)  # 0, then the running sums of x padded
    total[0] = 0.0
    total[1 : left + 1] = x[0] if n else 0.0
    total[left + 1 : left + 1 + n] = x
    total[left + 1 + n :] = x[-1] if n else 0.0
    np.cumsum(total[1:], out=total[1:])
    out = np.empty(n, dtype=np.float32)
    difference = np.subtract(total[size:], total[:-size])
    return np.divide(difference, size, out=out, casting="same_kind")


def _moving_min(x: NDArray[np.float32], before: int, after: int) -> NDArray[np.float32]:
    """The smallest of x[i − before … i + after], the ends repeated (scipy.ndimage's
    minimum_filter1d, mode "nearest"): van Herk's running minima within blocks of the
    window's width, forwards and backwards, so the cost does not grow with the width."""
    width = before + after + 1
    padded = np.pad(x, (before, after), mode="edge")
    n_blocks = -(-len(padded) // width)
    flat = np.full(n_blocks * width, np.inf, dtype=np.float32)
    flat[: len(padded)] = padded
    blocks = flat.reshape(n_blocks, width)
    forwards = np.minimum.accumulate(blocks, axis=1).ravel()
    backwards = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.asarray(np.minimum(backwards[: len(x)], forwards[width - 1 : width - 1 + len(x)]), np.float32)


def limiter_gain(
    peak: NDArray[np.float32], ceiling: float, sample_rate: int, first_frame: int = 0
) -> NDArray[np.float32]:
    """Per-frame gain ≤ 1 such that peak · gain ≤ ceiling everywhere. The needed gain's
    minimum over [n − hold, n + look-ahead] is averaged over the look-ahead: each averaged
    value covers frame n, so the result never exceeds what n needs, and the gain falls
    smoothly over 5 ms before a click and comes back 20 ms after it. Worked out on steps of
    _GAIN_STEP frames (each taking its frames' smallest need), which keeps that guarantee at
    a sixteenth of the cost. Steps start at multiples of _GAIN_STEP of the whole signal:
    `first_frame` is where `peak` starts in it, so any cut of a signal gets the same gain."""
    n = len(peak)
    if n == 0 or float(peak.max()) <= ceiling:
        return np.ones(n, dtype=np.float32)
    lead = first_frame % _GAIN_STEP
    n_steps = -(-(lead + n) // _GAIN_STEP)
    padded = np.zeros(n_steps * _GAIN_STEP, dtype=np.float32)
    padded[lead : lead + n] = peak
    step_peak = padded.reshape(n_steps, _GAIN_STEP).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(step_peak, 1e-12)).astype(np.float32)
    look = max(1, round(LOOKAHEAD_S * sample_rate / _GAIN_STEP))
    hold = max(look, round(HOLD_S * sample_rate / _GAIN_STEP))
    held = _moving_min(needed, hold, look)  # the smallest need over [n − hold, n + look]
    # the average over [n − look/2 … n + look/2] of windows that all contain n
    smoothed = _moving_mean(held, look // 2 * 2 + 1)
    gain = np.minimum(smoothed, needed) if look < 3 else smoothed
    return np.asarray(np.repeat(gain, _GAIN_STEP)[lead : lead + n], dtype=np.float32)


def process(
    frames: NDArray[np.float32], sample_rate: int, processing: Processing, first_frame: int = 0
) -> NDArray[np.float32]:
    """frames (n, channels) float32 → the same shape as heard. For a region of a longer
    signal, pass CONTEXT_S of real audio on each side, where it starts (`first_frame`),
    and keep the middle."""
    if processing.is_identity or not len(frames):
        return frames
    out = frames.reshape(len(frames), -1).astype(np.float32, copy=True)
    out *= np.float32(processing.total_gain)
    if processing.voice_clarity:
        out = _high_pass(out, sample_rate)
        level = np.abs(out).max(axis=1)
        out *= _compressor_gain(level, sample_rate, processing.reference_db, first_frame)[:, None]
    if processing.limit:
        ceiling = 10.0 ** ((processing.ceiling_dbtp - INTERSAMPLE_MARGIN_DB) / 20.0)
        out *= limiter_gain(true_peak_envelope(out, ceiling), ceiling, sample_rate, first_frame)[:, None]
    np.clip(out, -1.0, 1.0, out=out)
    return out.reshape(frames.shape)


def process_region(
    frames: NDArray[np.float32], start: int, stop: int, sample_rate: int, processing: Processing
) -> NDArray[np.float32]:
    """Frames [start, stop) of `frames` as heard, computed from a neighbourhood of
    CONTEXT_S on each side, so the result does not depend on how a long signal is cut."""
    context = math.ceil(CONTEXT_S * sample_rate)
    lo, hi = max(0, start - context), min(len(frames), stop + context)
    return process(frames[lo:hi], sample_rate, processing, lo)[start - lo : stop - lo]


def process_stream(
    blocks: Iterable[NDArray[np.float32]],
    sample_rate: int,
    processing: Processing,
    first_frame: int = 0,
    eager: bool = False,
) -> Iterator[NDArray[np.float32]]:
    """`blocks` (n, channels) in order, as heard, in blocks of the same sizes: each is
    processed with CONTEXT_S of its neighbours, so the result equals process() on the whole
    (the stream's own ends are its edges; it starts at `first_frame` of the signal). One
    block of delay, bounded memory. `eager`: blocks of other sizes, each as soon as it can
    be (all that was read but its last CONTEXT_S): a large first block then comes out
    without waiting for the next one (the playable copy's first run after a tap)."""
    if processing.is_identity:
        yield from blocks
        return
    context = math.ceil(CONTEXT_S * sample_rate)
    if eager:
        yield from _eager_stream(blocks, sample_rate, processing, first_frame, context)
        return
    history: NDArray[np.float32] | None = None  # the last `context` frames already emitted
    waiting: list[NDArray[np.float32]] = []  # blocks read but not emitted, in order
    position = first_frame  # of the first waiting block
    for block in blocks:
        waiting.append(block if block.ndim == 2 else block.reshape(len(block), 1))
        while len(waiting) > 1 and sum(len(b) for b in waiting[1:]) >= context:
            out, history = _emit_first(waiting, history, context, sample_rate, processing, position)
            position += len(out)
            yield out
    while waiting:
        out, history = _emit_first(waiting, history, context, sample_rate, processing, position)
        position += len(out)
        yield out


def _emit_first(
    waiting: list[NDArray[np.float32]],
    history: NDArray[np.float32] | None,
    context: int,
    sample_rate: int,
    processing: Processing,
    position: int,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The first waiting block as heard, and the history to keep for the next one."""
    block = waiting.pop(0)
    channels = block.shape[1]
    before = history if history is not None and history.shape[1] == channels else block[:0]
    after = np.concatenate(waiting)[:context] if waiting else block[:0]
    if after.shape[1] != channels:
        after = block[:0]
    window = np.concatenate([before, block, after])
    heard = process(window, sample_rate, processing, position - len(before))
    return heard[len(before) : len(before) + len(block)], np.concatenate([before, block])[-context:]


def _eager_stream(
    blocks: Iterable[NDArray[np.float32]],
    sample_rate: int,
    processing: Processing,
    position: int,
    context: int,
) -> Iterator[NDArray[np.float32]]:
    """process_stream(eager=True): what was read is emitted but for its last `context`
    frames, processed with `context` already emitted frames before it."""
    history: NDArray[np.float32] | None = None  # up to `context` frames already emitted
    pending: NDArray[np.float32] | None = None  # read, not emitted (position: its first frame)
    for block in blocks:
        block = block if block.ndim == 2 else block.reshape(len(block), 1)
        if pending is not None and pending.shape[1] != block.shape[1]:
            raise ValueError("a stream's blocks must keep their channels")
        pending = block if pending is None else np.concatenate([pending, block])
        if len(pending) > context:
            before = history if history is not None else pending[:0]
            n_out = len(pending) - context
            heard = process(
                np.concatenate([before, pending]), sample_rate, processing, position - len(before)
            )
            yield heard[len(before) : len(before) + n_out]
            history = np.concatenate([before, pending[:n_out]])[-context:]
            pending, position = pending[n_out:], position + n_out
    if pending is not None and len(pending):
        before = history if history is not None else pending[:0]
        yield process(np.concatenate([before, pending]), sample_rate, processing, position - len(before))[
            len(before) :
        ]
