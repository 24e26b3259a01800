"""The Export dialog and `pencastviewer export` describe a clip the same way (one
ClipRequest, built by build_clip) and export through the same Export: with one sync
offset per recording, as the window keeps them, both give the same clip for every range.
(The dialog's sound is "as played", normalised to −16 LUFS by default: `--normalize`.)"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app.document import OpenedNotebook
from pencastviewer.app.export.core import ExportCancelled
from pencastviewer.app.export.run import Export
from pencastviewer.app.export.task import ExportTask
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.cli import export as cli_export
from pencastviewer.gui import export_dialog
from pencastviewer.gui.export_dialog import ExportDialog
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

RATE = 8000
OFFSETS_MS = {0: -120.0, 1: 250.0}
AS_PLAYED = "--normalize"  # what the dialog's default sound is on the command line


def two_recordings(tmp_path: Path) -> OpenedNotebook:
    """Two 20 s WAV recordings; page 1 written during the first, page 2 during the second."""
    rng = np.random.default_rng(3)
    recordings, pages = [], []
    for k in range(2):
        path = tmp_path / f"talk{k}.wav"
        sf.write(path, (rng.normal(0, 0.2, 20 * RATE) * 32767).astype(np.int16), RATE)
        clock_ms = 1_000_000.0 + 100_000 * k
        recordings.append(
            Recording(
                f"talk{k}",
                (AudioFile(AudioStore.FILE, str(path), "pcm", RATE, 1, 20 * RATE, clock_ms, 20_000.0),),
            )
        )
        strokes = tuple(
            Stroke(
                np.array([[10.0, 10.0 + 10 * i], [30.0, 10.0 + 10 * i]]),
                clock_ms + np.array([3000.0 + 2000 * i, 3500.0 + 2000 * i]),
                recording=k,
            )
            for i in range(4)
        )
        pages.append(Page(100.0, 100.0, strokes))
    notebook = Notebook(tuple(pages), tuple(recordings))
    return OpenedNotebook(tmp_path / "two.xopp", "test", notebook, Timeline(notebook))


@pytest.fixture
def session(tmp_path: Path, qtbot) -> Session:
    session = Session(SilentAudioOutput())
    session.set_document(two_recordings(tmp_path))
    session.set_sync_offsets(OFFSETS_MS)
    return session


def cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli_export.add_arguments(parser)
    offsets = [f"--sync-offset={r}={ms:g}" for r, ms in OFFSETS_MS.items()]
    return parser.parse_args(["two.xopp", "-o", "clip.wav", *offsets, *argv])


def dialog_clip(qtbot, session: Session, range_key: str, **kwargs):
    dialog = ExportDialog(session, **kwargs)
    qtbot.addWidget(dialog)
    dialog.range_box.setCurrentIndex(dialog.range_box.findData(range_key))
    dialog.fade_box.setValue(20)
    return dialog.clip_spec()


@pytest.mark.parametrize("page", [0, 1])
def test_strokes_and_pages_give_the_same_clip_with_each_recordings_offset(qtbot, session, page):
    document = session.document
    session.set_page(page)
    in_window = dialog_clip(qtbot, session, export_dialog.RANGE_STROKES, strokes=(page, [1, 2]))
    on_command_line = cli_export.clip_spec(
        document, cli_args("--page", str(page + 1), "--strokes", "1-2", AS_PLAYED)
    )
    assert in_window == on_command_line
    assert in_window.recording == page and in_window.sync_offset_ms == OFFSETS_MS[page]
    whole_page = dialog_clip(qtbot, session, export_dialog.RANGE_PAGE)
    assert whole_page == cli_export.clip_spec(document, cli_args("--page", str(page + 1), AS_PLAYED))
    assert whole_page.sync_offset_ms == OFFSETS_MS[page]


def test_a_recording_and_a_waveform_region_give_the_same_clip(qtbot, session):
    document = session.document
    session.select_recording(1)
    session.set_sync_offsets(OFFSETS_MS)
    in_window = dialog_clip(qtbot, session, export_dialog.RANGE_RECORDING)
    assert in_window == cli_export.clip_spec(document, cli_args("--recording", "1", AS_PLAYED))
    assert in_window.sync_offset_ms == 250.0 and in_window.end_s == pytest.approx(20.0)
    session.set_selection((12.5, 4.25))
    region = dialog_clip(qtbot, session, export_dialog.RANGE_SELECTION)
    assert region == cli_export.clip_spec(
        document, cli_args("--recording", "1", "--from", "4.25", "--to", "12.5", AS_PLAYED)
    )
    assert (region.start_s, region.end_s, region.sync_offset_ms) == (4.25, 12.5, 250.0)


def test_a_bare_offset_is_the_clips_recordings_and_a_named_one_wins(session):
    document = session.document
    parser = argparse.ArgumentParser()
    cli_export.add_arguments(parser)
    args = parser.parse_args(["two.xopp", "-o", "c.wav", "--page", "2", "--sync-offset", "75"])
    assert cli_export.clip_spec(document, args).sync_offset_ms == 75.0
    args = parser.parse_args(
        ["two.xopp", "-o", "c.wav", "--page", "2", "--sync-offset", "75", "--sync-offset", "1=-40"]
    )
    assert cli_export.clip_spec(document, args).sync_offset_ms == -40.0
    args = parser.parse_args(["two.xopp", "-o", "c.wav", "--page", "2", "--sync-offset", "0=300"])
    assert cli_export.clip_spec(document, args).sync_offset_ms == 0.0  # recording 0's offset is not page 2's


def test_an_export_task_reports_a_typed_result_and_a_typed_cancel(qtbot, session, tmp_path):
    document = session.document
    spec = cli_export.clip_spec(document, cli_args("--recording", "1", "--from", "1", "--to", "3"))
    task = ExportTask(Export(document, spec, tmp_path / "clip.flac"))
    fractions: list[float] = []
    task.progressed.connect(fractions.append)
    with qtbot.waitSignal(task.finished, timeout=30000):
        task.start()
    assert task.error is None and task.result is not None
    assert (
        task.result.path == tmp_path / "clip.flac"
        and task.result.n_bytes == (tmp_path / "clip.flac").stat().st_size
    )
    assert sf.info(task.result.path).frames == 2 * RATE and fractions and fractions[-1] == 1.0
    cancelled = Export(document, spec, tmp_path / "never.flac")
    cancelled.cancel()
    with pytest.raises(ExportCancelled):
        cancelled.run()
    assert not (tmp_path / "never.flac").exists()
