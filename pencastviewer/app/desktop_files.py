"""The desktop-integration files shipped with the package (freedesktop standards): the
application icon in the hicolor theme layout, the .desktop entry and the shared-mime-info
XML. Installers (`pencastviewer install-desktop`, distributions, the bundle) copy them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

APP_ID = "pencastviewer"  # the .desktop file's name, the icon's name, the window class
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def desktop_dir() -> Path:
    return Path(str(resources.files("pencastviewer") / "resources" / "desktop"))


def desktop_entry() -> Path:
    return desktop_dir() / f"{APP_ID}.desktop"


def mime_xml() -> Path:
    return desktop_dir() / f"{APP_ID}-mime.xml"


def icon_svg() -> Path:
    return desktop_dir() / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def icon_png(size: int) -> Path:
    return desktop_dir() / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def icon_files() -> list[Path]:
    """Every icon file, each relative to the hicolor folder's parent as installed (icons/…)."""
    return [icon_svg(), *(icon_png(size) for size in ICON_SIZES)]


def entry_mime_types() -> list[str]:
    """The MIME types the .desktop entry claims (its MimeType= line)."""
    for line in desktop_entry().read_text(encoding="utf-8").splitlines():
        if line.startswith("MimeType="):
            return [t for t in line.removeprefix("MimeType=").split(";") if t]
    return []
