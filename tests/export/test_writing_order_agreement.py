"""The window, `locate` and the video export show the same page while two pages' first
strokes start at the same ms (the Timeline's tie rule: the later page in the file)."""

from __future__ import annotations

import json

import pytest
from support.player import horizontal_stroke, notebook_of

from pencastviewer.app.export.ranges import clip_for_span
from pencastviewer.app.export.video_frames import ClipFramePainter, page_changes
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.cli.main import main
from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.model import Notebook, Page

TIE_MS = 5000.0


def tied_pages(recording):
    first = Page(148, 210, (horizontal_stroke(20, TIE_MS, recording=recording),))
    second = Page(148, 210, (horizontal_stroke(40, TIE_MS, recording=recording),))
    return [first, second]


def test_window_locate_and_video_agree_on_tied_first_strokes(qtbot, tmp_path, capsys):
    document = notebook_of(tied_pages(0), [20.0], tmp_path)
    during_s = document.timeline.position_s(0, TIE_MS + 500)

    session = Session(SilentAudioOutput())
    session.set_document(document)
    session.seek(during_s)
    window_page = session.page

    spec = clip_for_span(document, 0, during_s - 2.0, during_s + 1.0)
    painter = ClipFramePainter(document, spec, (320, 240))
    painter.frame_at(during_s)
    video_page = painter.chooser.page_at(TIE_MS + 500)
    assert page_changes(document, spec)[-1][1] == video_page

    path = tmp_path / "tied.pencast"
    write_pencast(Notebook(tuple(tied_pages(None))), path)
    located = []
    for page, y in ((1, 20), (2, 40)):
        status = main(["locate", str(path), "--page", str(page), "--at", f"50,{y}", "--json"])
        out, err = capsys.readouterr()
        assert status == 0, err
        located.append(json.loads(out)["written_page"] - 1)

    assert window_page == video_page == located[0] == located[1] == 1


@pytest.mark.parametrize("offset_s", [0.0, 3.0])
def test_the_video_follows_the_page_being_written_after_the_tie(qtbot, tmp_path, offset_s):
    document = notebook_of(tied_pages(0), [20.0], tmp_path)
    start_s = document.timeline.position_s(0, TIE_MS) - 1.0 + offset_s
    spec = clip_for_span(document, 0, start_s, start_s + 2.0)
    assert page_changes(document, spec)[-1][1] == 1
