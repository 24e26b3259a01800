"""Loudness of a recording after ITU-R BS.1770-4 / EBU R128: integrated loudness (LUFS),
loudness range (LU, EBU Tech 3342) and true peak (dBTP), measured while streaming blocks,
so the waveform's peak pass measures it at no extra decode.

The meter keeps one K-weighted energy per 100 ms (a 3-hour recording: 108 000 floats), from
which the gated 400 ms blocks, the 3 s short-term windows and the silence map are derived.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .k_weighting import KWeighting
from .priority import wait_while_urgent
from .true_peak import TruePeak

# Part of every cache key that holds a measurement (the loudness cache, the peaks file):
# raise it whenever a change makes the meter give other figures for the same audio, or a
# result measured by the old meter is read back as if it were the new one's (seen: a
# true peak 0.13 dB apart between a notebook and its own conversion, one of them cached).
METER_VERSION = 5  # 5: a block's open sub-block joined to its whole ones; 4: louder_share
SUB_BLOCK_S = 0.1  # 400 ms blocks overlap by 75 %, so 100 ms steps carry everything
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0  # integrated loudness (BS.1770-4 §5.1)
RANGE_RELATIVE_GATE_LU = -20.0  # loudness range (EBU Tech 3342)
SILENT_LUFS = -120.0  # what "no signal" reports, instead of -inf


def _to_lufs(mean_square: float | NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return np.maximum(-0.691 + 10.0 * np.log10(mean_square), SILENT_LUFS)


def _db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 0 else SILENT_LUFS


_FIGURES = ("integrated_lufs", "range_lu", "true_peak_dbtp", "sample_peak_dbfs", "duration_s")
SLICES_PER_SUB_BLOCK = 10  # the limiter model works on 10 ms slices


@dataclass(frozen=True)
class Loudness:
    """What the meter found: BS.1770's integrated loudness, EBU's loudness range, the true
    and sample peaks, and per-time profiles from which more is derived without decoding
    again: `sub_energy` (K-weighted mean square of each 100 ms), `slice_peak` and
    `slice_power` (largest |x| and mean square of each 10 ms, over channels: what a limiter
    will take out, see media/normalize.py), and what voice clarity's 80 Hz high-pass leaves
    of each 100 ms: `clear_energy` (its K-weighted mean square) and `clear_share` (the share
    of its plain power), and `louder_share`, the share of that (summed over channels) in its
    loudest channel (voice clarity's compressor takes the louder channel's level: 1/2 for
    the same sound on two channels, 1 for mono); None when not measured (the model then
    takes them as unchanged)."""

    integrated_lufs: float
    range_lu: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    duration_s: float
    sub_energy: NDArray[np.float32]
    slice_peak: NDArray[np.float32]
    slice_power: NDArray[np.float32]
    clear_energy: NDArray[np.float32] | None = None
    clear_share: NDArray[np.float32] | None = None
    louder_share: NDArray[np.float32] | None = None

    @property
    def momentary_lufs(self) -> NDArray[np.float32]:
        """The loudness of each 400 ms block, one value per 100 ms (block k covers
        [k·0.1 − 0.3, k·0.1 + 0.1] s): the silence map's input."""
        energies = self.sub_energy.astype(np.float64)
        return np.asarray(_to_lufs(_windowed(energies, 4, pad=True)), dtype=np.float32)

    def header(self) -> dict[str, float | int]:
        """The figures for a cache file's JSON header (the profiles go in its body)."""
        values: dict[str, float | int] = {name: float(getattr(self, name)) for name in _FIGURES}
        values["n_sub_blocks"] = len(self.sub_energy)
        return values

    def profiles(self) -> NDArray[np.float32]:
        """The profiles as one float32 array (sub_energy, slice_peak, slice_power,
        clear_energy, clear_share, louder_share)."""
        ones = np.ones(len(self.sub_energy))
        clear = self.sub_energy if self.clear_energy is None else self.clear_energy
        share = ones if self.clear_share is None else self.clear_share
        louder = ones if self.louder_share is None else self.louder_share
        parts = [self.sub_energy, self.slice_peak, self.slice_power, clear, share, louder]
        return np.concatenate(parts).astype(np.float32)

    @staticmethod
    def profile_length(n_sub_blocks: int) -> int:
        return n_sub_blocks * (4 + 2 * SLICES_PER_SUB_BLOCK)

    @classmethod
    def from_header(cls, header: dict[str, object], profiles: NDArray[np.float32]) -> Loudness:
        """The inverse of header() and profiles(); ValueError if anything is missing,
        inconsistent or not finite."""
        try:
            values = {name: float(header[name]) for name in _FIGURES}  # type: ignore[arg-type]
            n_sub = int(header["n_sub_blocks"])  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"bad loudness figures ({e})") from None
        if len(profiles) != cls.profile_length(n_sub):
            raise ValueError(f"{len(profiles)} loudness values, expected {cls.profile_length(n_sub)}")
        if not all(math.isfinite(v) for v in values.values()) or not np.isfinite(profiles).all():
            raise ValueError("loudness figures are not finite")
        n_slices = n_sub * SLICES_PER_SUB_BLOCK
        ends = np.cumsum([n_sub, n_slices, n_slices, n_sub, n_sub])
        sub, peak, power, clear, share, louder = np.split(profiles, ends)
        return cls(
            sub_energy=sub,
            slice_peak=peak,
            slice_power=power,
            clear_energy=clear,
            clear_share=share,
            louder_share=louder,
            **values,
        )


