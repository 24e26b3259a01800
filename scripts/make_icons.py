"""Render the application icon's PNG sizes from its SVG into the hicolor layout shipped with
the package (pencastviewer/resources/desktop/icons/hicolor/NxN/apps/pencastviewer.png).
Run from the project root after editing the SVG:

    python3 scripts/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from pencastviewer.app.desktop_files import ICON_SIZES, icon_png, icon_svg  # noqa: E402


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(icon_svg()))
    if not renderer.isValid():
        print(f"cannot read {icon_svg()}", file=sys.stderr)
        return 1
    for size in ICON_SIZES:
        out = icon_png(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(out), "PNG"):
            print(f"cannot write {out}", file=sys.stderr)
            return 1
        print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
