"""BS.1770's K-weighting as energies: the K-weighted mean square of each 100 ms sub-block,
the figure its gating and loudness range are made of, without filtering sample by sample.

Above ~6 kHz the K-weighting is flat (its high shelf has reached +4 dB: within 0.3 %), so
a block's K-weighted energy is that flat gain times its plain energy (a sum of squares the
meter makes anyway) plus a correction that only involves frequencies below 6 kHz. The
correction is taken from the spectrum of the block summed over M consecutive samples (a
boxcar that decimates to fs/M ≥ 12 kHz; its own response is divided out, and what it
folds down from above weighs little where the correction is small), so the FFT runs on a
quarter of the samples at 48 kHz: the meter's dominant cost, 4× smaller. A rate whose
100 ms does not split that way gets the full spectrum (Parseval over every bin).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .high_pass import HIGH_PASS_HZ, power_response

FLAT_ABOVE_HZ = 6000.0  # the correction's band: K-weighting is within 0.3 % of its top above it


def k_weighting_sos(sample_rate: int) -> NDArray[np.float64]:
    """The two K-weighting biquads (high shelf, then high pass) for any rate, designed from
    the analog prototype so that at 48 kHz they equal BS.1770's published coefficients
    (Brecht De Man's derivation, the one pyloudnorm calls "DeMan")."""
    k = math.tan(math.pi * 1681.9744509555319 / sample_rate)
    q = 0.7071752369554193
    vh = 10.0 ** (3.99984385397 / 20.0)
    vb = vh**0.499666774155
    a0 = 1.0 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf += [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    k = math.tan(math.pi * 38.13547087613982 / sample_rate)
    q = 0.5003270373253953
    a0 = 1.0 + k / q + k * k
    high_pass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, high_pass], dtype=np.float64)


def sos_power_response(sos: NDArray[np.float64], frequencies: NDArray[np.floating]) -> NDArray[np.float64]:
    """|H(f)|² of biquads in series (rows b0 b1 b2 a0 a1 a2) at frequencies in cycles per
    sample: scipy.signal.sosfreqz's, with numpy (tested equal), because importing
    scipy.signal for it cost the window ~50 MB of resident memory and ~0.35 s of import
    holding the GIL while a notebook opens (the meter runs when its waveform is built)."""
    z = np.exp(-2j * np.pi * np.asarray(frequencies, dtype=np.float64))  # z⁻¹ on the unit circle
    response = np.ones(len(z), dtype=np.complex128)
    for b0, b1, b2, a0, a1, a2 in np.asarray(sos, dtype=np.float64):
        response *= (b0 + z * (b1 + z * b2)) / (a0 + z * (a1 + z * a2))
    return np.asarray(np.abs(response) ** 2, dtype=np.float64)


def _power_response(sample_rate: int, n: int) -> NDArray[np.float64]:
    """|H(f)|² of the K-weighting at the rfft bins of an n-sample block."""
    return sos_power_response(k_weighting_sos(sample_rate), np.fft.rfftfreq(n))


def _parseval(n: int, n_bins: int) -> NDArray[np.float64]:
    """Per rfft bin of an n-sample block: what |X_k|² adds to the block's mean square."""
    scale = np.full(n_bins, 2.0 / (n * n))
    scale[0] /= 2.0
    if n % 2 == 0 and n_bins == n // 2 + 1:
        scale[-1] /= 2.0
    return scale


