"""The one cache folder: playable copies of recordings, waveform peaks, playback copies.

`$XDG_CACHE_HOME/pencastviewer`, else `~/.cache/pencastviewer` (the XDG default, also on
macOS and Windows rather than Qt's per-organisation folders: one place the user can find
and empty). QStandardPaths is not used because it appends the organisation and
application names, which made the folder ~/.cache/pencastviewer/pencastviewer/pencastviewer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

APP_NAME = "pencastviewer"


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
