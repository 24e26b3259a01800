"""Colours as files write them: '#RRGGBB[AA]' or one of Xournal's predefined pen names."""

from __future__ import annotations

from ..model import Color

# Xournal's predefined pen colours (LoadHandlerHelper PREDEFINED_COLORS), which InkML files use too
_NAMED_COLORS = {
    "black": 0x000000,
    "blue": 0x3333CC,
    "red": 0xFF0000,
    "green": 0x008000,
    "gray": 0x808080,
    "lightblue": 0x00C0FF,
    "lightgreen": 0x00FF00,
    "magenta": 0xFF00FF,
    "orange": 0xFF8000,
    "yellow": 0xFFFF00,
    "white": 0xFFFFFF,
}


def rgb(value: int) -> Color:
    return ((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF, 255)


def parse_color(text: str | None, default: Color, *, opaque: bool = False) -> Color:
    """'#RRGGBBAA' (or a predefined Xournal name) -> RGBA. Xournal++ itself drops the
    stored alpha of pens and backgrounds (`opaque`), painting them fully opaque."""
    if not text:
        return default
    text = text.strip()
    if text.startswith("#"):
        digits = text[1:]
        try:
            value = int(digits, 16)
        except ValueError:
            return default
        if len(digits) == 6:
            value = (value << 8) | 0xFF
        r, g, b, a = (value >> 24) & 0xFF, (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF
        return (r, g, b, 255 if opaque else a)
    named = _NAMED_COLORS.get(text)
    return default if named is None else rgb(named)
