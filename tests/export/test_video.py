"""Video export: an H.264 + AAC .mp4 lasting the clip, whose frames show the ink as the
window's renderer reveals it (page turns included) at the moment it is heard, sent only when
the picture changes (variable frame rate), whose sound is the clip, and that leaves nothing
behind when cancelled."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from PySide6.QtGui import QImage
from support.xcorr import locate

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.core import ClipSpec, ExportCancelled, ExportError
from pencastviewer.app.export.registry import export_clip
from pencastviewer.app.export.video import FPS, Yuv420Picture
from pencastviewer.app.export.video_frames import ClipFramePainter as FramePainter
from pencastviewer.formats.audio_source import audio_bytes
from pencastviewer.model import (
    AudioFile,
    AudioStore,
    Notebook,
    Page,
    Recording,
    RevealState,
    Stroke,
    Timeline,
)
from pencastviewer.render.image_export import render_page_image
from pencastviewer.render.ink_style import InkStyle
from pencastviewer.render.video_frames import image_rgb32_array

CLIP = (70.0, 100.0)  # the demo turns from its first page to its second at 88.4 s
INK_LUMA = 140  # darker than this is ink: the demo's rulings (luma 160-190) and ghosts (>200) are not


# ---- helpers ------------------------------------------------------------------------------------


def rgb_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def ink_mask(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float64) @ [0.299, 0.587, 0.114] < INK_LUMA


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def page_area(frame: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, width, height) of the paper in a video frame: the bright columns/rows
    (the frame around the page is dark grey)."""
    luma = frame.astype(np.float64) @ [0.299, 0.587, 0.114]
    columns = np.flatnonzero(luma.mean(axis=0) > 128)
    rows = np.flatnonzero(luma.mean(axis=1) > 128)
    return int(columns[0]), int(rows[0]), int(columns[-1] - columns[0] + 1), int(rows[-1] - rows[0] + 1)


def reference_ink(document: OpenedNotebook, position_s: float, width_px: int) -> tuple[int, np.ndarray]:
    """The page being written at `position_s` and its ink as render_page_image reveals it."""
    t_ms = document.timeline.ink_time_ms(0, position_s)
    page = document.timeline.page_being_written(t_ms)
    reveal = document.timeline.reveal(page, t_ms)
    image = render_page_image(document.notebook.pages[page], width_px, reveal=reveal)
    return page, ink_mask(rgb_array(image))


