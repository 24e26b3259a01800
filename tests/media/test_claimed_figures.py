"""A damaged MP4 whose AAC track has lost its decoder configuration and claims 0 channels
(found by the fuzzer in a .pencast's audio): probing and opening refuse it with an
AudioError naming the file, instead of handing 0 channels on (the loudness meter raised
ValueError, which reached `info` as an internal error)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from pencastviewer.media.decode import open_audio
from pencastviewer.media.probe import probe
from pencastviewer.media.source import AudioError


def _m4a(path: Path, rate: int = 16000) -> bytes:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        t = np.arange(rate) / rate
        frame = av.AudioFrame.from_ndarray(
            (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :], format="fltp", layout="mono"
        )
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return path.read_bytes()


def zero_channel_m4a(path: Path) -> Path:
    data = bytearray(_m4a(path))
    config = data.find(b"\x05\x80\x80\x80\x05")  # esds DecoderSpecificInfo: renamed, so lost
    assert config > 0
    data[config] = 0x07
    count = data.find(b"mp4a") + 4 + 6 + 2 + 8  # the sample entry's channelcount
    data[count : count + 2] = b"\x00\x00"
    path.write_bytes(bytes(data))
    return path


def test_a_track_claiming_no_channels_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.m4a"
    _m4a(good)
    assert probe(good).channels == 1  # the file is fine before the damage
    bad = zero_channel_m4a(tmp_path / "bad.m4a")
    with pytest.raises(AudioError, match=r"bad\.m4a: the audio track claims 0 channels"):
        probe(bad)
    with pytest.raises(AudioError, match=r"bad\.m4a: the audio track claims 0 channels"):
        open_audio(bad)
