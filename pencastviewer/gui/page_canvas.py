"""The page view: the session's current page, zoomable and scrollable, with the ink
revealed as the recording plays; a click on ink plays from where it was written.

Why a QAbstractScrollArea over one painted page rather than a QGraphicsView: the frame
is one pixmap (page_layer) that ink reveal updates a few strokes at a time and that
scrolling shifts by whole device pixels; a scene of 5 000 stroke items would re-walk
its index and per-item caches (which blur when zoomed) on every frame, and gives us
nothing we need — there is one page, no item interaction, no rotation.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QToolTip, QWidget

from ..app.session import Session
from ..model import Hit, Page, RevealState
from ..model.units import MM_PER_INCH
from ..render.ink_style import InkStyle
from ..render.page_renderer import PageRenderer
from .page_layer import PageLayer
from .page_marks import PageMarks
from .page_pan import PagePan, hover_text, pinch_zoom
from .selection_tool import SelectionTool

MARGIN_PX = 16  # desk around the page
TAP_RADIUS_PX = 8  # how near the ink a click must be (screen pixels, whatever the zoom)
MIN_ZOOM, MAX_ZOOM = 25.0, 800.0  # percent of the page's real size
WHEEL_ZOOM_PER_NOTCH = 1.2
SPRITE_BUDGET_S = 0.006  # sprite making per idle event-loop turn (a frame is 16 ms)
WARM_WAIT_MS = 16  # how often sprite making looks again while a sound is being started
FIT_PAGE, FIT_WIDTH, CUSTOM = "fit-page", "fit-width", "custom"
EMPTY_TEXT = "Open a notebook (Ctrl+O) or drop a file here"


class PageCanvas(QAbstractScrollArea):
    """Follows the session's page, playhead and options; emits zoom_changed(percent), and
    page_painted() once a page it was given is on screen (what waits for that goes then)."""

    zoom_changed = Signal(float)
    page_painted = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.layer = PageLayer()
        self.mode = FIT_WIDTH  # handwriting is readable at once; fit page shows it too small
        self.px_per_mm = 1.0  # logical pixels per millimetre
        self._warm_timer = QTimer(self)  # makes stroke sprites while the event loop is idle
        self._warm_timer.setInterval(0)
        self._warm_timer.timeout.connect(self._on_warm_timer_timeout)
        self.pan = PagePan(self)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(240, 180)
        self.viewport().setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        s = session
        s.page_changed.connect(self._on_session_page_changed)
        s.playback.playhead_moved.connect(self._on_session_reveal_changed)
        s.sync_offset_changed.connect(self._on_session_reveal_changed)
        s.recording_changed.connect(self._on_session_reveal_changed)
        s.options_changed.connect(self._on_session_options_changed)
        self.selection_tool = SelectionTool(self, self)  # Shift-drags select strokes; shows the selection
        self.marks = PageMarks(self.widget_point, lambda: s.page, self.viewport().update)  # search hits
        self._unannounced = False  # a page was given whose first paint is still to be announced
        self.page_painted.connect(self._index_page)

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # --- what is shown ---------------------------------------------------------------------
    @property
    def page(self) -> Page | None:
        return self.layer.renderer.page if self.layer.renderer else None

    def _on_session_page_changed(self, *_args: object) -> None:
        doc = self.session.document
        pages = doc.notebook.pages if doc else ()
        self.layer.set_renderer(PageRenderer(pages[self.session.page]) if pages else None)
        self._relayout()
        self._unannounced = bool(pages)

    def _index_page(self) -> None:
        """Index the page for taps once it is on screen, not before (a timer of 0 ms set
        when the page was given ran before the paint)."""
        doc, page = self.session.document, self.session.page
        QTimer.singleShot(
            0, self, lambda: doc.hit_index(page) if doc and doc is self.session.document else None
        )

    def ink_style(self) -> InkStyle:
        return InkStyle(show_ghosts=self.session.show_ghosts)

    def current_reveal(self) -> RevealState | None:
        doc, t_ms = self.session.document, self.session.reveal_time_ms()
        if doc is None or t_ms is None or self.page is None:
            return None
        return doc.timeline.reveal(self.session.page, t_ms)

    def _on_session_reveal_changed(self, *_args: object) -> None:
        if not self.layer.valid:
            self.viewport().update()
            return
        for rect in self.layer.set_reveal(self.current_reveal()):
            self.viewport().update(rect.toAlignedRect())

    def _on_session_options_changed(self) -> None:
        if self.ink_style() != self.layer.style:
            self.layer.valid = False
            self.viewport().update()

    # --- geometry ----------------------------------------------------------------------------
    def px_per_mm_at_100(self) -> float:
        return self.logicalDpiX() / MM_PER_INCH

    @property
    def zoom_percent(self) -> float:
        return self.px_per_mm / self.px_per_mm_at_100() * 100.0

    def _fit_scale(self) -> float:
        page, area = self.page, self.maximumViewportSize()
        if page is None:
            return 1.0
        w, h = area.width() - 2 * MARGIN_PX, area.height() - 2 * MARGIN_PX
        if self.mode == FIT_PAGE:
            return max(min(w / page.width_mm, h / page.height_mm), 0.05)
        scale = w / page.width_mm
        if page.height_mm * scale > h:  # a vertical scroll bar will take some width
            scale = (w - self.verticalScrollBar().sizeHint().width()) / page.width_mm
        return max(scale, 0.05)

    def _relayout(self) -> None:
        """Scale (for the fit modes) and scroll ranges for the current page and size."""
        page = self.page
        if page is not None and self.mode != CUSTOM:
            scale = self._fit_scale()
            if abs(scale - self.px_per_mm) > 1e-9:
                self.px_per_mm = scale
                self.zoom_changed.emit(self.zoom_percent)
        self.layer.valid = False  # before the ranges change: a clamped value scrolls
        content = self._content_size()
        view = self.viewport().size()
        for bar, extent, span in (
            (self.horizontalScrollBar(), content.width(), view.width()),
            (self.verticalScrollBar(), content.height(), view.height()),
        ):
            bar.setRange(0, max(0, extent - span))  # (the scroll area shows or hides the bar)
            bar.setPageStep(span)
            bar.setSingleStep(max(20, span // 20))
        self.viewport().update()

    def _content_size(self) -> QSize:
        page = self.page
        if page is None:
            return QSize(0, 0)
        return QSize(
            round(page.width_mm * self.px_per_mm) + 2 * MARGIN_PX,
            round(page.height_mm * self.px_per_mm) + 2 * MARGIN_PX,
        )

    def page_origin(self) -> QPointF:
        """Where the page's top-left corner is in viewport coordinates: centred on an
        axis where it fits, else scrolled (always on whole pixels, so that scrolling
        shifts the pixmap exactly)."""
        if self.page is None:
            return QPointF(0, 0)
        content, view = self._content_size(), self.viewport().size()
        if content.width() <= view.width():
            x = (view.width() - content.width()) // 2 + MARGIN_PX
        else:
            x = MARGIN_PX - self.horizontalScrollBar().value()
        if content.height() <= view.height():
            y = (view.height() - content.height()) // 2 + MARGIN_PX
        else:
            y = MARGIN_PX - self.verticalScrollBar().value()
        return QPointF(x, y)

    def view_transform(self) -> QTransform:
        """Millimetres on the page -> viewport (logical) pixels."""
        origin = self.page_origin()
        return QTransform(self.px_per_mm, 0, 0, self.px_per_mm, origin.x(), origin.y())

    def page_point_mm(self, pos: QPointF) -> QPointF:
        origin = self.page_origin()
        return QPointF((pos.x() - origin.x()) / self.px_per_mm, (pos.y() - origin.y()) / self.px_per_mm)

    def widget_point(self, x_mm: float, y_mm: float) -> QPointF:
        """Viewport position of a point on the page (the inverse of page_point_mm)."""
        return self.view_transform().map(QPointF(x_mm, y_mm))

    # --- zoom ------------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._relayout()
        self.zoom_changed.emit(self.zoom_percent)

    def set_zoom(self, percent: float, anchor: QPointF | None = None) -> None:
        """Zoom to `percent` of the real size keeping the page point under `anchor`
        (viewport position; default the centre) where it is."""
        if self.page is None:
            return
        if anchor is None:
            anchor = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        fixed = self.page_point_mm(anchor)
        percent = min(max(percent, MIN_ZOOM), MAX_ZOOM)
        self.mode = CUSTOM
        self.px_per_mm = percent / 100.0 * self.px_per_mm_at_100()
        self._relayout()
        self.put_point_at(fixed, anchor)
        self.zoom_changed.emit(self.zoom_percent)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.set_zoom(self.zoom_percent * factor, anchor)

    def center_on(self, x_mm: float, y_mm: float) -> None:
        centre = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        self.put_point_at(QPointF(x_mm, y_mm), centre)

    def put_point_at(self, point_mm: QPointF, pos: QPointF) -> None:
        """Scroll so that `point_mm` is at viewport position `pos` (as far as the
        scroll ranges allow)."""
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        hbar.setValue(round(MARGIN_PX + point_mm.x() * self.px_per_mm - pos.x()))
        vbar.setValue(round(MARGIN_PX + point_mm.y() * self.px_per_mm - pos.y()))
        self.layer.valid = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            notches = event.angleDelta().y() / 120.0
            if notches:
                self.zoom_by(WHEEL_ZOOM_PER_NOTCH**notches, event.position())
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        pinch = pinch_zoom(self.viewport(), event)  # a touchpad's or touchscreen's
        if pinch is not None:
            self.zoom_by(*pinch)
            return True
        return super().viewportEvent(event)

    # --- painting ----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        if not self.layer.scroll(dx, dy, self.view_transform()):
            self.layer.valid = False
        self.viewport().update()

    def desk_color(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Window).darker(125)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        if self.page is None:
            painter.fillRect(event.rect(), self.desk_color())
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(self.viewport().rect()), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            return
        dpr = self.viewport().devicePixelRatioF()
        if not self.layer.valid or self.layer.dpr != dpr:
            self.layer.rebuild(
                self.viewport().size(),
                dpr,
                self.view_transform(),
                self.desk_color(),
                self.current_reveal(),
                self.ink_style(),
            )
            self._warm_timer.start()
        rect = QRectF(event.rect())
        source = QRectF(rect.x() * dpr, rect.y() * dpr, rect.width() * dpr, rect.height() * dpr)
        painter.drawPixmap(rect, self.layer.pixmap, source)
        self.selection_tool.paint(painter, rect)  # the selection's frame and the band being dragged
        self.marks.paint(painter)
        if self._unannounced:
            self._unannounced = False
            self.page_painted.emit()

    def _on_warm_timer_timeout(self) -> None:
        starting = self.session.playback.starting  # a sound being started goes first (GIL)
        self._warm_timer.setInterval(WARM_WAIT_MS if starting else 0)
        if not starting and self.layer.warm_sprites(SPRITE_BUDGET_S):
            self._warm_timer.stop()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.layer.valid = False  # the desk colour follows the theme
        super().changeEvent(event)

    # --- mouse: tap to play, hover, pan ---------------------------------------------------------------
    def tap_radius_mm(self) -> float:
        return TAP_RADIUS_PX / self.px_per_mm

    def hit_at(self, pos: QPointF) -> Hit | None:
        doc = self.session.document
        if doc is None or self.page is None:
            return None
        p = self.page_point_mm(pos)
        return doc.hit_index(self.session.page).hit(p.x(), p.y(), self.tap_radius_mm())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if event.button() == Qt.MouseButton.LeftButton and self.page is not None:
            p = self.page_point_mm(pos)
            hit = self.session.tap(self.session.page, p.x(), p.y(), self.tap_radius_mm())
            if hit is None or hit.recording is None:
                self.pan.press(pos, at_once=False)  # on paper: a drag moves the page, a click does nothing
            event.accept()
            return
        if event.button() == Qt.MouseButton.MiddleButton:
            self.pan.press(pos, at_once=True)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self.pan.move(event.position()):
            self._show_hover(event.position(), event.globalPosition())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.pan.release():
            self._show_hover(event.position(), event.globalPosition())
        super().mouseReleaseEvent(event)

    def _show_hover(self, pos: QPointF, global_pos: QPointF) -> None:
        hit = self.hit_at(pos)
        if hit is None:
            self.viewport().unsetCursor()
            QToolTip.hideText()
            return
        cursor = Qt.CursorShape.ArrowCursor if hit.recording is None else Qt.CursorShape.PointingHandCursor
        self.viewport().setCursor(cursor)
        QToolTip.showText(global_pos.toPoint(), hover_text(self.session, hit), self.viewport())
