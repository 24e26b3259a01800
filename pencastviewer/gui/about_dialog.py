"""Help ▸ About: the icon, the version, the licence, the formats read, and the user guide
(the README, shown in a window of its own so it needs no browser or network)."""

from __future__ import annotations

import html
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..formats.registry import all_formats
from .app_icon import app_icon

LICENCE = "GPL-2.0-or-later"
GUIDE_LINK = "guide:readme"


def readme_text() -> str:
    """The README: next to the package (a checkout, the bundle), else the installed metadata."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / "README.md", package / "resources" / "doc" / "README.md"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    try:
        return str(metadata.metadata("pencastviewer")["Description"] or "")
    except metadata.PackageNotFoundError:
        return ""


def about_html() -> str:
    formats = "".join(
        f"<li>{html.escape(s.description)} ({', '.join(s.extensions)})</li>" for s in all_formats()
    )
    return (
        f"<h2>pencastviewer {__version__}</h2>"
        "<p>Open, play and export handwritten notes recorded with audio. "
        "Click on ink to hear what was said while it was written.</p>"
        f"<p><b>Reads</b></p><ul>{formats}</ul>"
        f"<p>Licence: {LICENCE} (GNU General Public License, version 2 or any later version).</p>"
        f'<p><a href="{GUIDE_LINK}">User guide (README)</a>: installing, the tour, formats, '
        "export, the command line.</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About pencastviewer")
        self.setWindowIcon(app_icon())
        logo = QLabel(self)
        logo.setObjectName("about-icon")
        logo.setPixmap(app_icon().pixmap(128, 128))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(about_html(), self)
        self.text.setObjectName("about-text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.linkActivated.connect(self.show_guide)
        row = QHBoxLayout()
        row.addWidget(logo)
        row.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.guide: QDialog | None = None

    def show_guide(self, _link: str = GUIDE_LINK) -> QDialog:
        if self.guide is None:
            self.guide = QDialog(self)
            self.guide.setWindowTitle("pencastviewer — user guide")
            browser = QTextBrowser(self.guide)
            browser.setObjectName("guide-text")
            browser.setOpenExternalLinks(True)
            browser.setMarkdown(readme_text())
            QVBoxLayout(self.guide).addWidget(browser)
            self.guide.resize(760, 640)
        self.guide.show()
        return self.guide
