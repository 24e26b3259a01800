"""Where the waveform's peak pyramids (with the loudness measured in the same pass) are
kept, and reading one back. Qt-free: the reading worker and the CLI use it too."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..media.cache import cache_dir
from ..media.peaks import PeakPyramid, PeaksFileError, PeakSource, cache_key


def peaks_cache_dir() -> Path:
    return cache_dir("peaks")


def load_cached(files: Sequence[PeakSource], directory: Path) -> PeakPyramid | None:
    """The pyramid of `files` played back-to-back if `directory` has it under their content
    key (None: not there, damaged or stale)."""
    key = cache_key(files)
    path = directory / f"{key}.peaks"
    if path.is_file():
        try:
            return PeakPyramid.load(path, key)
        except (PeaksFileError, OSError):
            pass  # damaged or stale: built again
    return None
