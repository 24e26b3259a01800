"""What every exporter shares: the clip to export, progress/cancel, atomic output."""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

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
    `dpi` for raster page images when given instead of a width. `sync_offset_ms` is
    `recording`'s sync offset as the Session applies it (positive: ink is heard that much
    later than its timestamps say); every exporter maps ink to sound with it."""

    recording: int | None
    start_s: float
    end_s: float
    fade_ms: float = 20.0
    page: int | None = None
    strokes: tuple[int, int, int] | None = None
    size: tuple[int, int] = (1280, 720)
    dpi: float | None = None
    sync_offset_ms: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def check_cancel(progress: Progress, fraction: float) -> None:
    if not progress(min(max(fraction, 0.0), 1.0)):
        raise ExportCancelled()


def _new_temp_file(folder: Path, target: Path) -> Path:
    """An empty, new file in `folder`, created 0o666 so the umask applies as for any new
    file (mkstemp's 0o600 would leave exported clips unreadable to others)."""
    for _ in range(100):
        tmp = folder / f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))
        except FileExistsError:
            continue
        except OSError as e:
            raise ExportError(f"{folder}: cannot write there: {e.strerror or e}") from None
        return tmp
    raise ExportError(f"{folder}: cannot create a temporary file")


@contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yields a temporary path in the target's folder; renamed onto `target` only when the
    block completes. On any error or cancel the temporary file is removed and an
    existing file at `target` is left untouched."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such folder")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"{folder}: the folder is not writable")
    tmp = _new_temp_file(folder, target)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        with suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))  # replacing a file keeps its mode
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if e.errno == errno.ENOSPC:
            raise ExportError(f"{target}: the disk is full; nothing was written") from None
        raise ExportError(f"{target}: cannot write: {e.strerror or e}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
