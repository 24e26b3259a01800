"""Voice clarity's high-pass (a 2nd-order Butterworth) with numpy alone: the samples that
scipy.signal.sosfilt(butter(2, ...)) gives from rest, so that no scipy (an import of
0.8-2 s) is on a tap's path.

The biquad's recursion 1 / ((1 − p z⁻¹)(1 − p̄ z⁻¹)) splits into two conjugate first-order
ones: y[n] = 2·Re(A·w[n]) with w[n] = v[n] + p·w[n−1] (v: the biquad's numerator, a scaled
second difference of x). A first-order recursion is a cumulative sum once each sample is
divided by pⁿ; that is done in blocks short enough that |p|⁻ⁿ stays under e⁸ (far from
float64's range: each sum is scaled back by pʲ, so its rounding stays relative to the
output), each block then started from where the one before ended: the same recursion at
the block level, whose terms vanish after a few blocks.
Computed in float64 as sosfilt computes float32 input (tests compare the two to 1e-6).
"""

from __future__ import annotations

import cmath
import functools
import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

HIGH_PASS_HZ = 80.0  # voice clarity's cut-off (media/dynamics.py; the meter models it too)
_GROWTH = 8.0  # the largest |p|⁻ʲ within a block is e^_GROWTH (no overflow at any rate)
_NEGLIGIBLE = 2.0**-60  # a block's start this far below its predecessor's end: under float64's rounding


class _Design(NamedTuple):
    gain: float  # the numerator is gain · (1, −2, 1)
    pole: complex  # p (with its conjugate, the two poles)
    block: int  # frames per block
    carried: int  # blocks whose ends still reach a block's start
    inverse_powers: NDArray[np.complex128]  # p⁻ʲ over a block
    output_weights: NDArray[np.complex128]  # 2·A·pʲ over a block (2: the conjugate's half)


@functools.cache
def _design(sample_rate: int, cutoff_hz: float) -> _Design:
    """The filter scipy.signal.butter(2, cutoff_hz, "highpass", fs=sample_rate) designs
    (the bilinear transform of the analog Butterworth, prewarped), as a pole and a gain."""
    k = math.tan(math.pi * cutoff_hz / sample_rate)
    norm = 1.0 + math.sqrt(2.0) * k + k * k
    a1, a2 = 2.0 * (k * k - 1.0) / norm, (1.0 - math.sqrt(2.0) * k + k * k) / norm
    pole = (-a1 + cmath.sqrt(a1 * a1 - 4.0 * a2)) / 2.0
    if abs(pole.imag) < 1e-12 or not 0.0 < abs(pole) < 1.0:  # (a Butterworth's poles never are)
        raise ValueError(f"no complex stable poles for {cutoff_hz} Hz at {sample_rate} Hz")
    decay = -math.log(abs(pole))  # per frame
    block = max(1, int(_GROWTH / decay))
    carried = max(1, math.ceil(-math.log(_NEGLIGIBLE) / (decay * block)))
    residue = pole / (pole - pole.conjugate())  # A
    powers = np.asarray(pole ** np.arange(block, dtype=np.float64), dtype=np.complex128)
    inverse, weights = (
        np.asarray(1.0 / powers, np.complex128),
        np.asarray(2.0 * residue * powers, np.complex128),
    )
    return _Design(1.0 / norm, pole, block, carried, inverse, weights)


def high_pass(frames: NDArray[np.float32], sample_rate: int, cutoff_hz: float) -> NDArray[np.float32]:
    """frames (n, channels) float32 filtered along time from rest (zero initial state)."""
    design = _design(sample_rate, cutoff_hz)
    n, channels = frames.shape
    block = design.block
    n_blocks = max(1, -(-n // block))
    # v = gain · (x[i] − 2·x[i−1] + x[i−2]), zero before the start and past the end, made in
    # the real part of the one complex buffer (fresh temporaries cost page faults: ~1 ms each)
    sums = np.zeros((n_blocks * block, channels), dtype=np.complex128)
    v = sums.real
    v[:n] = frames
    v[1:n] -= frames[:-1]
    v[1:n] -= frames[:-1]
    v[2:n] += frames[:-2]
    # within each block, from rest: w_local[j] = pʲ · Σ_{i≤j} p⁻ⁱ v[i]
    sums = sums.reshape(n_blocks, block, channels)
    sums *= (design.gain * design.inverse_powers)[None, :, None]
    np.cumsum(sums, axis=1, out=sums)
    # where each block starts from: c[b] = w at the end of block b − 1, i.e.
    # c[b] = q·c[b−1] + e[b−1] with e its local end and q = p^block (|q| = e^-8)
    ends = sums[:, -1, :] * design.pole ** (block - 1)
    q = design.pole**block
    starts = np.zeros_like(ends)
    for k in range(min(design.carried, n_blocks - 1)):
        starts[k + 1 :] += q**k * ends[: n_blocks - 1 - k]
    # w[j] = pʲ · (Σ… + p·c[b]), and y = 2·Re(A·w)
    sums += (design.pole * starts)[:, None, :]
    sums *= design.output_weights[None, :, None]
    out = np.empty((n_blocks * block, channels), dtype=np.float32)
    np.copyto(out, sums.real.reshape(-1, channels), casting="same_kind")
    return out[:n]


def power_response(
    sample_rate: int, cutoff_hz: float, frequencies: NDArray[np.float64]
) -> NDArray[np.float64]:
    """|H|² at `frequencies` (cycles per sample): what the filter keeps of each's power."""
    design = _design(sample_rate, cutoff_hz)
    z = np.exp(-2j * np.pi * np.asarray(frequencies, dtype=np.float64))  # z⁻¹
    response = design.gain * (1.0 - z) ** 2 / ((1.0 - design.pole * z) * (1.0 - design.pole.conjugate() * z))
    return np.asarray(np.abs(response) ** 2, dtype=np.float64)
