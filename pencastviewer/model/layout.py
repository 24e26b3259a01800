"""How a recording's files lie on its own clock: the one place that says "a recording's
files play back to back, the pauses between them removed" (the official Livescribe
rule; Paper Replay and Xournal++ recordings are single files, a trivial case of it).

Exact arithmetic in float64 milliseconds; frame indices are rounded, never truncated.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .back_to_back import BackToBack
from .recording import Recording
from .units import ms_to_s, s_to_ms


@dataclass(frozen=True)
class RecordingLayout:
    """clock_starts_ms: each file's first sample on the notebook clock; durations_ms: its
    span there (what is played of it: trimmed or padded with silence to this);
    played_starts_ms: where each file begins once the files are back to back."""

    clock_starts_ms: tuple[float, ...]
    durations_ms: tuple[float, ...]
    played_starts_ms: tuple[float, ...]

    @classmethod
    def of(cls, recording: Recording) -> RecordingLayout:
        starts = tuple(f.clock_start_ms for f in recording.files)
        durations = tuple(f.clock_duration_ms for f in recording.files)
        played = BackToBack([ms_to_s(d) for d in durations]).starts_s
        return cls(starts, durations, tuple(s_to_ms(s) for s in played))

    def durations_s(self) -> tuple[float, ...]:
        """Each file's length as played, for the audio output (plain data)."""
        return tuple(ms_to_s(d) for d in self.durations_ms)

    def frame_starts(self, sample_rate: int) -> list[int]:
        """First frame of each file in the played recording, then the end (n + 1 values),
        each rounded to the nearest frame (back_to_back: the same rule as the players')."""
        return BackToBack(self.durations_s()).frame_starts(sample_rate)

    def position_s(self, t_ms: float) -> float:
        """Position in seconds of notebook time `t_ms`. A time inside a pause maps to the
        end of the file before it; before the first file to 0; after the last file to
        the recording's end."""
        i = bisect.bisect_right(self.clock_starts_ms, t_ms) - 1
        if i < 0:
            return 0.0
        offset = min(max(t_ms - self.clock_starts_ms[i], 0.0), self.durations_ms[i])
        return ms_to_s(self.played_starts_ms[i] + offset)

    def positions_s(self, t_ms: NDArray[np.float64]) -> NDArray[np.float64]:
        """position_s() of many notebook times at once (the same rule, in numpy)."""
        starts = np.asarray(self.clock_starts_ms)
        i = np.searchsorted(starts, t_ms, side="right") - 1
        k = np.maximum(i, 0)
        offset = np.clip(t_ms - starts[k], 0.0, np.asarray(self.durations_ms)[k])
        played_ms = np.where(i < 0, 0.0, np.asarray(self.played_starts_ms)[k] + offset)
        return np.asarray(ms_to_s(played_ms), dtype=np.float64)

    def ink_time_ms(self, position_s: float) -> float:
        """Notebook time at which `position_s` was recorded (the inverse of the above)."""
        played_ms = max(s_to_ms(position_s), 0.0)
        i = max(bisect.bisect_right(self.played_starts_ms, played_ms) - 1, 0)
        offset = min(played_ms - self.played_starts_ms[i], self.durations_ms[i])
        return self.clock_starts_ms[i] + offset
