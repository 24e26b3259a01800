"""What QMediaPlayer did, and when, next to what the sink played: for the failure messages
of tests that measure where heard audio starts.

Until the transport's calls were made at once (qt_quirks: "Queued calls"), a pause or a seek
took effect only when the GUI thread's event loop got to it, and while that thread was
held the player played on; Qt also plays out ~100 ms of buffered sound after a pause.
Measured then, tap while paused on a 120 s noise file: 66 taps (pause 0-500 ms before,
seeks back, forward and near; 30 of them with a core kept busy) all started within ±0.5 ms,
and no old audio followed the command; with the GUI thread held 300 ms by a Python loop
right after pause(), the old audio went on 300-370 ms; held 300 ms right after a seek+play
that came < 100 ms after the pause, the pause's tail went on after the command in 12 of 20
taps. tests/gui/test_xopp_lecture_audio.py with the GUI thread held 300 ms before the pause
ran and 150 ms after each tap failed as it once did in a full run (-271.5 ms): -170 to
-496 ms. These traces tell what happened if such an error comes back: the player ran the
command late, or it ran it in time and played something else.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtMultimedia import QMediaPlayer

from .xcorr import locate

BLOCK_MS = 20


class PlayerProbe:
    """The player's reports (position, playback state, media status) and the test's own
    commands, each with its monotonic time."""

    def __init__(self, player: QMediaPlayer) -> None:
        self.events: list[tuple[float, str]] = []
        player.positionChanged.connect(lambda ms: self._add(f"Qt position {ms} ms"))
        player.playbackStateChanged.connect(lambda state: self._add(f"Qt {state.name}"))
        player.mediaStatusChanged.connect(lambda status: self._add(f"Qt {status.name}"))

    def _add(self, what: str) -> None:
        self.events.append((time.monotonic(), what))

    def mark(self, what: str) -> float:
        """Note a command of the test (its time is returned)."""
        self._add(what)
        return self.events[-1][0]

    def clear(self) -> None:
        self.events.clear()

    def describe(self, t0: float, limit: int = 8) -> str:
        """The events from `t0` - 2 s on, as 'ms after t0: what' (the first `limit` after t0)."""
        before = [e for e in self.events if t0 - 2.0 <= e[0] < t0]
        after = [e for e in self.events if e[0] >= t0][:limit]
        return "; ".join(f"{(t - t0) * 1000:+.0f} ms {what}" for t, what in [*before[-4:], *after])


def heard_runs(heard: np.ndarray, source: np.ndarray, rate: int, around: int, reach_s: float = 2.0) -> str:
    """Where each BLOCK_MS of `heard` comes from in `source` (searched within `reach_s` of
    sample `around`), merged into runs: '<source s> for <ms>' or 'silence for <ms>'. Tells old audio
    played before the wanted spot from a start in the wrong place."""
    block, reach = rate * BLOCK_MS // 1000, round(reach_s * rate)
    runs: list[list[float]] = []  # [source s or nan, ms, next expected source s]
    for k in range(0, len(heard) - block + 1, block):
        part = heard[k : k + block]
        where = float("nan")
        if np.abs(part).max() >= 2e-3:
            where = locate(part, source, around - reach, around + reach) / rate
        if runs and (
            (np.isnan(where) and np.isnan(runs[-1][0])) or abs(where - runs[-1][2]) < BLOCK_MS / 2000
        ):
            runs[-1][1] += BLOCK_MS
            runs[-1][2] += BLOCK_MS / 1000
        else:
            runs.append([where, BLOCK_MS, where + BLOCK_MS / 1000])
    return ", ".join(f"{'silence' if np.isnan(s) else f'{s:.3f} s'} for {ms:.0f} ms" for s, ms, _ in runs)
