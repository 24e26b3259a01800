"""One damaged frame no longer fails a whole-recording export (issue 10): FLAC (where
libsndfile gave up at the first bad frame) and M4A are salvaged like WAV/Ogg/Opus/MP3, the
clip keeps its length, and the export says how much could not be decoded."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app.document import OpenedNotebook
from pencastviewer.app.export.core import ClipSpec
from pencastviewer.app.export.run import Export
from pencastviewer.media.decode import open_audio
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

RATE = 16000


def tone(seconds: float) -> np.ndarray:
    return (0.5 * np.sin(np.arange(round(seconds * RATE)) * 0.05)).astype(np.float32)


def write_m4a(path: Path, samples: np.ndarray) -> None:
    with av.open(str(path), "w", format="ipod") as container:
        stream = container.add_stream("aac", rate=RATE, layout="mono")
        for k in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(samples[None, k : k + 1024], format="fltp", layout="mono")
            frame.sample_rate, frame.pts = RATE, k
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def notebook_of(path: Path, codec: str, n_frames: int) -> OpenedNotebook:
    audio = AudioFile(AudioStore.FILE, str(path), codec, RATE, 1, n_frames, 0.0, n_frames * 1000 / RATE)
    stroke = Stroke(np.array([[1.0, 1.0], [2.0, 2.0]]), np.array([0.0, 500.0]), recording=0)
    notebook = Notebook((Page(100.0, 100.0, (stroke,)),), (Recording("talk", (audio,)),))
    return OpenedNotebook(path, "test", notebook, Timeline(notebook))


def damaged(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(b ^ 0x5A for b in data[middle : middle + 200])
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("ext", [".flac", ".m4a"])
def test_a_damaged_frame_is_salvaged_and_the_loss_told(tmp_path: Path, ext: str) -> None:
    source = tmp_path / f"talk{ext}"
    if ext == ".flac":
        sf.write(source, tone(10.0), RATE)
    else:
        write_m4a(source, tone(10.0))
    damaged(source)
    with open_audio(source) as decoder:
        n_frames = decoder.n_frames
        assert sum(len(b) for b in decoder.blocks(4096)) == n_frames  # no "cannot decode at frame"
    document = notebook_of(source, ext[1:].replace("m4a", "aac"), n_frames)
    out = tmp_path / "clip.wav"
    result = Export(document, ClipSpec(0, 0.0, n_frames / RATE, fade_ms=0.0), out).run()
    assert sf.info(out).frames == n_frames
    if ext == ".m4a":  # FFmpeg's AAC decoder refuses the damaged packets: they are counted
        assert result.notes and "could not be decoded and is silence" in result.notes[0]
