"""The waveform on a decibel scale and as heard: a quiet lecture's speech (−38 LUFS, with
0 dBFS pen clicks) is a thin band on the linear scale and fills much of the height in dB
or normalised; the limiter's ceiling is drawn; a right click offers the choices."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from support.quiet_speech import lecture_notebook, quiet_lecture

from pencastviewer.app import peaks_job
from pencastviewer.app.document import open_notebook
from pencastviewer.app.listening import Listening
from pencastviewer.app.preferences import Preferences
from pencastviewer.app.recording_peaks import RecordingPeaks
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.gui.waveform import WAVE_PEN, WaveformPlot, WaveformView
from pencastviewer.gui.waveform_scale import WaveformScale
from pencastviewer.model import StoredLevel


@pytest.fixture(scope="module")
def lecture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[float, float]]]:
    folder = tmp_path_factory.mktemp("quiet")
    samples, _, spans = quiet_lecture(folder)
    return lecture_notebook(folder, samples, spans), spans


def waveform_of(path: Path, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WaveformView:
    monkeypatch.setattr(peaks_job, "peaks_cache_dir", lambda: tmp_path / "peaks")  # not the user's cache
    session = Session(SilentAudioOutput())
    session.set_document(open_notebook(path))
    view = WaveformView(session, RecordingPeaks(session))
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.detail.pyramid is not None, timeout=60000)
    view.detail.setXRange(0.0, view.duration_s, padding=0)
    return view


def choose(view: WaveformView, *, db: bool, heard: bool) -> None:
    view.scale_choice.db_action.setChecked(db)
    view.scale_choice.heard_action.setChecked(heard)


def band_share(plot: WaveformPlot, spans: list[tuple[float, float]] | None = None) -> float:
    """The median height of the drawn envelope (pixels in the wave's colour) over the
    columns inside `spans` (None: every column), as a share of the plot's height."""
    image = plot.grab().toImage()
    width, height = image.width(), image.height()
    pixels = np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(width)] for y in range(height)])
    wave = (np.abs(pixels - np.array(WAVE_PEN)) <= 24).all(axis=2)
    box = plot.view.sceneBoundingRect()
    top, bottom = round(box.top()), round(box.bottom())
    extents = []
    for x in range(round(box.left()), round(box.right())):
        t = plot.view.mapSceneToView(plot.mapToScene(x, 0)).x()
        if spans is not None and not any(a + 0.2 < t < b - 0.2 for a, b in spans):
            continue
        rows = np.flatnonzero(wave[top:bottom, x])
        extents.append(rows.max() - rows.min() + 1 if len(rows) else 0)
    return float(np.median(extents)) / (bottom - top)


def test_in_decibels_quiet_speech_fills_much_more_of_the_height(lecture, qtbot, tmp_path, monkeypatch):
    path, spans = lecture
    view = waveform_of(path, qtbot, tmp_path, monkeypatch)
    choose(view, db=False, heard=False)
    linear = band_share(view.detail, spans)
    choose(view, db=True, heard=False)
    decibels = band_share(view.detail, spans)
    assert linear < 0.15, "the recording is quiet: a thin band on the linear scale"
    assert decibels > 0.35 and decibels > 4 * linear


def test_as_heard_the_speech_is_normalised_and_the_clicks_held_at_the_ceiling(
    lecture, qtbot, tmp_path, monkeypatch
):
    path, spans = lecture
    view = waveform_of(path, qtbot, tmp_path, monkeypatch)
    choose(view, db=False, heard=False)
    recorded = band_share(view.detail, spans)
    assert not any(line.isVisible() for line in view.detail.ceiling_lines)
    choose(view, db=False, heard=True)
    heard = band_share(view.detail, spans)
    assert heard > 4 * recorded
    ceiling = 10 ** (-1 / 20)
    assert [line.value() for line in view.detail.ceiling_lines] == pytest.approx([ceiling, -ceiling])
    assert all(line.isVisible() for line in view.detail.ceiling_lines)
    _, ys = view.detail.envelope.getData()
    assert np.abs(ys).max() == pytest.approx(ceiling, abs=1e-3)  # clicks: held there, not above
    view.set_listening(Listening(normalize=False))  # heard as recorded: nothing to show
    assert band_share(view.detail, spans) == pytest.approx(recorded, abs=0.01)
    assert not any(line.isVisible() for line in view.detail.ceiling_lines)


