"""True peak (ITU-R BS.1770-4 Annex 2): the peak of the 4× oversampled signal, measured
lazily. A stretch can only raise the peak if its sample peak times the interpolator's
largest gain exceeds the highest sample peak, so only those stretches are kept (with their
neighbours), and of them only the KEEP_SEGMENTS with the highest sample peaks; they are
oversampled in one call at the end (per-block calls cost more than the measurement
itself), with numpy: scipy.signal's upfirdn gives the same, but importing scipy.signal
cost the window ~50 MB of resident memory. The true peak is where the signal between
samples overshoots them, near the highest sample peaks: a stretch outside the kept ones
could only hold a higher one if more than KEEP_SEGMENTS stretches had higher sample peaks
than it (on noise, the worst case, the result equals full oversampling to 0.01 dB;
tests/media check both)."""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

OVERSAMPLING = 4
KEEP_SEGMENTS = 1024  # candidate stretches kept: those with the highest sample peaks
# Odd, so the 4× grid falls on the samples themselves: with 48 taps it sat 1/8 sample off
# them, and a 12 kHz tone whose samples straddle its crests read 0.17 dB under its peak.
TAPS = 49
REACH = TAPS // 8 + 1  # input frames the interpolator reaches on each side of a frame


@functools.cache
def interpolator() -> NDArray[np.float32]:
    """The 4× interpolation filter of the meter and of the limiter (media/dynamics.py), so
    the limiter holds down exactly what the meter would measure: scipy's
    firwin(TAPS, 1/4, window=("kaiser", 5.0)) × 4, made with numpy (a Kaiser-windowed sinc
    of unit gain; tested equal), so the limiter on a tap's path loads no scipy (0.8-2 s)."""
    m = np.arange(TAPS) - (TAPS - 1) / 2
    taps = np.sinc(m / OVERSAMPLING) / OVERSAMPLING * np.kaiser(TAPS, 5.0)
    return np.asarray(taps / taps.sum() * OVERSAMPLING, dtype=np.float32)


@functools.cache
def interpolator_bound() -> float:
    """The largest gain of the interpolator between samples (over its phases): no stretch
    whose sample peak times this is under the peak found can raise it."""
    phases = np.pad(interpolator(), (0, -TAPS % OVERSAMPLING)).reshape(-1, OVERSAMPLING).T
    return float(np.abs(phases).sum(axis=1).max())


