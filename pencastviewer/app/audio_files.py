"""Audio files as paths the playback engine can open: recordings kept inside a container
(a .pencast ZIP, a Pencast PDF) are copied once, unchanged, to the user's cache."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..formats.audio_source import audio_bytes
from ..media.cache import cache_dir
from ..media.codecs import extension_for
from ..model import AudioFile, AudioStore, Recording, RecordingLayout


def _suffix(audio: AudioFile) -> str:
    ext = Path(audio.member).suffix.lower()
    return ext if ext else extension_for(audio.codec)


def _cache_key(audio: AudioFile) -> str:
    container = Path(audio.container or "")
    stat = container.stat()
    text = f"{container.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{audio.member}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def playable_path(audio: AudioFile, directory: Path | None = None) -> Path:
    """A path on disk holding `audio`'s bytes as stored (FormatError if unreachable)."""
    if audio.store == AudioStore.FILE:
        return Path(audio.member)
    directory = directory or cache_dir("audio")
    target = directory / (_cache_key(audio) + _suffix(audio))
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    data = audio_bytes(audio)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def playable_sequence(recording: Recording) -> list[tuple[str, float]]:
    """(path, seconds) per file, in play order: what the engine plays back-to-back."""
    durations_s = RecordingLayout.of(recording).durations_s()
    return [(str(playable_path(f)), d) for f, d in zip(recording.files, durations_s, strict=True)]
