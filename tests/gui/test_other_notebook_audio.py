"""Opening another notebook while one plays (issue 14): the player lets go of the playing
recording as soon as the other file is being read, not once it is shown (tearing Qt's source
down held the GUI thread 25-85 ms between the new notebook shown and its first sound); if
that file fails to open, the recording plays on from where it was. Real window, real output
(a private PulseAudio null sink), heard audio located in the demo's decoded recording."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from support.pulse import SAMPLE_RATE
from support.xcorr import first_sound, locate
from test_reopen import _held_open
from test_tap_to_play_audio import _mono_at

from pencastviewer.app.audio_files import playable_path
from pencastviewer.gui.launch import build_window
from pencastviewer.media.decode import open_audio

TOLERANCE_MS = 40.0


@pytest.mark.audio
def test_another_file_read_while_one_plays_stops_it_at_once_and_a_failed_open_plays_on(
    pulse_sink, demo_path, tmp_path, qtbot, monkeypatch
):
    window = build_window(QApplication.instance())
    qtbot.addWidget(window)
    window.resize(1000, 800)
    window.show()
    qtbot.waitExposed(window)
    session = window.session
    with qtbot.waitSignal(session.playback.backend.ready_changed, timeout=30000):
        window.open_file(demo_path)
    with open_audio(str(playable_path(session.document.notebook.recordings[0].files[0]))) as decoder:
        source = _mono_at(decoder.read(0, decoder.n_frames).mean(axis=1), decoder.sample_rate, SAMPLE_RATE)
    player = session.playback.backend._player  # (Qt's own player: whether it still holds a source)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)  # (a real one would block the test)
    release = _held_open(monkeypatch)
    broken = tmp_path / "broken.pencast"
    broken.write_bytes(b"PK\x03\x04 not a zip archive" * 10)
    try:
        session.seek(60.0)
        session.toggle_play()
        qtbot.waitUntil(lambda: session.playback.playing and not session.playback.starting, timeout=10000)
        qtbot.wait(700)
        window.open_file(broken)  # read until released
        where = session.playback.position_s()
        qtbot.wait(300)
        assert player.source().isEmpty(), "the recording's player is let go while the other file is read"
        silence = pulse_sink.record(0.3)
        assert np.abs(silence).max() < 2e-3, "the recording stopped when the other file began to be read"
        assert session.playback.position_s() == pytest.approx(where)  # the views keep the playhead
        assert session.document.path == demo_path

        take = pulse_sink.start_recording()
        failed = time.monotonic()
        with qtbot.waitSignal(session.open_failed, timeout=20000):
            release.set()
        qtbot.wait(1500)
        assert session.playback.playing, "the recording plays on once the other file failed to open"
        recording = take.stop()
    finally:  # (a window torn down while playing may abort the test run)
        release.set()
        session.playback.pause()
        qtbot.wait(200)
    search_from = recording.index_at(failed)
    start = first_sound(recording.samples[search_from:])
    assert start is not None, "nothing was heard after the failed open"
    start += search_from
    lead, length = SAMPLE_RATE // 5, SAMPLE_RATE // 2
    target = round(where * SAMPLE_RATE)
    found = locate(
        recording.samples[start + lead : start + lead + length],
        source,
        target - SAMPLE_RATE,
        target + SAMPLE_RATE,
    )
    error_ms = (found - lead - target) / SAMPLE_RATE * 1000
    print(f"\nplays on from {where:.3f} s {error_ms:+.1f} ms after the failed open")
    assert abs(error_ms) <= TOLERANCE_MS
