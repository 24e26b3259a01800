"""Clips chosen from ink honour a recording's sync offset exactly as the session applies it
(tap-to-play, the waveform): the range moves with the offset, the ink inside an export stays
where its sound is, and the command line takes the offset as --sync-offset."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.ranges import (
    clip_for_page,
    clip_for_span,
    clip_for_strokes,
    clip_pages,
    with_sync_offset,
)
from pencastviewer.app.export.registry import export_clip
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.cli.main import main

SECOND_LINE = range(13, 37)  # the strokes of page 1's second written line


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> OpenedNotebook:
    return open_notebook(demo_path)


def test_ranges_from_ink_move_by_the_offset(demo):
    plain = clip_for_strokes(demo, 0, SECOND_LINE)
    later = clip_for_strokes(demo, 0, SECOND_LINE, sync_offsets_ms={0: 250.0})
    assert later.start_s == pytest.approx(plain.start_s + 0.25, abs=1e-9)
    assert later.end_s == pytest.approx(plain.end_s + 0.25, abs=1e-9)
    assert (plain.sync_offset_ms, later.sync_offset_ms) == (0.0, 250.0)
    page = clip_for_page(demo, 1, sync_offsets_ms={0: -300.0})
    assert page.start_s == pytest.approx(clip_for_page(demo, 1).start_s - 0.3, abs=1e-9)
    assert clip_for_strokes(demo, 0, SECOND_LINE, sync_offsets_ms={3: 250.0}) == plain  # another recording's


def test_the_exporters_timeline_maps_as_the_session_does(demo, qtbot):
    session = Session(SilentAudioOutput())
    session.set_document(demo)
    session.set_sync_offset_ms(137.5)
    synced = with_sync_offset(demo, replace(clip_for_page(demo, 0), sync_offset_ms=137.5)).timeline
    assert synced.sync_offsets_ms == {0: 137.5} and demo.timeline.sync_offsets_ms == {}
    duration_s = demo.notebook.recordings[0].duration_s
    first_ms = demo.notebook.pages[0].strokes[0].start_ms
    for t_ms in (first_ms - 5000.0, first_ms, first_ms + 61_234.5, first_ms + duration_s * 1000 + 9.0):
        assert synced.position_s(0, t_ms) == session.audio_position_s(0, t_ms)
    for position_s in (-1.0, 0.0, 0.1, 77.7, duration_s, duration_s + 3.0):
        assert synced.ink_time_ms(0, position_s) == session.ink_time_ms(0, position_s)
    at_ms = first_ms + 20_000  # (what depends on ink time alone is the plain timeline's)
    assert np.array_equal(synced.reveal(0, at_ms).written, demo.timeline.reveal(0, at_ms).written)


def test_the_ink_of_a_region_is_the_ink_heard_in_it(demo):
    stroke = demo.notebook.pages[0].strokes[13]  # written in 0.12 s
    heard_s = demo.timeline.position_s(0, stroke.start_ms) + 0.5  # with a 500 ms offset
    spec = clip_for_span(demo, 0, heard_s - 0.05, heard_s + 5.0, sync_offset_ms=500.0)
    unsynced = clip_for_span(demo, 0, heard_s - 0.05, heard_s + 5.0)

    def has_stroke(document, spec) -> bool:
        pages = clip_pages(document, spec)
        return any(np.array_equal(s.xy_mm, stroke.xy_mm) for _, page in pages for s in page.strokes)

    assert has_stroke(with_sync_offset(demo, spec), spec)
    assert not has_stroke(with_sync_offset(demo, unsynced), unsynced)  # it was written 0.45 s earlier


def test_a_pencast_clip_keeps_the_ink_where_its_sound_is(demo, tmp_path):
    """The offset moves the clip's sound; the ink keeps its place in that sound."""
    clips = {}
    for offset_ms in (0.0, 200.0):
        spec = clip_for_strokes(demo, 0, SECOND_LINE, fade_ms=0.0, sync_offsets_ms={0: offset_ms})
        clips[offset_ms] = open_notebook(export_clip(demo, spec, tmp_path / f"clip{offset_ms:.0f}.pencast"))
        export_clip(demo, spec, tmp_path / f"clip{offset_ms:.0f}.wav")
    plain, later = (clips[k].notebook.pages[0].strokes for k in (0.0, 200.0))
    assert len(plain) == len(later) == len(SECOND_LINE)
    for a, b in zip(plain, later, strict=True):
        np.testing.assert_allclose(a.t_ms, b.t_ms, atol=1e-6)
    sound_plain, rate = sf.read(tmp_path / "clip0.wav", dtype="int16")
    sound_later, _ = sf.read(tmp_path / "clip200.wav", dtype="int16")
    shift = round(0.2 * rate)  # 4410 frames
    assert np.array_equal(sound_later[: len(sound_later) - shift], sound_plain[shift:])


def run_cli(capsys, *args: object) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_command_line_takes_the_offset(capsys, tmp_path, demo_path, demo):
    out = tmp_path / "line.wav"
    args = ("export", demo_path, "-o", out, "--page", "1", "--strokes", "13-36", "--sync-offset", "250")
    status, stdout, stderr = run_cli(capsys, *args)
    assert status == 0 and stderr == ""
    assert "sync offset +250 ms" in stdout
    spec = clip_for_strokes(demo, 0, SECOND_LINE, sync_offsets_ms={0: 250.0})
    assert sf.info(out).frames == round(spec.end_s * 22050) - round(spec.start_s * 22050)
    status, _, stderr = run_cli(capsys, "export", demo_path, "-o", out, "--sync-offset", "90000")
    assert status != 0 and "at most ±60000 ms" in stderr
