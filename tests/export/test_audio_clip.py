"""Audio clips: sample-exact cuts (bit-exact for WAV/FLAC), lossy formats that line up with
the source, fades, tags, recordings of several files, cancel and errors leaving no trace."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.audio_clip import read_ahead
from pencastviewer.app.export.core import ClipSpec, ExportCancelled, ExportError
from pencastviewer.app.export.registry import export_clip
from pencastviewer.formats.audio_source import audio_bytes
from pencastviewer.media import encode as audio_encode
from pencastviewer.media.decode import open_audio
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

DEMO_RATE = 22050
CLIP = (12.5, 30.0)
CLIP_FRAMES = round(CLIP[1] * DEMO_RATE) - round(CLIP[0] * DEMO_RATE)  # 385 875


# ---- factories ----------------------------------------------------------------------------------


def noise_file(
    path: Path, rate: int, seconds: float, *, seed: int, subtype: str = "PCM_16", channels: int = 1
) -> np.ndarray:
    """A file of band-limited noise; returns the samples as written (int)."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    full = 2 ** (15 if subtype == "PCM_16" else 23)
    values = np.clip(rng.normal(0, 0.2, (n, channels)) * full, -full, full - 1).astype(np.int32)
    dtype = np.int16 if subtype == "PCM_16" else np.int32
    data = values.astype(dtype) if subtype == "PCM_16" else values << 8
    sf.write(path, data, rate, subtype=subtype)
    return values


def notebook_of_files(files: list[tuple[Path, float]], rate: int, channels: int = 1) -> OpenedNotebook:
    """A notebook whose one recording plays `files` back-to-back; (path, clock span in s),
    the files recorded 10 s apart on the notebook clock."""
    audio, clock_ms = [], 1_000_000.0
    for path, span_s in files:
        info = sf.info(path)
        codec = "flac" if info.format == "FLAC" else "pcm"
        audio.append(
            AudioFile(AudioStore.FILE, str(path), codec, rate, channels, info.frames, clock_ms, span_s * 1000)
        )
        clock_ms += span_s * 1000 + 10_000
    stroke = Stroke(np.array([[10.0, 10.0], [20.0, 10.0]]), np.array([1_000_500.0, 1_001_000.0]), recording=0)
    notebook = Notebook((Page(100.0, 100.0, (stroke,)),), (Recording("talk", tuple(audio)),), title="Talk")
    return OpenedNotebook(files[0][0], "test", notebook, Timeline(notebook))


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> OpenedNotebook:
    return open_notebook(demo_path)


@pytest.fixture(scope="module")
def demo_source(demo: OpenedNotebook) -> np.ndarray:
    """The demo recording decoded (mono float32), as the exporter reads it."""
    audio = demo.notebook.recordings[0].files[0]
    with open_audio(audio_bytes(audio), name_hint=audio.member) as decoder:
        return decoder.read(0, decoder.n_frames)[:, 0]


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


# ---- the demo: exact cuts -------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".wav", ".flac"])
def test_demo_clip_is_the_source_samples_to_the_bit(tmp_path, demo, demo_source, ext):
    out = export_clip(demo, ClipSpec(0, *CLIP, fade_ms=0.0), tmp_path / f"clip{ext}")
    data, rate = sf.read(out, dtype="int16")
    assert rate == DEMO_RATE and data.ndim == 1
    assert len(data) == CLIP_FRAMES == 385875
    first = round(CLIP[0] * DEMO_RATE)
    # Vorbis decodes to floats: the lossless clip holds them rounded to 16 bits, nothing else.
    np.testing.assert_array_equal(data, to_int16(demo_source[first : first + CLIP_FRAMES]))


@pytest.mark.parametrize(
    ("ext", "rate", "frames"),
    [
        (".ogg", DEMO_RATE, CLIP_FRAMES),
        (".mp3", DEMO_RATE, CLIP_FRAMES),
        (".m4a", DEMO_RATE, CLIP_FRAMES),
        (".opus", 48000, 840000),  # Opus cannot keep 22.05 kHz: resampled to its own 48 kHz
    ],
)
def test_lossy_demo_clips_line_up_with_the_source(tmp_path, demo, demo_source, ext, rate, frames):
    out = export_clip(demo, ClipSpec(0, *CLIP, fade_ms=0.0), tmp_path / f"clip{ext}")
    with open_audio(out) as decoder:
        assert (decoder.sample_rate, decoder.channels, decoder.n_frames) == (rate, 1, frames)
        decoded = decoder.read(0, decoder.n_frames)[:, 0]
    first = round(CLIP[0] * DEMO_RATE)
    source = demo_source[first : first + CLIP_FRAMES]
    if rate != DEMO_RATE:  # compare on the source's grid
        decoded = np.interp(np.arange(CLIP_FRAMES) / DEMO_RATE, np.arange(frames) / rate, decoded)
    # Correlation at lag 0: speech decorrelates within a millisecond, so a shifted or
    # truncated clip would fail this.
    assert np.corrcoef(decoded, source)[0, 1] > 0.99


@pytest.mark.parametrize("ext", [".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a"])
def test_clip_is_tagged_with_title_page_and_recording_date(tmp_path, demo, ext):
    out = export_clip(demo, ClipSpec(0, *CLIP), tmp_path / f"clip{ext}")
    if ext in (".m4a", ".mp3"):
        with av.open(str(out)) as container:
            tags = container.metadata
        title, date = tags.get("title"), tags.get("date")
    else:
        with sf.SoundFile(out) as f:
            title, date = f.title, f.date
    assert title == "CloudCamp Paris — notes, page 1"
    assert date == "2009-06-11T19:30:12"  # the recording began 19:30:00; the clip 12.5 s later


# ---- exactness on integer sources, several files ------------------------------------------------


@pytest.mark.parametrize(("subtype", "ext"), [("PCM_16", ".wav"), ("PCM_16", ".flac"), ("PCM_24", ".flac")])
def test_integer_source_is_cut_bit_exactly_keeping_its_depth(tmp_path, subtype, ext):
    src = tmp_path / "src.flac"
    values = noise_file(src, 16000, 10.0, seed=1, subtype=subtype, channels=2)
    document = notebook_of_files([(src, 10.0)], 16000, channels=2)
    out = export_clip(document, ClipSpec(0, 1.23456, 7.5, fade_ms=0.0), tmp_path / f"clip{ext}")
    assert sf.info(out).subtype == subtype and sf.info(out).channels == 2
    data = sf.read(out, dtype="int32")[0] >> (16 if subtype == "PCM_16" else 8)
    first, end = round(1.23456 * 16000), round(7.5 * 16000)
    np.testing.assert_array_equal(data, values[first:end])


def test_clip_spans_the_files_of_a_recording_back_to_back(tmp_path):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    va, vb = noise_file(a, 8000, 3.0, seed=2), noise_file(b, 8000, 4.0, seed=3)
    # b plays from 3 s; its span is 5 s but it holds 4 s: the last second is silence.
    document = notebook_of_files([(a, 3.0), (b, 5.0)], 8000)
    out = export_clip(document, ClipSpec(0, 2.0, 8.0, fade_ms=0.0), tmp_path / "clip.wav")
    data = sf.read(out, dtype="int16")[0].astype(np.int32)
    expected = np.concatenate([va[16000:, 0], vb[:, 0], np.zeros(8000, np.int32)])
    np.testing.assert_array_equal(data, expected)


