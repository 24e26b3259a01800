"""The waveform view, wired to a real Session and the silent backend: it shows the recording's
envelope and writing marks, seeks on click, selects on Shift-drag, follows the playhead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QSplitter

from pencastviewer.app import peaks_job
from pencastviewer.app.document import OpenedNotebook
from pencastviewer.app.recording_peaks import RecordingPeaks
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.gui.main_window import MainWindow
from pencastviewer.gui.waveform import TimeAxis, WaveformPlot, WaveformView, format_clock
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

RATE = 8000
DURATION_S = 60.0
LOUD_S = (20.0, 30.0)  # the only loud stretch of the test recording
WRITING_S = (40.0, 45.0)  # when the one stroke was written


# ---- factories ----------------------------------------------------------------------------------


def quiet_recording_loud_from_20_to_30_s(path: Path) -> Path:
    rng = np.random.default_rng(0)
    t = np.arange(int(DURATION_S * RATE)) / RATE
    gain = np.where((t >= LOUD_S[0]) & (t < LOUD_S[1]), 0.8, 0.02)
    sf.write(path, (np.clip(rng.standard_normal(len(t)), -1, 1) * gain).astype(np.float32), RATE)
    return path


def notebook_with_one_stroke_written_at_40_s(audio: Path) -> OpenedNotebook:
    n_frames = int(DURATION_S * RATE)
    file = AudioFile(AudioStore.FILE, str(audio), "pcm", RATE, 1, n_frames, 0.0, DURATION_S * 1000)
    times_ms = np.linspace(WRITING_S[0] * 1000, WRITING_S[1] * 1000, 20)
    stroke = Stroke(np.column_stack([np.linspace(10, 60, 20), np.full(20, 30.0)]), times_ms, recording=0)
    notebook = Notebook((Page(148.0, 210.0, (stroke,)),), (Recording("talk", (file,)),))
    return OpenedNotebook(audio, "test", notebook, Timeline(notebook))


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot) -> Session:
    monkeypatch.setattr(peaks_job, "peaks_cache_dir", lambda: tmp_path / "peaks")  # not the user's cache
    session = Session(SilentAudioOutput())
    session.set_document(
        notebook_with_one_stroke_written_at_40_s(quiet_recording_loud_from_20_to_30_s(tmp_path / "talk.wav"))
    )
    return session


@pytest.fixture
def view(session: Session, qtbot) -> WaveformView:
    view = WaveformView(session, RecordingPeaks(session))
    qtbot.addWidget(view)
    view.resize(800, 300)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.detail.pyramid is not None, timeout=20000)
    view.detail.setXRange(0.0, DURATION_S, padding=0)
    return view


def pixel_of(plot: WaveformPlot, x_s: float) -> QPoint:
    """Where time x_s is drawn, in the plot widget's viewport (at mid height)."""
    scene = plot.view.mapViewToScene(QPointF(x_s, 0.0))
    return plot.mapFromScene(scene)


def envelope_between(plot: WaveformPlot, start_s: float, end_s: float) -> float:
    xs, ys = plot.envelope.getData()
    inside = (xs >= start_s) & (xs < end_s)
    return float(np.abs(ys[inside]).max())


# ---- tests --------------------------------------------------------------------------------------


def test_the_plot_shows_the_recordings_envelope(view: WaveformView) -> None:
    view.scale_choice.heard_action.setChecked(False)  # as recorded (as heard: test_waveform_scale.py)
    for plot in (view.detail, view.overview):
        assert envelope_between(plot, *LOUD_S) > 0.5
        assert envelope_between(plot, 0.0, LOUD_S[0] - 0.1) < 0.05
        assert envelope_between(plot, LOUD_S[1] + 0.1, DURATION_S) < 0.05
    xs, _ = view.detail.envelope.getData()
    assert 800 <= len(xs) // 2 <= 2 * 800, "about one bin per pixel, never raw samples"
    assert not view.progress.isVisible()


