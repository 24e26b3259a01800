"""The one cache folder: playable copies of recordings, waveform peaks, playback copies.

`$XDG_CACHE_HOME/pencastviewer`, else `~/.cache/pencastviewer` (the XDG default, also on
macOS and Windows rather than Qt's per-organisation folders: one place the user can find
and empty). QStandardPaths is not used because it appends the organisation and
application names, which made the folder ~/.cache/pencastviewer/pencastviewer/pencastviewer.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .source import AudioError

APP_NAME = "pencastviewer"
FULL_HASH_BYTES = 32 << 20  # files up to this size are hashed whole for a cache key


def cache_root() -> Path:
    """The cache folder (not created here). Without a usable home, a folder in the temp
    directory (so the program still runs, as a service account or in a sandbox)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: relative values are ignored
        return Path(xdg) / APP_NAME
    try:
        home = Path.home()
    except RuntimeError:  # no HOME and no passwd entry
        return Path(tempfile.gettempdir()) / f"{APP_NAME}-cache"
    return home / ".cache" / APP_NAME


def cache_dir(kind: str) -> Path:
    """The cache's subfolder for one kind of file ("audio", "peaks", "playback"; not created)."""
    return cache_root() / kind


def file_fingerprint(path: Path, whole_up_to: int | None = None) -> bytes:
    """What a cache key takes of a file: its whole content up to whole_up_to bytes (default
    FULL_HASH_BYTES), else its size, mtime and first and last MiB (the waveform's peaks; the
    kept playable copies, which take the quick form always: it is asked for on each load)."""
    limit = FULL_HASH_BYTES if whole_up_to is None else whole_up_to
    try:
        stat = path.stat()
        with open(path, "rb") as f:
            if stat.st_size <= limit:
                return b"full" + hashlib.sha256(f.read()).digest()
            head = f.read(1 << 20)
            f.seek(max(stat.st_size - (1 << 20), 0))
            tail = f.read()
    except OSError as e:
        raise AudioError(f"{path}: cannot read ({e.strerror or e})") from None
    text = f"quick {stat.st_size} {stat.st_mtime_ns}".encode()
    return hashlib.sha256(text + head + tail).digest()
