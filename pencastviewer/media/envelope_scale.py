"""How a waveform's envelope is drawn: as recorded or as heard (the listening gain, with
what passes the limiter's ceiling held at it), on a linear or a decibel scale. With a
decibel scale a quiet lecture's speech (−30 LUFS, peaks around −20 dBFS) fills most of the
height next to its 0 dBFS pen clicks, where a linear one shows a thin band under spikes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .dynamics import Processing

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

    @classmethod
    def heard(cls, processing: Processing, db: bool = False) -> EnvelopeScale:
        """The scale of the signal as `processing` makes it heard (voice clarity's gentle
        compression aside: it moves syllables by a few dB, not the picture)."""
        ceiling = 10.0 ** (processing.ceiling_dbtp / 20.0) if processing.limit else None
        return cls(gain=processing.total_gain, ceiling=ceiling, db=db)

    def apply(self, values: NDArray[np.float32]) -> NDArray[np.float32]:
        out = np.asarray(values, dtype=np.float32) * np.float32(self.gain)
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

    def height_of(self, amplitude: float) -> float:
        """Where an amplitude ≥ 0 (as heard, e.g. the ceiling) is drawn."""
        if not self.db:
            return float(amplitude)
        return float(self.apply(np.array([amplitude / self.gain], dtype=np.float32))[0])
