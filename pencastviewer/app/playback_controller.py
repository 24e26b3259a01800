"""The one owner of the playhead: what plays, where, how fast and how loud.

Views and use-cases never touch the audio backend: they ask the controller, and follow
its signals. It lives in the GUI thread, like the backend behind it (an AudioOutput:
QtAudioOutput or SilentAudioOutput). Positions are seconds of the loaded recording as
played (its files back to back); which notebook time that is, is the Session's business.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..audio.playback import MAX_RATE, MIN_RATE, AudioOutput
from ..audio.state_machine import PlaybackState
from ..media.dynamics import IDENTITY, Processing

PLAYHEAD_INTERVAL_MS = 16  # one repaint per frame at 60 Hz while playing
SKIP_MARGIN_S = 0.05  # a skipped span this close to its end is played out (a seek costs ~35 ms)
# A jump is heard that much after it is asked for (the output restarts): it is asked for this
# early, inside the silence kept before the span (media.silence.KEEP_S), so none is lost.
SKIP_AHEAD_S = 0.04
# While the sound of a play or seek is being started, views are not told the playhead moved
# (their repaint holds the GUI thread and the GIL, and with them the start: a page's ink
# revealed anew takes 10-130 ms); they are told once it sounds, or after this long at most.
HOLD_VIEWS_S = 0.3
Files = tuple[tuple[str, float | None], ...]  # (path, duration_s or None) played back to back


class PlaybackController(QObject):
    """Transport, playhead, rate, volume, mute and the loop of a region."""

    state_changed = Signal(object)  # PlaybackState
    # seconds: after every move (seek, stop, each tick while playing) and state change; while
    # the sound is being started, once it sounds (see HOLD_VIEWS_S)
    playhead_moved = Signal(float)
    advanced = Signal(float)  # each tick while playing and sounding, just before playhead_moved
    rate_changed = Signal(float)
    volume_changed = Signal(float)
    muted_changed = Signal(bool)
    looping_changed = Signal(bool)
    problem = Signal(str)  # the backend failed (one line, naming the file)

    def __init__(self, output: AudioOutput, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._output = output
        self._rate, self._volume, self._muted = 1.0, 1.0, False
        self._processing = IDENTITY
        self._skipped: NDArray[np.float64] | None = None
        self._looping = False
        self._loop_region: tuple[float, float] | None = None
        self._loaded = False
        self._files: Files = ()
        self._aside: tuple[Files, float, bool] | None = None  # let_go(): files, position, playing
        self._timer = QTimer(self)
        self._timer.setInterval(PLAYHEAD_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        # The end of a loop or of play_until() comes on time even when the ticks come late
        # (a busy GUI thread): a single shot at the moment it is due, besides the ticks.
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._end_timer.timeout.connect(self._on_timer_timeout)
        self._stop_at: float | None = None
        self._held_since: float | None = None  # monotonic time views were first held (None: not held)
        output.state_changed.connect(self._on_output_state_changed)
        output.error_occurred.connect(self.problem)

    # --- what is loaded -------------------------------------------------------------
    @property
    def backend(self) -> AudioOutput:
        """The audio backend itself: for tests and diagnostics only (views use the controller)."""
        return self._output

    @property
    def is_silent(self) -> bool:
        """No audio device: the playhead runs, nothing is heard."""
        return self._output.is_silent

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self, files: Sequence[tuple[str, float | None]]) -> None:
        """Play these files back to back from now on (stopped at 0)."""
        self._aside = None
        self._files = tuple(files)
        self._output.load_sequence(files)
        self._output.set_rate(self._rate)
        self._loaded = bool(files)
        self.playhead_moved.emit(self.position_s())

    def let_go(self) -> None:
        """Another notebook is being read: the output drops the recording now (tearing Qt's
        source down holds the GUI thread 25-85 ms, just before the new one's first sound), the
        views keep the playhead. Back with take_back(), or with a play or a seek meanwhile."""
        if self._loaded and self._aside is None:
            self._aside = (self._files, self.position_s(), self.playing)  # (before unload: stopped)
            self._output.unload()

    def drop_let_go(self) -> None:
        """The other notebook is shown: the recording let go of is gone for good."""
        if self._aside is not None:
            self.unload()

    def take_back(self) -> None:
        """The recording let go of plays again as it did (the other notebook failed to open)."""
        aside, self._aside = self._aside, None
        if aside is not None:
            files, position_s, playing = aside
            self.load(files)
            self.seek(position_s, play=playing)

    def hold_decoding(self) -> None:
        """Audio decoding started from now on waits for release_decoding() (a notebook
        being opened: its first page is painted first; see AudioOutput.hold_decoding)."""
        self._output.hold_decoding()

    def release_decoding(self) -> None:
        self._output.release_decoding()

    def unload(self) -> None:
        if self._aside is None:  # (a recording let go of is unloaded already)
            self._output.unload()
        self._aside = None
        self._loaded = False
        self.playhead_moved.emit(0.0)

    # --- transport ------------------------------------------------------------------
    def state(self) -> PlaybackState:
        return PlaybackState(self._output.state())

    @property
    def playing(self) -> bool:
        return self.state() == PlaybackState.PLAYING

    def position_s(self) -> float:
        if self._aside is not None:
            return self._aside[1]
        return self._output.position_s() if self._loaded else 0.0

    def duration_s(self) -> float:
        return self._output.duration_s()

    def play(self) -> None:
        self.take_back()
        if self._loaded:
            self._output.play()

    def play_from(self, position_s: float) -> float:
        """Seek and play: the output is sent to `position_s` and started before any view
        hears of the move (they follow once it sounds). Returns where the playhead is."""
        return self.seek(position_s, play=True)

    @property
    def starting(self) -> bool:
        """Playing is asked for and its sound is being started (the audio at the playhead
        is prepared, or the player has not reported progress yet): heavy view work waits."""
        return self._output.is_waiting()

    def _show(self, position_s: float) -> None:
        """Tell the views where the playhead is, unless the sound is being started (then
        on a later tick, once it sounds or HOLD_VIEWS_S after the start began)."""
        if self._output.is_waiting():
            now = time.monotonic()
            if self._held_since is None:
                self._held_since = now
            if now - self._held_since < HOLD_VIEWS_S:
                return
        else:
            self._held_since = None
        self.playhead_moved.emit(position_s)

    def pause(self) -> None:
        self._output.pause()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        if self._aside is not None:  # (let go of: stopped at 0 when taken back)
            self._aside = (self._aside[0], 0.0, False)
            self.playhead_moved.emit(0.0)
        elif self._loaded:
            self._output.stop()
            self.playhead_moved.emit(self.position_s())

    def seek(self, position_s: float, play: bool = False) -> float:
        """Move the playhead (not before 0, not past the end); returns where it is now. A
        stop set by play_until() is forgotten. play: start playing there, before the views
        are told (play_from)."""
        self.take_back()
        if not self._loaded:
            return 0.0
        self._stop_at = None
        self._output.seek(max(position_s, 0.0))
        if play:
            self._output.play()
        position = self.position_s()
        self._show(position)
        self._arm_end_timer()
        return position

    @property
    def stopping_at(self) -> float | None:
        """Where play_until() will pause (None: nowhere)."""
        return self._stop_at

    def play_until(self, end_s: float | None) -> None:
        """Pause when the playhead reaches `end_s` (a preview of a range); None: play on."""
        self._stop_at = end_s
        self._arm_end_timer()

    def _arm_end_timer(self) -> None:
        """The single shot for the next due end: the loop's turn or the stop."""
        end = self._stop_at
        if self._looping and self._loop_region is not None:
            end = self._loop_region[1] if end is None else min(end, self._loop_region[1])
        if end is None or not self.playing:
            if self._end_timer.isActive():
                self._end_timer.stop()
            return  # (each tick comes here: nothing to do in the usual case)
        remaining_s = (end - self.position_s()) / max(self._rate, MIN_RATE)
        self._end_timer.start(max(0, round(remaining_s * 1000)))

    def skip(self, delta_s: float) -> float:
        duration = self._output.duration_s() or float("inf")
        return self.seek(min(max(self.position_s() + delta_s, 0.0), duration))

    # --- how it sounds ---------------------------------------------------------------
    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        rate = round(min(max(float(rate), MIN_RATE), MAX_RATE), 3)
        if rate != self._rate:
            self._rate = rate
            self._output.set_rate(rate)
            self.rate_changed.emit(rate)

    @property
    def volume(self) -> float:
        return self._volume

    def set_volume(self, volume: float) -> None:
        volume = min(max(float(volume), 0.0), 1.0)
        if volume != self._volume:
            self._volume = volume
            self._output.set_volume(volume)
            self.volume_changed.emit(volume)

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        if bool(muted) != self._muted:
            self._muted = bool(muted)
            self._output.set_muted(self._muted)
            self.muted_changed.emit(self._muted)

    @property
    def processing(self) -> Processing:
        return self._processing

    def set_processing(self, processing: Processing) -> None:
        """How the recording is heard (normalisation, voice clarity, boost, limiter: see
        app/heard_level.py, which decides it), from the playhead on."""
        if processing != self._processing:
            self._processing = processing
            self._output.set_processing(processing)

    def set_skipped(self, spans: NDArray[np.float64] | None) -> None:
        """Skip silence: (n, 2) sorted [start, end) spans (s) that playback jumps over when
        it reaches them (None or empty: nothing is skipped). The playhead stays on the
        recording's own clock: it jumps, as if the user had skipped ahead."""
        self._skipped = None if spans is None or not len(spans) else np.asarray(spans, dtype=np.float64)

    def _past_skipped(self, position_s: float) -> float:
        """Where playback goes on from `position_s`: the end of a skipped span it is in."""
        spans = self._skipped
        if spans is None:
            return position_s
        k = int(np.searchsorted(spans[:, 0], position_s + SKIP_AHEAD_S, side="right")) - 1
        if k >= 0 and position_s < spans[k, 1] - SKIP_MARGIN_S:
            self._output.seek(float(spans[k, 1]))
            return self.position_s()
        return position_s

    # --- looping a region --------------------------------------------------------------
    @property
    def looping(self) -> bool:
        return self._looping

    def set_loop_region(self, region: tuple[float, float] | None) -> None:
        """The region that plays in a loop when looping is on (None: nothing to loop)."""
        self._loop_region = region
        if region is None:
            self.set_looping(False)

    def set_looping(self, looping: bool) -> None:
        """Loop the region: playback past its end goes back to its start. Turned on with
        the playhead outside the region, playback goes to its start."""
        asked, looping = bool(looping), bool(looping) and self._loop_region is not None
        if looping == self._looping:
            if asked and not looping:
                self.looping_changed.emit(False)  # nothing to loop: whoever asked shows it off again
            return
        self._looping = looping
        self.looping_changed.emit(looping)
        if looping and self._loop_region is not None and self._loaded:
            start, end = self._loop_region
            if not start <= self.position_s() < end:
                self.seek(start)

    # --- following the backend ------------------------------------------------------------
    def _on_output_state_changed(self, state: str) -> None:
        state = PlaybackState(state)
        if state == PlaybackState.PLAYING:
            self._timer.start()
            self._show(self.position_s())
        else:
            self._timer.stop()
            self._held_since = None
            self.playhead_moved.emit(self.position_s())
        self._arm_end_timer()
        self.state_changed.emit(state)

    def _on_timer_timeout(self) -> None:
        position = self._past_skipped(self.position_s())
        region = self._loop_region
        if self._looping and region is not None and position >= region[1]:
            self._output.seek(region[0])  # the loop's turn: back to the region's start
            position = self.position_s()
        if self._stop_at is not None and position >= self._stop_at:
            self._stop_at = None
            self._output.pause()  # -> state_changed, with the playhead where it stopped
            return
        if not self._output.is_waiting():  # a page turned meanwhile would hold up the start
            self.advanced.emit(position)  # (its paint takes the GUI thread: 0.1-0.35 s measured)
        self._show(position)
        self._arm_end_timer()