def frame_ink(frame: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    left, top, width, height = page_area(frame)
    assert abs(width - shape[1]) <= 1 and abs(height - shape[0]) <= 1
    h, w = min(height, shape[0]), min(width, shape[1])
    return ink_mask(frame[top : top + h, left : left + w])


def shown_at(times: list[float], at_s: float) -> int:
    """The index of the frame on screen at `at_s`: the last one that starts by then."""
    return int(np.searchsorted(np.asarray(times), at_s + 1e-6, side="right")) - 1


# ---- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> OpenedNotebook:
    return open_notebook(demo_path)


@pytest.fixture(scope="module")
def clip_mp4(demo: OpenedNotebook, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("video") / "clip.mp4"
    assert export_clip(demo, ClipSpec(0, *CLIP), out) == out
    return out


@pytest.fixture(scope="module")
def decoded(clip_mp4: Path) -> dict:
    """The frames kept for checks (10 s in, and the last), every frame's time, the audio."""
    with av.open(str(clip_mp4)) as container:
        times, kept, previous = [], {}, None
        for frame in container.decode(video=0):
            if frame.time > 10.0 and "at_10s" not in kept:
                kept["at_10s"] = previous.to_ndarray(format="rgb24")  # on screen 10 s in
            times.append(frame.time)
            previous = frame
        kept["last"] = previous.to_ndarray(format="rgb24")
        container.seek(0)
        audio = [f.to_ndarray() for f in container.decode(audio=0)]
    kept["times"] = times
    kept["audio"] = np.concatenate(audio, axis=1)[0]  # fltp mono
    return kept


def speaking_notebook(
    folder: Path, pages: list[list[tuple[float, float]]], seconds: float = 4.0
) -> OpenedNotebook:
    """A notebook with a `seconds` recording (a WAV of noise) and, per page, horizontal
    strokes written over the given (start, end) seconds, one line each."""
    rate = 16000
    wav = folder / "talk.wav"
    sf.write(wav, np.random.default_rng(3).normal(0, 0.1, round(seconds * rate)).astype(np.float32), rate)
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", rate, 1, round(seconds * rate), 0.0, seconds * 1000)
    built = []
    for spans in pages:
        strokes = []
        for line, (start_s, end_s) in enumerate(spans):
            t = np.linspace(start_s * 1000, end_s * 1000, 30)
            xy = np.column_stack([np.linspace(10, 90, 30), np.full(30, 15.0 + 10 * line)])
            strokes.append(Stroke(xy, t, width_mm=1.0, recording=0))
        built.append(Page(100.0, 140.0, tuple(strokes)))
    notebook = Notebook(tuple(built), (Recording("talk", (audio,)),), title="Talk")
    return OpenedNotebook(wav, "test", notebook, Timeline(notebook))


# ---- the file -----------------------------------------------------------------------------------


def test_mp4_holds_h264_video_and_aac_audio_as_long_as_the_clip(clip_mp4: Path, decoded: dict) -> None:
    duration_s = CLIP[1] - CLIP[0]
    with av.open(str(clip_mp4)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264" and audio.codec_context.name == "aac"
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert container.duration / 1e6 == pytest.approx(duration_s, abs=1 / FPS)
        assert float(video.duration * video.time_base) == pytest.approx(duration_s, abs=1 / FPS)
        sample_rate = audio.codec_context.sample_rate
    times = np.asarray(decoded["times"])
    assert times[0] == 0.0 and times[-1] == pytest.approx(duration_s - 1 / FPS, abs=1e-3)
    assert np.allclose(times * FPS, np.round(times * FPS), atol=1e-3)  # on the 1/FPS grid
    assert (np.diff(times) > 0).all()
    # variable rate: the demo writes most of the time, yet pauses leave frames out
    assert len(times) < 0.9 * duration_s * FPS
    assert np.diff(times).max() > 0.5
    assert len(decoded["audio"]) / sample_rate == pytest.approx(duration_s, abs=1 / FPS)


def test_last_frame_shows_the_ink_written_by_the_end_of_the_clip(demo: OpenedNotebook, decoded: dict) -> None:
    width = page_area(decoded["last"])[2]
    page, expected = reference_ink(demo, CLIP[1], width)
    assert page == 1  # the writing has moved on to the second page
    shown = frame_ink(decoded["last"], expected.shape)
    assert expected.sum() > 500  # a real amount of ink to compare
    assert iou(shown, expected[: shown.shape[0], : shown.shape[1]]) >= 0.9
    # ... and it is the reveal, not the whole page: most of page 2 is still to be written
    whole = ink_mask(rgb_array(render_page_image(demo.notebook.pages[1], width)))
    assert iou(shown, whole[: shown.shape[0], : shown.shape[1]]) < 0.6


def test_frames_before_the_page_turn_show_the_first_page(demo: OpenedNotebook, decoded: dict) -> None:
    frame = decoded["at_10s"]
    width = page_area(frame)[2]
    page, expected = reference_ink(demo, CLIP[0] + 10.0, width)
    assert page == 0
    shown = frame_ink(frame, expected.shape)
    assert iou(shown, expected[: shown.shape[0], : shown.shape[1]]) >= 0.9


def test_audio_track_is_the_clip_of_the_recording(demo: OpenedNotebook, decoded: dict) -> None:
    source, rate = sf.read(io.BytesIO(audio_bytes(demo.notebook.recordings[0].files[0])), dtype="float32")
    heard = decoded["audio"]
    for at_s in (2.0, 15.0, 27.0):
        snippet = heard[round(at_s * rate) : round((at_s + 1.0) * rate)]
        expected = round((CLIP[0] + at_s) * rate)
        found = locate(snippet, source, expected - rate, expected + rate)
        assert abs(found - expected) <= 2  # in place to the sample (AAC priming is accounted for)
        original = source[expected : expected + len(snippet)]
        assert np.corrcoef(snippet, original)[0, 1] > 0.95


def test_page_turns_follow_the_writing(tmp_path: Path) -> None:
    """Page 1's line is written at 0.5–1.5 s, page 2's at 2.5–3.5 s (both black, at the
    same height): the video shows page 1 until page 2's line begins, then page 2."""
    document = speaking_notebook(tmp_path, [[(0.5, 1.5)], [(2.5, 3.5)]])
    out = tmp_path / "turns.mp4"
    export_clip(document, ClipSpec(0, 0.0, 4.0, size=(320, 240)), out)
    with av.open(str(out)) as container:
        decoded = list(container.decode(video=0))
    frames = [f.to_ndarray(format="rgb24").astype(int) for f in decoded]
    times = [f.time for f in decoded]

    def black(at_s: float) -> int:  # written ink (the grey around the page is 64)
        return int((frames[shown_at(times, at_s)].max(axis=2) < 40).sum())

    def orange(at_s: float) -> int:  # the stroke being written
        frame = frames[shown_at(times, at_s)]
        return int(((frame[..., 0] > 170) & (frame[..., 1] < 140) & (frame[..., 2] < 90)).sum())

    assert black(0.4) == 0 and orange(0.4) == 0  # nothing written yet: ghosts only
    assert orange(1.0) > 20  # page 1's line being written
    assert black(2.0) > 100 and black(2.4) > 100  # page 1's line, written, until page 2 begins
    assert black(2.7) == 0 and orange(2.7) > 5  # turned: page 2's line has just begun
    assert black(3.9) > 100 and orange(3.9) == 0


def test_a_page_clip_opens_on_its_page(demo: OpenedNotebook, tmp_path: Path) -> None:
    """A clip of page 2 starting half a second before its first stroke shows page 2 from
    the first frame, not the end of page 1 (which is being written until then)."""
    first_s = demo.timeline.position_s(0, demo.notebook.pages[1].strokes[0].start_ms)
    out = tmp_path / "page2.mp4"
    export_clip(demo, ClipSpec(0, first_s - 0.5, first_s + 0.5, page=1, size=(640, 360)), out)
    with av.open(str(out)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    left, top, width, height = page_area(first)
    shown_ink = ink_mask(first[top : top + height, left : left + width]).sum()
    page1_ink = ink_mask(rgb_array(render_page_image(demo.notebook.pages[0], width))).sum()
    assert page1_ink > 300 and shown_ink < 0.02 * page1_ink  # page 2: nothing written on it yet


def test_odd_sizes_are_made_even_for_420_video(tmp_path: Path) -> None:
    document = speaking_notebook(tmp_path, [[(0.2, 0.8)]], seconds=1.0)
    out = tmp_path / "odd.mp4"
    export_clip(document, ClipSpec(0, 0.0, 1.0, size=(641, 361)), out)
    with av.open(str(out)) as container:
        context = container.streams.video[0].codec_context
        assert (context.width, context.height) == (640, 360)
    with pytest.raises(ExportError, match="8000×720 pixels is not possible"):
        export_clip(document, ClipSpec(0, 0.0, 1.0, size=(8000, 720)), tmp_path / "huge.mp4")
    assert not (tmp_path / "huge.mp4").exists()


# ---- incremental painting ---------------------------------------------------------------------


def test_incremental_frames_equal_a_full_repaint(demo: OpenedNotebook) -> None:
    """The kept-page + changed-rectangle path gives the picture a full repaint gives, and the
    YUV frame updated rectangle by rectangle equals one converted whole."""
    spec = ClipSpec(0, 80.0, 92.0)
    painter = FramePainter(demo, spec, (1280, 720))
    picture = Yuv420Picture(1280, 720)
    checks = 0
    for k in range(round(spec.duration_s * FPS)):
        position_s = spec.start_s + k / FPS
        changed = painter.frame_at(position_s)
        picture.update(image_rgb32_array(painter.image), changed)
        if k % 45 == 0:
            t_ms = demo.timeline.ink_time_ms(0, position_s)
            page = demo.timeline.page_being_written(t_ms)
            rect = painter.page_rect(page)
            reveal = demo.timeline.reveal(page, t_ms)
            full = render_page_image(demo.notebook.pages[page], rect.width(), reveal=reveal)
            ours = rgb_array(painter.image)[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
            reference = rgb_array(full)[: ours.shape[0], : ours.shape[1]]
            ours_ink, reference_ink = ink_mask(ours), ink_mask(reference)
            # the same ink, but for antialiased edges (a written stroke covers its ghost)
            assert (ours_ink ^ reference_ink).sum() <= max(0.03 * (ours_ink | reference_ink).sum(), 30)
            whole = Yuv420Picture(1280, 720)
            whole.update(image_rgb32_array(painter.image), painter.image.rect())
            for mine, expected in zip(picture._planes, whole._planes, strict=True):
                assert np.array_equal(mine, expected)
            checks += 1
    assert checks >= 8


def test_before_any_writing_a_frame_shows_only_ghosts(demo: OpenedNotebook) -> None:
    painter = FramePainter(demo, ClipSpec(0, 0.0, 160.0), (1280, 720))
    painter.frame_at(0.0)
    rect = painter.page_rect(0)
    paper = rgb_array(painter.image)[rect.top() + 1 : rect.bottom(), rect.left() + 1 : rect.right()]
    assert ink_mask(paper).sum() == 0  # no stroke in full colour
    ghosts = paper.astype(int) @ [0.299, 0.587, 0.114]
    page = demo.notebook.pages[0]
    plain = render_page_image(
        page,
        rect.width(),
        reveal=RevealState(np.zeros(len(page.strokes), bool), ()),
        style=InkStyle(show_ghosts=False),
    )
    background = rgb_array(plain)[1 : rect.height() - 1, 1 : rect.width() - 1].astype(int) @ [
        0.299,
        0.587,
        0.114,
    ]
    assert ((background - ghosts) > 10).sum() > 1000  # ... but every stroke as a faint ghost


# ---- failures -------------------------------------------------------------------------------


def test_cancelled_export_leaves_the_folder_as_it_was(demo: OpenedNotebook, tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"an older export")
    (tmp_path / "notes.txt").write_text("keep me")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = []

    def progress(fraction: float) -> bool:
        calls.append(fraction)
        return len(calls) < 40  # cancel after about a second of video

    with pytest.raises(ExportCancelled):
        export_clip(demo, ClipSpec(0, *CLIP), tmp_path / "clip.mp4", progress)
    assert 0 < calls[-1] < 0.1
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_clip_without_a_recording_is_refused(demo: OpenedNotebook, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no recording"):
        export_clip(demo, ClipSpec(None, 0.0, 0.0), tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []
