"""Opening files from the window — the Open dialog, recent files, dropped files — and the
window's geometry. What an open passes the reader and what is remembered per file is the
OpenDocument use-case's (app/open_document.py); this module only asks and tells the user.
A file that fails to open changes nothing: the session keeps the notebook it had and the
user is told what to do."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from ..app.open_document import OpenDocument, open_advice
from ..formats.errors import FormatError
from ..formats.registry import open_filter
from .canvas_view import restore_view_centre, view_centre_mm
from .page_canvas import CUSTOM, FIT_PAGE, FIT_WIDTH, PageCanvas


def dropped_file(mime: QMimeData) -> str | None:
    """The first local file of a drag, or None (URLs, text and folders are refused)."""
    for url in mime.urls() if mime.hasUrls() else ():
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None


class CanvasZoom:
    """The canvas's zoom as a file remembers it (app.open_document.ZoomMemory)."""

    def __init__(self, canvas: PageCanvas) -> None:
        self.canvas = canvas

    def remembered_zoom(self) -> str | float:
        canvas = self.canvas
        return canvas.mode if canvas.mode != CUSTOM else round(canvas.zoom_percent, 2)

    def restore_zoom(self, zoom: str | float) -> None:
        if zoom in (FIT_PAGE, FIT_WIDTH):
            self.canvas.set_mode(str(zoom))
        elif isinstance(zoom, float) and zoom > 0:
            self.canvas.set_zoom(zoom)

    def remembered_view(self) -> tuple[float, float] | None:
        return view_centre_mm(self.canvas)

    def restore_view(self, x_mm: float, y_mm: float) -> None:
        restore_view_centre(self.canvas, x_mm, y_mm)


class FileKeeper:
    """The window's File menu side of opening: asks for files, lists recent ones, says why
    one failed, and keeps the window's geometry."""

    def __init__(self, window: QMainWindow, opener: OpenDocument) -> None:
        self.window, self.opener = window, opener
        self.session, self.preferences = opener.session, opener.preferences
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
        self.opener.open(path, audio)

    def on_open_failed(self, path: str, error: FormatError) -> None:
        self.window.statusBar().showMessage(f"Could not open {Path(path).name}", 8000)
        kept = self.session.document
        still = f"“{kept.path.name}” is still open, as you left it." if kept else "Nothing was changed."
        advice = open_advice(error)
        text = f"“{Path(path).name}” could not be opened.\n\n{error}\n\n{advice}\n\n{still}"
        QMessageBox.warning(self.window, "Could not open the file", text)

    # --- recent files ---------------------------------------------------------------------------
    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.preferences.recent_files()
        for i, path in enumerate(recent):
            action = menu.addAction(f"&{i + 1}  {Path(path).name}", partial(self.open, path))
            action.setToolTip(path)
            action.setStatusTip(path)
        if recent:
            menu.addSeparator()
        clear = menu.addAction("Clear recent files", self._clear_recent)
        clear.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.preferences.clear_recent()
        self._fill_recent_menu()

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
