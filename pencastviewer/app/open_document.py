"""Opening a notebook, as a use-case: the reader's options (audio named with the file, the
audio folders of the preferences, recordings located before), each file's memory (position,
recording, page, sync offsets, zoom, located recordings), reopening with the place kept,
and advice for a file that failed to open, chosen by the error's type (QtCore only)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QTimer

from ..formats import ReadOptions
from ..formats.errors import FileMissingError, FileUnreadableError, FormatError, UnknownFormatError
from ..formats.registry import all_formats
from ..media.probe import probe
from ..media.source import AudioError
from .document import WindowReadOptions
from .memory import return_freed_memory
from .preferences import FileMemory, Preferences
from .session import Session

# After an open: once the page and the waveform are shown, and once what the replaced
# notebook's workers (its audio copy, its peaks) held is freed too (one pass left 18 MB).
RELEASE_DELAYS_MS = (2000, 10000)


class ZoomMemory(Protocol):
    """The page view's zoom as a file remembers it: "fit-page", "fit-width" or a percentage."""

    def remembered_zoom(self) -> str | float: ...

    def restore_zoom(self, zoom: str | float) -> None: ...

    def remembered_view(self) -> tuple[float, float] | None:
        """The page point (mm) at the centre of the view."""
        ...

    def restore_view(self, x_mm: float, y_mm: float) -> None: ...


def open_advice(error: FormatError) -> str:
    """What the user can do about a file that failed to open."""
    if isinstance(error, FileMissingError):
        return "Check that the file still exists: it may have been moved, renamed or deleted."
    if isinstance(error, UnknownFormatError) and not _named_as_readable(error.path):
        kinds = ", ".join(spec.description for spec in all_formats())
        return f"pencastviewer reads {kinds}. Choose one of those files."
    if isinstance(error, FileUnreadableError):
        return "Check that you may read the file and that its disk is still connected."
    return (
        "The file may be damaged or incomplete. If it was copied from a pen, a cloud service "
        "or an e-mail, copy it again; if it was exported, export it again."
    )


def _named_as_readable(path: str | None) -> bool:
    """A file whose extension is one pencastviewer reads (unrecognised content there means
    a damaged file, not a wrong choice)."""
    if path is None or Path(path).is_dir():
        return False
    suffix = Path(path).suffix.lower()
    return any(suffix in spec.extensions for spec in all_formats())


def audio_file_problem(path: str | Path) -> str | None:
    """Why `path` cannot be played as audio (one line), or None when it can."""
    try:
        probe(path)
    except (AudioError, OSError) as e:
        return str(e)
    return None


class OpenDocument:
    """Opens files into `session` and keeps each file's memory in `preferences`. Only the
    file whose place was restored is remembered, so a file being opened never overwrites
    another's memory. Call `on_opened` once the session has the new document."""

    def __init__(self, session: Session, preferences: Preferences, zoom: ZoomMemory) -> None:
        self.session, self.preferences, self.zoom = session, preferences, zoom
        self._settled: Path | None = None  # the file whose place was restored: only it is remembered
        self._located: dict[str, str] = {}  # the settled file's located recordings (name -> path)
        self._audio_given: dict[Path, list[str]] = {}  # audio named with a file (--audio), for reopening

    def open(self, path: str | Path, audio: list[str] | None = None) -> None:
        self.remember_current()  # the file being left keeps where the user was
        if audio:
            self._audio_given[Path(path)] = list(audio)
        self.session.open_file(path, self.read_options(path, audio))

    def read_options(self, path: str | Path, audio: list[str] | None = None) -> ReadOptions:
        """What the reader gets besides the file: audio named with it, the audio folders of
        the preferences and the recordings the user located for this file before."""
        memory = self.preferences.file_memory(path)
        located = {name: Path(p) for name, p in (memory.located if memory else {}).items()}
        folders = tuple(Path(f) for f in self.preferences.audio_folders())
        return WindowReadOptions(
            audio_paths=tuple(Path(a) for a in audio or ()), search_dirs=folders, located=located
        )

    def reopen(self) -> None:
        """Read the current file again (e.g. once a recording was located); its place is kept."""
        doc = self.session.document
        if doc is not None:
            self.open(doc.path, self._audio_given.get(doc.path))

    def locate(self, chosen: dict[str, str]) -> None:
        """The current file's recordings `name` are at `path` from now on: remember them
        for the file and read it again."""
        for name, path in chosen.items():
            self._located[name] = str(Path(path).resolve())
        self.remember_current()
        self.reopen()

    def set_audio_folders(self, folders: tuple[str, ...]) -> None:
        """Keep the preference; a notebook open with audio missing is read again to look there."""
        if list(folders) == self.preferences.audio_folders():
            return
        self.preferences.set_audio_folders(list(folders))
        doc = self.session.document
        if doc is not None and any(r.is_missing for r in doc.notebook.recordings):
            self.reopen()

    def on_opened(self) -> None:
        doc = self.session.document
        assert doc is not None
        self.preferences.add_recent(doc.path)
        memory = self.preferences.file_memory(doc.path)
        self._settled = None  # (while restoring, the session's signals must not overwrite the memory)
        self._located = dict(memory.located) if memory is not None else {}
        if memory is not None:
            self.restore(memory)
        else:  # a new file opens with the fit the user chose last
            self.zoom.restore_zoom(self.preferences.get("zoom_mode"))
        self._settled = doc.path
        # The notebook this one replaced is gone: its memory goes back to the system.
        for delay_ms in RELEASE_DELAYS_MS:  # (bound to the session: not after its window is gone)
            QTimer.singleShot(delay_ms, self.session, return_freed_memory)

    def current_memory(self) -> FileMemory:
        s = self.session
        return FileMemory(
            position_s=s.playback.position_s(),
            recording=max(s.recording, 0),
            page=s.page,
            sync_offsets_ms=dict(s.sync_offsets_ms),
            zoom=self.zoom.remembered_zoom(),
            located=dict(self._located),
            view_mm=self.zoom.remembered_view(),
        )

    def remember_current(self) -> None:
        doc = self.session.document
        if doc is not None and doc.path == self._settled:
            memory = self.current_memory()
            if memory.zoom in ("fit-page", "fit-width"):  # the fit a new file opens with
                self.preferences.set("zoom_mode", memory.zoom)
            self.preferences.remember_file(doc.path, memory)

    def restore(self, memory: FileMemory) -> None:
        s = self.session
        doc = s.document
        assert doc is not None
        n_recordings = len(doc.notebook.recordings)
        s.set_sync_offsets({r: ms for r, ms in memory.sync_offsets_ms.items() if 0 <= r < n_recordings})
        if 0 <= memory.recording < n_recordings and memory.recording != s.recording:
            s.select_recording(memory.recording)
        if s.recording >= 0 and memory.position_s > 0:
            s.seek(memory.position_s, follow=False)
        s.set_page(min(max(memory.page, 0), s.n_pages - 1))
        self.zoom.restore_zoom(memory.zoom)
        if memory.view_mm is not None:  # the region the user was reading, not just the zoom
            self.zoom.restore_view(*memory.view_mm)
