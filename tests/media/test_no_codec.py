"""An audio track FFmpeg can demux but not decode (no codec context in PyAV) is a clear
AudioError for probing, decoding and the waveform's peaks, and a reader that finds such a
recording beside the ink still opens the notebook (issue 10: it was an AttributeError)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pencastviewer.formats import read_notebook
from pencastviewer.formats.xournalpp.audio import AudioLocator
from pencastviewer.media.decode import open_audio
from pencastviewer.media.peaks import build_pyramid
from pencastviewer.media.probe import probe
from pencastviewer.media.source import AudioError


def codecless_wav(path: Path) -> Path:
    """A WAV whose format tag (0x1234) names no codec FFmpeg has."""
    data = bytes(8000)
    fmt = struct.pack("<HHIIHH", 0x1234, 1, 8000, 16000, 2, 16)
    chunks = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )
    path.write_bytes(b"RIFF" + struct.pack("<I", len(chunks)) + chunks)
    return path


def test_probe_decode_and_peaks_say_there_is_no_decoder(tmp_path: Path) -> None:
    wav = codecless_wav(tmp_path / "odd.wav")
    for attempt in (lambda: probe(wav), lambda: open_audio(wav), lambda: build_pyramid([(wav, 0.0)])):
        with pytest.raises(AudioError, match="no decoder for the codec"):
            attempt()
    # the Xournal++/InkML readers' probe (media's one probe since issue 9) says so in a warning
    warnings: list[str] = []
    _, info = AudioLocator(tmp_path / "notes.xopp", (), {}).audio_file("odd.wav", warnings.append)
    assert info is None and any("no decoder for the codec" in w for w in warnings)


def test_a_notebook_beside_such_a_recording_still_opens(tmp_path: Path) -> None:
    codecless_wav(tmp_path / "notes.wav")
    ink = tmp_path / "notes.inkml"
    ink.write_text(
        '<ink xmlns="http://www.w3.org/2003/InkML"><traceFormat><channel name="X" units="mm"/>'
        '<channel name="Y" units="mm"/><channel name="T" units="ms"/></traceFormat>'
        "<trace>0 0 0, 5 5 100</trace></ink>"
    )
    try:
        notebook = read_notebook(ink)
    except Exception as e:  # a FormatError naming the file is acceptable, nothing else
        from pencastviewer.formats import FormatError

        assert isinstance(e, FormatError) and str(ink) in str(e)
    else:
        assert notebook.n_strokes == 1
