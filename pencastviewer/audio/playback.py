"""The playback interface every audio backend implements.

A backend is a QObject living in the GUI thread. It is handed file paths and durations,
never model objects. Python only issues commands: the samples flow in Qt's own threads
(qt_output) or nowhere at all (silent_output). Each backend's playhead is a PlayheadClock
(clock.py); its state a PlaybackState (state_machine.py). Only the app's
PlaybackController talks to a backend.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from ..media.dynamics import Processing
from ..model.back_to_back import BackToBack
from .clock import PlayheadClock
from .state_machine import PlaybackState

MIN_RATE, MAX_RATE = 0.5, 3.0


def clamp_rate(rate: float) -> float:
    return min(max(float(rate), MIN_RATE), MAX_RATE)


class AudioOutput(QObject):
    """What the rest of the program plays audio through. Lives in the GUI thread.

    load(path, duration_s) / load_sequence([(path, duration_s), ...]): the files play
    back-to-back as one timeline of seconds (duration_s: how long the file lasts on
    that timeline, trimmed or padded with silence; None: its decoded length). Commands
    given before the media is ready are applied once it is. Positions are seconds on that
    timeline; rates 0.5-3 keep the pitch; volume 0-1. Signals: state_changed(PlaybackState),
    duration_changed(s), error_occurred(one-line message), ended(),
    ready_changed(bool: loaded media can now be played and seeked exactly).
    """

    state_changed = Signal(object)  # PlaybackState
    duration_changed = Signal(float)
    error_occurred = Signal(str)
    ended = Signal()
    ready_changed = Signal(bool)

    is_silent = False

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        confirm_reports: bool = True,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._clock = PlayheadClock(now, confirm_reports=confirm_reports)
        self._state = PlaybackState.STOPPED
        self._map = BackToBack(())
        self._files: tuple[tuple[str, float | None], ...] = ()

    # --- commands every backend implements -------------------------------------------
    def load_sequence(self, files: Sequence[tuple[str, float | None]]) -> None:
        raise NotImplementedError

    def unload(self) -> None:
        raise NotImplementedError

    def play(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def seek(self, position_s: float) -> None:
        raise NotImplementedError

    def set_rate(self, rate: float) -> None:
        raise NotImplementedError

    def set_volume(self, volume: float) -> None:
        raise NotImplementedError

    def set_muted(self, muted: bool) -> None:
        raise NotImplementedError

    def set_processing(self, processing: Processing) -> None:
        """How the samples are heard (media.dynamics: normalisation, voice clarity, boost,
        limiter), from the playhead on."""
        raise NotImplementedError

    def is_ready(self) -> bool:
        raise NotImplementedError

    # --- shared ---------------------------------------------------------------------
    def load(self, path: str, duration_s: float | None = None) -> None:
        self.load_sequence([(path, duration_s)])

    def position_s(self) -> float:
        return self._clock.position_s()

    def duration_s(self) -> float:
        return self._map.total_s

    def state(self) -> PlaybackState:
        return self._state

    def rate(self) -> float:
        return self._clock.rate

    def file_at(self, position_s: float) -> tuple[int, float]:
        """(index of the loaded file playing at `position_s`, offset in that file, s)."""
        return self._map.locate(position_s)

    def _set_state(self, state: PlaybackState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _set_durations(self, durations_s: Sequence[float]) -> None:
        self._map = BackToBack(durations_s)
        self._clock.set_duration(self._map.total_s if self._files else None)
        self.duration_changed.emit(self._map.total_s)

    def _at_end(self) -> bool:
        return self._map.total_s > 0 and self.position_s() >= self._map.total_s - 1e-3
