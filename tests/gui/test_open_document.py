"""Opening as a use-case without a window: open_failed carries the reader's typed
FormatError (the advice is chosen by its type, not by words in its message), and
OpenDocument remembers each file's place and restores it when the file is opened again."""

from __future__ import annotations

from pathlib import Path

import pytest

from pencastviewer.app.open_document import OpenDocument, audio_file_problem, open_advice
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.formats.errors import (
    CorruptFileError,
    FileMissingError,
    FileUnreadableError,
    FormatError,
    UnknownFormatError,
)


class KeptZoom:
    """The page view's zoom as a plain value (what a canvas reports and restores)."""

    def __init__(self) -> None:
        self.zoom: str | float = "fit-page"
        self.view_mm: tuple[float, float] | None = None

    def remembered_zoom(self) -> str | float:
        return self.zoom

    def restore_zoom(self, zoom: str | float) -> None:
        self.zoom = zoom

    def remembered_view(self) -> tuple[float, float] | None:
        return self.view_mm

    def restore_view(self, x_mm: float, y_mm: float) -> None:
        self.view_mm = (x_mm, y_mm)


def failed_open(qtbot, path: Path) -> FormatError:
    session = Session(SilentAudioOutput())
    with qtbot.waitSignal(session.open_failed, timeout=10000) as failed:
        session.open_file(path)
    assert failed.args[0] == str(path)
    error = failed.args[1]
    assert isinstance(error, FormatError) and str(error).startswith(str(path))
    return error


def test_open_failed_carries_the_typed_error_and_the_advice_follows_the_type(qtbot, tmp_path):
    gone = failed_open(qtbot, tmp_path / "gone.pencast")
    assert isinstance(gone, FileMissingError) and "moved" in open_advice(gone)
    folder = failed_open(qtbot, tmp_path)
    assert isinstance(folder, UnknownFormatError) and "Choose one of those files" in open_advice(folder)
    unknown = tmp_path / "notes.txt"
    unknown.write_text("shopping list")
    not_ours = failed_open(qtbot, unknown)
    assert isinstance(not_ours, UnknownFormatError) and "Choose one of those files" in open_advice(not_ours)
    broken = tmp_path / "broken.pencast"
    broken.write_bytes(b"PK\x03\x04 not a zip" * 10)
    damaged = failed_open(qtbot, broken)  # named as a .pencast, not one inside: damaged
    assert isinstance(damaged, UnknownFormatError) and "copy it again" in open_advice(damaged)
    assert "disk is still connected" in open_advice(FileUnreadableError("x.pencast", "cannot read"))
    # The words of a message no longer decide: a damaged file that says "no such file" is damaged.
    assert "copy it again" in open_advice(CorruptFileError("x.pencast", "no such file in the archive"))


def test_a_files_place_is_remembered_and_restored(qtbot, preferences, demo_path):
    session, zoom = Session(SilentAudioOutput()), KeptZoom()
    opener = OpenDocument(session, preferences, zoom)
    session.opened.connect(opener.on_opened)
    with qtbot.waitSignal(session.opened, timeout=20000):
        opener.open(demo_path)
    session.set_sync_offset_ms(-80.0)
    session.seek(42.0)
    session.set_page(1)  # (after the seek, which shows the page being written)
    zoom.zoom = 150.0
    opener.remember_current()
    assert preferences.recent_files()[0] == str(demo_path.resolve())
    fresh_session, fresh_zoom = Session(SilentAudioOutput()), KeptZoom()
    again = OpenDocument(fresh_session, preferences, fresh_zoom)
    fresh_session.opened.connect(again.on_opened)
    with qtbot.waitSignal(fresh_session.opened, timeout=20000):
        again.open(demo_path)
    assert fresh_session.page == 1 and fresh_session.sync_offsets_ms == {0: -80.0}
    assert fresh_session.playback.position_s() == pytest.approx(42.0, abs=0.01)
    assert fresh_zoom.zoom == 150.0


def test_a_located_recording_must_be_audio(tmp_path, demo_path):
    not_audio = tmp_path / "talk.ogg"
    not_audio.write_text("not sound")
    assert audio_file_problem(not_audio) is not None
    assert audio_file_problem(tmp_path / "nowhere.ogg") is not None
