"""The page under the mouse, besides taps: dragging the page (a left drag that began on bare
paper, once it passes the platform's drag distance so a click stays a click, or any
middle-button drag), and the tooltip over ink."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QNativeGestureEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QGestureEvent, QPinchGesture, QWidget

from ..app.session import Session
from ..model import Hit
from ..model.units import format_hms


def hover_text(session: Session, hit: Hit) -> str:
    """What hovering ink says: where its sound is, in which recording."""
    doc = session.document
    assert doc is not None
    if hit.recording is None:
        return "No recording for this ink"
    position = session.audio_position_s(hit.recording, hit.t_ms)
    recording = doc.notebook.recordings[hit.recording]
    if recording.is_missing:  # no promise of sound that cannot come
        return f"{format_hms(position)} — {recording.name}\nNo sound: {recording.missing_text()}"
    return f"▶ {format_hms(position)} — {recording.name}\nClick to play from here"


def pinch_zoom(viewport: QWidget, event: QEvent) -> tuple[float, QPointF] | None:
    """(zoom factor, viewport position to keep) of a pinch: a touchpad's native gesture
    or a touchscreen's pinch gesture; None for any other event."""
    if (
        isinstance(event, QNativeGestureEvent)
        and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
    ):
        return 1.0 + event.value(), event.position()
    if event.type() == QEvent.Type.Gesture and isinstance(event, QGestureEvent):
        pinch = event.gesture(Qt.GestureType.PinchGesture)
        if isinstance(pinch, QPinchGesture):
            return pinch.scaleFactor(), QPointF(viewport.mapFromGlobal(pinch.centerPoint().toPoint()))
    return None


class PagePan:
    """Scrolls `area` by the pointer's travel while a drag is on."""

    def __init__(self, area: QAbstractScrollArea) -> None:
        self.area = area
        self._from: QPointF | None = None
        self._panning = False

    def press(self, pos: QPointF, *, at_once: bool) -> None:
        """A press that may start a drag; `at_once`: it pans without waiting for travel."""
        self._from, self._panning = pos, at_once
        if at_once:
            self.area.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, pos: QPointF) -> bool:
        """Follow the pointer; False when no press is being followed."""
        if self._from is None:
            return False
        delta = pos - self._from
        if not self._panning and delta.manhattanLength() >= QApplication.startDragDistance():
            self._panning = True
            self.area.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._panning:
            self._from = pos
            bars = (self.area.horizontalScrollBar(), self.area.verticalScrollBar())
            bars[0].setValue(bars[0].value() - round(delta.x()))
            bars[1].setValue(bars[1].value() - round(delta.y()))
        return True

    def release(self) -> bool:
        """End a followed press; False when there was none."""
        if self._from is None:
            return False
        self._from, self._panning = None, False
        self.area.viewport().unsetCursor()
        return True
