"""What every exporter shares: the clip to export, progress/cancel, the error it raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...model import Bookmark

# progress(fraction in 0..1) -> False to cancel. Called from the exporting thread.
Progress = Callable[[float], bool]


def no_progress(_fraction: float) -> bool:
    return True


class ExportError(Exception):
    """A clear, one-line reason the export could not be done (nothing was written)."""


class ExportCancelled(ExportError):
    def __init__(self) -> None:
        super().__init__("export cancelled; nothing was written")


@dataclass(frozen=True)
class ClipSpec:
    """What to export. Times are seconds within `recording` (None: a notebook without
    audio, for image exports). `page` limits image exports to one page (0-based);
    `strokes` (page, first, last) limits the ink to a range of strokes of a page.
    `size` is the video frame size or the image width in pixels (height follows);
    `dpi` for raster page images when given instead of a width. `pages` (0-based, in
    order) picks several whole pages for a clip without recording (a multi-page PDF). `sync_offset_ms` is
    `recording`'s sync offset as the Session applies it (positive: ink is heard that much
    later than its timestamps say); every exporter maps ink to sound with it.
    `normalize_lufs`/`voice_clarity`: the audio as the player makes it heard (app/export/heard.py).
    `bookmarks`: the user's current bookmarks for .pencast clips (None: those the file carries).
    `fit_page`: a video frame of the shape of the pages it shows, min(`size`) pixels on its
    short side, instead of `size` itself (the page fills the frame)."""

    recording: int | None
    start_s: float
    end_s: float
    fade_ms: float = 20.0
    page: int | None = None
    strokes: tuple[int, int, int] | None = None
    size: tuple[int, int] = (1280, 720)
    dpi: float | None = None
    sync_offset_ms: float = 0.0
    pages: tuple[int, ...] | None = None
    normalize_lufs: float | None = None  # bring speech to this loudness (None: as recorded)
    voice_clarity: bool = False  # 80 Hz high-pass and gentle compression
    bookmarks: tuple[Bookmark, ...] | None = None
    fit_page: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def check_cancel(progress: Progress, fraction: float) -> None:
    if not progress(min(max(fraction, 0.0), 1.0)):
        raise ExportCancelled()
