"""How a waveform's envelope is drawn: as recorded or as heard (the listening gain, voice
clarity's compression as the gain solve models it, what passes the limiter's ceiling held
at it), on a linear or a decibel scale. With a
decibel scale a quiet lecture's speech (−30 LUFS, peaks around −20 dBFS) fills most of the
height next to its 0 dBFS pen clicks, where a linear one shows a thin band under spikes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .dynamics import Processing
from .loudness import Loudness

DB_FLOOR = -60.0  # dBFS drawn at the centre line: room noise, below any speech worth seeing


@dataclass(frozen=True)
class EnvelopeScale:
    """Maps amplitudes in [−1, 1] to heights in [−1, 1]. `gain` multiplies the signal;
    `ceiling` (linear, None: none) is where the limiter holds it; with `db`, |height| is
    the level above `floor_db` as a share of the range down to it (sign kept)."""

    gain: float = 1.0
    ceiling: float | None = None
    db: bool = False
    floor_db: float = DB_FLOOR
    # voice clarity's gain per 10 ms slice of the recording (None: no compression drawn)
    clarity: NDArray[np.float64] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def heard(
        cls, processing: Processing, db: bool = False, loudness: Loudness | None = None
    ) -> EnvelopeScale:
        """The scale of the signal as `processing` makes it heard; with voice clarity and
        the recording's `loudness`, its compressor's gain over time as the gain solve
        models it (media/normalize.py: the compressor's own curve at each 10 ms level)."""
        ceiling = 10.0 ** (processing.ceiling_dbtp / 20.0) if processing.limit else None
        clarity = None
        if processing.voice_clarity and loudness is not None and len(loudness.slice_power):
            from .normalize import voice_clarity_gain

            gain_db = 20.0 * math.log10(processing.total_gain)
            clarity = voice_clarity_gain(loudness, gain_db, processing.reference_db)
        return cls(gain=processing.total_gain, ceiling=ceiling, db=db, clarity=clarity)

    def apply(
        self, values: NDArray[np.float32], times_s: NDArray[np.float64] | None = None, bin_s: float = 0.0
    ) -> NDArray[np.float32]:
        """Heights of envelope bins; `times_s` (bin starts) and `bin_s` (their length) place
        them in the recording, for voice clarity's gain over time."""
        out = np.asarray(values, dtype=np.float32) * np.float32(self.gain)
        if self.clarity is not None and times_s is not None and len(out):
            out *= self._clarity_of(times_s, bin_s)
        if self.ceiling is not None:
            np.clip(out, -self.ceiling, self.ceiling, out=out)
        else:
            np.clip(out, -1.0, 1.0, out=out)
        if not self.db:
            return out
        with np.errstate(divide="ignore"):
            level_db = 20.0 * np.log10(np.abs(out))
        height = np.clip((level_db - self.floor_db) / -self.floor_db, 0.0, 1.0)
        return np.asarray(np.sign(out) * height, dtype=np.float32)

    def _clarity_of(self, times_s: NDArray[np.float64], bin_s: float) -> NDArray[np.float32]:
        """Per bin, the compressor's smallest gain over the slices it spans: a bin's extreme
        is its loudest moment, which the compressor lifts least or cuts most."""
        from .normalize import SLICE_S

        clarity = self.clarity
        assert clarity is not None
        last = len(clarity) - 1
        first = np.clip((times_s / SLICE_S).astype(np.int64), 0, last)
        stop = np.clip(np.ceil((times_s + bin_s) / SLICE_S).astype(np.int64), first + 1, last + 1)
        bounds = np.stack([first, stop], axis=1).ravel()  # (each odd reduction is thrown away)
        return np.minimum.reduceat(np.append(clarity, clarity[-1]), bounds)[::2].astype(np.float32)

    def height_of(self, amplitude: float) -> float:
        """Where an amplitude ≥ 0 (as heard, e.g. the ceiling) is drawn."""
        if not self.db:
            return float(amplitude)
        return float(self.apply(np.array([amplitude / self.gain], dtype=np.float32))[0])