def decimation(sample_rate: int, sub_frames: int) -> int:
    """The largest M that divides the sub-block and keeps fs/M ≥ 2 · FLAT_ABOVE_HZ."""
    top = int(sample_rate // (2 * FLAT_ABOVE_HZ))
    return max((m for m in range(1, top + 1) if sub_frames % m == 0), default=1)


class KWeighting:
    """Per sub-block of `sub_frames` frames, from the frames and each sub-block's plain sum
    of squares (over channels), five mean squares (ENERGY_COLUMNS): K-weighted; K-weighted
    after voice clarity's high-pass; plain after it; plain; plain after it of the loudest
    channel. The high-pass's figures come from the same spectrum (it only acts far below
    6 kHz) for the model of what voice clarity does (media/normalize.py): hum and rumble
    under 80 Hz are loud to the meter but gone from what is heard (a −34 dBFS hum made
    exports 2-3 LU quieter than asked), and its compressor takes the louder channel."""

    ENERGY_COLUMNS = 5

    def __init__(self, sample_rate: int, sub_frames: int) -> None:
        self.sub_frames = sub_frames
        self.factor = decimation(sample_rate, sub_frames)
        response = _power_response(sample_rate, sub_frames)
        frequencies = np.asarray(np.fft.rfftfreq(sub_frames), dtype=np.float64)
        if sample_rate > 2 * HIGH_PASS_HZ:
            clear = power_response(sample_rate, HIGH_PASS_HZ, frequencies)
        else:  # (voice clarity leaves such rates alone)
            clear = np.ones(len(frequencies))
        if self.factor == 1:
            scale = _parseval(sub_frames, len(response))
            weights = response * scale
            self._flat = 0.0
        else:
            m, short = self.factor, sub_frames // self.factor
            n_bins = short // 2 + 1
            flat = float(response[-1])  # the gain at Nyquist: the shelf's top
            phases = np.outer(np.arange(n_bins), np.arange(m)) / sub_frames
            boxcar = np.abs(np.exp(-2j * np.pi * phases).sum(axis=1))  # |response| of summing m frames
            scale = _parseval(sub_frames, n_bins) * (m / boxcar) ** 2
            scale[-1] = 0.0  # the short block's Nyquist bin folds two frequencies into one
            weights = (response[:n_bins] - flat) * scale
            self._flat = flat / sub_frames
        self._pair_weights = np.repeat(weights, 2).astype(np.float32)  # real and imaginary parts
        # what the high-pass takes out, from the bins where it takes out more than 1e-5 of
        # the power (under ~1.4 kHz): 2 of the 601 columns' worth of work, not 2 more passes
        n_low = min(len(weights), int(np.count_nonzero(1.0 - clear[: len(weights)] > 1e-5)) + 1)
        removed = (clear[:n_low] - 1.0) * scale[:n_low]
        low = np.stack([response[:n_low] * removed, removed], axis=1)
        self._low_weights = np.repeat(low, 2, axis=0).astype(np.float32)
        self._folded = np.zeros((0, 1), dtype=np.float32)  # reused: fresh pages cost more than the sum

    def energies(self, frames: NDArray[np.float32], sub_sumsq: NDArray[np.float64]) -> NDArray[np.float64]:
        """frames: (n_sub · sub_frames, channels); sub_sumsq: Σx² of each sub-block.
        (n_sub, ENERGY_COLUMNS) mean squares."""
        from scipy import fft

        n_sub, channels = len(sub_sumsq), frames.shape[1]
        folded = self._fold(frames)
        short = self.sub_frames // self.factor
        weighted = sub_sumsq * self._flat
        plain = sub_sumsq / self.sub_frames
        removed = np.zeros((n_sub, 2))
        louder = np.zeros(n_sub)  # the loudest channel's plain mean square after the high-pass
        n_low = len(self._low_weights)
        for channel in range(channels):
            spectra = fft.rfft(folded[:, channel].reshape(n_sub, short), axis=1)
            pairs = spectra.view(np.float32)
            np.multiply(pairs, pairs, out=pairs)
            weighted += pairs @ self._pair_weights
            removed_here = pairs[:, :n_low] @ self._low_weights
            removed += removed_here
            if channels > 1:  # (one more read of each channel: stereo only)
                samples = frames[:, channel].reshape(n_sub, self.sub_frames)
                own = np.einsum("ij,ij->i", samples, samples).astype(np.float64) / self.sub_frames
                np.maximum(louder, own + removed_here[:, 1], out=louder)
        clear_plain = plain + removed[:, 1]
        columns = (
            weighted,
            weighted + removed[:, 0],
            clear_plain,
            plain,
            clear_plain if channels == 1 else louder,
        )
        return np.maximum(np.stack(columns, axis=1), 0.0)

    def _fold(self, frames: NDArray[np.float32]) -> NDArray[np.float32]:
        """Each run of `factor` frames summed (strided adds into a reused buffer)."""
        m = self.factor
        if m == 1:
            return frames
        n = len(frames) // m
        if self._folded.shape[0] < n or self._folded.shape[1] != frames.shape[1]:
            self._folded = np.empty((n, frames.shape[1]), dtype=np.float32)
        out = self._folded[:n]
        np.add(frames[0::m], frames[1::m], out=out)
        for k in range(2, m):
            np.add(out, frames[k::m], out=out)
        return out