def test_as_heard_voice_clarity_is_drawn(lecture, qtbot, tmp_path, monkeypatch):
    """Voice clarity changes the envelope drawn as heard, as the player's processing does
    (the figures: tests/media/test_envelope_scale.py); as recorded, nothing changes."""
    path, _ = lecture
    view = waveform_of(path, qtbot, tmp_path, monkeypatch)
    choose(view, db=True, heard=True)
    _, plain = view.detail.envelope.getData()
    assert view.detail.scale.clarity is None
    view.set_listening(Listening(voice_clarity=True))
    assert view.detail.scale.clarity is not None
    _, clear = view.detail.envelope.getData()
    assert len(clear) == len(plain) and np.abs(clear - plain).max() > 0.05
    choose(view, db=True, heard=False)
    _, recorded = view.detail.envelope.getData()
    view.set_listening(Listening())
    np.testing.assert_array_equal(view.detail.envelope.getData()[1], recorded)


def test_a_right_click_offers_the_scale_choices(lecture, qtbot, tmp_path, monkeypatch):
    path, _ = lecture
    view = waveform_of(path, qtbot, tmp_path, monkeypatch)
    viewport = view.detail.viewport()
    center = viewport.rect().center()
    qtbot.mouseClick(viewport, Qt.MouseButton.RightButton, pos=center)
    menus = [m for m in view.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1
    assert menus[0].actions() == [view.scale_choice.db_action, view.scale_choice.heard_action]
    assert not view.detail.scale.db
    menus[0].actions()[0].trigger()
    assert view.detail.scale.db and view.overview.scale.db
    menus[0].close()


def test_on_the_real_quiet_lecture_decibels_make_the_speech_readable(
    livescribe_dir, qtbot, tmp_path, monkeypatch
):
    """2-pages.pdf: a real smartpen lecture at −30 LUFS with pen clicks at 0 dBFS."""
    view = waveform_of(livescribe_dir / "2-pages.pdf", qtbot, tmp_path, monkeypatch)
    choose(view, db=False, heard=False)
    linear = band_share(view.detail)
    choose(view, db=True, heard=False)
    assert band_share(view.detail) > 3 * linear


def test_the_choices_are_kept_in_the_preferences(qtbot, preferences):
    choice = WaveformScale()
    choice.keep_in(preferences)
    assert not choice.db_action.isChecked() and choice.heard_action.isChecked()  # the defaults
    choice.db_action.setChecked(True)
    choice.heard_action.setChecked(False)
    again = WaveformScale()
    again.keep_in(Preferences(preferences.settings))
    assert again.db_action.isChecked() and not again.heard_action.isChecked()
    assert again.scale().db and again.scale().ceiling is None  # in dB, as recorded


def test_a_clip_with_a_stored_level_is_shown_with_that_gain(lecture, qtbot, tmp_path, monkeypatch):
    source = open_notebook(lecture[0]).notebook
    recording = replace(source.recordings[0], level=StoredLevel(gain_db=6.0, target_lufs=-16.0))
    clip = tmp_path / "clip.pencast"
    write_pencast(replace(source, recordings=(recording,)), clip)
    view = waveform_of(clip, qtbot, tmp_path, monkeypatch)
    assert view.detail.scale.gain == pytest.approx(10 ** (6 / 20))  # not the +22 dB its loudness asks
    view.set_listening(Listening(target_lufs=-20))
    assert view.detail.scale.gain == pytest.approx(10 ** (2 / 20))
