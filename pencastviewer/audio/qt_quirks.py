"""What QtMultimedia (Qt 6.10-6.12, FFmpeg backend) does that the Qt output works around,
each with the measurement that justifies it. Only qt_output uses this module.

Read-ahead. Qt's demuxer reads up to 4 s ahead of what plays (qffmpegdemuxer.cpp,
MaxBufferedDurationUs), and a hole in the file (the part of the copy not yet written)
reads as silence. So the player is only sent to a position once the copy holds LEAD_S
from there, and while playing, less than AHEAD_S written ahead of the playhead stalls it
(AHEAD_S < LEAD_S, so a resumed player does not stall again at once).

Stretch lag. With pitch compensation at a rate other than 1, Qt reports the position of
the audio entering its stretcher (signalsmith-stretch), which is heard STRETCH_LAG_S × rate
later: measured through PulseAudio 0.09-0.11 s of wall time for 0.5-3× (tests/audio). At
1× Qt bypasses the stretcher. A rate change while playing restarts from the playhead like
a seek: swapping the stretcher in flight replays ~0.1 s and leaves Qt's position 50 ms off
for 0.4 s.

Queued calls. QMediaPlayer.stop() and setSource() tear its renderers down and wait for
their threads, which need the GIL to destroy their connections to our Python-made
QAudioOutput; called from Python, which holds the GIL, they deadlock (seen in about one
stop in twenty after play-to-end-then-replay). They are therefore queued, to run from the
event loop, where PySide has released the GIL; for the same reason the player is stopped
from C++ at aboutToQuit. pause(), play(), setPosition() and setPlaybackRate() only hand
work to those threads (PlaybackEngine: objects are killed with deleteLater, never waited
for) and are made at once: queued, they waited for the event loop too, and while the GUI
thread was held (a page painted, 10-300 ms) the player played on: a pause went on sounding,
and a tap soon after a pause played the old audio first (held 300 ms: the pause sounded
300-370 ms instead of ~100 ms; a tap 0-50 ms after the pause played 30-90 ms of the old
audio in 12 of 20 taps; tests/support/player_probe.py). Qt still starts the new sound from
the event loop (its engine lives in the GUI thread): held, a tap now sounds late, but where
asked, after silence. A call made at once waits behind a queued one still pending (order
kept), and the player's signals it emits come back while it is made (`making`).

Stale status. Stopping the old source (a reload: another recording, the same one heard
another way) reports LoadedMedia once more, from the event loop, after the new copy is
ready to be set: taken as the new source's, the player was sent to the playhead and started
before the new source replaced the old and sent it back to 0, where a copy still being made
is a hole: silence for as long as it played (every reload while playing, tests/audio). Only
a LoadedMedia after the player reports our source counts.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Q_ARG, SIGNAL, SLOT, QCoreApplication, QMetaObject, QObject, Qt, QUrl, Slot

STRETCH_LAG_S = 0.105  # wall-clock delay of Qt's pitch-keeping stretcher, per unit of rate
LEAD_S = 5.5  # the copy holds this much from a position before the player is sent there
AHEAD_S = 4.5  # while playing, less than this written ahead stalls (must stay < LEAD_S)


def stretch_lag_s(rate: float, pitch_compensation: bool) -> float:
    """How much later than Qt's reported position the audio is heard, in media seconds."""
    if abs(rate - 1.0) < 1e-6 or not pitch_compensation:
        return 0.0  # Qt bypasses the stretcher at 1× (and without pitch compensation)
    return STRETCH_LAG_S * rate


def queue_call(target: QObject, slot: str, *args: Any) -> None:
    """Call a slot of `target` from the event loop (see "Queued calls")."""
    QMetaObject.invokeMethod(target, slot, Qt.ConnectionType.QueuedConnection, *args)


_ARG_TYPES: dict[str, Any] = {"setSource": QUrl, "setPosition": "qlonglong", "setPlaybackRate": float}


class PlayerCalls(QObject):
    """Calls into one QMediaPlayer, in the order made (see "Queued calls")."""

    def __init__(self, player: QObject) -> None:
        super().__init__(player)
        self._player, self._pending = player, 0
        self.making = False  # a call is being made at once: the player's signals re-enter

    def later(self, slot: str, *args: Any) -> None:
        """stop, setSource: from the event loop."""
        self._pending += 1
        queue_call(self._player, slot, *(Q_ARG(_ARG_TYPES[slot], a) for a in args))
        queue_call(self, "_ran")

    def now(self, slot: str, *args: Any) -> None:
        """pause, play, setPosition, setPlaybackRate: at once, after any queued call."""
        if self._pending:
            return self.later(slot, *args)
        self.making = True
        try:
            getattr(self._player, slot)(*args)
        finally:
            self.making = False

    @Slot()
    def _ran(self) -> None:
        self._pending -= 1


def stop_at_quit(player: QObject) -> None:
    """Tear the player down from C++ (no GIL held) before the application exits."""
    app = QCoreApplication.instance()
    if app is not None:
        QObject.connect(app, SIGNAL("aboutToQuit()"), player, SLOT("stop()"))
