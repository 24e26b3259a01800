"""Finished playable copies are kept, so that opening the same notebook again plays at once
instead of making the copy anew (a 3-hour recording: 1 GB and a minute of decoding each
time). A kept copy is named by a key of everything its samples depend on: each file's path,
size, modification time and first and last MiB (media.cache.file_fingerprint), the length
it lasts, the device's rate, the processing (media.dynamics) and COPY_FORMAT. It is never
written again (a change of processing makes a new copy), holds a shared flock while a
viewer plays it, and the store is bounded: the least recently used unlocked ones go when
the kept copies pass KEPT_BYTES or a quarter of the free space."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from ..media.cache import file_fingerprint
from ..media.dynamics import Processing
from ..media.source import AudioError
from .copy_store import COPY_SUFFIX, in_use

try:
    import fcntl
except ImportError:  # Windows: copies are not locked
    fcntl = None  # type: ignore[assignment]

KEPT_PREFIX = "pencastviewer-kept-"
# raise it whenever the copy's samples would come out otherwise (decoding, processing)
COPY_FORMAT = 3  # 3: the compressor per 16 frames; 2: voice clarity's high-pass made with numpy
KEPT_BYTES = 4 << 30


def copy_key(
    files: Sequence[tuple[str, float | None]], sample_rate: int, processing: Processing
) -> str | None:
    """What a copy of `files` heard with `processing` is kept under (None: a file is unreadable)."""
    digest = hashlib.sha256(f"playable {COPY_FORMAT} {sample_rate} {processing!r}".encode())
    try:
        for path, duration_s in files:
            digest.update(f"|{Path(path).resolve()}|{duration_s!r}|".encode())
            digest.update(file_fingerprint(Path(path), whole_up_to=0))  # quick: each load asks
    except (AudioError, OSError):
        return None
    return digest.hexdigest()[:40]


def _kept_path(directory: str, key: str) -> Path:
    return Path(directory) / f"{KEPT_PREFIX}{key}{COPY_SUFFIX}"


def open_kept(directory: str, key: str) -> tuple[str, int | None] | None:
    """The kept copy under `key`, locked for playing: (its path, the fd holding its shared
    lock), or None. Its time is set to now: the store drops the least recently used."""
    path = _kept_path(directory, key)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_SH)
    if os.fstat(fd).st_nlink == 0:  # dropped by another viewer meanwhile
        os.close(fd)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return str(path), fd


def keep(path: str, directory: str, key: str) -> bool:
    """Keep the finished copy at `path` under `key` (a second name for the same file: no
    bytes are copied), then bound the store. False when it cannot be kept."""
    target = _kept_path(directory, key)
    part = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        os.link(path, part)
        os.replace(part, target)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink()
        return False
    limit_store(directory, min(KEPT_BYTES, shutil.disk_usage(directory).free // 4), target)
    return True


def limit_store(directory: str, budget_bytes: int, spare: Path | None = None) -> int:
    """Delete the least recently used kept copies that no viewer plays until the others
    take at most budget_bytes (`spare` stays, whatever its size); returns how many went."""
    kept = []
    for path in Path(directory).glob(f"{KEPT_PREFIX}*{COPY_SUFFIX}"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            kept.append((stat.st_mtime, stat.st_blocks * 512, path))
    total, removed, now = sum(size for _, size, _ in kept), 0, time.time()
    for _, size, path in sorted(kept, key=lambda k: k[0]):
        if total <= budget_bytes:
            break
        if path == spare or in_use(path, now - path.stat().st_mtime):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            removed += 1
    return removed
