"""The Export dialog on a real Session (silent backend): the range comes from the waveform
selection, a stroke selection, the page or the recording; the export runs in a worker while
the window stays responsive; Cancel leaves the folder as it was; Preview plays the range."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from pencastviewer.app.document import open_notebook
from pencastviewer.app.export import run as export_run
from pencastviewer.app.export.core import ExportCancelled
from pencastviewer.app.export.ranges import clip_for_strokes
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.gui import export_dialog
from pencastviewer.gui.export_dialog import ExportDialog, format_hmsm


@pytest.fixture
def session(demo_path: Path, qtbot) -> Session:
    session = Session(SilentAudioOutput())
    session.set_document(open_notebook(demo_path))
    return session


def make_dialog(qtbot, session: Session, **kwargs) -> ExportDialog:
    dialog = ExportDialog(session, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose(dialog: ExportDialog, *, ext: str | None = None, range_key: str | None = None) -> None:
    if ext is not None:
        dialog.format_box.setCurrentIndex(dialog.format_box.findData(ext))
    if range_key is not None:
        dialog.range_box.setCurrentIndex(dialog.range_box.findData(range_key))


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_times_are_shown_as_h_mm_ss_mmm():
    assert format_hmsm(12.5) == "0:00:12.500"
    assert format_hmsm(3723.0456) == "1:02:03.046"


def test_the_waveform_selection_is_the_first_range_offered(qtbot, session):
    session.set_selection((30.0, 12.5))
    dialog = make_dialog(qtbot, session)
    assert dialog.range_box.currentData() == export_dialog.RANGE_SELECTION
    assert (dialog.start_edit.text(), dialog.end_edit.text()) == ("0:00:12.500", "0:00:30.000")


def test_a_stroke_selection_spans_its_strokes_with_adjustable_lead(qtbot, session):
    dialog = make_dialog(qtbot, session, strokes=(0, [4, 2, 9]))
    choose(dialog, range_key=export_dialog.RANGE_STROKES)
    dialog.lead_in.setValue(1.0)
    dialog.lead_out.setValue(0.0)
    expected = clip_for_strokes(session.document, 0, [2, 4, 9], lead_in_s=1.0, lead_out_s=0.0)
    assert dialog.start_edit.text() == format_hmsm(expected.start_s)
    assert dialog.end_edit.text() == format_hmsm(expected.end_s)
    assert dialog.clip_spec().strokes == (0, 2, 9)


def test_export_runs_in_the_background_and_writes_the_clip(qtbot, session, tmp_path):
    dialog = make_dialog(qtbot, session)
    choose(dialog, ext=".flac", range_key=export_dialog.RANGE_RECORDING)
    dialog.path_edit.setText(str(tmp_path / "clip.flac"))
    dialog.start_edit.setText("0:00:12.500")
    dialog.end_edit.setText("0:00:30.000")
    with qtbot.waitSignal(dialog.exported, timeout=30000) as signal:
        dialog.export_button.click()
    assert signal.args == [str(tmp_path / "clip.flac")]
    assert sf.info(tmp_path / "clip.flac").frames == 385875
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "Wrote" in dialog.status.text() and dialog.export_button.isEnabled()


def test_enter_exports(qtbot, session, tmp_path):
    dialog = make_dialog(qtbot, session)
    choose(dialog, ext=".flac", range_key=export_dialog.RANGE_RECORDING)
    dialog.path_edit.setText(str(tmp_path / "clip.flac"))
    dialog.end_edit.setText("0:00:05.000")
    dialog.format_box.setFocus()  # where the focus is when the dialog opens
    assert dialog.export_button.isDefault()
    with qtbot.waitSignal(dialog.exported, timeout=30000) as signal:
        qtbot.keyClick(dialog.format_box, Qt.Key.Key_Return)
    assert signal.args == [str(tmp_path / "clip.flac")]


def test_cancel_stops_the_worker_and_leaves_the_folder_as_it_was(qtbot, session, tmp_path, monkeypatch):
    target = tmp_path / "clip.wav"
    target.write_bytes(b"a clip exported yesterday")
    before = folder_state(tmp_path)
    real_export = export_run.export_clip
    reached_first_block = threading.Event()

    def export_that_waits_for_cancel(document, spec, out, progress):
        def progress_held_until_cancel(fraction: float) -> bool:
            if fraction == 0:
                return progress(fraction)
            reached_first_block.set()
            deadline = time.monotonic() + 20
            while progress(fraction) and time.monotonic() < deadline:  # until Cancel is pressed
                time.sleep(0.01)
            return progress(fraction)

        return real_export(document, spec, out, progress_held_until_cancel)

    monkeypatch.setattr(export_run, "export_clip", export_that_waits_for_cancel)
    dialog = make_dialog(qtbot, session)
    choose(dialog, ext=".wav", range_key=export_dialog.RANGE_RECORDING)
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    # The GUI thread is free while the worker runs: the progress bar moves, buttons react.
    qtbot.waitUntil(lambda: reached_first_block.is_set() and dialog.progress.value() > 0, timeout=20000)
    assert dialog.running and dialog.cancel_button.text() == "Cancel"
    assert not dialog.export_button.isEnabled()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    assert "cancelled" in dialog.status.text()
    assert folder_state(tmp_path) == before


def test_errors_are_shown_in_the_dialog_and_nothing_is_written(qtbot, session, tmp_path):
    dialog = make_dialog(qtbot, session)
    choose(dialog, ext=".wav", range_key=export_dialog.RANGE_RECORDING)
    dialog.path_edit.setText(str(tmp_path / "clip.wav"))
    dialog.start_edit.setText("soon")
    dialog.export_button.click()
    assert "not a time" in dialog.status.text() and not dialog.running
    dialog.start_edit.setText("0:02:30")
    dialog.end_edit.setText("0:03:00")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    assert "outside the recording" in dialog.status.text()
    assert list(tmp_path.iterdir()) == []


def test_changing_the_format_changes_the_file_extension(qtbot, session, tmp_path):
    dialog = make_dialog(qtbot, session)
    # The bundled demo lives inside the program: its clips are proposed in the home folder.
    assert Path(dialog.path_edit.text()) == Path.home() / "demo-clip.wav"
    dialog.path_edit.setText(str(tmp_path / "talk.wav"))
    choose(dialog, ext=".pdf")
    assert dialog.path_edit.text() == str(tmp_path / "talk.pdf")
    assert not dialog.width_box.isEnabled()
    choose(dialog, ext=".png")
    assert dialog.width_box.isEnabled()


def test_a_video_fits_the_page_unless_a_size_is_chosen(qtbot, session):
    """MP4: "Fit the page" (on by default) leaves the frame to the page's shape; off, the
    width and height typed are the frame. Other formats never fit."""
    dialog = make_dialog(qtbot, session)
    choose(dialog, ext=".mp4")
    assert dialog.fit_box.isVisible() and dialog.fit_box.isChecked()
    assert not dialog.width_box.isEnabled()
    assert dialog.clip_spec().fit_page
    dialog.fit_box.setChecked(False)
    assert dialog.width_box.isEnabled()
    dialog.width_box.setValue(640)
    dialog.height_box.setValue(480)
    spec = dialog.clip_spec()
    assert not spec.fit_page and spec.size == (640, 480)
    dialog.fit_box.setChecked(True)
    choose(dialog, ext=".png")
    assert not dialog.fit_box.isVisible() and dialog.width_box.isEnabled()
    assert not dialog.clip_spec().fit_page


def test_preview_plays_the_range_and_stops_at_its_end(qtbot, session):
    dialog = make_dialog(qtbot, session)
    choose(dialog, range_key=export_dialog.RANGE_RECORDING)
    dialog.start_edit.setText("0:00:12.500")
    dialog.end_edit.setText("0:00:12.800")
    dialog.preview_button.click()
    assert session.playback.playing and session.playback.position_s() >= 12.5
    qtbot.waitUntil(lambda: session.playback.state() != "playing", timeout=5000)
    assert 12.8 <= session.playback.position_s() < 13.0


def test_closing_during_an_export_cancels_it_without_waiting_and_leaves_nothing(
    qtbot, session, tmp_path, monkeypatch
):
    target = tmp_path / "clip.wav"
    target.write_bytes(b"a clip exported yesterday")
    before = folder_state(tmp_path)
    real_export = export_run.export_clip
    reached_first_block, released = threading.Event(), threading.Event()

    def export_held_until_released(document, spec, out, progress):
        def progress_held(fraction: float) -> bool:
            if fraction > 0 and not released.is_set():
                reached_first_block.set()
                released.wait(20)
            return progress(fraction)

        return real_export(document, spec, out, progress_held)

    monkeypatch.setattr(export_run, "export_clip", export_held_until_released)
    dialog = make_dialog(qtbot, session)
    choose(dialog, ext=".wav", range_key=export_dialog.RANGE_RECORDING)
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    qtbot.waitUntil(reached_first_block.is_set, timeout=20000)
    task = dialog._task
    dialog.reject()
    # done() returned while the worker was still held inside the export: it did not wait.
    assert task is not None and task.running and not dialog.isVisible()
    released.set()
    qtbot.waitUntil(lambda: not task.running, timeout=20000)
    assert isinstance(task.error, ExportCancelled)
    assert folder_state(tmp_path) == before