def test_fades_start_and_end_at_silence_and_leave_the_middle_alone(tmp_path):
    src = tmp_path / "src.wav"
    values = noise_file(src, 8000, 4.0, seed=4)[:, 0]
    document = notebook_of_files([(src, 4.0)], 8000)
    out = export_clip(document, ClipSpec(0, 1.0, 3.0, fade_ms=20.0), tmp_path / "clip.wav")
    data = sf.read(out, dtype="int16")[0].astype(np.int32)
    source = values[8000:24000]
    n_fade = 160  # 20 ms at 8 kHz
    assert abs(data[0]) <= abs(source[0]) * 0.001 + 1 and abs(data[-1]) <= abs(source[-1]) * 0.001 + 1
    assert np.all(np.abs(data[:n_fade]) <= np.abs(source[:n_fade]) + 1)
    gain = data[:n_fade] / np.where(source[:n_fade] == 0, 1, source[:n_fade])
    loud = np.abs(source[:n_fade]) > 2000
    assert np.all(np.diff(gain[loud]) > -0.02)  # rising
    np.testing.assert_array_equal(data[n_fade:-n_fade], source[n_fade:-n_fade])


# ---- nothing lost, nothing half-written ---------------------------------------------------------


@pytest.mark.parametrize("ext", [".wav", ".m4a", ".ogg"])
def test_cancel_leaves_the_folder_as_it_was(tmp_path, demo, ext):
    target = tmp_path / f"clip{ext}"
    target.write_bytes(b"an older clip the user keeps")
    before = folder_state(tmp_path)
    calls = []

    def cancel_after_three_blocks(fraction: float) -> bool:
        calls.append(fraction)
        return len(calls) < 4

    with pytest.raises(ExportCancelled):
        export_clip(demo, ClipSpec(0, 0.0, 60.0), target, cancel_after_three_blocks)
    assert len(calls) == 4 and 0 < calls[-1] < 1  # it was stopped mid-way
    assert folder_state(tmp_path) == before
    assert not [t for t in threading.enumerate() if t.name == "clip-decoder"]  # decoding stopped too


def test_decoding_errors_reach_the_encoding_thread():
    def blocks_then_failure():
        yield np.zeros((4, 1), np.float32)
        raise ExportError("track 2: cannot decode at frame 4")

    received = []
    with pytest.raises(ExportError, match="cannot decode at frame 4"):
        for block in read_ahead(blocks_then_failure()):
            received.append(block)
    assert len(received) == 1


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path, demo, monkeypatch):
    def disk_full(self, block):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audio_encode.SoundFileEncoder, "write", disk_full)
    with pytest.raises(ExportError, match="disk is full"):
        export_clip(demo, ClipSpec(0, *CLIP), tmp_path / "clip.flac")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ClipSpec(0, 150.0, 170.0), "outside the recording"),
        (ClipSpec(0, 30.0, 12.5), "range is empty"),
        (ClipSpec(3, 0.0, 1.0), "recording 3 does not exist"),
        (ClipSpec(None, 0.0, 0.0, page=0), "has no recording"),
    ],
)
def test_impossible_ranges_are_refused_with_a_reason(tmp_path, demo, spec, message):
    with pytest.raises(ExportError, match=message):
        export_clip(demo, spec, tmp_path / "clip.wav")
    assert list(tmp_path.iterdir()) == []


def test_missing_audio_is_a_clear_error(tmp_path):
    src = tmp_path / "gone.wav"
    noise_file(src, 8000, 2.0, seed=5)
    document = notebook_of_files([(src, 2.0)], 8000)
    src.unlink()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(ExportError, match=r"gone\.wav"):
        export_clip(document, ClipSpec(0, 0.5, 1.5), out_dir / "clip.wav")
    assert list(out_dir.iterdir()) == []


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own(tmp_path, demo):
    mask = os.umask(0)
    os.umask(mask)
    out = export_clip(demo, ClipSpec(0, *CLIP), tmp_path / "clip.flac")
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0o600
    out.chmod(0o640)
    export_clip(demo, ClipSpec(0, *CLIP), out)
    assert out.stat().st_mode & 0o777 == 0o640
