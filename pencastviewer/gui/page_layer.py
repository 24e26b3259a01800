"""What the page canvas shows, kept in a pixmap of the viewport (in device pixels): the
desk, the page's background, the highlight of selected strokes and the ink in one reveal
state. While playing, only what changed is repainted — the strokes that changed state and
the new points of the stroke being written — and strokes are copied from sprites
(stroke_sprites), so a frame costs a few strokes however many the page holds, and even a
jump that changes every stroke costs copies, not rasterisation.

Every repaint, full or partial, goes through `_paint_rects`, clipped to whole device
pixels, so a partially updated pixmap is the same as a fresh one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import cast

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap, QRegion, QTransform

from ..model import RevealState
from ..render.ink_style import InkStyle
from ..render.page_renderer import PageRenderer
from .selection_highlight import HALO_PX, highlight_boxes, paint_highlight
from .stroke_sprites import GHOST, PLAIN, WRITTEN, StrokeSprites

MAX_DIRTY_RECTS = 24  # more changes than this at once (a seek): repaint everything
AA_MARGIN_PX = 2.0  # antialiasing spills this far past a stroke's nominal outline
SHADOW = ((0.5, 34), (1.0, 22), (1.6, 12))  # (offset mm, alpha): a soft page shadow
RectMM = tuple[float, float, float, float]  # x0, y0, x1, y1


def _stroke_extents(renderer: PageRenderer | None) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4) point bounds (x0, y0, x1, y1) and (n,) widest width of every stroke, mm."""
    if renderer is None:
        return np.zeros((0, 4)), np.zeros(0)
    ink = renderer.page.ink
    return ink.bounds_mm, ink.widest_mm()


