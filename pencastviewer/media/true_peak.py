"""True peak (ITU-R BS.1770-4 Annex 2): the peak of the 4× oversampled signal, measured
lazily. A stretch can only raise the peak if its sample peak times the interpolator's
largest gain exceeds the highest sample peak, so only those stretches are kept (with their
neighbours), and of them only the KEEP_SEGMENTS with the highest sample peaks; they are
oversampled in one scipy call at the end (per-block calls cost more than the measurement
itself). The true peak is where the signal between samples overshoots them, near the
highest sample peaks: a stretch outside the kept ones could only hold a higher one if
more than KEEP_SEGMENTS stretches had higher sample peaks than it (on noise, the worst
case, the result equals full oversampling to 0.01 dB; tests/media check both)."""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

OVERSAMPLING = 4
KEEP_SEGMENTS = 1024  # candidate stretches kept: those with the highest sample peaks
# Odd, so the 4× grid falls on the samples themselves: with 48 taps it sat 1/8 sample off
# them, and a 12 kHz tone whose samples straddle its crests read 0.17 dB under its peak.
TAPS = 49


@functools.cache
def interpolator() -> NDArray[np.float32]:
    """The 4× interpolation filter of the meter and of the limiter (media/dynamics.py), so
    the limiter holds down exactly what the meter would measure."""
    from scipy import signal

    taps = signal.firwin(TAPS, 1.0 / OVERSAMPLING, window=("kaiser", 5.0)) * OVERSAMPLING
    return np.asarray(taps, dtype=np.float32)


@functools.cache
def interpolator_bound() -> float:
    """The largest gain of the interpolator between samples (over its phases): no stretch
    whose sample peak times this is under the peak found can raise it."""
    phases = np.pad(interpolator(), (0, -TAPS % OVERSAMPLING)).reshape(-1, OVERSAMPLING).T
    return float(np.abs(phases).sum(axis=1).max())


class TruePeak:
    """Fed the meter's slices (the sample peak of each, where each starts, the frames they
    are in and the frames around those): keeps the stretches that could hold the true peak."""

    CONTEXT = 12  # taps of the interpolator on each side of a stretch
    SEGMENT = 64  # frames of a kept stretch (about)

    def __init__(self) -> None:
        self._filter = interpolator()
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
        from scipy import signal

        upsampled = signal.upfirdn(self._filter, windows, up=OVERSAMPLING, axis=1)
        delay = (len(self._filter) - 1) // 2
        body = windows.shape[1] - 2 * self.CONTEXT
        keep = slice(OVERSAMPLING * self.CONTEXT + delay, OVERSAMPLING * (self.CONTEXT + body) + delay)
        self._peak = max(self._peak, float(np.abs(upsampled[:, keep]).max()))


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
