"""The gain that makes a recording heard at a loudness target through voice clarity and the
limiter, and what those stages do to it over time, modelled from the meter's profiles.

A plain gain of (target − integrated loudness) falls short on real recordings: pen clicks
and loud syllables that the gain pushes over the −1 dBTP ceiling are turned down by the
limiter, and with them the loudness (the real 2-pages.pdf lecture lands at −18.8 instead
of −16 LUFS); voice clarity's compressor moves it again, by up to 2 LU at the ends of the
target range. So the gain is solved against a model of both built from the meter's 10 ms
profiles — each slice compressed by the compressor's own curve (media/dynamics.py) at its
level, then turned down as far as its peak needs, held as long as the limiter holds —
without decoding the recording again, and in numpy alone (the window's reading worker
solves it before the first page, where importing scipy.ndimage cost 0.5–1 s). The
waveform's "as heard" view draws the same model.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .dynamics import (
    COMPRESSOR_SMOOTHING_S,
    COMPRESSOR_WINDOW_S,
    HOLD_S,
    INTERSAMPLE_MARGIN_DB,
    MAX_GAIN_DB,
    MAX_LIFT_DB,
    compressor_gain_db,
)
from .loudness import ABSOLUTE_GATE_LUFS, SLICES_PER_SUB_BLOCK, SUB_BLOCK_S, Loudness, integrated_of

SLICE_S = SUB_BLOCK_S / SLICES_PER_SUB_BLOCK
_TOLERANCE_LU = 0.05


def voice_clarity_gain(loudness: Loudness, gain_db: float, reference_db: float) -> NDArray[np.float64]:
    """The compressor's gain (linear) on each 10 ms slice after `gain_db`: its curve at the
    slice's RMS level over its detector's window, smoothed as it smooths. The level is what
    the 80 Hz high-pass leaves of the slice's power (its 100 ms's share: hum and rumble do
    not raise it), and of that the loudest channel's (the compressor takes the louder one)."""
    power = loudness.slice_power.astype(np.float64) * 10.0 ** (gain_db / 10.0)
    if loudness.clear_share is not None:
        power *= np.repeat(loudness.clear_share.astype(np.float64), SLICES_PER_SUB_BLOCK)[: len(power)]
    if loudness.louder_share is not None:
        power *= np.repeat(loudness.louder_share.astype(np.float64), SLICES_PER_SUB_BLOCK)[: len(power)]
    window = max(1, round(COMPRESSOR_WINDOW_S / SLICE_S))  # 2 slices: a frame's window spans 3, by halves
    level_db = 10.0 * np.log10(
        np.maximum(_smoothed(power, np.convolve(np.ones(window), [0.5, 0.5]) / window), 1e-12)
    )
    curve = compressor_gain_db(level_db.astype(np.float32), reference_db).astype(np.float64)
    smooth = max(1, round(COMPRESSOR_SMOOTHING_S / SLICE_S)) // 2 * 2 + 1
    return np.asarray(10.0 ** (_smoothed(curve, np.full(smooth, 1.0 / smooth)) / 20.0))


def _smoothed(values: NDArray[np.float64], kernel: NDArray[np.float64]) -> NDArray[np.float64]:
    """values weighted by the odd, symmetric `kernel` centred on each, the ends repeated
    (scipy's correlate1d with mode="nearest")."""
    half = len(kernel) // 2
    if not len(values) or not half:
        return values * kernel[0] if len(values) else values.copy()
    padded = np.concatenate((np.full(half, values[0]), values, np.full(half, values[-1])))
    return np.convolve(padded, kernel, mode="valid")


def heard_lufs(
    loudness: Loudness, gain_db: float, ceiling_dbtp: float = -1.0, clarity_reference_db: float | None = None
) -> float:
    """Integrated loudness of the recording after `gain_db`, voice clarity compressing
    around `clarity_reference_db` (None: off) and the limiter (modelled)."""
    gain = 10.0 ** (gain_db / 20.0)
    compressed = (
        np.ones(len(loudness.slice_peak))
        if clarity_reference_db is None
        else voice_clarity_gain(loudness, gain_db, clarity_reference_db)
    )
    ceiling = 10.0 ** ((ceiling_dbtp - INTERSAMPLE_MARGIN_DB) / 20.0)
    peak = loudness.slice_peak.astype(np.float64) * gain * compressed
    needed = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    limited = _held_minimum(needed, max(1, round(HOLD_S / SLICE_S)))
    n_sub = len(loudness.sub_energy)
    power = loudness.slice_power.astype(np.float64).reshape(n_sub, SLICES_PER_SUB_BLOCK)
    kept = (power * (compressed * limited).reshape(n_sub, SLICES_PER_SUB_BLOCK) ** 2).sum(axis=1)
    total = power.sum(axis=1)
    share = np.divide(kept, total, out=np.ones(n_sub), where=total > 0)
    energy = loudness.sub_energy
    if clarity_reference_db is not None and loudness.clear_energy is not None:
        energy = loudness.clear_energy  # what the high-pass leaves: hum under 80 Hz is not heard
    return integrated_of(energy.astype(np.float64) * gain * gain * share)


def _held_minimum(needed: NDArray[np.float64], hold: int) -> NDArray[np.float64]:
    """Per slice, the least of `needed` over [slice − hold, slice + 1] (the look-ahead
    reaches into the next slice), the ends repeated: what scipy's minimum_filter1d gives
    with mode="nearest", in numpy because the window is a few slices and importing
    scipy.ndimage costs 0.5–1 s, which the window's open paid before its first page."""
    n = len(needed)
    if n == 0:
        return needed.copy()
    padded = np.concatenate((np.full(hold, needed[0]), needed, needed[-1:]))
    limited = padded[:n].copy()
    for k in range(1, hold + 2):
        np.minimum(limited, padded[k : k + n], out=limited)
    return limited


def normalization_gain_db(
    loudness: Loudness, target_lufs: float, ceiling_dbtp: float = -1.0, voice_clarity: bool = False
) -> float:
    """The gain (dB, ≤ MAX_GAIN_DB) that brings the heard loudness to `target_lufs`, voice
    clarity compressing around the target if asked; 0 for a silent recording. Heard
    loudness grows with the gain (the compressor's curve rises at least 1 dB per 3 dB), so
    bisection finds it."""
    if loudness.integrated_lufs <= ABSOLUTE_GATE_LUFS or not len(loudness.sub_energy):
        return 0.0
    reference = target_lufs if voice_clarity else None

    def heard(gain_db: float) -> float:
        return heard_lufs(loudness, gain_db, ceiling_dbtp, reference)

    # without voice clarity nothing makes it louder than the plain gain; with it, quiet
    # speech comes up by at most MAX_LIFT_DB
    plain = target_lufs - loudness.integrated_lufs
    low = max(plain - (MAX_LIFT_DB if voice_clarity else 0.0), -MAX_GAIN_DB)
    if low >= MAX_GAIN_DB or heard(low) >= target_lufs - _TOLERANCE_LU:
        return float(min(low, MAX_GAIN_DB))
    high = MAX_GAIN_DB
    if heard(high) < target_lufs:
        return high  # the limiter cannot make it that loud: as loud as allowed
    while high - low > 0.02:
        middle = (low + high) / 2
        if heard(middle) < target_lufs:
            low = middle
        else:
            high = middle
    return float(high if math.isfinite(high) else 0.0)