class PageLayer:
    """The canvas's picture of one page. `transform` maps mm to device pixels of the
    pixmap (which has a device pixel ratio of 1: the canvas copies it 1:1)."""

    def __init__(self, renderer: PageRenderer | None = None):
        self.pixmap = QPixmap()
        self.transform = QTransform()
        self.dpr = 1.0
        self.desk = QColor(128, 128, 128)
        self.style = InkStyle()
        self.reveal: RevealState | None = None
        self.highlight = QColor(48, 140, 198)  # the selection's colour (the canvas gives its palette's)
        self.selected = np.zeros(0, dtype=np.int64)  # indices of the strokes drawn highlighted
        self._boxes = np.zeros((0, 4), dtype=np.int64)
        self._boxes_key: tuple[float, float, float, float] | None = None
        self.renderer: PageRenderer | None = None
        self.valid = False
        self.set_renderer(renderer)

    def set_renderer(self, renderer: PageRenderer | None) -> None:
        if renderer is None or self.renderer is None or renderer.page is not self.renderer.page:
            self.selected, self._boxes_key = np.zeros(0, dtype=np.int64), None  # (indices of another page)
        self.renderer = renderer
        self._bounds, self._widths = _stroke_extents(renderer)
        self.sprites = StrokeSprites(renderer, replace(self.style, show_ghosts=True)) if renderer else None
        if renderer is not None:
            self._no_strokes = RevealState(np.zeros(len(renderer.page.strokes), bool), ())
        self.valid = False

    @property
    def px_per_mm(self) -> float:
        """Device pixels per millimetre."""
        return self.transform.m11()

    def rebuild(
        self,
        size: QSize,
        dpr: float,
        logical_transform: QTransform,
        desk: QColor,
        reveal: RevealState | None,
        style: InkStyle,
    ) -> None:
        """Repaint everything for a viewport of `size` logical px at `dpr`."""
        device = QSize(max(1, math.ceil(size.width() * dpr)), max(1, math.ceil(size.height() * dpr)))
        if self.pixmap.size() != device:
            self.pixmap = QPixmap(device)
        self.dpr, self.desk = dpr, QColor(desk)
        self._set_transform(logical_transform * QTransform.fromScale(dpr, dpr))
        if replace(style, show_ghosts=True) != replace(self.style, show_ghosts=True):
            self.style = style
            self.set_renderer(self.renderer)  # sprites drawn in the old style are no good
        self.reveal, self.style = reveal, style
        self.repaint_all()
        self.valid = True

    def _set_transform(self, transform: QTransform) -> None:
        self.transform = transform
        if self.sprites is not None:
            dx, dy = transform.dx(), transform.dy()
            fraction = (round(dx - math.floor(dx), 6), round(dy - math.floor(dy), 6))
            self.sprites.reset(transform.m11(), fraction)

    def logical(self, rect: QRect) -> QRectF:
        d = self.dpr
        return QRectF(rect.x() / d, rect.y() / d, rect.width() / d, rect.height() / d)

    # --- partial updates ----------------------------------------------------------------
    def set_reveal(self, reveal: RevealState | None) -> list[QRectF]:
        """Bring the pixmap to `reveal`; returns the logical rectangles that changed."""
        old, self.reveal = self.reveal, reveal
        if not self.valid:
            return []
        if old is None or reveal is None:
            return self.repaint_all() if (old is None) != (reveal is None) else []
        if len(old.written) != len(reveal.written):
            return self.repaint_all()
        rects = self._changed_rects_mm(old, reveal)
        if len(rects) > MAX_DIRTY_RECTS:
            return self.repaint_all()
        device = [r for r in (self._device_rect(r) for r in rects) if not r.isEmpty()]
        return self._paint_rects(device)

    def set_selected(self, indices: Iterable[int]) -> list[QRectF]:
        """Highlight these strokes (under their ink); returns the logical rectangles that
        changed — around the strokes that gained or lost the highlight."""
        new = _sorted_set(np.asarray(indices, dtype=np.int64))
        changed = _sorted_set(np.concatenate((self.selected, new)), once_only=True)
        self.selected, self._boxes_key = new, None
        if not self.valid or not changed.size:
            return []
        if len(changed) > MAX_DIRTY_RECTS:  # (a whole line or page: one rectangle around them all)
            m, b = self._halo_margin_mm(changed), self._bounds[changed]
            rects = [(b[:, 0].min() - m, b[:, 1].min() - m, b[:, 2].max() + m, b[:, 3].max() + m)]
        else:
            rects = [self._halo_rect(int(i)) for i in changed]
        return self._paint_rects([r for r in (self._device_rect(r) for r in rects) if not r.isEmpty()])

    def repaint_all(self) -> list[QRectF]:
        return self._paint_rects([QRect(QPoint(0, 0), self.pixmap.size())])

    def _changed_rects_mm(self, old: RevealState, new: RevealState) -> list[RectMM]:
        whole = set(np.flatnonzero(old.written != new.written).tolist())
        before, after = dict(old.writing), dict(new.writing)
        progressed: list[tuple[int, int, int]] = []
        for i in before.keys() | after.keys():
            a, b = before.get(i), after.get(i)
            if a is None or b is None:
                whole.add(i)  # began or finished: its ghost or its highlight goes
            elif a != b and i not in whole:
                progressed.append((i, min(a, b), max(a, b)))
        rects = [self._stroke_rect(i) for i in sorted(whole)]
        rects += [self._points_rect(i, lo, hi) for i, lo, hi in progressed]
        return rects

    def _stroke_rect(self, i: int) -> RectMM:
        x0, y0, x1, y1 = self._bounds[i]
        m = self._margin_mm(i)
        return x0 - m, y0 - m, x1 + m, y1 + m

    def _points_rect(self, i: int, lo: int, hi: int) -> RectMM:
        """Around points lo-1 .. hi-1 of stroke i: the segments drawn since the last frame."""
        assert self.renderer is not None
        xy = self.renderer.page.strokes[i].xy_mm[max(lo - 1, 0) : max(hi, 1)]
        m = self._margin_mm(i)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        return x0 - m, y0 - m, x1 + m, y1 + m

    def _halo_margin_mm(self, indices: np.ndarray) -> float:
        """How far past their points the highlights of these strokes reach."""
        widest = float(self._widths[indices].max()) if indices.size else 0.0
        return widest / 2 + (HALO_PX * self.dpr + AA_MARGIN_PX) / max(self.px_per_mm, 1e-6)

    def _halo_rect(self, i: int) -> RectMM:
        x0, y0, x1, y1 = self._bounds[i]
        m = self._halo_margin_mm(np.array([i]))
        return x0 - m, y0 - m, x1 + m, y1 + m

    def _margin_mm(self, i: int) -> float:
        half_width = float(self._widths[i]) * max(1.0, self.style.writing_width_factor) / 2
        return half_width + AA_MARGIN_PX / max(self.px_per_mm, 1e-6)

    def _device_rect(self, rect_mm: RectMM) -> QRect:
        x0, y0, x1, y1 = rect_mm
        r = self.transform.mapRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        rect = QRect(
            QPoint(math.floor(r.left()), math.floor(r.top())),
            QPoint(math.ceil(r.right()) - 1, math.ceil(r.bottom()) - 1),
        )
        return rect.intersected(QRect(QPoint(0, 0), self.pixmap.size()))

    # --- scrolling -------------------------------------------------------------------------
    def scroll(self, dx: int, dy: int, logical_transform: QTransform) -> bool:
        """The view moved by (dx, dy) logical px: shift the pixmap and paint what came into
        view. False when it cannot be shifted by whole device pixels (then rebuild)."""
        ddx, ddy = dx * self.dpr, dy * self.dpr
        if not self.valid or ddx != round(ddx) or ddy != round(ddy):
            return False
        exposed = QRegion()
        self.pixmap.scroll(round(ddx), round(ddy), self.pixmap.rect(), exposed)
        self._set_transform(logical_transform * QTransform.fromScale(self.dpr, self.dpr))
        self._paint_rects(list(cast("Iterable[QRect]", exposed)))  # (PySide6 iterates a QRegion's rects)
        return True

    # --- sprites -------------------------------------------------------------------------------
    def warm_sprites(self, budget_s: float) -> bool:
        """Make sprites of the strokes in view (the states a jump may need) for up to
        `budget_s` seconds; True when every one exists."""
        sprites, renderer = self.sprites, self.renderer
        if sprites is None or renderer is None or not self.valid:
            return True
        inverse, _ = self.transform.inverted()
        view = inverse.mapRect(QRectF(self.pixmap.rect()))
        states = (WRITTEN, GHOST) if self.reveal is not None or self.style.show_ghosts else (PLAIN,)
        start = time.perf_counter()
        for i in renderer.visible_strokes(view).tolist():
            for state in states:
                if not sprites.has(i, state):
                    sprites.make(i, state)
                    if time.perf_counter() - start > budget_s:
                        return False
        return True

    # --- painting ----------------------------------------------------------------------------
    def _paint_rects(self, device_rects: list[QRect]) -> list[QRectF]:
        """Repaint these device-pixel rectangles from scratch; returns them in logical px."""
        if not device_rects:
            return []
        painter = QPainter(self.pixmap)
        inverse, _ = self.transform.inverted()
        for rect in device_rects:
            painter.save()
            painter.setClipRect(rect)
            painter.fillRect(rect, self.desk)
            if self.renderer is not None:
                self._paint_page(painter, inverse.mapRect(QRectF(rect)), rect)
            painter.restore()
        painter.end()
        return [self.logical(r) for r in device_rects]

    def _paint_page(self, painter: QPainter, area_mm: QRectF, device_rect: QRect) -> None:
        """Shadow, paper, background, images and texts, the selection's highlight, then
        the ink in z-order."""
        assert self.renderer is not None and self.sprites is not None
        page = self.renderer.page
        painter.setTransform(self.transform)
        painter.setPen(Qt.PenStyle.NoPen)
        for offset, alpha in SHADOW:
            painter.fillRect(QRectF(offset, offset, page.width_mm, page.height_mm), QColor(0, 0, 0, alpha))
        hide_ink = replace(self.style, show_ghosts=False)
        self.renderer.paint(painter, self.px_per_mm, reveal=self._no_strokes, style=hide_ink, area_mm=area_mm)
        self._paint_highlight(painter, device_rect)
        self._paint_ink(painter, self.renderer.visible_strokes(area_mm).tolist())

    def _paint_highlight(self, painter: QPainter, device_rect: QRect) -> None:
        if not self.selected.size:
            return
        t = self.transform
        key = (t.m11(), t.dx(), t.dy(), self.dpr)
        if self._boxes_key != key:  # (and a change of selection resets the key)
            selected = self.selected
            self._boxes = highlight_boxes(self._bounds[selected], self._widths[selected], t, self.dpr)
            self._boxes_key = key
        paint_highlight(painter, self._boxes, device_rect, self.highlight)

    def _paint_ink(self, painter: QPainter, indices: list[int]) -> None:
        reveal, sprites = self.reveal, self.sprites
        assert sprites is not None and self.renderer is not None
        writing = dict(reveal.writing) if reveal is not None else {}
        written = reveal.written if reveal is not None else None
        ox, oy = math.floor(self.transform.dx()), math.floor(self.transform.dy())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        unmade = [
            i
            for i in indices
            if not sprites.has(i, PLAIN if written is None else WRITTEN if written[i] else GHOST)
        ]
        if unmade:  # (the first paint of a page: its outlines made together, not one by one)
            self.renderer.prepare(unmade, self.px_per_mm)
        for i in indices:
            if i in writing:
                painter.setTransform(self.transform)
                self.renderer.paint_strokes(painter, [i], reveal=reveal, style=self.style)
                continue
            state = PLAIN if written is None else WRITTEN if written[i] else GHOST
            if state == GHOST and not self.style.show_ghosts:
                continue
            sprite = sprites.get(i, state)
            if sprite is None:
                sprites.draw_direct(painter, i, state, self.transform)
                continue
            image, at = sprite
            painter.resetTransform()
            if sprites.is_highlighter(i):  # a highlighter multiplies onto the page, as drawn directly
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
            painter.drawImage(QPoint(ox + at.x(), oy + at.y()), image)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)


def _sorted_set(values: NDArray[np.int64], *, once_only: bool = False) -> NDArray[np.int64]:
    """np.unique(values) (once_only: the values that occur once, np.setxor1d of two sets),
    without np.unique, whose first use imports numpy.ma: 20-30 ms on the GUI thread before
    an opened notebook's first paint."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    if once_only:
        first &= np.concatenate((ordered[:-1] != ordered[1:], [True]))
    return ordered[first]
