"""Page PNGs are encoded by render.png_file: every pixel as drawn, the resolution kept."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from pencastviewer.model import Page, Stroke
from pencastviewer.render.image_export import render_page_image
from pencastviewer.render.png_file import png_bytes


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].copy()


def test_the_png_holds_every_pixel_and_the_resolution(qapp) -> None:
    xy = np.column_stack([np.linspace(10, 90, 50), 30 + 10 * np.sin(np.linspace(0, 9, 50))])
    page = Page(100.0, 60.0, (Stroke(xy, np.arange(50.0), width_mm=0.8, color=(200, 30, 90, 255)),))
    image = render_page_image(page, 333)  # an odd width: rows are padded in Qt's image
    decoded = QImage.fromData(png_bytes(image, 11811))
    assert (decoded.width(), decoded.height()) == (333, 200)
    assert decoded.dotsPerMeterX() == decoded.dotsPerMeterY() == 11811
    assert np.array_equal(_rgb(decoded), _rgb(image))
    assert (_rgb(image) != 255).any()
