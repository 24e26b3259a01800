"""The Export dialog hands the window's current bookmarks to a .pencast clip, which carries
those inside its range on its own clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from pencastviewer.app.document import open_notebook
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.formats.pencast import read_pencast
from pencastviewer.gui import export_dialog
from pencastviewer.gui.export_dialog import ExportDialog
from pencastviewer.model import Bookmark


@pytest.fixture
def session(demo_path: Path, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    session = Session(SilentAudioOutput())
    session.set_document(open_notebook(demo_path))
    return session


def test_a_pencast_clip_carries_the_bookmarks_of_the_window(qtbot, session, tmp_path) -> None:
    marks = [Bookmark(0, 5.0, "too early"), Bookmark(0, 20.0, "in the clip")]
    dialog = ExportDialog(session, bookmarks=marks)
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".pencast"))
    dialog.range_box.setCurrentIndex(dialog.range_box.findData(export_dialog.RANGE_RECORDING))
    dialog.path_edit.setText(str(tmp_path / "clip.pencast"))
    dialog.start_edit.setText("0:00:12.500")
    dialog.end_edit.setText("0:00:30.000")
    assert dialog.clip_request().bookmarks == tuple(marks)
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.export_button.click()
    assert read_pencast(tmp_path / "clip.pencast").bookmarks == (Bookmark(0, 7.5, "in the clip"),)
