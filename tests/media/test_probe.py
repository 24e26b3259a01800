"""The one probe and the one codec vocabulary: every backend and every reader name codecs
alike, and the probe reads the recording date that places a recording on the clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from pencastviewer.formats import ReadOptions
from pencastviewer.formats.xournalpp.audio import AudioLocator
from pencastviewer.media.codecs import codec_name, extension_for, is_lossless
from pencastviewer.media.decode import open_audio
from pencastviewer.media.probe import probe
from pencastviewer.media.source import AudioError

RATE = 8000


def tone(seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def write_wav(path: Path, subtype: str = "PCM_16", date: str = "") -> Path:
    with sf.SoundFile(path, "w", samplerate=RATE, channels=1, format="WAV", subtype=subtype) as f:
        if date:
            f.date = date
        f.write(tone())
    return path


def write_m4a(path: Path, creation_time: str) -> Path:
    with av.open(str(path), "w", format="ipod") as out:
        out.metadata["creation_time"] = creation_time
        stream = out.add_stream("aac", rate=RATE, layout="mono")
        signal = tone()
        for start in range(0, len(signal), 1024):
            frame = av.AudioFrame.from_ndarray(
                signal[None, start : start + 1024], format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = RATE, start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_every_pcm_wav_is_pcm_through_either_backend(tmp_path: Path, subtype: str) -> None:
    wav = write_wav(tmp_path / "a.wav", subtype)
    data = wav.read_bytes()
    by_libsndfile = probe(wav)
    by_ffmpeg = probe(data, name_hint="a.mka")  # an FFmpeg-only suffix sends the bytes to FFmpeg
    assert by_libsndfile.codec == by_ffmpeg.codec == "pcm"
    assert by_libsndfile.n_frames == by_ffmpeg.n_frames == len(tone())
    with open_audio(data, name_hint="a.mka") as decoder:
        assert decoder.codec == "pcm"  # the decoder speaks the probe's vocabulary too


def test_bits_and_container_tell_a_plain_16_bit_wav(tmp_path: Path) -> None:
    assert (probe(write_wav(tmp_path / "a.wav")).container, probe(tmp_path / "a.wav").bits) == ("wav", 16)
    assert probe(write_wav(tmp_path / "b.wav", "PCM_24")).bits == 24
    assert probe(write_wav(tmp_path / "c.wav", "FLOAT")).bits == 0
    assert probe(write_wav(tmp_path / "d.wav", "PCM_U8")).bits == 8


def test_the_recording_date_comes_from_either_backend(tmp_path: Path) -> None:
    wav = probe(write_wav(tmp_path / "a.wav", date="2024-05-01T10:20:30Z"))
    assert wav.created == dt.datetime(2024, 5, 1, 10, 20, 30, tzinfo=dt.UTC)
    m4a = probe(write_m4a(tmp_path / "a.m4a", "2023-01-02T03:04:05.000000Z"))
    assert (m4a.codec, m4a.created) == ("aac", dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    assert probe(write_wav(tmp_path / "b.wav", date="1970-01-01T00:00:00")).created is None  # "no date"


def test_what_is_not_audio_is_an_audio_error_naming_it(tmp_path: Path) -> None:
    junk = tmp_path / "notes.wav"
    junk.write_bytes(b"not audio at all" * 100)
    with pytest.raises(AudioError, match=r"notes\.wav"):
        probe(junk)
    with pytest.raises(AudioError, match="no such audio file"):
        probe(tmp_path / "gone.wav")


def test_readers_use_the_same_vocabulary(tmp_path: Path) -> None:
    """A Xournal++ recording in WAV was "pcm_s16le" while the decoder said "pcm"."""
    wav = write_wav(tmp_path / "talk.wav")
    locator = AudioLocator(tmp_path / "notes.xopp", ReadOptions().search_dirs, {})
    audio, info = locator.audio_file("talk.wav", warn=pytest.fail)
    assert info is not None and audio.codec == info.codec == probe(wav).codec == "pcm"


def test_codec_names_of_older_files_and_extensions() -> None:
    assert [codec_name(n) for n in ("pcm_s16le", "PCM", "pcm_f32le", "aac", "Vorbis")] == [
        "pcm",
        "pcm",
        "pcm",
        "aac",
        "vorbis",
    ]
    assert (extension_for("pcm_s24le"), extension_for("aac"), extension_for("speex")) == (
        ".wav",
        ".m4a",
        ".bin",
    )
    assert is_lossless("pcm_s16le") and is_lossless("flac") and not is_lossless("mp3")
