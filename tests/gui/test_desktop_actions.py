"""The window as a desktop program: its icon, Print (vector ink through QPrinter), Close,
Show in folder after an export, the desktop's recent files, and About."""

from __future__ import annotations

import os
import re
import shutil
import threading
import xml.etree.ElementTree as ET

import pikepdf
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtPrintSupport import QPrinter

import pencastviewer
from pencastviewer.app.desktop_files import ICON_SIZES
from pencastviewer.app.desktop_recent import file_uri, recent_file
from pencastviewer.formats.registry import all_formats

PATH_OPS = re.compile(rb"(?<![A-Za-z])(?:[-\d.]+\s+){2,6}(m|l|c)\b")


def test_every_window_has_the_application_icon(open_window, demo_path):
    window = open_window(demo_path)
    sizes = {s.width() for s in window.windowIcon().availableSizes()}
    assert set(ICON_SIZES) <= sizes
    about = window.show_about()
    assert about.windowIcon().cacheKey() == window.windowIcon().cacheKey()
    about.close()


def test_print_draws_the_page_as_vector_ink(open_window, demo_path, tmp_path):
    window = open_window(demo_path)
    action = window.actions_by_name["print"]
    assert QKeySequence(QKeySequence.StandardKey.Print) in action.shortcuts()  # Ctrl+P
    assert action.isEnabled()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "page.pdf"
    printer.setOutputFileName(str(out))
    assert window.desktop.print_current_page(printer)
    page = window.session.document.notebook.pages[window.session.page]
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
        content = pdf.pages[0].Contents.read_bytes()
        xobjects = pdf.pages[0].Resources.get("/XObject") or {}
        images = [x for x in xobjects.values() if x.get("/Subtype") == "/Image"]
        total_pixels = sum(int(x.Width) * int(x.Height) for x in images)
    points = sum(s.n_points for s in page.strokes)
    path_ops = len(PATH_OPS.findall(content))
    # Every stroke is drawn as path segments; no picture of the page stands in for the ink.
    assert path_ops > max(len(page.strokes), points // 4), (path_ops, len(page.strokes), points)
    assert total_pixels < 2000 * 2000, f"{len(images)} images ({total_pixels} pixels) in the printed page"


def test_close_is_ctrl_w_and_closes_the_window(open_window, demo_path):
    window = open_window(demo_path)
    action = window.actions_by_name["close"]
    assert QKeySequence(QKeySequence.StandardKey.Close) in action.shortcuts()
    file_menu = window.menuBar().actions()[0].menu()
    assert {"print", "close"} <= {n for n, a in window.actions_by_name.items() if a in file_menu.actions()}
    action.trigger()
    assert not window.isVisible()


class _FileManager(QObject):
    def __init__(self):
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def show(self, url: QUrl) -> None:
        self.opened.append(url)


def test_show_in_folder_after_an_export_opens_the_folder(open_window, demo_path, tmp_path, qtbot):
    window = open_window(demo_path)
    button = window.desktop.show_folder
    assert button.isHidden()
    manager = _FileManager()
    QDesktopServices.setUrlHandler("file", manager, "show")  # stands in for the file manager
    try:
        out = tmp_path / "exports" / "clip.wav"
        window.desktop.on_exported(str(out))
        assert button.isVisible()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in manager.opened] == [str(tmp_path / "exports")]


def test_opened_files_go_to_the_desktop_recent_list_but_not_the_demo(open_window, demo_path, tmp_path):
    notes = tmp_path / "notes.pencast"
    shutil.copy(demo_path, notes)
    window = open_window(demo_path)
    assert not recent_file().exists()
    window.open_file(notes)
    assert _wait_for(lambda: recent_file().exists()), "the desktop's recent list was not written"
    hrefs = [b.get("href") for b in ET.parse(recent_file()).getroot().findall("bookmark")]
    assert hrefs == [file_uri(notes)]


def _wait_for(condition, timeout_ms: int = 20000) -> bool:
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QThread

    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            return False
        QCoreApplication.processEvents()
        QThread.msleep(20)
    return True


def test_about_names_version_licence_formats_and_opens_the_guide(open_window, demo_path):
    window = open_window(demo_path)
    about = window.show_about()
    text = about.text.text()
    assert f"pencastviewer {pencastviewer.__version__}" in text
    assert "GPL-2.0-or-later" in text
    for spec in all_formats():
        assert spec.description in text
    assert not about.findChild(type(about.text), "about-icon").pixmap().isNull()
    about.text.linkActivated.emit("guide:readme")
    guide = about.guide
    assert guide is not None and guide.isVisible()
    assert "A short tour" in guide.findChild(QObject, "guide-text").toPlainText()
    about.close()


def test_the_desktop_recent_list_is_written_after_the_page_shows(open_window, demo_path, tmp_path):
    """Writing the list waits for the disk: here the list is a pipe that nothing writes to
    until the notebook is open, and reading it blocks. The window opens the notebook all
    the same, and the entry is written once the list can be read."""
    notes = tmp_path / "notes.pencast"
    shutil.copy(demo_path, notes)
    xbel = recent_file()
    xbel.parent.mkdir(parents=True)
    os.mkfifo(xbel)
    released, forced = threading.Event(), []

    def release(by_test: bool) -> None:  # a writer ends the blocked read: an empty list
        if not by_test:
            forced.append(True)
        with open(xbel, "w") as pipe:
            pipe.write('<xbel version="1.0"/>')

    def safety() -> None:  # (without the feature the GUI thread is the one blocked)
        if not released.wait(30):
            release(by_test=False)

    threading.Thread(target=safety, daemon=True).start()
    window = open_window(notes)
    assert window.session.document is not None and not forced, "opening waited for the recent list"
    released.set()
    threading.Thread(target=release, args=(True,), daemon=True).start()  # (blocks until read)
    assert _wait_for(lambda: xbel.is_file()), "the desktop's recent list was not written"
    hrefs = [b.get("href") for b in ET.parse(xbel).getroot().findall("bookmark")]
    assert hrefs == [file_uri(notes)]
