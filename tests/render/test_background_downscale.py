"""A page image drawn smaller than its pixels keeps its thin printed lines (Livescribe's
1099 px backgrounds lose every other ruling when sampled instead of averaged)."""

import numpy as np
from PySide6.QtGui import QImage

from pencastviewer.formats import read_notebook
from pencastviewer.render.image_export import render_page_image


def _ruled_rows(image: QImage) -> int:
    """Horizontal printed lines: runs of rows where over half the width is tinted blue."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    rgb = arr[:, : image.width(), :3].astype(int)
    tinted = (rgb[..., 2] - rgb[..., 0] > 12) & (rgb.sum(axis=2) > 300)
    rows = tinted.mean(axis=1) > 0.5
    return int(np.count_nonzero(rows[1:] & ~rows[:-1]))


def test_rulings_survive_a_half_size_render(qapp, livescribe_dir):
    page = read_notebook(livescribe_dir / "2-pages.pdf").pages[0]
    full = _ruled_rows(render_page_image(page, 1099, renderer=None))
    half = _ruled_rows(render_page_image(page, 550))
    assert full >= 25, f"expected the notebook's ruled lines at full size, found {full}"
    assert half == full, f"{full} ruled lines at full size but {half} at half size"
