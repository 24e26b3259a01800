"""Files played back to back: where each begins on the played clock, which one plays at a
position, and at which frame each begins at a sample rate. The one place this rule is
written: the model's RecordingLayout, the players (audio) and the exports use it. Plain
seconds in, plain numbers out (the audio engine may use it: it knows no notebook)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from .units import frames_at


@dataclass(frozen=True)
class BackToBack:
    """`durations_s`: how long each file lasts as played (negative lengths count as 0)."""

    durations_s: tuple[float, ...]
    starts_s: tuple[float, ...] = field(init=False)
    total_s: float = field(init=False)

    def __init__(self, durations_s: Sequence[float]) -> None:
        durations = tuple(max(0.0, float(d)) for d in durations_s)
        ends = tuple(itertools.accumulate(durations))
        object.__setattr__(self, "durations_s", durations)
        object.__setattr__(self, "starts_s", (0.0, *ends[:-1]) if durations else ())
        object.__setattr__(self, "total_s", ends[-1] if ends else 0.0)

    def locate(self, position_s: float) -> tuple[int, float]:
        """The file playing at `position_s` and the offset into it (the last file with a
        length past the end; the first before the start)."""
        position = min(max(position_s, 0.0), self.total_s)
        index = 0
        for i, start in enumerate(self.starts_s):
            if start <= position and self.durations_s[i] > 0:
                index = i
        if not self.durations_s:
            return 0, 0.0
        return index, min(position - self.starts_s[index], self.durations_s[index])

    def global_s(self, index: int, offset_s: float) -> float:
        return self.starts_s[index] + offset_s

    def frame_starts(self, sample_rate: int) -> list[int]:
        """First frame of each file at `sample_rate`, then the end (n + 1 values): the
        running times rounded to the nearest frame, so no rounding adds up over files."""
        return [frames_at(s, sample_rate) for s in (*self.starts_s, self.total_s)]
