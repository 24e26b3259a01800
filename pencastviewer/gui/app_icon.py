"""The application icon, from the hicolor files shipped with the package (the installed
theme may be missing or stale, so the files themselves are used)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from ..app.desktop_files import ICON_SIZES, icon_png, icon_svg


@cache
def app_icon() -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_png(size)))
    icon.addFile(str(icon_svg()))  # (any other size, drawn sharp)
    return icon
