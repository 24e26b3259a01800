"""What makes the window a desktop citizen: its icon, the desktop's recent-files list,
"Show in folder" after an export, and printing the page (as vector ink, through QPrinter)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeDatabase, QObject, QRectF, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QMainWindow, QPushButton

from ..app.desktop_recent import add_recent_soon, start_writer
from ..app.resources import demo_path
from ..app.session import Session
from ..model import Page
from ..render.page_renderer import PageRenderer, page_transform
from .app_icon import app_icon

RECENT_AFTER_MS = 1000  # the desktop's recent list is written once the page is shown


def print_page(page: Page, printer: QPrinter) -> bool:
    """Draw `page` on the printer's paper, fitted into its printable area and turned to the
    page's orientation, as vector paths (never a picture of the screen)."""
    landscape = page.width_mm > page.height_mm
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        area = printer.pageRect(QPrinter.Unit.DevicePixel)
        transform, px_per_mm = page_transform(page, QRectF(0, 0, area.width(), area.height()))
        painter.setTransform(transform)
        PageRenderer(page).paint(painter, px_per_mm)
    finally:
        painter.end()
    return True


class DesktopActions(QObject):
    def __init__(self, window: QMainWindow, session: Session):
        super().__init__(window)
        self.window = window
        self.session = session
        window.setWindowIcon(app_icon())
        self.last_export: Path | None = None
        self.show_folder = QPushButton("Show in folder", window)
        self.show_folder.setObjectName("show-in-folder")
        self.show_folder.setFlat(True)
        self.show_folder.hide()
        self.show_folder.clicked.connect(self.show_export_folder)
        window.statusBar().addPermanentWidget(self.show_folder)
        start_writer()
        session.opened.connect(self._on_opened)

    def _on_opened(self) -> None:
        doc = self.session.document
        if doc is None or doc.path.resolve() == demo_path().resolve():
            return  # (the demo inside the program is not one of the user's files)
        path, mime = doc.path, QMimeDatabase().mimeTypeForFile(str(doc.path)).name()
        # Later: its thread's 20 ms of Python would share the GIL with the first paint.
        QTimer.singleShot(RECENT_AFTER_MS, self, lambda: add_recent_soon(path, mime))

    def on_exported(self, path: str) -> None:
        self.last_export = Path(path)
        self.show_folder.setToolTip(f"Open {self.last_export.parent} in the file manager")
        self.show_folder.show()

    def show_export_folder(self) -> bool:
        if self.last_export is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))

    def print_current_page(self, printer: QPrinter | None = None) -> bool:
        """Print the page on screen; without `printer`, the print dialog chooses one."""
        session = self.session
        if session.document is None or not session.document.notebook.pages:
            return False
        page = session.document.notebook.pages[session.page]
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setDocName(self.window.windowTitle())
            if QPrintDialog(printer, self.window).exec() != QPrintDialog.DialogCode.Accepted:
                return False
        return print_page(page, printer)
