"""The playback state every backend reports, and the Qt output's transport rules as a pure
state machine (no Qt, no clock, no files: unit-tested in tests/audio/test_state_machine.py).

The Qt output (qt_output) plays a copy of the recording that is still being written
(pcm_copy). Its transport therefore has more to remember than playing/paused/stopped: has
the player loaded the media yet (`ready`), does the user want sound (`want_playing`), is
the player waiting for the copy to hold the audio at the playhead (`stalled`), has the
player not yet been sent to the playhead (`seek_pending`), and is the player (with the
playhead clock) actually running. Each event returns the actions to carry out, in order;
the output maps them onto QMediaPlayer, the copy and the playhead clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class PlaybackState(StrEnum):
    """What the user sees: a str, so it also travels through Qt signals typed `str`."""

    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"


class Action(Enum):
    REQUEST_COPY = "write the copy from the playhead on first, and say when more is in"
    QUIET_COPY = "no more news of the copy's progress is needed"
    PAUSE_PLAYER = "pause the player"
    STOP_PLAYER = "stop the player"
    HOLD_CLOCK = "freeze the playhead where it is"
    SEEK_PLAYER = "send the player to the playhead"
    START_PLAYER = "start the player and the playhead clock"
    JUMP_TO_END = "put the playhead at the end"


@dataclass
class Transport:
    """The Qt output's transport. `covered`: the copy holds enough audio from the playhead
    on to start there (always True when the file plays as it is or the copy is complete)."""

    state: PlaybackState = PlaybackState.STOPPED
    ready: bool = False
    want_playing: bool = False
    running: bool = False
    stalled: bool = False
    seek_pending: bool = False

    def unload(self) -> list[Action]:
        self.ready = self.want_playing = self.running = self.stalled = self.seek_pending = False
        self.state = PlaybackState.STOPPED
        return [Action.STOP_PLAYER, Action.HOLD_CLOCK]

    def loaded(self, covered: bool) -> list[Action]:
        """The player has the media: go to the playhead (and start if wanted)."""
        self.ready = self.seek_pending = True
        return self._sync(covered)

    def play(self, covered: bool) -> list[Action]:
        self.want_playing = True
        self.state = PlaybackState.PLAYING
        return self._sync(covered) if self.ready and not self.running else []

    def pause(self) -> list[Action]:
        return self._halt(
            PlaybackState.STOPPED if self.state == PlaybackState.STOPPED else PlaybackState.PAUSED
        )

    def stop(self) -> list[Action]:
        """The output then seeks to 0."""
        return self._halt(PlaybackState.STOPPED)

    def seek(self, covered: bool) -> list[Action]:
        """The playhead has been moved: send the player there once the copy holds it."""
        if not self.ready:
            return []
        self.seek_pending = True
        return self._sync(covered)

    def copy_advanced(self, covered: bool) -> list[Action]:
        """More of the copy is written (news asked for by REQUEST_COPY)."""
        if self.ready and self.stalled:
            return self._sync(covered)
        return [] if self.stalled else [Action.QUIET_COPY]

    def copy_finished(self, covered: bool) -> list[Action]:
        return self._sync(covered) if self.ready and self.stalled else []

    def running_short(self, covered: bool) -> list[Action]:
        """While playing, the copy holds too little ahead of the playhead: stall and resume
        from the playhead once it is in (Qt reads a hole in the file as silence)."""
        self.seek_pending = True
        return self._sync(covered)

    def ended(self) -> list[Action]:
        self.want_playing = self.running = False
        self.state = PlaybackState.STOPPED
        return [Action.HOLD_CLOCK, Action.JUMP_TO_END]

    def failed(self) -> list[Action]:
        """The player or the copy failed: stopped, the playhead where it was."""
        self.want_playing = self.running = False
        self.state = PlaybackState.STOPPED
        return [Action.STOP_PLAYER, Action.HOLD_CLOCK]

    def _halt(self, state: PlaybackState) -> list[Action]:
        self.want_playing = self.running = False
        self.state = state
        return [Action.PAUSE_PLAYER, Action.HOLD_CLOCK] if self.ready else [Action.HOLD_CLOCK]

    def _sync(self, covered: bool) -> list[Action]:
        """Send the player to the playhead (if a seek is pending) and start it (if wanted)
        once the copy covers it; until then wait, paused (stalled)."""
        if not covered:
            actions = [Action.REQUEST_COPY]
            if self.running:
                actions += [Action.PAUSE_PLAYER, Action.HOLD_CLOCK]
            self.running = False
            self.stalled = self.seek_pending = True
            return actions
        actions = [Action.QUIET_COPY]
        self.stalled = False
        if self.seek_pending:
            self.seek_pending = False
            actions.append(Action.SEEK_PLAYER)
        if self.want_playing and not self.running:
            self.running = True
            actions.append(Action.START_PLAYER)
        return actions
