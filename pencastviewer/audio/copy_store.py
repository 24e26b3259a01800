"""Where playable copies live and how they go: named pencastviewer-play-*.wav, each holding
a shared flock while in use, so that remove_stale_copies() can delete what a crashed run
left behind without touching a copy another running viewer plays (without flock: only
copies older than a day)."""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..media.probe import probe
from ..media.source import AudioError

try:
    import fcntl
except ImportError:  # Windows: stale copies are recognised by age alone
    fcntl = None  # type: ignore[assignment]

COPY_PREFIX, COPY_SUFFIX = "pencastviewer-play-", ".wav"
STALE_AGE_S = 24 * 3600.0
CREATION_GRACE_S = 60.0  # a copy this young may not be locked yet
BACKGROUND_DELETE_BYTES = 64 << 20


def wav_header(n_frames: int, sample_rate: int, channels: int) -> bytes:
    """The 44-byte header of a 16-bit PCM WAV of n_frames (written before its audio)."""
    data_bytes = n_frames * channels * 2
    if data_bytes > 0xFFFFFFFF - 36:
        raise ValueError(f"{n_frames / sample_rate / 3600:.1f} hours is too long for one WAV file")
    frame_bytes = channels * 2
    fmt = struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * frame_bytes, frame_bytes, 16)
    riff = b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
    return riff + b"fmt " + fmt + b"data" + struct.pack("<I", data_bytes)


def create_copy_file(directory: str | None) -> tuple[int, str, int | None]:
    """A new copy file: (its fd for writing, its path, the fd holding its shared lock)."""
    fd, path = tempfile.mkstemp(suffix=COPY_SUFFIX, prefix=COPY_PREFIX, dir=directory)
    lock_fd = None
    if fcntl is not None:
        lock_fd = os.open(path, os.O_RDONLY)
        fcntl.flock(lock_fd, fcntl.LOCK_SH)
    return fd, path, lock_fd


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):  # still open (Windows): left to remove_stale_copies
        path.unlink(missing_ok=True)


def delete_copy(path: Path, in_background: bool) -> None:
    try:
        large = path.stat().st_blocks * 512 > BACKGROUND_DELETE_BYTES
    except OSError:
        return
    if in_background and large:  # not a daemon: an exit waits for it
        threading.Thread(target=_unlink, args=(path,), name="pcm-copy-delete").start()
    else:
        _unlink(path)


def in_use(path: Path, age_s: float) -> bool:
    if fcntl is None:
        return age_s < STALE_AGE_S
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the lock just taken


def remove_stale_copies(directory: str | None) -> int:
    """Delete copies no running viewer uses (left by a crash); returns how many."""
    folder = Path(directory or tempfile.gettempdir())
    removed, now = 0, time.time()
    for path in folder.glob(f"{COPY_PREFIX}*{COPY_SUFFIX}"):
        try:
            age_s = now - path.stat().st_mtime
        except OSError:
            continue
        if age_s > CREATION_GRACE_S and not in_use(path, age_s):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


@dataclass(frozen=True)
class PlayableAudio:
    """What the player opens: `path` (a WAV), per-file lengths on the timeline, and
    whether `path` is a temporary copy to delete when done."""

    path: str
    durations_s: tuple[float, ...]
    temporary: bool


def playable_as_is(files: Sequence[tuple[str, float | None]], sample_rate: int) -> PlayableAudio | None:
    """A single 16-bit WAV at the device rate, whose length is the one asked, needs no copy."""
    if len(files) != 1:
        return None
    path, duration_s = files[0]
    try:
        info = probe(path)
    except AudioError:
        return None
    plain = (info.container, info.codec, info.bits, info.sample_rate) == ("wav", "pcm", 16, sample_rate)
    if not plain or info.channels > 2:
        return None
    length_s = info.n_frames / sample_rate
    if duration_s is not None and abs(length_s - duration_s) > 0.5 / sample_rate:
        return None
    return PlayableAudio(path, (length_s,), temporary=False)