def test_writing_marks_cover_when_the_stroke_was_written(view: WaveformView) -> None:
    xs, ys = view.detail.mark_curve.getData()
    raised = xs[ys > 0]
    assert raised.min() == pytest.approx(WRITING_S[0], abs=0.01)
    assert raised.max() == pytest.approx(WRITING_S[1], abs=0.1)


def test_a_click_seeks_to_the_time_under_the_cursor(view: WaveformView, session: Session, qtbot) -> None:
    target_s = 37.3
    qtbot.mouseClick(view.detail.viewport(), Qt.MouseButton.LeftButton, pos=pixel_of(view.detail, target_s))
    px_s = DURATION_S / view.detail.view.width()
    assert session.playback.position_s() == pytest.approx(target_s, abs=2 * px_s)
    assert view.detail.playhead.value() == pytest.approx(session.playback.position_s())


def test_a_shift_drag_selects(view: WaveformView, session: Session, qtbot) -> None:
    viewport = view.detail.viewport()
    start, end = pixel_of(view.detail, 10.0), pixel_of(view.detail, 16.0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)
    for step in range(1, 11):
        qtbot.mouseMove(viewport, start + (end - start) * step / 10)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, end)
    px_s = DURATION_S / view.detail.view.width()
    assert session.selection is not None
    assert session.selection == pytest.approx((10.0, 16.0), abs=2 * px_s)


def test_the_playhead_line_follows_the_session(view: WaveformView, session: Session) -> None:
    session.playback.playhead_moved.emit(12.5)
    assert view.detail.playhead.value() == 12.5 == view.overview.playhead.value()


def test_the_detail_view_pages_ahead_of_the_playhead_while_playing(
    view: WaveformView, session: Session
) -> None:
    view.detail.setXRange(0.0, 10.0, padding=0)
    session.playback.playhead_moved.emit(9.8)  # not playing: the playhead may sit near the edge
    assert view.detail.x_range()[0] == pytest.approx(0.0)
    session.playback.state_changed.emit("playing")
    session.playback.playhead_moved.emit(9.8)
    x0, x1 = view.detail.x_range()
    assert x0 < 9.8 < x0 + 0.2 * (x1 - x0) and x1 - x0 == pytest.approx(10.0)


def test_the_selection_region_follows_the_session(view: WaveformView, session: Session) -> None:
    assert not view.detail.selection.isVisible()
    session.set_selection((5.0, 9.0))
    for plot in (view.detail, view.overview):
        assert plot.selection.isVisible()
        assert plot.selection.getRegion() == pytest.approx((5.0, 9.0))
    session.set_selection(None)
    assert not view.detail.selection.isVisible()


def test_the_wheel_zooms_around_the_cursor(view: WaveformView) -> None:
    viewport = view.detail.viewport()
    at = pixel_of(view.detail, 45.0)
    before = view.detail.x_range()
    event = QWheelEvent(
        QPointF(at),
        QPointF(viewport.mapToGlobal(at)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)
    x0, x1 = view.detail.x_range()
    assert x1 - x0 < 0.9 * (before[1] - before[0])
    assert (45.0 - x0) / (x1 - x0) == pytest.approx((45.0 - before[0]) / (before[1] - before[0]), abs=0.01)


def test_time_axis_reads_h_mm_ss() -> None:
    assert format_clock(3725.0) == "1:02:05"
    assert format_clock(5.5, 1) == "0:00:05.5"
    axis = TimeAxis("bottom")
    assert axis.tickStrings([0.0, 60.0, 3600.0], 1.0, 60.0) == ["0:00:00", "0:01:00", "1:00:00"]
    (major, _), (minor, _) = axis.tickSpacing(0.0, 3 * 3600.0, 900.0)
    assert major in (900, 1800) and major % minor == 0


def test_the_main_window_shows_the_waveform_under_the_page(session: Session, qtbot) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    splitter = window.centralWidget()
    assert isinstance(splitter, QSplitter)
    assert splitter.widget(0) is window.canvas and splitter.widget(1) is window.waveform
