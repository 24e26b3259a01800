"""A backend that plays nothing: the playhead runs on the monotonic clock at the chosen rate.

For machines with no audio output device, so the ink still replays in time and the
window can say "no audio device — playing silently". Files are only probed for length.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer

from ..media.dynamics import IDENTITY, Processing
from ..media.probe import probe
from ..media.source import AudioError
from .playback import AudioOutput, clamp_rate
from .state_machine import PlaybackState


class SilentAudioOutput(AudioOutput):
    """AudioOutput with no sound. Ready as soon as the lengths are known. `now`: the
    monotonic clock the playhead follows (injectable for tests)."""

    is_silent = True

    def __init__(self, parent: QObject | None = None, now: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent, confirm_reports=False, now=now)
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.timeout.connect(self._on_end_timer_timeout)
        self._volume, self._muted = 1.0, False
        self.processing: Processing = IDENTITY

    def load_sequence(self, files: Sequence[tuple[str, float | None]]) -> None:
        self.unload()
        self._files = tuple((str(path), duration) for path, duration in files)
        try:
            durations = [d if d is not None else probe(path).duration_s for path, d in self._files]
        except AudioError as e:
            self._files = ()
            self.error_occurred.emit(str(e))
            return
        self._set_durations(durations)
        self.ready_changed.emit(True)

    def unload(self) -> None:
        was_ready = bool(self._files)
        self._end_timer.stop()
        self._files = ()
        self._clock.hold()
        self._clock.jump(0.0)
        self._set_durations(())
        self._set_state(PlaybackState.STOPPED)
        if was_ready:
            self.ready_changed.emit(False)

    def is_ready(self) -> bool:
        return bool(self._files)

    def play(self) -> None:
        if not self._files:
            return
        if self._at_end():
            self._clock.jump(0.0)
        if not self._clock.running:
            self._clock.start()
        self._set_state(PlaybackState.PLAYING)
        self._schedule_end()

    def pause(self) -> None:
        self._halt(PlaybackState.PAUSED if self._state != PlaybackState.STOPPED else PlaybackState.STOPPED)

    def stop(self) -> None:
        self._halt(PlaybackState.STOPPED)
        self._clock.jump(0.0)

    def _halt(self, state: PlaybackState) -> None:
        self._end_timer.stop()
        self._clock.hold()
        self._set_state(state)

    def seek(self, position_s: float) -> None:
        self._clock.jump(min(max(float(position_s), 0.0), self._map.total_s))
        self._schedule_end()

    def set_rate(self, rate: float) -> None:
        self._clock.set_rate(clamp_rate(rate))
        self._schedule_end()

    def set_volume(self, volume: float) -> None:
        self._volume = min(max(float(volume), 0.0), 1.0)

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)

    def set_processing(self, processing: Processing) -> None:
        self.processing = processing  # nothing is heard: only remembered

    def _schedule_end(self) -> None:
        if self._clock.running:
            remaining_s = (self._map.total_s - self._clock.position_s()) / self._clock.rate
            self._end_timer.start(max(0, round(remaining_s * 1000)))

    def _on_end_timer_timeout(self) -> None:
        if not self._clock.running:
            return
        if not self._at_end():
            self._schedule_end()  # a timer may fire a little early
            return
        self._clock.hold()
        self._clock.jump(self._map.total_s)  # "at the end" allows 1 ms: land exactly on it
        self._set_state(PlaybackState.STOPPED)
        self.ended.emit()
