"""A playable copy of a recording: its files decoded, resampled to the output device's rate
and joined into one 16-bit WAV, so that Qt seeks it to the sample and plays it gaplessly.

Why (measured through PulseAudio, see qt_output): QMediaPlayer starts a seek at the
beginning of the compressed packet holding the target, i.e. up to 85 ms early in FLAC at
48 kHz (4096-frame blocks; 256 ms at 16 kHz), ~20 ms in Vorbis and AAC, 6.5-16 ms in
Opus, but exactly in PCM WAV. And a 16 kHz stream (Livescribe) sounds 33 ms later than one at
the device's own rate (PulseAudio's resampler and buffer), which Qt's position does not
include. Decoding once, in a worker thread, removes both; it costs 0.04-0.06 s of CPU
and 5.8 MB of disk per minute of mono audio at 48 kHz (benchmarks/bench_playhead.py),
i.e. ~3 s and 350 MB for an hour: give the backend a cache folder on a real disk.
"""

from __future__ import annotations

import os
import tempfile
import threading
import wave
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from .decode import AudioDecoder, AudioError, open_audio, probe

BLOCK_FRAMES = 1 << 16


class Cancelled(Exception):
    """The copy was abandoned (a new recording was loaded)."""


@dataclass(frozen=True)
class PlayableAudio:
    """What the player opens: `path` (a WAV), per-file lengths on the timeline, and
    whether `path` is a temporary copy to delete when done."""

    path: str
    durations_s: tuple[float, ...]
    temporary: bool


def _is_playable_as_is(files: Sequence[tuple[str, float | None]], sample_rate: int) -> PlayableAudio | None:
    """A single 16-bit WAV at the device rate, whose length is the one asked, needs no copy."""
    if len(files) != 1:
        return None
    path, duration_s = files[0]
    try:
        info = sf.info(path)
    except (sf.LibsndfileError, RuntimeError, OSError):
        return None
    if (info.format, info.subtype, info.samplerate) != ("WAV", "PCM_16", sample_rate) or info.channels > 2:
        return None
    length_s = info.frames / sample_rate
    if duration_s is not None and abs(length_s - duration_s) > 0.5 / sample_rate:
        return None
    return PlayableAudio(path, (length_s,), temporary=False)


def _resampler(sample_rate: int, channels: int) -> av.AudioResampler:
    return av.AudioResampler(format="s16", layout="mono" if channels == 1 else "stereo", rate=sample_rate)


def _pcm_blocks(decoder: AudioDecoder, sample_rate: int, channels: int,
                cancel: threading.Event) -> Iterator[np.ndarray]:
    """The decoder's frames as interleaved int16 at `sample_rate` with `channels` (1 or 2)."""
    resampler = _resampler(sample_rate, channels)
    layout = "mono" if channels == 1 else "stereo"
    for block in decoder.blocks(BLOCK_FRAMES):
        if cancel.is_set():
            raise Cancelled
        if block.shape[1] != channels:  # mix down, then spread out
            block = np.repeat(block.mean(axis=1, keepdims=True), channels, axis=1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout=layout)
        frame.sample_rate = decoder.sample_rate
        for out in resampler.resample(frame):
            yield out.to_ndarray().reshape(-1)
    for out in resampler.resample(None):
        yield out.to_ndarray().reshape(-1)


def _write_file(writer: wave.Wave_write, path: str, duration_s: float | None, sample_rate: int,
                channels: int, cancel: threading.Event) -> int:
    """Append one file, trimmed or padded with silence to `duration_s` (default: its own
    length, which resampling may miss by a frame); returns the frames written."""
    with open_audio(path) as decoder:
        if duration_s is None:
            wanted = round(decoder.n_frames * sample_rate / decoder.sample_rate)
        else:
            wanted = round(duration_s * sample_rate)
        written = 0
        for samples in _pcm_blocks(decoder, sample_rate, channels, cancel):
            n_frames = min(len(samples) // channels, wanted - written)
            if n_frames > 0:
                writer.writeframesraw(samples[: n_frames * channels].astype("<i2").tobytes())
                written += n_frames
    if written < wanted:
        writer.writeframesraw(bytes(2 * channels * (wanted - written)))
    return wanted


def _channels(files: Sequence[tuple[str, float | None]]) -> int:
    """Mono when every file is mono, otherwise stereo."""
    return 1 if all(probe(path).channels == 1 for path, _ in files) else 2


def make_playable(files: Sequence[tuple[str, float | None]], sample_rate: int,
                  directory: str | None = None, cancel: threading.Event | None = None) -> PlayableAudio:
    """Run in a worker thread. Raises AudioError (one line naming the file) or Cancelled."""
    cancel = cancel or threading.Event()
    as_is = _is_playable_as_is(files, sample_rate)
    if as_is is not None:
        return as_is
    channels = _channels(files)
    fd, target = tempfile.mkstemp(suffix=".wav", prefix="pencastviewer-play-", dir=directory)
    os.close(fd)
    try:
        durations = []
        with wave.open(target, "wb") as writer:
            writer.setnchannels(channels)
            writer.setsampwidth(2)
            writer.setframerate(sample_rate)
            for path, duration_s in files:
                n_frames = _write_file(writer, path, duration_s, sample_rate, channels, cancel)
                durations.append(n_frames / sample_rate)
    except (AudioError, Cancelled):
        Path(target).unlink(missing_ok=True)
        raise
    except (OSError, av.FFmpegError, ValueError) as e:
        Path(target).unlink(missing_ok=True)
        raise AudioError(f"{files[0][0]}: cannot prepare for playback ({e})") from None
    return PlayableAudio(target, tuple(durations), temporary=True)
