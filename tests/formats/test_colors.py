"""Colours as files write them, shared by the Xournal++ and InkML readers."""

from __future__ import annotations

from pencastviewer.formats.colors import parse_color

DEFAULT = (1, 2, 3, 4)


def test_hex_and_named_colours() -> None:
    assert parse_color("#ff000080", DEFAULT) == (255, 0, 0, 128)
    assert parse_color("#ff000080", DEFAULT, opaque=True) == (255, 0, 0, 255)
    assert parse_color("#00ff00", DEFAULT) == (0, 255, 0, 255)
    assert parse_color("blue", DEFAULT) == (0x33, 0x33, 0xCC, 255)  # Xournal's predefined pen blue
    assert parse_color("no such colour", DEFAULT) == DEFAULT
    assert parse_color("#zzzzzz", DEFAULT) == DEFAULT
    assert parse_color(None, DEFAULT) == DEFAULT
