"""Frames of a clip's ink appearing as it was written, painted with the window's renderer.

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
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QTransform

from ...model import Page, RevealState, Timeline
from ...render.ink_style import InkStyle
from ...render.page_renderer import PageRenderer, page_transform
from ..document import OpenedNotebook
from .core import ClipSpec, ExportError

SURROUND = QColor(64, 64, 64)  # the frame around a page that does not fill it
KEPT_PAGES = 4  # kept images (1280×720: 3.7 MB each); a page turned back to is repainted


def page_placement(page: Page, size: tuple[int, int]) -> QRect:
    """The page fitted into a frame of `size`, centred, on whole pixels: drawn there as
    render_page_image draws it at that width, so edges stay as sharp as in an image export."""
    frame_w, frame_h = size
    width = max(1, min(frame_w, int(frame_h * page.width_mm / page.height_mm)))
    height = min(frame_h, max(1, round(width * page.height_mm / page.width_mm)))
    return QRect((frame_w - width) // 2, (frame_h - height) // 2, width, height)


def page_changes(document: OpenedNotebook, spec: ClipSpec) -> list[tuple[float, int]]:
    """(seconds into the clip, page) each time the page shown changes, the first at 0."""
    chooser = PageChooser(document, spec)
    assert spec.recording is not None
    first_ms, last_ms = chooser.ink_time_ms(spec.start_s), chooser.ink_time_ms(spec.end_s)
    changes = [(0.0, chooser.page_at(first_ms))]
    starts = sorted(s.start_ms for page in document.notebook.pages for s in page.strokes)
    for t_ms in starts:  # the page shown can only change when a stroke starts
        if first_ms < t_ms <= last_ms and chooser.page_at(t_ms) != changes[-1][1]:
            at_s = document.timeline.position_s(spec.recording, t_ms) - spec.start_s
            changes.append((at_s, chooser.page_at(t_ms)))
    return changes


class PageChooser:
    """Which page a clip shows at each moment: the page being written (the window's rule).
    Until the first stroke of the clip begins: `spec.page` when the clip is of a page (so
    its lead-in does not flash the page before), else the page being written, else the
    first page written on during the clip."""

    def __init__(self, document: OpenedNotebook, spec: ClipSpec) -> None:
        assert spec.recording is not None
        self._timeline = document.timeline
        self._recording = spec.recording
        pages = document.notebook.pages
        if not pages:
            raise ExportError("the notebook has no pages to show")
        starts = [s.start_ms for page in pages for s in page.strokes]
        self._starts = np.sort(np.array(starts, dtype=np.float64))
        self._by_count: dict[int, int | None] = {}
        first_ms, last_ms = self.ink_time_ms(spec.start_s), self.ink_time_ms(spec.end_s)
        inside = self._starts[(self._starts >= first_ms) & (self._starts <= last_ms)]
        self._first_start_ms = float(inside[0]) if len(inside) else np.inf
        self._chosen = spec.page
        self._fallback = spec.page if spec.page is not None else self._first_touched(pages, first_ms, last_ms)

    @staticmethod
    def _first_touched(pages: tuple[Page, ...], first_ms: float, last_ms: float) -> int:
        best, best_ms = 0, np.inf
        for p, page in enumerate(pages):
            inside = [s.start_ms for s in page.strokes if first_ms <= s.start_ms <= last_ms]
            if inside and min(inside) < best_ms:
                best, best_ms = p, min(inside)
        return best

    def ink_time_ms(self, position_s: float) -> float:
        return self._timeline.ink_time_ms(self._recording, position_s)

    def page_at(self, t_ms: float) -> int:
        if self._chosen is not None and t_ms < self._first_start_ms:
            return self._chosen
        # The answer changes only when a stroke starts: key it by how many have started.
        count = int(np.searchsorted(self._starts, t_ms, side="right"))
        if count not in self._by_count:
            self._by_count[count] = self._timeline.page_being_written(t_ms)
        page = self._by_count[count]
        return self._fallback if page is None else page


@dataclass
class _PageLayer:
    renderer: PageRenderer
    image: QImage
    drawn: np.ndarray  # bool per stroke: on the kept image in full colour


class FramePainter:
    """The frame (`image`, Format_RGB32, `size`) at successive positions of the clip.
    Not thread-safe. Each call returns the rectangle of pixels that changed since the
    previous frame, so the caller converts only those."""

    def __init__(
        self, document: OpenedNotebook, spec: ClipSpec, size: tuple[int, int], style: InkStyle | None = None
    ) -> None:
        self._pages = document.notebook.pages
        self._timeline: Timeline = document.timeline
        self._size = size
        self._style = style or InkStyle()
        self.chooser = PageChooser(document, spec)
        self._layers: OrderedDict[int, _PageLayer] = OrderedDict()
        self.image = QImage(*size, QImage.Format.Format_RGB32)
        self._shown: _PageLayer | None = None
        self._writing_rect = QRect()  # where the stroke being written was drawn on `image`

    def page_rect(self, page: int) -> QRect:
        """Where `page` sits in the frame, in whole pixels."""
        return page_placement(self._pages[page], self._size)

    def _transform(self, page: int) -> tuple[QTransform, float]:
        rect = self.page_rect(page)
        transform, px_per_mm = page_transform(self._pages[page], QRectF(0, 0, rect.width(), rect.height()))
        return transform * QTransform.fromTranslate(rect.x(), rect.y()), px_per_mm

    def frame_at(self, position_s: float) -> QRect:
        """Paint `image` as the clip looks at `position_s` of the recording; returns the
        rectangle that changed (empty when the picture is the same as before)."""
        t_ms = self.chooser.ink_time_ms(position_s)
        page = self.chooser.page_at(t_ms)
        reveal = self._timeline.reveal(page, t_ms)
        layer, dirty = self._updated_layer(page, reveal)
        writing_rect = self._strokes_rect(page, [i for i, _ in reveal.writing])
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
        if reveal.writing:
            painter.setTransform(self._transform(page)[0])
            writing = [i for i, _ in reveal.writing]
            layer.renderer.paint_strokes(painter, writing, reveal=reveal, style=self._style)
        painter.end()
        self._writing_rect = writing_rect
        return dirty

    def _strokes_rect(self, page: int, indices: list[int]) -> QRect:
        """Pixels the strokes may touch, however they are drawn (highlighted, antialiased)."""
        if not indices:
            return QRect()
        strokes = [self._pages[page].strokes[i] for i in indices]
        bounds = np.array([s.bounds_mm() for s in strokes])
        pad_mm = max(s.width_mm if s.widths_mm is None else float(s.widths_mm.max()) for s in strokes)
        pad_mm *= max(self._style.writing_width_factor, 1.0) / 2
        transform = self._transform(page)[0]
        area = QRectF(QPointF(*bounds[:, :2].min(axis=0)), QPointF(*bounds[:, 2:].max(axis=0)))
        area = transform.mapRect(area.adjusted(-pad_mm, -pad_mm, pad_mm, pad_mm))
        return area.toAlignedRect().adjusted(-2, -2, 2, 2).intersected(self.image.rect())

    def _updated_layer(self, page: int, reveal: RevealState) -> tuple[_PageLayer, QRect | None]:
        """The kept image of `page` brought up to `reveal`, and the rectangle that changed
        on it (None: all of it)."""
        layer, dirty = self._layers.get(page), QRect()
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
