"""What every media module shares: an audio source (a path or the file's bytes), the one
error they raise about it, and the figures a probe reads from it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

AudioSource = str | os.PathLike[str] | bytes
# Containers libsndfile cannot read: go straight to FFmpeg.
FFMPEG_SUFFIXES = frozenset({".m4a", ".mp4", ".m4b", ".aac", ".adts", ".3gp", ".mov", ".webm", ".mka"})


class AudioError(Exception):
    """The audio cannot be opened or decoded. `str(err)` is one line: '<source>: <problem>'."""


@dataclass(frozen=True)
class AudioInfo:
    """codec: a name of media.codecs' vocabulary ("aac", "vorbis", "flac", "pcm", ...);
    n_frames: the exact number of sample frames a decoder yields; created: when the file
    says it was recorded (a date tag naming a time of day), else None; container: the
    file's format in lower case ("wav", "flac", "ogg", "mp3", FFmpeg's demuxer name...);
    bits: the samples' precision, 8, 16, 24, 32 (integer) or 0 (floating point), where
    lossy and unknown sources count as 16."""

    codec: str
    sample_rate: int
    channels: int
    n_frames: int
    created: dt.datetime | None = None
    container: str = ""
    bits: int = 16

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.sample_rate if self.sample_rate else 0.0

    @property
    def duration_ms(self) -> float:
        return self.duration_s * 1000.0


MAX_CHANNELS = 64  # more than any recorder makes; a damaged header can claim thousands
MAX_SAMPLE_RATE = 768_000


def check_figures(label: str, sample_rate: int, channels: int) -> None:
    """Refuses what a damaged or hostile header may claim and no audio has: no channels,
    no rate (each later step divides by or allocates with these)."""
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(f"{label}: the audio track claims {channels} channels")
    if not 1 <= sample_rate <= MAX_SAMPLE_RATE:
        raise AudioError(f"{label}: the audio track claims a sample rate of {sample_rate} Hz")


def source_label(source: AudioSource, name_hint: str) -> str:
    """How errors name the source: its path, else the hint, else its size."""
    if isinstance(source, bytes):
        return name_hint or f"<{len(source)} bytes of audio>"
    return os.fspath(source)


def check_exists(source: AudioSource, label: str) -> None:
    if not isinstance(source, bytes) and not Path(source).is_file():
        raise AudioError(f"{label}: no such audio file")


def wants_ffmpeg(source: AudioSource, name_hint: str) -> bool:
    """MP4/M4A and raw AAC, which libsndfile refuses anyway: skip asking it."""
    name = name_hint or ("" if isinstance(source, bytes) else os.fspath(source))
    if Path(name).suffix.lower() in FFMPEG_SUFFIXES:
        return True
    if isinstance(source, bytes):
        head = source[:8]
        is_mp4 = head[4:8] == b"ftyp"
        is_adts = len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0
        return is_mp4 or is_adts
    return False


def tag_time(text: str | None) -> dt.datetime | None:
    """A date tag that names a time of day ('2024-05-01T10:20:30Z'); naive times are UTC.
    Encoders write 1904 or 1970 when they know no date: anything before 1990 is none."""
    if not text or len(text) < 16:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when if when.year >= 1990 else None
