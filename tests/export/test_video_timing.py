"""When a video's frames are shown: only when the picture changes (none while the page is
still), each stroke's first point within one frame of the moment it is heard (sync offset
and a clip that starts inside the recording included), and a frame the page fills."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from support.beeps import PAGE_MM, RATE, notebook_with_beeps

from pencastviewer.app.export.core import ClipSpec
from pencastviewer.app.export.registry import export_clip
from pencastviewer.app.export.request import ClipRange, ClipRequest, build_clip
from pencastviewer.app.export.video import FPS, MOTION_FPS
from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.model import Page
from pencastviewer.render.video_frames import fit_frame_size, page_placement


def decoded_video(path: Path) -> tuple[list[float], list[np.ndarray]]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return [f.time for f in frames], [f.to_ndarray(format="rgb24") for f in frames]


def inked(rgb: np.ndarray) -> int:
    """Pixels of ink being written (orange) or written (black); ghosts are pale grey."""
    rgb = rgb.astype(int)
    orange = (rgb[..., 0] > 170) & (rgb[..., 1] < 140) & (rgb[..., 2] < 90)
    return int((orange | (rgb.max(axis=-1) < 60)).sum())


def beep_onsets(path: Path, count: int) -> list[float]:
    """Seconds into the video at which each beep begins, as the MP4's audio plays it."""
    with av.open(str(path)) as container:
        frames = list(container.decode(audio=0))
        rate = frames[0].sample_rate
        start = frames[0].time
    samples = np.concatenate([f.to_ndarray()[0] for f in frames])
    loud = np.abs(samples) > 0.25
    onsets = np.flatnonzero(
        loud[1:] & ~np.convolve(loud, np.ones(RATE // 20), "full")[: len(loud) - 1].astype(bool)
    )
    assert len(onsets) == count
    return [start + (i + 1) / rate for i in onsets.tolist()]


def test_each_stroke_appears_within_one_frame_of_when_it_is_heard(tmp_path: Path) -> None:
    ink_s = [(0.537, 0.9), (1.711, 2.2), (2.903, 3.3)]
    offset_ms, clip_start_s = 120.0, 0.25
    heard_s = [start + offset_ms / 1000 for start, _ in ink_s]
    document = notebook_with_beeps(tmp_path, ink_s, heard_s)
    timeline = document.timeline.with_sync_offsets({0: offset_ms})
    page = document.notebook.pages[0]
    assert [timeline.position_s(0, s.start_ms) for s in page.strokes] == pytest.approx(heard_s)
    out = tmp_path / "sync.mp4"
    spec = ClipSpec(0, clip_start_s, 4.0, size=(320, 240), sync_offset_ms=offset_ms)
    export_clip(document, spec, out)
    times, frames = decoded_video(out)
    rect = page_placement(page, (320, 240))
    onsets = beep_onsets(out, len(ink_s))
    for line, onset_s in enumerate(onsets):
        assert onset_s == pytest.approx(heard_s[line] - clip_start_s, abs=0.005)
        row = round(rect.top() + (20.0 + 20 * line) * rect.height() / PAGE_MM[1])
        band = [inked(frame[row - 3 : row + 4]) for frame in frames]
        first = next(k for k, n in enumerate(band) if n > 0)
        assert 0 <= times[first] - onset_s <= 1 / FPS + 0.002, (line, times[first], onset_s)


def test_a_still_page_costs_no_frames(tmp_path: Path) -> None:
    """Ink is written at 0.5–1.5 s and 2.5–3.5 s: frames follow the pen then, none come
    while the page is still, and the last picture lasts until the clip ends."""
    document = notebook_with_beeps(tmp_path, [(0.5, 1.5), (2.5, 3.5)], [], seconds=5.0)
    out = tmp_path / "still.mp4"
    export_clip(document, ClipSpec(0, 0.0, 5.0, size=(320, 240)), out)
    times = np.asarray(decoded_video(out)[0])
    assert times[0] == 0.0
    assert not ((times > 0.01) & (times < 0.5)).any()  # nothing written yet
    assert not ((times > 1.5 + 1.5 / FPS) & (times < 2.5)).any()  # the pen is lifted
    assert not ((times > 3.5 + 1.5 / FPS) & (times < 5.0 - 1.5 / FPS)).any()
    for start, end in ((0.5, 1.5), (2.5, 3.5)):
        moving = ((times >= start) & (times <= end)).sum()
        assert moving >= (end - start) * MOTION_FPS - 1  # the pen is followed
    assert len(times) < 0.4 * 5.0 * FPS
    with av.open(str(out)) as container:
        assert container.duration / 1e6 == pytest.approx(5.0, abs=1 / FPS)
        video = container.streams.video[0]
        assert float(video.duration * video.time_base) == pytest.approx(5.0, abs=1 / FPS)


def test_by_default_the_frame_takes_the_page_shape(tmp_path: Path) -> None:
    """A portrait page in a video made without a size (the command line's and the dialog's
    default) fills a portrait frame, 720 px across; a size given is kept."""
    document = notebook_with_beeps(tmp_path, [(0.2, 0.8)], [], seconds=1.0)
    fitted = build_clip(document, ClipRequest(ClipRange.RECORDING))
    assert fitted.fit_page
    out = tmp_path / "fit.mp4"
    export_clip(document, fitted, out)
    frames = decoded_video(out)[1]
    height, width = frames[0].shape[:2]
    assert (width, height) == (720, round(720 * PAGE_MM[1] / PAGE_MM[0] / 2) * 2)
    luma = frames[-1].astype(float) @ [0.299, 0.587, 0.114]
    assert (luma > 128).mean() > 0.97  # paper from edge to edge: no bars around the page
    sized = build_clip(document, ClipRequest(ClipRange.RECORDING, size=(640, 360)))
    assert not sized.fit_page
    export_clip(document, sized, tmp_path / "sized.mp4")
    with av.open(str(tmp_path / "sized.mp4")) as container:
        context = container.streams.video[0].codec_context
        assert (context.width, context.height) == (640, 360)


def test_the_command_line_fits_the_page_unless_given_a_size(tmp_path: Path) -> None:
    document = notebook_with_beeps(tmp_path, [(0.2, 0.8)], [], seconds=1.0)
    notebook = tmp_path / "beeps.pencast"
    write_pencast(document.notebook, notebook)
    fitted = (720, 1008)  # the page's 100 × 140 mm
    for size, expected in (([], fitted), (["--size", "fit"], fitted), (["--size", "640x360"], (640, 360))):
        out = tmp_path / "cli.mp4"
        command = [sys.executable, "-m", "pencastviewer", "export", str(notebook), "-o", str(out), *size]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        with av.open(str(out)) as container:
            context = container.streams.video[0].codec_context
            assert (context.width, context.height) == expected


def test_fitted_frames_keep_the_page_shape_within_bounds() -> None:
    a4 = Page(210.0, 297.0)
    assert fit_frame_size([a4], 720, 1920) == (720, 1018)
    assert fit_frame_size([Page(297.0, 210.0)], 720, 1920) == (1018, 720)
    assert fit_frame_size([Page(160.0, 90.0)], 720, 1920) == (1280, 720)
    assert fit_frame_size([Page(100.0, 1000.0)], 720, 1920) == (192, 1920)  # a long scroll
    assert fit_frame_size([a4, Page(297.0, 210.0)], 720, 1920) == (720, 720)  # holds both
