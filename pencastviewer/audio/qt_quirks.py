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

Queued calls. QMediaPlayer.stop() (and other calls that tear its renderers down) waits for
the audio thread, which needs the GIL to destroy its connections to our Python-made
QAudioOutput; called from Python, which holds the GIL, it deadlocks (seen in about one
stop in twenty after play-to-end-then-replay). Every call into QMediaPlayer is therefore
queued, to run from the event loop, where PySide has released the GIL; for the same
reason the player is stopped from C++ at aboutToQuit.

Stale status. Stopping the old source (a reload: another recording, the same one heard
another way) reports LoadedMedia once more, from the event loop, after the new copy is
ready to be set: taken as the new source's, the player was sent to the playhead and started
before the new source replaced the old and sent it back to 0, where a copy still being made
is a hole: silence for as long as it played (every reload while playing, tests/audio). Only
a LoadedMedia after the player reports our source counts.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import SIGNAL, SLOT, QCoreApplication, QMetaObject, QObject, Qt

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


def stop_at_quit(player: QObject) -> None:
    """Tear the player down from C++ (no GIL held) before the application exits."""
    app = QCoreApplication.instance()
    if app is not None:
        QObject.connect(app, SIGNAL("aboutToQuit()"), player, SLOT("stop()"))
