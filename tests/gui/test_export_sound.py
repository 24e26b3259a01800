"""The Export dialog's Sound: "as played" by default (normalised with the player's listening
options), or the recording as it is. A quiet espeak lecture (−38 LUFS, 0 dBFS pen clicks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.quiet_speech import lecture_notebook, quiet_lecture

from pencastviewer.app.document import open_notebook
from pencastviewer.app.listening import Listening
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.gui import export_dialog
from pencastviewer.gui.export_dialog import ExportDialog
from pencastviewer.gui.export_fields import SOUND_ORIGINAL
from pencastviewer.media.loudness import measure


@pytest.fixture(scope="module")
def lecture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quiet")
    samples, _, spans = quiet_lecture(folder)
    return lecture_notebook(folder, samples, spans)


@pytest.fixture
def session(lecture: Path, qtbot) -> Session:
    session = Session(SilentAudioOutput())
    session.set_document(open_notebook(lecture))
    return session


def export(qtbot, session: Session, out: Path, listening: Listening | None, sound: str | None = None) -> Path:
    dialog = ExportDialog(session, listening=listening)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(out.suffix))
    dialog.range_box.setCurrentIndex(dialog.range_box.findData(export_dialog.RANGE_RECORDING))
    if sound is not None:
        dialog.sound_box.setCurrentIndex(dialog.sound_box.findData(sound))
    dialog.fade_box.setValue(0)
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=120000):
        dialog.export_button.click()
    return out


@pytest.mark.parametrize("listening", [None, Listening(target_lufs=-20, boost_db=12)])
def test_by_default_the_export_sounds_as_played(qtbot, session, tmp_path, listening):
    out = export(qtbot, session, tmp_path / "heard.flac", listening)
    heard, rate = sf.read(out, dtype="float32")
    result = measure(heard, rate)
    target = -16.0 if listening is None else listening.target_lufs  # (the listener's boost stays out)
    assert result.integrated_lufs == pytest.approx(target, abs=1.0)
    assert result.sample_peak_dbfs <= -1.0


def test_the_original_sound_is_the_recording_unchanged(qtbot, session, lecture, tmp_path):
    out = export(qtbot, session, tmp_path / "original.wav", Listening(), SOUND_ORIGINAL)
    exported, _ = sf.read(out, dtype="int16")
    recorded, _ = sf.read(lecture.parent / "lecture.wav", dtype="int16")
    np.testing.assert_array_equal(exported, recorded)


def test_as_played_without_listening_options_is_the_recording_too(qtbot, session, lecture, tmp_path):
    out = export(qtbot, session, tmp_path / "plain.wav", Listening(normalize=False, boost_db=6))
    exported, _ = sf.read(out, dtype="int16")
    recorded, _ = sf.read(lecture.parent / "lecture.wav", dtype="int16")
    np.testing.assert_array_equal(exported, recorded)


def test_the_sound_choice_names_the_processing_and_applies_only_to_sound(qtbot, session):
    dialog = ExportDialog(session, listening=Listening(target_lufs=-18, voice_clarity=True))
    qtbot.addWidget(dialog)
    assert dialog.sound_box.itemText(0) == "As played (normalised to −18 LUFS, voice clarity)"
    for ext, enabled in (
        (".mp3", True),
        (".mp4", True),
        (".html", True),
        (".pencast", True),
        (".png", False),
        (".pdf", False),
    ):
        dialog.format_box.setCurrentIndex(dialog.format_box.findData(ext))
        assert dialog.sound_box.isEnabled() is enabled
        request = dialog.clip_request()
        assert (request.normalize_lufs, request.voice_clarity) == (
            (-18.0, True) if enabled else (None, False)
        )


def test_the_real_quiet_lecture_is_exported_as_played_or_as_recorded(livescribe_dir, qtbot, tmp_path):
    """2-pages.pdf: a real smartpen lecture at −30 LUFS with pen clicks at 0 dBFS."""
    session = Session(SilentAudioOutput())
    session.set_document(open_notebook(livescribe_dir / "2-pages.pdf"))
    heard = measure(*sf.read(export(qtbot, session, tmp_path / "heard.flac", None), dtype="float32"))
    assert heard.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert heard.sample_peak_dbfs <= -1.0
    original = export(qtbot, session, tmp_path / "original.wav", None, SOUND_ORIGINAL)
    as_recorded = measure(*sf.read(original, dtype="float32"))
    assert as_recorded.integrated_lufs == pytest.approx(-30.06, abs=0.1)
    assert as_recorded.sample_peak_dbfs > -0.5  # the clicks, untouched
