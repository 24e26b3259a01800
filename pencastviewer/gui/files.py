"""Opening files from the window — the Open dialog, recent files, dropped files, the command
line — and what is remembered around it: each file's position, recording, page, sync
offsets, zoom and located recordings, and the window's geometry. Every open passes the
reader the audio folders of the preferences and the recordings located for that file.
A file that fails to open changes nothing: the session keeps the notebook it had and the
user is told what to do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ..app.preferences import FileMemory
from ..formats import ReadOptions
from ..formats.registry import all_formats, open_filter
from .page_canvas import CUSTOM, FIT_PAGE, FIT_WIDTH

if TYPE_CHECKING:
    from .main_window import MainWindow


def dropped_file(mime: QMimeData) -> str | None:
    """The first local file of a drag, or None (URLs, text and folders are refused)."""
    for url in mime.urls() if mime.hasUrls() else ():
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None


def what_to_do(message: str) -> str:
    """Advice for a failed open, from the reader's one-line message."""
    if "no such file" in message:
        return "Check that the file still exists: it may have been moved, renamed or deleted."
    if "unknown file format" in message or "is a folder" in message:
        kinds = ", ".join(spec.description for spec in all_formats())
        return f"pencastviewer reads {kinds}. Choose one of those files."
    if "cannot read" in message:
        return "Check that you may read the file and that its disk is still connected."
    return (
        "The file may be damaged or incomplete. If it was copied from a pen, a cloud service "
        "or an e-mail, copy it again; if it was exported, export it again."
    )


class FileKeeper:
    """Belongs to the window; talks to its session, preferences and canvas."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.session = window.session
        self.preferences = window.preferences
        self._settled: Path | None = None  # the file whose place was restored: only it is remembered
        self._located: dict[str, str] = {}  # the settled file's located recordings (name -> path)
        self._audio_given: dict[Path, list[str]] = {}  # audio named with a file (--audio), for reopening
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()

    # --- opening ----------------------------------------------------------------------------
    def choose_file(self) -> None:
        doc = self.session.document
        start = str(doc.path.parent) if doc else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open notebook", start, open_filter())
        if path:
            self.open(path)

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
        return ReadOptions(
            audio_paths=tuple(Path(a) for a in audio or ()), search_dirs=folders, located=located
        )

    def reopen(self) -> None:
        """Read the current file again (e.g. once a recording was located); its place is kept."""
        doc = self.session.document
        if doc is not None:
            self.open(doc.path, self._audio_given.get(doc.path))

    def remember_located(self, name: str, path: str | Path) -> None:
        """The current file's recording `name` is at `path`, from now on."""
        self._located[name] = str(Path(path).resolve())
        self.remember_current()

    def on_opened(self) -> None:
        doc = self.session.document
        assert doc is not None
        self.preferences.add_recent(doc.path)
        memory = self.preferences.file_memory(doc.path)
        self._settled = None  # (while restoring, the session's signals must not overwrite the memory)
        self._located = dict(memory.located) if memory is not None else {}
        if memory is not None:
            self.restore(memory)
        self._settled = doc.path

    def on_open_failed(self, path: str, message: str) -> None:
        window = self.window
        window.statusBar().showMessage(f"Could not open {Path(path).name}", 8000)
        kept = self.session.document
        still = f"“{kept.path.name}” is still open, as you left it." if kept else "Nothing was changed."
        text = f"“{Path(path).name}” could not be opened.\n\n{message}\n\n{what_to_do(message)}\n\n{still}"
        QMessageBox.warning(window, "Could not open the file", text)

    # --- recent files ---------------------------------------------------------------------------
    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.preferences.recent_files()
        for i, path in enumerate(recent):
            action = menu.addAction(f"&{i + 1}  {Path(path).name}", lambda p=path: self.open(p))
            action.setToolTip(path)
            action.setStatusTip(path)
        if recent:
            menu.addSeparator()
        clear = menu.addAction("Clear recent files", self._clear_recent)
        clear.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.preferences.clear_recent()
        self._fill_recent_menu()

    # --- per-file memory ----------------------------------------------------------------------------
    def current_memory(self) -> FileMemory:
        s, canvas = self.session, self.window.canvas
        zoom: str | float = canvas.mode if canvas.mode != CUSTOM else round(canvas.zoom_percent, 2)
        return FileMemory(
            position_s=s.position_s(),
            recording=max(s.recording, 0),
            page=s.page,
            sync_offsets_ms=dict(s.sync_offsets_ms),
            zoom=zoom,
            located=dict(self._located),
        )

    def remember_current(self) -> None:
        if self.session.document is not None and self.session.document.path == self._settled:
            self.preferences.remember_file(self.session.document.path, self.current_memory())

    def restore(self, memory: FileMemory) -> None:
        s, canvas = self.session, self.window.canvas
        doc = s.document
        assert doc is not None
        n_recordings = len(doc.notebook.recordings)
        s.set_sync_offsets({r: ms for r, ms in memory.sync_offsets_ms.items() if 0 <= r < n_recordings})
        if 0 <= memory.recording < n_recordings and memory.recording != s.recording:
            s.select_recording(memory.recording)
        if s.recording >= 0 and memory.position_s > 0:
            s.seek(memory.position_s, follow=False)
        s.set_page(min(max(memory.page, 0), s.n_pages - 1))
        if memory.zoom in (FIT_PAGE, FIT_WIDTH):
            canvas.set_mode(str(memory.zoom))
        elif isinstance(memory.zoom, float) and memory.zoom > 0:
            canvas.set_zoom(memory.zoom)

    # --- window geometry -------------------------------------------------------------------------------
    def restore_window(self) -> None:
        geometry, state = self.preferences.window_state()
        if geometry is not None:
            self.window.restoreGeometry(geometry)
        if state is not None:
            self.window.restoreState(state)

    def save_window(self) -> None:
        self.preferences.set_window_state(self.window.saveGeometry(), self.window.saveState())
        self.preferences.sync()
