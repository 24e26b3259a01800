"""End to end, with real audio: a mouse click on a stroke of the demo in the real window
makes the sound card (a private PulseAudio null sink) play the recording from that point's
time minus the pre-roll. What the sink played is recorded and located in the demo's own
decoded audio by cross-correlation.

Figures are printed: python3 -m pytest tests/gui/test_tap_to_play_audio.py -q -p no:cacheprovider -s
"""

from __future__ import annotations

import time

import av
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support.pulse import SAMPLE_RATE
from support.xcorr import first_sound, locate

from pencastviewer.app.audio_files import playable_path
from pencastviewer.gui.launch import build_window
from pencastviewer.media.decode import open_audio

TOLERANCE_MS = 40.0


def _mono_at(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate_out)
    frame = av.AudioFrame.from_ndarray(samples[np.newaxis, :].astype(np.float32), format="flt", layout="mono")
    frame.sample_rate = rate_in
    out = [*resampler.resample(frame), *resampler.resample(None)]
    return np.concatenate([f.to_ndarray()[0] for f in out])


def audible_start(doc, source: np.ndarray, preroll_s: float):
    """A point of page 1's ink whose pre-roll start falls on speech, not on one of the
    demo's digitally silent pauses (where the moment playback began could not be heard).
    Returns (stroke, point index)."""
    for stroke in doc.notebook.pages[0].strokes[40:]:
        for k in range(0, stroke.n_points, 4):
            start = round((doc.timeline.position_s(0, float(stroke.t_ms[k])) - preroll_s) * SAMPLE_RATE)
            if start > 0 and np.abs(source[start : start + SAMPLE_RATE // 200]).max() > 0.05:
                return stroke, k
    raise AssertionError("no ink in the demo whose pre-roll begins on speech")


LATE_START_MS = 100.0


def _take(qtbot, pulse_sink, session, canvas, pos, source, target_s):
    """Click, listen 2.5 s, and return (start error in ms against the source, ms from the
    click until sound was heard)."""
    recorder = pulse_sink.start_recording()
    clicked = time.monotonic()
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert session.playback.playing
    qtbot.wait(2500)
    session.toggle_play()
    qtbot.wait(200)
    recording = recorder.stop()
    search_from = max(recording.index_at(clicked) - SAMPLE_RATE // 50, 0)
    start = first_sound(recording.samples[search_from:])
    assert start is not None, "the sink played nothing after the click"
    start += search_from
    lead, length = SAMPLE_RATE // 5, SAMPLE_RATE // 2  # a half-second snippet from 0.2 s in
    target = round(target_s * SAMPLE_RATE)
    found = locate(
        recording.samples[start + lead : start + lead + length],
        source,
        target - SAMPLE_RATE // 2,
        target + SAMPLE_RATE // 2,
    )
    error_ms = (found - lead - target) / SAMPLE_RATE * 1000
    latency_ms = (start / SAMPLE_RATE - (clicked - recording.start_monotonic)) * 1000
    return error_ms, latency_ms


@pytest.mark.audio
def test_a_click_on_ink_plays_the_audio_from_that_point_minus_the_preroll(pulse_sink, demo_path, qtbot):
    window = build_window(QApplication.instance())
    qtbot.addWidget(window)
    session = window.session
    assert not session.playback.is_silent, "the private PulseAudio sink should be a real output"
    window.resize(1000, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(
        session.playback.backend.ready_changed, timeout=30000
    ):  # the PCM copy for sample-exact seeks
        window.open_file(demo_path)
    doc = session.document
    audio = doc.notebook.recordings[0].files[0]
    with open_audio(str(playable_path(audio))) as decoder:
        source = _mono_at(decoder.read(0, decoder.n_frames).mean(axis=1), decoder.sample_rate, SAMPLE_RATE)

    stroke, k = audible_start(doc, source, session.preroll_s)
    x, y = stroke.xy_mm[k]
    canvas = window.canvas
    pos = canvas.widget_point(float(x), float(y)).toPoint()
    hit = canvas.hit_at(canvas.widget_point(float(x), float(y)))
    # the very stroke tapped: strokes are views on the page's ink, so the same index of it
    assert hit is not None and (hit.stroke, doc.notebook.pages[0].ink) == (stroke.index, stroke.ink)
    target_s = doc.timeline.position_s(0, hit.t_ms) - session.preroll_s  # the tapped point, less pre-roll
    assert abs(target_s - (doc.timeline.position_s(0, float(stroke.t_ms[k])) - session.preroll_s)) < 0.02

    # A take whose sound starts much later than usual (~15 ms) met an underrun at start on
    # a loaded machine: it measures the machine, not the player, so it is taken again.
    takes = []
    for _attempt in range(3):
        error_ms, latency_ms = _take(qtbot, pulse_sink, session, canvas, pos, source, target_s)
        takes.append((error_ms, latency_ms))
        if latency_ms < LATE_START_MS:
            break
        session.playback.seek(0.0)
        qtbot.wait(300)
    print(
        f"\ntap at {target_s + session.preroll_s:.3f} s: playback started at {target_s:.3f} s "
        f"{error_ms:+.1f} ms (heard {latency_ms:.0f} ms after the click); takes: {takes}"
    )
    assert latency_ms < LATE_START_MS, f"every take started late (underruns?): {takes}"
    assert abs(error_ms) <= TOLERANCE_MS


def _demo_window(qtbot, demo_path):
    """The real window on the real output (the private sink), the demo opened and shown."""
    window = build_window(QApplication.instance())
    qtbot.addWidget(window)
    window.resize(1000, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.session.playback.backend.ready_changed, timeout=30000):
        window.open_file(demo_path)
    qtbot.waitUntil(lambda: window.canvas.layer.valid, timeout=10000)
    return window


def _click_on_ink(qtbot, canvas, stroke) -> None:
    x, y = stroke.xy_mm[len(stroke.xy_mm) // 2]
    pos = canvas.widget_point(float(x), float(y)).toPoint()
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)


@pytest.mark.audio
def test_the_page_shows_a_tap_once_its_sound_has_started(pulse_sink, demo_path, qtbot):
    """A click on ink starts the sound first: the page's ink is not revealed anew (a
    repaint of 10-130 ms on the GUI thread, which Qt's start waits for) until the output
    reports the sound going; then it is, at the tapped place."""
    window = _demo_window(qtbot, demo_path)
    session, canvas = window.session, window.canvas
    assert canvas.layer.reveal is None  # stopped at the start: all ink shown plainly
    try:
        _click_on_ink(qtbot, canvas, session.document.notebook.pages[0].strokes[60])
        assert session.playback.starting and canvas.layer.reveal is None
        qtbot.waitUntil(lambda: not session.playback.starting, timeout=10000)
        qtbot.waitUntil(lambda: canvas.layer.reveal is not None, timeout=1000)
        assert canvas.layer.reveal.written[:50].all()  # the ink written before the tapped place
    finally:  # (a window torn down while playing may abort the test run)
        session.playback.pause()
        qtbot.wait(200)


@pytest.mark.audio
def test_no_thumbnail_or_stroke_sprite_is_made_while_a_tap_is_being_started(pulse_sink, demo_path, qtbot):
    """Thumbnails (~0.15 s each on a dense page) and the canvas's stroke sprites (6 ms at a
    time, but every turn of the event loop) are made on the GUI thread, with the GIL, which
    the tap's start waits for (bench_large_notebook, a press on ink as the first page shows:
    182-220 -> 61-145 ms); their timers firing meanwhile make nothing, and go on after."""
    window = _demo_window(qtbot, demo_path)
    session, canvas, thumbnails = window.session, window.canvas, window.thumbnails
    sprites = canvas.layer.sprites
    try:
        _click_on_ink(qtbot, canvas, session.document.notebook.pages[0].strokes[60])
        assert session.playback.starting
        thumbnails._pending = list(range(thumbnails.count()))  # as right after an open
        sprites.reset(sprites.scale * 2, sprites.fraction)  # none made yet (as after a zoom)
        sprites.reset(sprites.scale / 2, sprites.fraction)
        thumbnails._on_timer_timeout()
        canvas._on_warm_timer_timeout()
        assert len(thumbnails._pending) == thumbnails.count() and not sprites._sprites
        qtbot.waitUntil(lambda: not session.playback.starting, timeout=10000)
        thumbnails._on_timer_timeout()
        canvas._on_warm_timer_timeout()
        assert len(thumbnails._pending) < thumbnails.count() and sprites._sprites
    finally:  # (a window torn down while playing may abort the test run)
        session.playback.pause()
        qtbot.wait(200)