class TruePeak:
    """Fed the meter's slices (the sample peak of each, where each starts, the frames they
    are in and the frames around those): keeps the stretches that could hold the true peak."""

    CONTEXT = REACH  # frames the interpolator reads on each side of a stretch
    SEGMENT = 64  # frames of a kept stretch (about)

    def __init__(self) -> None:
        self._bound = interpolator_bound()
        self._peak = 0.0  # of what has been oversampled
        self.sample_peak = 0.0
        self._waiting: list[tuple[NDArray[np.float32], NDArray[np.float32]]] = []  # (windows, peaks)
        self._n_waiting = 0
        self._floor = 0.0  # the lowest sample peak among the kept: anything lower is not kept

    @property
    def peak(self) -> float:
        self._oversample_waiting()
        return self._peak

    def feed(
        self,
        frames: NDArray[np.float32],
        starts: NDArray[np.intp],
        peaks: NDArray[np.float32],
        width: int,
        around: tuple[NDArray[np.float32], NDArray[np.float32]],
    ) -> None:
        """frames (n, channels); stretch i starts at starts[i], is at most `width` frames
        long and its largest |x| is peaks[i]; `around`: the frames just before and just
        after `frames` in the signal (fewer than CONTEXT at its ends)."""
        if not len(peaks):
            return
        self.sample_peak = max(self.sample_peak, float(peaks.max()))
        self._peak = max(self._peak, self.sample_peak)
        candidates = np.flatnonzero(self._could_raise(peaks))
        if not len(candidates):
            return
        # each candidate slice split in parts of ~SEGMENT frames, and only the parts that could
        # raise the peak kept: what is oversampled at the end stays small whatever the slices
        n_parts = max(1, round(width / self.SEGMENT))
        part = -(-width // n_parts)
        context = self.CONTEXT
        windows = _windows(frames, starts[candidates], n_parts * part, context, around)
        body = np.abs(windows[:, context : context + n_parts * part]).reshape(len(candidates), n_parts, -1)
        part_peaks = body.max(axis=2)
        chosen, which = np.nonzero(self._could_raise(part_peaks))
        index = (which * part)[:, None] + np.arange(part + 2 * context)
        self._waiting.append((windows[chosen[:, None], index], part_peaks[chosen, which]))
        self._n_waiting += len(chosen)
        if self._n_waiting >= 2 * KEEP_SEGMENTS:
            self._keep_highest()

    def _could_raise(self, peaks: NDArray[np.float32]) -> NDArray[np.bool_]:
        return (peaks * self._bound > self._peak) & (peaks > self._floor)

    def _keep_highest(self) -> None:
        """Only the KEEP_SEGMENTS waiting stretches with the highest sample peaks stay."""
        windows = np.concatenate([w for w, _ in self._waiting])
        peaks = np.concatenate([p for _, p in self._waiting])
        highest = np.argpartition(peaks, -KEEP_SEGMENTS)[-KEEP_SEGMENTS:]
        self._waiting, self._n_waiting = [(windows[highest], peaks[highest])], KEEP_SEGMENTS
        self._floor = float(peaks[highest].min())

    def _oversample_waiting(self) -> None:
        """The largest |x| of the interpolated signal over the waiting stretches that could
        still raise the peak (only each stretch's own interpolated span: edges ring)."""
        if not self._waiting:
            return
        windows = np.concatenate([w for w, _ in self._waiting])
        peaks = np.concatenate([p for _, p in self._waiting])
        self._waiting, self._n_waiting = [], 0
        windows = windows[peaks * self._bound > self._peak]
        if not len(windows):
            return
        for channel in range(windows.shape[2]):
            between = _between_peaks(np.ascontiguousarray(windows[:, :, channel]))
            self._peak = max(self._peak, float(between.max()))


def _windows(
    frames: NDArray[np.float32],
    starts: NDArray[np.intp],
    width: int,
    context: int,
    around: tuple[NDArray[np.float32], NDArray[np.float32]],
) -> NDArray[np.float32]:
    """The stretches at `starts`, `context` frames on each side: (k, width + 2·context,
    channels), gathered without copying the block; beyond `frames` from `around`, then 0."""
    n = len(frames)
    index = starts[:, None] + np.arange(-context, width + context)
    windows = frames[np.clip(index, 0, n - 1)]
    before, after = around
    edge = index < 0
    if edge.any():
        padded = np.zeros((context, frames.shape[1]), np.float32)
        if len(before):
            padded[context - len(before[-context:]) :] = before[-context:]
        windows[edge] = padded[index[edge] + context]
    edge = index >= n
    if edge.any():
        padded = np.zeros((width + context, frames.shape[1]), np.float32)
        padded[: len(after[: width + context])] = after[: width + context]
        windows[edge] = padded[index[edge] - n]
    return np.asarray(windows, dtype=np.float32)


@functools.cache
def _phases() -> NDArray[np.float32]:
    """(2·REACH + 1, 4): the value 4× interpolated at frame i + r/4 is
    Σ_t x[i + t] · _phases()[t + REACH, r] (the filter's polyphase form, centred)."""
    taps = interpolator()
    delay = (len(taps) - 1) // 2
    matrix = np.zeros((2 * REACH + 1, OVERSAMPLING), dtype=np.float32)
    for t in range(-REACH, REACH + 1):
        for r in range(OVERSAMPLING):
            if 0 <= delay + r - OVERSAMPLING * t < len(taps):
                matrix[t + REACH, r] = taps[delay + r - OVERSAMPLING * t]
    return matrix


def _between_peaks(windows: NDArray[np.float32]) -> NDArray[np.float32]:
    """(m, L + 2·REACH) stretches of one channel → (m, L): the largest |x| 4× interpolated
    at each of the L middle frames. Each phase is 12 multiply-adds of the shifted frames,
    1.2 ms per 90 000 frames (a matrix product instead goes through the BLAS's threads:
    0.6-50 ms for the same product on the loaded two cores, measured)."""
    length = windows.shape[1] - 2 * REACH
    phases, out = _phases(), np.zeros((len(windows), length), np.float32)
    value, term = np.empty_like(out), np.empty_like(out)
    for r in range(4):
        value[:] = 0.0
        for t in np.flatnonzero(phases[:, r]):
            value += np.multiply(windows[:, t : t + length], phases[t, r], out=term)
        np.maximum(out, np.abs(value, out=value), out=out)
    return out


_SEGMENT = 64  # frames examined together when looking for possible inter-sample peaks


def true_peak_envelope(frames: NDArray[np.float32], threshold: float = 0.0) -> NDArray[np.float32]:
    """Per frame, the largest |x| of the 4× interpolated signal around it (over channels),
    so the limiter catches the peaks between samples that a DAC or a resampler makes.
    Exact wherever it can reach `threshold`; elsewhere the samples' own |x| (cheaper: only
    stretches whose peak times the interpolator's largest gain reaches it are oversampled;
    scipy's upfirdn of them took 8-13 ms per 90 000 frames of loud speech, this 1-2 ms)."""
    peak = np.abs(frames).max(axis=1)
    n = len(peak)
    n_seg = -(-n // _SEGMENT)
    padded = np.zeros(n_seg * _SEGMENT, dtype=np.float32)
    padded[:n] = peak
    candidates = np.flatnonzero(
        padded.reshape(n_seg, _SEGMENT).max(axis=1) * interpolator_bound() >= threshold
    )
    if not len(candidates):
        return np.asarray(peak, dtype=np.float32)
    out = peak.astype(np.float32, copy=True)
    sparse = len(candidates) * 4 < n_seg  # a few clicks: only around them
    spans = candidates[:, None] * _SEGMENT + np.arange(_SEGMENT)
    keep = spans < n
    for channel in np.asarray(frames, dtype=np.float32).T:
        source = np.pad(channel, (REACH, REACH + _SEGMENT))
        if sparse:
            between = _between_peaks(source[spans[:, :1] + np.arange(_SEGMENT + 2 * REACH)])
            out[spans[keep]] = np.maximum(out[spans[keep]], between[keep])
        else:
            np.maximum(out, _between_peaks(source[None, : n + 2 * REACH])[0], out=out)
    return np.asarray(out, dtype=np.float32)
