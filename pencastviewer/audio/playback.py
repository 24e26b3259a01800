"""The playback interface every audio backend implements.

A backend is a QObject living in the GUI thread. It is handed file paths and durations,
never model objects. Python only issues commands: the samples flow in Qt's own threads
(qt_output) or nowhere at all (silent_output). Each backend's playhead is a PlayheadClock
(clock.py); its state a PlaybackState (state_machine.py). Only the app's
PlaybackController talks to a backend.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from ..media.dynamics import Processing
from ..model.back_to_back import BackToBack
from .clock import PlayheadClock
from .state_machine import PlaybackState

MIN_RATE, MAX_RATE = 0.5, 3.0
DECODING_HOLD_MS = 1000  # the longest a held decoding waits (a window never painted still plays)


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
        self._decoding_held = False
        self._held_threads: list[threading.Thread] = []
        self._hold_count = 0

    # --- decoding threads, held while a window paints a notebook just opened ---------
    def hold_decoding(self) -> None:
        """Decoding threads started from now on wait for release_decoding() (at most
        DECODING_HOLD_MS): a decoder takes Python's lock often enough to make the first
        paint of a notebook just opened several times slower."""
        self._decoding_held = True
        self._hold_count += 1

    def release_decoding(self) -> None:
        """Start what waits; from now on decoding starts at once (backends also release it
        on play: a seek only tells the waiting copy where to begin)."""
        self._decoding_held = False
        waiting, self._held_threads = self._held_threads, []
        for thread in waiting:
            thread.start()

    def _start_decoding(self, thread: threading.Thread) -> None:
        """For backends: start `thread`, or keep it until decoding is released."""
        if not self._decoding_held:
            thread.start()
            return
        self._held_threads.append(thread)
        hold = self._hold_count  # (a later hold is not cut short by this one's timer)
        QTimer.singleShot(
            DECODING_HOLD_MS, self, lambda: self.release_decoding() if hold == self._hold_count else None
        )

    def _drop_held_decoding(self) -> None:
        """For backends: what waits will not be needed (its files were unloaded)."""
        self._held_threads = []

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

    def is_waiting(self) -> bool:
        """Playing is asked for but no sound is confirmed yet: the audio at the playhead is
        being prepared (qt_output), or the player has not reported progress since it started
        (Qt's threads need the GIL to start: a page painted meanwhile held them 0.2-0.3 s)."""
        return self._state == PlaybackState.PLAYING and not (self._clock.running and self._clock.confirmed)

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
