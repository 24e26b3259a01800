"""The playable copy: files decoded, resampled and joined, trimmed or padded to the
durations asked; a WAV already fit to play is used as it is."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.audio.decode import AudioError
from pencastviewer.audio.pcm_copy import Cancelled, make_playable


def tone_file(path: Path, seconds: float, rate: int, hz: float = 440.0, channels: int = 1) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    tone = (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    sf.write(path, np.repeat(tone[:, None], channels, axis=1) if channels > 1 else tone, rate)
    return path


def test_files_are_joined_trimmed_and_padded_to_their_durations(tmp_path):
    first = tone_file(tmp_path / "a.flac", 1.0, 16000)
    second = tone_file(tmp_path / "b.ogg", 0.5, 48000, hz=880.0)
    playable = make_playable([(str(first), 0.8), (str(second), 0.7)], 48000, str(tmp_path))
    try:
        assert playable.temporary
        assert playable.durations_s == pytest.approx((0.8, 0.7))
        samples, rate = sf.read(playable.path, dtype="float32")
        assert rate == 48000 and samples.ndim == 1
        assert len(samples) == round(1.5 * 48000)
        assert np.max(np.abs(samples[round(0.75 * 48000):round(0.8 * 48000)])) > 0.3  # trimmed tone
        assert np.max(np.abs(samples[round(0.85 * 48000):round(1.25 * 48000)])) > 0.3  # second file
        assert np.max(np.abs(samples[round(1.31 * 48000):])) == 0.0  # padded with silence
    finally:
        Path(playable.path).unlink()


def test_stereo_when_any_file_is_stereo_and_lengths_by_decoding(tmp_path):
    mono = tone_file(tmp_path / "m.wav", 0.25, 22050)
    stereo = tone_file(tmp_path / "s.flac", 0.5, 44100, channels=2)
    playable = make_playable([(str(mono), None), (str(stereo), None)], 44100, str(tmp_path))
    try:
        info = sf.info(playable.path)
        assert info.channels == 2 and info.samplerate == 44100
        assert playable.durations_s == (round(0.25 * 22050) / 22050, 0.5)  # exact, through resampling
    finally:
        Path(playable.path).unlink()


def test_a_wav_fit_to_play_is_used_as_it_is(tmp_path):
    wav = tmp_path / "ready.wav"
    sf.write(wav, np.zeros(4800, np.float32), 48000, subtype="PCM_16")
    playable = make_playable([(str(wav), None)], 48000, str(tmp_path))
    assert playable.path == str(wav) and not playable.temporary
    assert make_playable([(str(wav), None)], 44100, str(tmp_path)).temporary  # wrong rate: copied


def test_cancel_and_errors_leave_no_file(tmp_path):
    good = tone_file(tmp_path / "a.wav", 0.5, 16000)
    bad = tmp_path / "bad.ogg"
    bad.write_bytes(b"OggS but not really" * 10)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        make_playable([(str(good), None)], 48000, str(tmp_path), cancel)
    with pytest.raises(AudioError, match=r"bad\.ogg"):
        make_playable([(str(good), None), (str(bad), None)], 48000, str(tmp_path))
    assert not list(tmp_path.glob("pencastviewer-play-*"))
