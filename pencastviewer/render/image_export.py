"""Rasterising a page to a QImage (thumbnails, PNG export, screenshot tests)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from ..model import Page, RevealState
from .ink_style import InkStyle
from .page_renderer import PageRenderer, page_transform


def render_page_image(
    page: Page,
    width_px: int,
    *,
    reveal: RevealState | None = None,
    style: InkStyle = InkStyle(),
    background: bool = True,
    renderer: PageRenderer | None = None,
) -> QImage:
    """The page at `width_px` wide (height from the page's aspect ratio)."""
    height_px = max(1, round(width_px * page.height_mm / page.width_mm))
    image = QImage(width_px, height_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.white if background else Qt.GlobalColor.transparent)
    painter = QPainter(image)
    transform, px_per_mm = page_transform(page, QRectF(0, 0, width_px, height_px))
    painter.setTransform(transform)
    (renderer or PageRenderer(page)).paint(
        painter, px_per_mm, reveal=reveal, style=style, background=background
    )
    painter.end()
    return image
