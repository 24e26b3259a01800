"""Video frames of a page's ink appearing as it was written, painted with the window's renderer.

Speed: a kept image per page holds the background, the ghosts and every stroke written
so far; each frame adds only the strokes finished since the one before, then restores the
frame from the kept image where the pen was and draws the stroke being written there.
The caller is told which rectangle changed, so it converts only that to YUV. A 10-minute
clip is 18 000 frames: repainting and converting whole pages would cost more than the
encoder. (A written stroke is drawn over its own ghost, so its antialiased edges are a
shade darker than in a full repaint; the stroke being written keeps its ghost ahead of
the pen.)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QTransform

from ..model import Page, RevealState, Timeline
from .ink_style import InkStyle
from .page_renderer import PageRenderer, page_transform

SURROUND = QColor(64, 64, 64)  # the frame around a page that does not fill it
KEPT_PAGES = 4  # kept images (1280×720: 3.7 MB each); a page turned back to is repainted


def page_placement(page: Page, size: tuple[int, int]) -> QRect:
    """The page fitted into a frame of `size`, centred, on whole pixels: drawn there as
    render_page_image draws it at that width, so edges stay as sharp as in an image export."""
    frame_w, frame_h = size
    width = max(1, min(frame_w, int(frame_h * page.width_mm / page.height_mm)))
    height = min(frame_h, max(1, round(width * page.height_mm / page.width_mm)))
    return QRect((frame_w - width) // 2, (frame_h - height) // 2, width, height)


def fit_frame_size(pages: Sequence[Page], short_px: int, long_max_px: int) -> tuple[int, int]:
    """A frame the pages fill: the shape of the smallest box holding each of them, with
    `short_px` on its short side (less when the long side would pass `long_max_px`), both
    sides even (4:2:0 video)."""
    width_mm = max(page.width_mm for page in pages)
    height_mm = max(page.height_mm for page in pages)
    scale = min(short_px / min(width_mm, height_mm), long_max_px / max(width_mm, height_mm))
    return max(2, round(width_mm * scale / 2) * 2), max(2, round(height_mm * scale / 2) * 2)


@dataclass
class _PageLayer:
    renderer: PageRenderer
    image: QImage
    drawn: np.ndarray  # bool per stroke: on the kept image in full colour


class FramePainter:
    """The frame (`image`, Format_RGB32, `size`) of a page at successive notebook times.
    Not thread-safe. Each call returns the rectangle of pixels that changed since the
    previous frame, so the caller converts only those."""

    def __init__(
        self, pages: Sequence[Page], timeline: Timeline, size: tuple[int, int], style: InkStyle | None = None
    ) -> None:
        self._pages = pages
        self._timeline = timeline
        self._size = size
        self._style = style or InkStyle()
        self._layers: OrderedDict[int, _PageLayer] = OrderedDict()
        self.image = QImage(*size, QImage.Format.Format_RGB32)
        self._shown: _PageLayer | None = None
        self._writing_rect = QRect()  # where the stroke being written was drawn on `image`
        self._writing: list[int] = []  # the strokes being written in the previous frame
        # True when the last frame began or finished a stroke or showed another page: the
        # moments a video must show on time (between them the pen only moves on).
        self.ink_event = False

    def page_rect(self, page: int) -> QRect:
        """Where `page` sits in the frame, in whole pixels."""
        return page_placement(self._pages[page], self._size)

    def _transform(self, page: int) -> tuple[QTransform, float]:
        rect = self.page_rect(page)
        transform, px_per_mm = page_transform(self._pages[page], QRectF(0, 0, rect.width(), rect.height()))
        return transform * QTransform.fromTranslate(rect.x(), rect.y()), px_per_mm

    def paint_frame(self, page: int, t_ms: float) -> QRect:
        """Paint `image` as `page` looks at notebook time `t_ms`; returns the rectangle
        that changed (empty when the picture is the same as before)."""
        reveal = self._timeline.reveal(page, t_ms)
        layer, dirty = self._updated_layer(page, reveal)
        writing = [i for i, _ in reveal.writing]
        writing_rect = self._strokes_rect(page, writing)
        self.ink_event = layer is not self._shown or dirty is None or not dirty.isEmpty()
        self.ink_event |= writing != self._writing
        self._writing = writing
        if layer is not self._shown or dirty is None:
            self._shown, dirty = layer, self.image.rect()
        else:
            dirty = dirty.united(self._writing_rect).united(writing_rect)
        if dirty.isEmpty():
            return dirty
        painter = QPainter(self.image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(dirty, layer.image, dirty)  # back to the kept page, then the pen on top
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        if writing:
            painter.setTransform(self._transform(page)[0])
            layer.renderer.paint_strokes(painter, writing, reveal=reveal, style=self._style)
        painter.end()
        self._writing_rect = writing_rect
        return dirty

    def _strokes_rect(self, page: int, indices: list[int]) -> QRect:
        """Pixels the strokes may touch, however they are drawn (highlighted, antialiased)."""
        if not indices:
            return QRect()
        ink = self._pages[page].ink
        bounds = ink.bounds_mm[indices]
        pad_mm = float(ink.widest_mm()[indices].max()) * max(self._style.writing_width_factor, 1.0) / 2
        transform = self._transform(page)[0]
        area = QRectF(QPointF(*bounds[:, :2].min(axis=0)), QPointF(*bounds[:, 2:].max(axis=0)))
        area = transform.mapRect(area.adjusted(-pad_mm, -pad_mm, pad_mm, pad_mm))
        return area.toAlignedRect().adjusted(-2, -2, 2, 2).intersected(self.image.rect())

    def _updated_layer(self, page: int, reveal: RevealState) -> tuple[_PageLayer, QRect | None]:
        """The kept image of `page` brought up to `reveal`, and the rectangle that changed
        on it (None: all of it)."""
        layer = self._layers.get(page)
        dirty: QRect | None = QRect()
        if layer is None or (layer.drawn & ~reveal.written).any():  # new, or time went back
            layer, dirty = self._new_layer(page, reveal), None
            self._layers[page] = layer
        else:
            new = np.flatnonzero(reveal.written & ~layer.drawn).tolist()
            if new:
                painter = QPainter(layer.image)
                painter.setTransform(self._transform(page)[0])
                layer.renderer.paint_strokes(painter, new, reveal=reveal, style=self._style)
                painter.end()
                layer.drawn = reveal.written.copy()
                dirty = self._strokes_rect(page, new)
        self._layers.move_to_end(page)
        while len(self._layers) > KEPT_PAGES:
            self._layers.popitem(last=False)
        return layer, dirty

    def _new_layer(self, page: int, reveal: RevealState) -> _PageLayer:
        """The page with its written strokes in colour and every other stroke a ghost (the
        strokes being written are drawn over it on `image`, frame by frame)."""
        renderer = PageRenderer(self._pages[page])
        image = QImage(*self._size, QImage.Format.Format_RGB32)
        image.fill(SURROUND)
        painter = QPainter(image)
        transform, px_per_mm = self._transform(page)
        painter.setTransform(transform)
        renderer.paint(painter, px_per_mm, reveal=RevealState(reveal.written, ()), style=self._style)
        painter.end()
        return _PageLayer(renderer, image, reveal.written.copy())


def image_rgb32_array(image: QImage) -> np.ndarray:
    """A (height, width, 4) uint8 B,G,R,X view of a Format_RGB32 image's pixels (no copy:
    valid while `image` is alive and unchanged)."""
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rows = data.reshape(height, image.bytesPerLine())
    return rows[:, : width * 4].reshape(height, width, 4)
