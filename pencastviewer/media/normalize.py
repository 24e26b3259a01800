"""The gain that makes a recording heard at a loudness target through the limiter.

A plain gain of (target − integrated loudness) falls short on real recordings: pen clicks
and loud syllables that the gain pushes over the −1 dBTP ceiling are turned down by the
limiter, and with them the loudness (the real 2-pages.pdf lecture lands at −18.8 instead
of −16 LUFS). So the gain is solved against a model of the limiter built from the meter's
10 ms profiles — each slice turned down as far as its peak needs, held as long as the
limiter holds — without decoding the recording again.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .dynamics import HOLD_S, INTERSAMPLE_MARGIN_DB, MAX_GAIN_DB
from .loudness import ABSOLUTE_GATE_LUFS, SLICES_PER_SUB_BLOCK, SUB_BLOCK_S, Loudness, integrated_of

SLICE_S = SUB_BLOCK_S / SLICES_PER_SUB_BLOCK
_TOLERANCE_LU = 0.05


def heard_lufs(loudness: Loudness, gain_db: float, ceiling_dbtp: float = -1.0) -> float:
    """Integrated loudness of the recording after `gain_db` and the limiter (modelled)."""
    gain = 10.0 ** (gain_db / 20.0)
    ceiling = 10.0 ** ((ceiling_dbtp - INTERSAMPLE_MARGIN_DB) / 20.0)
    needed = np.minimum(1.0, ceiling / np.maximum(loudness.slice_peak.astype(np.float64) * gain, 1e-12))
    limited = _held_minimum(needed, max(1, round(HOLD_S / SLICE_S)))
    n_sub = len(loudness.sub_energy)
    power = loudness.slice_power.astype(np.float64).reshape(n_sub, SLICES_PER_SUB_BLOCK)
    kept = (power * limited.reshape(n_sub, SLICES_PER_SUB_BLOCK) ** 2).sum(axis=1)
    total = power.sum(axis=1)
    share = np.divide(kept, total, out=np.ones(n_sub), where=total > 0)
    return integrated_of(loudness.sub_energy.astype(np.float64) * gain * gain * share)


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


def normalization_gain_db(loudness: Loudness, target_lufs: float, ceiling_dbtp: float = -1.0) -> float:
    """The gain (dB, ≤ MAX_GAIN_DB) that brings the heard loudness to `target_lufs`; 0 for
    a silent recording. Heard loudness grows with the gain, so bisection finds it."""
    if loudness.integrated_lufs <= ABSOLUTE_GATE_LUFS or not len(loudness.sub_energy):
        return 0.0
    low = max(target_lufs - loudness.integrated_lufs, -MAX_GAIN_DB)  # never above the target
    if low >= MAX_GAIN_DB or heard_lufs(loudness, low, ceiling_dbtp) >= target_lufs - _TOLERANCE_LU:
        return float(min(low, MAX_GAIN_DB))
    high = MAX_GAIN_DB
    if heard_lufs(loudness, high, ceiling_dbtp) < target_lufs:
        return high  # the limiter cannot make it that loud: as loud as allowed
    while high - low > 0.02:
        middle = (low + high) / 2
        if heard_lufs(loudness, middle, ceiling_dbtp) < target_lufs:
            low = middle
        else:
            high = middle
    return float(high if math.isfinite(high) else 0.0)
