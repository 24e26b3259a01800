"""The pages sidebar: a thumbnail per page, the current page selected; a click turns to it.

Thumbnails are drawn by the shared renderer one per event-loop turn after a notebook
opens, those in view first, so a 100-page notebook shows its first page at once. While
the recording plays only thumbnails coming into view are drawn (a dense page takes tens
of milliseconds: the ink reveal must not miss frames for pages nobody is looking at).
While another notebook is being read none are drawn: the notebook shown is about to go,
and drawing its pages (tens to hundreds of ms each on the GUI thread, holding the GIL)
made re-opening the 3-hour notebook slower than opening it the first time.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from ..app.session import Session
from ..audio.state_machine import PlaybackState
from ..model import Page
from ..render.image_export import render_page_image

THUMB_WIDTH_PX = 120
IDLE_INTERVAL_MS = 0  # next thumbnail as soon as the event loop is free
PLAYING_INTERVAL_MS = 250  # while playing: only look for thumbnails come into view
# After an open the canvas paints the page first: a thumbnail of a dense page takes
# ~0.15 s on the GUI thread, and an interval-0 timer would run before the canvas's paint.
FIRST_THUMBNAIL_DELAY_MS = 150


def page_caption(index: int, page: Page) -> str:
    return f"{index + 1}" + (f"  (p. {page.label})" if page.label else "")


class ThumbnailList(QListWidget):
    """Follows the session's document and page; a click asks the session for that page."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._pending: list[int] = []
        self._reading = False  # another notebook is being read: draw nothing meanwhile
        self._timer = QTimer(self)
        self._timer.setInterval(IDLE_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._start_drawing())
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(True)  # one column in a narrow sidebar, a grid in a wide one
        self.setMovement(QListWidget.Movement.Static)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setSpacing(6)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(THUMB_WIDTH_PX + 40)
        session.opening.connect(self._on_session_opening)
        session.open_failed.connect(self._on_session_open_failed)
        session.opened.connect(self._on_session_opened)
        session.page_changed.connect(self._on_session_page_changed)
        session.playback.state_changed.connect(self._on_session_playback_state_changed)
        self.currentRowChanged.connect(self._on_current_row_changed)

    def sizeHint(self) -> QSize:
        return QSize(THUMB_WIDTH_PX + 48, 400)

    def _icon_size(self) -> QSize:
        doc = self.session.document
        pages = doc.notebook.pages if doc else ()
        tallest = max((p.height_mm / p.width_mm for p in pages), default=1.414)
        return QSize(THUMB_WIDTH_PX, round(THUMB_WIDTH_PX * tallest))

    def _on_session_opening(self, _path: str) -> None:
        self._reading = True
        self._timer.stop()

    def _on_session_open_failed(self, *_args: object) -> None:
        """The notebook shown stays: its missing thumbnails are drawn after all."""
        self._reading = False
        self._start_drawing()

    def _on_session_opened(self) -> None:
        self._reading = False
        self.blockSignals(True)
        self.clear()
        doc = self.session.document
        assert doc is not None
        self.setIconSize(self._icon_size())
        blank = self._blank_icon()
        for i, page in enumerate(doc.notebook.pages):
            item = QListWidgetItem(blank, page_caption(i, page))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)
        self.blockSignals(False)
        current = self.session.page
        self._pending = [current] + [i for i in range(len(doc.notebook.pages)) if i != current]
        self._timer.stop()
        QTimer.singleShot(FIRST_THUMBNAIL_DELAY_MS, self._start_drawing)
        self._on_session_page_changed(current)

    def _start_drawing(self) -> None:
        if self._pending and not self._reading:
            self._timer.start()

    def _blank_icon(self) -> QIcon:
        pixmap = QPixmap(self.iconSize())
        pixmap.fill(QColor(255, 255, 255))
        icon = QIcon(pixmap)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)
        return icon

    def _visible_rows(self) -> list[int]:
        area = self.viewport().rect()
        return [row for row in self._pending if self.visualItemRect(self.item(row)).intersects(area)]

    def _on_timer_timeout(self) -> None:
        """Draw one thumbnail: one in view if any is missing, else (when not playing) the next;
        none while a sound is being started (a thumbnail holds the GUI thread ~0.15 s)."""
        if self.session.playback.starting:
            return
        playing = self.session.playback.playing
        rows = self._visible_rows() or ([] if playing else self._pending[:1])
        if rows:
            self._pending.remove(rows[0])
            self._draw(rows[0])
        if not self._pending:
            self._timer.stop()
        elif not rows:
            self._timer.setInterval(PLAYING_INTERVAL_MS)

    def _on_session_playback_state_changed(self, state: PlaybackState) -> None:
        self._timer.setInterval(PLAYING_INTERVAL_MS if state == PlaybackState.PLAYING else IDLE_INTERVAL_MS)

    def _draw(self, index: int) -> None:
        doc = self.session.document
        if doc is None or index >= self.count():
            return
        dpr = self.devicePixelRatioF()
        page = doc.notebook.pages[index]
        image = render_page_image(page, max(1, round(THUMB_WIDTH_PX * dpr)))
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(dpr)
        framed = QPixmap(pixmap.size())
        framed.setDevicePixelRatio(dpr)
        framed.fill(QColor(0, 0, 0, 0))
        painter = QPainter(framed)
        painter.drawPixmap(0, 0, pixmap)
        painter.setPen(QColor(0, 0, 0, 70))
        painter.drawRect(QRectF(QPointF(0, 0), framed.deviceIndependentSize()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()
        icon = QIcon(framed)
        icon.addPixmap(framed, QIcon.Mode.Selected)  # not tinted: the selection frames it instead
        self.item(index).setIcon(icon)

    def thumbnails_done(self) -> bool:
        return not self._pending

    def _on_session_page_changed(self, page: int) -> None:
        if not 0 <= page < self.count():
            return
        if page != self.currentRow():
            self.blockSignals(True)
            self.setCurrentRow(page)
            self.blockSignals(False)
        for row in range(self.count()):  # the caption of the page shown is bold too
            font = self.item(row).font()
            if font.bold() != (row == page):
                font.setBold(row == page)
                self.item(row).setFont(font)
        self.scrollToItem(self.item(page), QAbstractItemView.ScrollHint.EnsureVisible)

    def _on_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.session.set_page(row)
