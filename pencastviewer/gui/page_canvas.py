"""The page view: draws the session's current page with the shared renderer, reveals the
ink as the recording plays, and turns a click on ink into "play from here"."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QTransform
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..app.session import Session
from ..model.units import format_hms
from ..render.ink_style import InkStyle
from ..render.page_renderer import PageRenderer, page_transform

MARGIN_PX = 16
TAP_RADIUS_PX = 10


class PageCanvas(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.style_ = InkStyle()
        self._renderer: PageRenderer | None = None
        self._transform = QTransform()
        self._px_per_mm = 1.0
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(False)
        session.page_changed.connect(self._on_session_page_changed)
        session.opened.connect(lambda: self._on_session_page_changed(session.page))
        session.playhead_moved.connect(lambda _s: self.update())
        session.playback_state_changed.connect(lambda _s: self.update())

    def _on_session_page_changed(self, page: int) -> None:
        doc = self.session.document
        self._renderer = PageRenderer(doc.notebook.pages[page]) if doc else None
        self.update()

    def _layout(self) -> None:
        if self._renderer is None:
            return
        target = QRectF(self.rect()).adjusted(MARGIN_PX, MARGIN_PX, -MARGIN_PX, -MARGIN_PX)
        self._transform, self._px_per_mm = page_transform(self._renderer.page, target)

    def _reveal(self):
        doc, session = self.session.document, self.session
        if doc is None or session.recording < 0 or session.output.state() == "stopped":
            return None
        t_ms = doc.timeline.ink_time_ms(session.recording, session.position_s())
        return doc.timeline.reveal(session.page, t_ms)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(self.backgroundRole()).darker(115))
        if self._renderer is None:
            painter.end()
            return
        self._layout()
        page = self._renderer.page
        painter.setTransform(self._transform)
        painter.fillRect(QRectF(0.8, 0.8, page.width_mm, page.height_mm), QColor(0, 0, 0, 60))  # shadow
        inverse, _ = self._transform.inverted()
        area = inverse.mapRect(QRectF(event.rect()))
        dpr = self.devicePixelRatioF()
        self._renderer.paint(painter, self._px_per_mm * dpr, reveal=self._reveal(), style=self.style_, area_mm=area)
        painter.end()

    def page_point_mm(self, pos: QPointF) -> QPointF:
        inverse, _ = self._transform.inverted()
        return inverse.map(pos)

    def _hit_at(self, pos: QPointF):
        doc = self.session.document
        if doc is None or self._renderer is None:
            return None
        self._layout()
        p = self.page_point_mm(pos)
        return doc.hit_index(self.session.page).hit(p.x(), p.y(), TAP_RADIUS_PX / self._px_per_mm)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._renderer is None:
            return super().mousePressEvent(event)
        p = self.page_point_mm(event.position())
        self.session.tap(self.session.page, p.x(), p.y(), TAP_RADIUS_PX / self._px_per_mm)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self._hit_at(event.position())
        doc = self.session.document
        if hit is None or hit.recording is None or doc is None:
            self.unsetCursor()
            QToolTip.hideText()
            return
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        position = doc.timeline.position_s(hit.recording, hit.t_ms)
        name = doc.notebook.recordings[hit.recording].name
        QToolTip.showText(event.globalPosition().toPoint(), f"{format_hms(position)} — {name}", self)