class LoudnessMeter:
    """Feed float32 blocks of shape (n, channels) in order; `result()` at the end. Channel
    weights are 1 (mono, stereo, up to three front channels: what recordings here have).

    Each whole 100 ms sub-block is read a few times in bulk: its 10 ms slices' largest and
    smallest sample and sum of squares (the profiles, the true peak's candidates and the
    plain energy), then the K-weighted energy from the plain one and a quarter-length
    spectrum (media/k_weighting.py). It agrees with time-domain filtering to within
    0.05 LU on speech, noise and the EBU test tones (tests check it)."""

    def __init__(self, sample_rate: int, channels: int = 1) -> None:
        if sample_rate <= 0 or channels <= 0:
            raise ValueError(f"cannot measure {channels} channels at {sample_rate} Hz")
        self.sample_rate = int(sample_rate)
        self.channels = channels
        self._sub_frames = max(1, round(self.sample_rate * SUB_BLOCK_S))
        self._k_weighting = KWeighting(self.sample_rate, self._sub_frames)
        # where the ten slices of a sub-block start (equal widths unless 100 ms does not split in ten)
        self._slice_starts = np.arange(SLICES_PER_SUB_BLOCK) * self._sub_frames // SLICES_PER_SUB_BLOCK
        self._uniform = self._sub_frames % SLICES_PER_SUB_BLOCK == 0
        self._pending = np.zeros((0, channels), dtype=np.float32)  # frames not yet in a sub-block
        self._before = self._pending  # the frames just before the next sub-block (true peak's context)
        self._energies: list[NDArray[np.float64]] = []  # mean squares per 100 ms (KWeighting's columns)
        self._slices: list[tuple[NDArray[np.float32], NDArray[np.float32]]] = []  # 10 ms (peak, power)
        self._n_frames = 0
        self._true_peak = TruePeak()
        self._bits = np.zeros(0, dtype=np.int32)  # reused (fresh pages cost more than the pass)
        self._joined = np.zeros((0, channels), dtype=np.float32)  # reused: see feed()

    def feed(self, block: NDArray[np.float32]) -> None:
        frames = block.reshape(len(block), -1).astype(np.float32, copy=False)
        if not len(frames):
            return
        if frames.shape[1] != self.channels:
            raise ValueError(f"block has {frames.shape[1]} channels, the meter {self.channels}")
        self._n_frames += len(frames)
        if len(self._pending):
            if len(self._pending) + len(frames) < self._sub_frames:
                self._pending = np.concatenate([self._pending, frames])
                return
            # the open sub-block and the whole ones after it in one pass, joined in a reused
            # buffer: a pass of its own for the one sub-block cost ~50 numpy calls per block,
            # ~15 % of the meter (a decoder's blocks are not whole sub-blocks)
            n_pending = len(self._pending)
            n_whole = (n_pending + len(frames)) // self._sub_frames * self._sub_frames
            if len(self._joined) < n_whole:
                self._joined = np.empty((n_whole, self.channels), dtype=np.float32)
            joined = self._joined[:n_whole]
            joined[:n_pending] = self._pending
            joined[n_pending:] = frames[: n_whole - n_pending]
            self._whole(joined, frames[n_whole - n_pending :])
            self._pending = frames[n_whole - n_pending :].copy()
            return
        n_whole = len(frames) // self._sub_frames * self._sub_frames
        if n_whole:
            self._whole(frames[:n_whole], frames[n_whole:])
        self._pending = frames[n_whole:].copy()

    def _whole(self, frames: NDArray[np.float32], after: NDArray[np.float32]) -> None:
        """Whole sub-blocks (`after`: the frames that follow them, if any yet)."""
        n_sub = len(frames) // self._sub_frames
        peak, sumsq, widths = self._slice_sums(frames, n_sub)
        self._slices.append((peak, (sumsq / widths).astype(np.float32)))
        sub_sumsq = sumsq.astype(np.float64).reshape(n_sub, SLICES_PER_SUB_BLOCK).sum(axis=1)
        self._energies.append(self._k_weighting.energies(frames, sub_sumsq))
        starts = (np.arange(n_sub)[:, None] * self._sub_frames + self._slice_starts).ravel()
        width = int(widths.max())
        self._true_peak.feed(frames, starts, peak, width, (self._before, after[: TruePeak.CONTEXT + width]))
        self._before = frames[-TruePeak.CONTEXT :].copy()

    def _slice_sums(
        self, frames: NDArray[np.float32], n_sub: int
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
        """Largest |x| and Σx² (over channels) of each 10 ms slice, and its width in frames:
        three reads of the block, no temporaries of its size."""
        n_slices = n_sub * SLICES_PER_SUB_BLOCK
        if self._uniform:
            rows = frames.reshape(n_slices, -1)
            if self._bits.size < rows.size:
                self._bits = np.empty(rows.size, dtype=np.int32)
            # |x| as the float's bits without the sign: integers in the same order as the
            # magnitudes, and an integer maximum runs ~1.5x as fast as float max and min
            bits = np.bitwise_and(
                rows.view(np.int32), 0x7FFFFFFF, out=self._bits[: rows.size].reshape(rows.shape)
            )
            peak = bits.max(axis=1).view(np.float32)
            sumsq = np.einsum("ij,ij->i", rows, rows)
            widths = np.full(n_slices, self._sub_frames // SLICES_PER_SUB_BLOCK, dtype=np.float32)
        else:
            starts = (np.arange(n_sub)[:, None] * self._sub_frames + self._slice_starts).ravel()
            peak = np.maximum(
                np.maximum.reduceat(frames, starts, axis=0).max(axis=1),
                -np.minimum.reduceat(frames, starts, axis=0).min(axis=1),
            )
            sumsq = np.add.reduceat(np.square(frames), starts, axis=0).sum(axis=1)
            widths = np.diff(np.append(starts, len(frames))).astype(np.float32)
        return peak.astype(np.float32), sumsq.astype(np.float32), widths

    def result(self) -> Loudness:
        """The figures, once everything is fed."""
        energies = list(self._energies)
        slices = list(self._slices)
        pending = len(self._pending)
        if pending:
            tail = np.zeros((self._sub_frames, self.channels), dtype=np.float32)
            tail[:pending] = self._pending
            self._whole(tail, tail[:0])  # its peaks count whatever its length
            energy, tail_slices = self._energies.pop(), self._slices.pop()
            if pending >= self._sub_frames // 2:  # a last partial 100 ms still counts
                energies.append(energy * self._sub_frames / pending)
                slices.append(tail_slices)
        columns = np.concatenate(energies) if energies else np.zeros((0, KWeighting.ENERGY_COLUMNS))
        joined, clear, clear_plain, plain, louder = columns.T
        return Loudness(
            integrated_lufs=_integrated(_windowed(joined, 4)),
            range_lu=_loudness_range(_windowed(joined, 30)),
            true_peak_dbtp=_db(self._true_peak.peak),
            sample_peak_dbfs=_db(self._true_peak.sample_peak),
            duration_s=self._n_frames / self.sample_rate,
            sub_energy=joined.astype(np.float32),
            slice_peak=np.concatenate([p for p, _ in slices] or [np.zeros(0, np.float32)]),
            slice_power=np.concatenate([w for _, w in slices] or [np.zeros(0, np.float32)]),
            clear_energy=clear.astype(np.float32),
            clear_share=np.clip(
                np.divide(clear_plain, plain, out=np.ones(len(plain)), where=plain > 0), 0.0, 1.0
            ).astype(np.float32),
            louder_share=np.clip(
                np.divide(louder, clear_plain, out=np.ones(len(plain)), where=clear_plain > 0), 0.0, 1.0
            ).astype(np.float32),
        )


def _windowed(energies: NDArray[np.float64], n: int, pad: bool = False) -> NDArray[np.float64]:
    """Mean energy of each run of n consecutive 100 ms sub-blocks, stepping by one; with
    pad, the first n − 1 windows are the partial ones, so there is one value per sub-block."""
    if pad:
        energies = np.concatenate([np.zeros(n - 1), energies])
    if len(energies) < n:
        return np.zeros(0)
    cumulative = np.concatenate([[0.0], np.cumsum(energies)])
    return np.asarray(np.maximum(cumulative[n:] - cumulative[:-n], 0.0) / n, dtype=np.float64)


def _integrated(blocks: NDArray[np.float64]) -> float:
    loud = blocks[_to_lufs(blocks) > ABSOLUTE_GATE_LUFS]
    if not len(loud):
        return SILENT_LUFS
    gate = float(_to_lufs(loud.mean())) + RELATIVE_GATE_LU
    gated = loud[_to_lufs(loud) > gate]
    return float(_to_lufs(gated.mean())) if len(gated) else SILENT_LUFS


def _loudness_range(short_term: NDArray[np.float64]) -> float:
    loud = short_term[_to_lufs(short_term) > ABSOLUTE_GATE_LUFS]
    if not len(loud):
        return 0.0
    gate = float(_to_lufs(loud.mean())) + RANGE_RELATIVE_GATE_LU
    levels = _to_lufs(loud)
    levels = levels[levels > gate]
    if len(levels) < 2:
        return 0.0
    low, high = np.percentile(levels, [10, 95])
    return float(high - low)


def integrated_of(sub_energy: NDArray[np.float64]) -> float:
    """Integrated loudness (LUFS) of a signal given its K-weighted energy per 100 ms."""
    return _integrated(_windowed(sub_energy, 4))


def measure(samples: NDArray[np.float32], sample_rate: int) -> Loudness:
    """The loudness of a whole signal in memory (tests, short clips)."""
    meter = LoudnessMeter(sample_rate, samples.shape[1] if samples.ndim == 2 else 1)
    meter.feed(samples)
    return meter.result()


class BackgroundMeter:
    """A LoudnessMeter fed from another thread: feed() hands a block over and returns (a
    few blocks may wait), result() waits for the last one. The meter's FFTs and filters
    release the GIL, so on a second core the measurement overlaps the decoding that feeds
    it instead of adding to it (the waveform's pass: benchmarks/bench_loudness.py)."""

    QUEUED_BLOCKS = 8

    def __init__(self, sample_rate: int, channels: int = 1) -> None:
        import queue
        import threading

        self.channels = channels
        self._meter = LoudnessMeter(sample_rate, channels)
        self._blocks: queue.Queue[NDArray[np.float32] | None] = queue.Queue(self.QUEUED_BLOCKS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="loudness", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (block := self._blocks.get()) is not None:
            wait_while_urgent()  # a tap's audio is being decoded (media.priority)
            if self._error is None:
                try:
                    self._meter.feed(block)
                except BaseException as e:  # raised again by result(), in the caller's thread
                    self._error = e

    def feed(self, block: NDArray[np.float32], *, owned: bool = False) -> None:
        """Hand a block over; `owned`: the caller never changes it afterwards, so the meter
        reads it as it is (a copy of every block costs a fifth of the measurement: fresh pages)."""
        self._blocks.put(block if owned else np.array(block, dtype=np.float32, copy=True))

    def result(self) -> Loudness:
        self._blocks.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._meter.result()

    def close(self) -> None:
        """Stop without a result (a cancelled pass): the thread ends once the queue drains."""
        self._error = self._error or RuntimeError("closed")
        self._blocks.put(None)
