"""Icons: the desktop's icon theme where it has one, else Qt's style icons, else small
glyphs drawn here in the palette's text colour (so they stay visible in the dark theme
and sharp at any device pixel ratio). Call again after a palette change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QStyle, QWidget

SIZE = 24  # logical pixels of a drawn glyph
_THEME = {
    "open": QIcon.ThemeIcon.DocumentOpen,
    "export": QIcon.ThemeIcon.DocumentSaveAs,
    "previous_page": QIcon.ThemeIcon.GoUp,
    "next_page": QIcon.ThemeIcon.GoDown,
    "zoom_in": QIcon.ThemeIcon.ZoomIn,
    "zoom_out": QIcon.ThemeIcon.ZoomOut,
    "play": QIcon.ThemeIcon.MediaPlaybackStart,
    "pause": QIcon.ThemeIcon.MediaPlaybackPause,
    "stop": QIcon.ThemeIcon.MediaPlaybackStop,
    "back_5": QIcon.ThemeIcon.MediaSeekBackward,
    "forward_5": QIcon.ThemeIcon.MediaSeekForward,
    "previous_phrase": QIcon.ThemeIcon.MediaSkipBackward,
    "next_phrase": QIcon.ThemeIcon.MediaSkipForward,
    "volume": QIcon.ThemeIcon.AudioVolumeHigh,
    "muted": QIcon.ThemeIcon.AudioVolumeMuted,
}
_STYLE = {
    "open": QStyle.StandardPixmap.SP_DialogOpenButton,
    "export": QStyle.StandardPixmap.SP_DialogSaveButton,
}


def _triangle(painter: QPainter, x: float, pointing_right: bool = True, width: float = 8.0) -> bool:
    """Draw a play-style triangle at `x` (True, so glyphs can chain it in a tuple)."""
    tip, base = (x + width, x) if pointing_right else (x, x + width)
    painter.drawPolygon(QPolygonF([QPointF(base, 6), QPointF(tip, 12), QPointF(base, 18)]))
    return True


def _magnifier(painter: QPainter, plus: bool) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(3, 3, 13, 13))
    painter.drawLine(QPointF(14.5, 14.5), QPointF(21, 21))
    painter.drawLine(QPointF(6.5, 9.5), QPointF(12.5, 9.5))
    if plus:
        painter.drawLine(QPointF(9.5, 6.5), QPointF(9.5, 12.5))


def _speaker(painter: QPainter, muted: bool) -> None:
    body = QPainterPath(QPointF(3, 9))
    for x, y in ((7, 9), (12, 5), (12, 19), (7, 15), (3, 15)):
        body.lineTo(x, y)
    body.closeSubpath()
    painter.drawPath(body)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if muted:
        painter.drawLine(QPointF(15, 9), QPointF(21, 15))
        painter.drawLine(QPointF(21, 9), QPointF(15, 15))
    else:
        painter.drawArc(QRectF(9, 7, 8, 10), -60 * 16, 120 * 16)
        painter.drawArc(QRectF(9, 4, 13, 16), -60 * 16, 120 * 16)


_GLYPHS: dict[str, Callable[[QPainter], object]] = {
    "previous_page": lambda p: p.drawPolygon(QPolygonF([QPointF(5, 16), QPointF(12, 8), QPointF(19, 16)])),
    "next_page": lambda p: p.drawPolygon(QPolygonF([QPointF(5, 8), QPointF(12, 16), QPointF(19, 8)])),
    "zoom_in": lambda p: _magnifier(p, True),
    "zoom_out": lambda p: _magnifier(p, False),
    "play": lambda p: _triangle(p, 7, width=11),
    "pause": lambda p: (p.drawRect(QRectF(7, 6, 3, 12)), p.drawRect(QRectF(14, 6, 3, 12))),
    "stop": lambda p: p.drawRect(QRectF(7, 7, 10, 10)),
    "back_5": lambda p: (_triangle(p, 3, False), _triangle(p, 11, False)),
    "forward_5": lambda p: (_triangle(p, 5), _triangle(p, 13)),
    "previous_phrase": lambda p: (
        p.drawRect(QRectF(4, 6, 2, 12)),
        _triangle(p, 7, False),
        _triangle(p, 14, False),
    ),
    "next_phrase": lambda p: (_triangle(p, 3), _triangle(p, 10), p.drawRect(QRectF(18, 6, 2, 12))),
    "volume": lambda p: _speaker(p, False),
    "muted": lambda p: _speaker(p, True),
}


def _glyph(name: str, widget: QWidget) -> QIcon:
    dpr = widget.devicePixelRatioF()
    pixmap = QPixmap(round(SIZE * dpr), round(SIZE * dpr))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = widget.palette().color(widget.foregroundRole())
    pen = QPen(color, 2.0)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(color)
    _GLYPHS[name](painter)
    painter.end()
    return QIcon(pixmap)


def icon(name: str, widget: QWidget) -> QIcon:
    """An icon for `name` (a command name, or play / pause / volume / muted)."""
    if name in _THEME and QIcon.hasThemeIcon(_THEME[name]):
        return QIcon.fromTheme(_THEME[name])
    if name in _STYLE:
        return widget.style().standardIcon(_STYLE[name])
    if name in _GLYPHS:
        return _glyph(name, widget)
    return QIcon()
