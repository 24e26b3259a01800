"""Finding where in a source signal a recorded snippet comes from (FFT cross-correlation)."""

from __future__ import annotations

import numpy as np


def _next_pow2(n: int) -> int:
    return 1 << max(0, n - 1).bit_length()


def locate(
    snippet: np.ndarray, source: np.ndarray, search_start: int = 0, search_stop: int | None = None
) -> int:
    """Index in `source` where `snippet` best matches, searched over starts in
    [search_start, search_stop). Normalised by the source's local energy so that a loud
    passage does not win over the true match. Both signals are mono float arrays."""
    snippet = np.asarray(snippet, dtype=np.float64)
    n_snip = len(snippet)
    stop = len(source) - n_snip + 1 if search_stop is None else min(search_stop, len(source) - n_snip + 1)
    start = max(0, search_start)
    if n_snip == 0 or stop <= start:
        raise ValueError(f"nothing to search: snippet {n_snip} samples, starts [{start}, {stop})")
    region = np.asarray(source[start : stop + n_snip - 1], dtype=np.float64)
    n_fft = _next_pow2(len(region) + n_snip)
    corr = np.fft.irfft(np.fft.rfft(region, n_fft) * np.conj(np.fft.rfft(snippet, n_fft)), n_fft)
    corr = corr[: stop - start]
    energy = np.concatenate(([0.0], np.cumsum(region * region)))
    local_energy = energy[n_snip : n_snip + len(corr)] - energy[: len(corr)]
    score = corr / np.sqrt(np.maximum(local_energy, 1e-12))
    return start + int(np.argmax(score))


def first_sound(signal: np.ndarray, threshold: float = 2e-3) -> int | None:
    """Index of the first sample whose magnitude exceeds `threshold` (None if all quiet).
    The null sink outputs exact digital silence when nothing plays, so with a source that
    is never silent (speech over a noise floor) this is where playback started."""
    loud = np.flatnonzero(np.abs(signal) > threshold)
    return int(loud[0]) if len(loud) else None


def linear_chirp(
    duration_s: float, f0_hz: float, f1_hz: float, sample_rate: int, amplitude: float = 0.5
) -> np.ndarray:
    """A sine sweeping linearly from f0 to f1: its frequency tells the time, and a
    pitch-keeping time-stretch keeps the frequency, so it locates stretched audio too."""
    t = np.arange(round(duration_s * sample_rate)) / sample_rate
    slope = (f1_hz - f0_hz) / duration_s
    return (amplitude * np.sin(2 * np.pi * (f0_hz * t + 0.5 * slope * t * t))).astype(np.float32)


def chirp_time_s(snippet: np.ndarray, f0_hz: float, slope_hz_per_s: float, sample_rate: int) -> float | None:
    """Where in a linear chirp the snippet's middle comes from (seconds), from its mean
    frequency over rising zero crossings (interpolated to a fraction of a sample).
    None when the snippet holds fewer than three crossings."""
    x = np.asarray(snippet, dtype=np.float64)
    rising = np.flatnonzero((x[:-1] <= 0) & (x[1:] > 0))
    if len(rising) < 3:
        return None
    crossings = rising + x[rising] / (x[rising] - x[rising + 1])
    frequency = (len(crossings) - 1) / (crossings[-1] - crossings[0]) * sample_rate
    return (frequency - f0_hz) / slope_hz_per_s
