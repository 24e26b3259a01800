"""A clip as a .pencast of its own: only the ink of the range, its times shifted to the clip's
start, the audio cut to the sample; it opens here; the source is never touched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.core import ClipSpec, ExportCancelled, ExportError
from pencastviewer.app.export.registry import export_clip
from pencastviewer.cli.main import main
from pencastviewer.formats.audio_source import audio_bytes
from pencastviewer.formats.safezip import SafeZip
from pencastviewer.media.decode import open_audio
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

CLIP = (12.5, 30.0)
RATE = 22050


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> OpenedNotebook:
    return open_notebook(demo_path)


@pytest.fixture(scope="module")
def clip(demo: OpenedNotebook, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clip")
    return export_clip(demo, ClipSpec(0, *CLIP, fade_ms=0.0), folder / "clip.pencast")


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def written_in_clip(demo: OpenedNotebook) -> list[Stroke]:
    """The demo's strokes with at least one point recorded within CLIP."""
    tl = demo.timeline
    t0, t1 = tl.ink_time_ms(0, CLIP[0]), tl.ink_time_ms(0, CLIP[1])
    return [
        s for page in demo.notebook.pages for s in page.strokes if np.any((s.t_ms >= t0) & (s.t_ms <= t1))
    ]


def test_info_shows_only_the_strokes_of_the_range(capsys, demo, clip):
    status, out, _ = run_cli(capsys, "info", clip, "--json")
    info = json.loads(out)
    expected = written_in_clip(demo)
    assert status == 0 and info["format"] == "pencast"
    assert info["strokes"] == len(expected) == 38 < demo.notebook.n_strokes
    assert [p["strokes"] for p in info["pages"]] == [38]  # page 2 was not written on in the range
    assert info["recordings"][0]["duration_s"] == pytest.approx(CLIP[1] - CLIP[0], abs=1 / RATE)
    assert info["ink_span_ms"][0] >= 0 and info["ink_span_ms"][1] <= (CLIP[1] - CLIP[0]) * 1000


def test_locate_on_a_stroke_gives_its_time_shifted_by_the_clip_start(capsys, demo, clip):
    strokes = written_in_clip(demo)
    for stroke in (strokes[0], strokes[len(strokes) // 2], strokes[-1]):
        x, y = stroke.xy_mm[len(stroke.xy_mm) // 2]
        at = f"--at={x:.4f},{y:.4f}"
        _, out, _ = run_cli(capsys, "locate", demo.path, "--page", "1", at, "--radius", "0.5", "--json")
        original = json.loads(out)
        status, out, _ = run_cli(capsys, "locate", clip, "--page", "1", at, "--radius", "0.5", "--json")
        shifted = json.loads(out)
        assert status == 0 and shifted["recording"] == 0
        assert shifted["time_s"] == pytest.approx(original["time_s"] - CLIP[0], abs=1e-3)


def test_the_clip_audio_is_the_cut_and_plays_where_the_ink_says(demo, clip):
    source_audio = demo.notebook.recordings[0].files[0]
    with open_audio(audio_bytes(source_audio), name_hint=source_audio.member) as source:
        first = round(CLIP[0] * RATE)
        expected = source.read(first, round(CLIP[1] * RATE) - first)[:, 0]
    notebook = open_notebook(clip).notebook
    (recording,) = notebook.recordings
    assert recording.codec == "flac" and recording.files[0].store == AudioStore.ZIP
    with open_audio(audio_bytes(recording.files[0]), name_hint=recording.files[0].member) as cut:
        assert (cut.sample_rate, cut.n_frames) == (RATE, 385875)
        samples = cut.read(0, cut.n_frames)[:, 0]
    # Vorbis has no lossless cut: FLAC of the decoded samples, rounded to 16 bits.
    assert np.max(np.abs(samples - expected)) <= 0.5 / 32768 + 1e-9
    assert recording.created.isoformat() == "2009-06-11T19:30:12.500000+02:00"


def test_the_source_notebook_is_never_modified(demo_path, tmp_path):
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    mtime = demo_path.stat().st_mtime_ns
    export_clip(open_notebook(demo_path), ClipSpec(0, *CLIP), tmp_path / "clip.pencast")
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before
    assert demo_path.stat().st_mtime_ns == mtime


def test_cancel_leaves_the_folder_as_it_was(tmp_path, demo):
    target = tmp_path / "clip.pencast"
    target.write_bytes(b"PK an older clip")
    before = folder_state(tmp_path)
    for cancel_after in (0.1, 0.85):  # while cutting the audio, then while writing the archive
        calls = []

        def progress(fraction: float, calls=calls, cancel_after=cancel_after) -> bool:
            calls.append(fraction)
            return fraction <= cancel_after

        with pytest.raises(ExportCancelled):
            export_clip(demo, ClipSpec(0, 0.0, 100.0), target, progress)
        assert folder_state(tmp_path) == before
    assert 0.85 < calls[-1] < 1.0  # the second run was stopped in the archive writing


def test_a_range_without_ink_is_refused(tmp_path, demo):
    with pytest.raises(ExportError, match="no ink was written"):
        export_clip(demo, ClipSpec(0, 159.5, 160.5), tmp_path / "empty.pencast")
    assert list(tmp_path.iterdir()) == []


# ---- lossless sources keep their codec; recordings of several files ----------------------------


def two_file_wav_notebook(tmp_path: Path) -> OpenedNotebook:
    """Two 16-bit WAV files of 4 s, recorded 60 s apart; one stroke in each."""
    rng = np.random.default_rng(7)
    files, strokes = [], []
    for k in range(2):
        path = tmp_path / f"part{k}.wav"
        sf.write(path, (rng.normal(0, 0.2, 32000) * 32767).astype(np.int16), 8000)
        clock_ms = 1_000_000.0 + 64_000 * k
        files.append(AudioFile(AudioStore.FILE, str(path), "pcm", 8000, 1, 32000, clock_ms, 4000.0))
        times = clock_ms + np.array([1000.0, 1500.0, 2000.0])
        strokes.append(
            Stroke(np.array([[10.0, 10 + 20 * k], [20, 10 + 20 * k], [30, 10 + 20 * k]]), times, recording=0)
        )
    notebook = Notebook((Page(100.0, 100.0, tuple(strokes)),), (Recording("talk", tuple(files)),))
    return OpenedNotebook(tmp_path / "talk.xopp", "test", notebook, Timeline(notebook))


def test_a_wav_recording_stays_wav_and_the_pause_between_files_is_removed(tmp_path):
    document = two_file_wav_notebook(tmp_path)
    out = export_clip(document, ClipSpec(0, 0.5, 7.0, fade_ms=0.0), tmp_path / "clip.pencast")
    with SafeZip(out) as archive:
        assert [n for n in archive.names() if n.startswith("audio/")] == ["audio/0-0.wav"]
    notebook = open_notebook(out).notebook
    first, second = notebook.pages[0].strokes
    # Played positions: 1.0 s and 4 + 1.0 s; the clip starts at 0.5 s.
    assert first.t_ms.tolist() == pytest.approx([500.0, 1000.0, 1500.0])
    assert second.t_ms.tolist() == pytest.approx([4500.0, 5000.0, 5500.0])
    assert notebook.recordings[0].n_frames == 52000
