"""Anoto dot-paper page addresses ('a.b.c.d'), as Livescribe pens and their InkML name pages."""

from __future__ import annotations


def page_address_text(address: int) -> str:
    """64-bit page address -> 'a.b.c.d' ((a<<40)|(b<<24)|(c<<12)|d)."""
    a = address >> 40
    b = (address >> 24) & 0xFFFF
    c = (address >> 12) & 0xFFF
    d = address & 0xFFF
    return f"{a}.{b}.{c}.{d}"


def parse_page_address(text: str) -> int:
    """'a.b.c.d' -> 64-bit page address; ValueError when malformed."""
    parts = text.strip().split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a page address: {text!r}")
    a, b, c, d = (int(p) for p in parts)
    if b > 0xFFFF or c > 0xFFF or d > 0xFFF:
        raise ValueError(f"page address out of range: {text!r}")
    return (a << 40) | (b << 24) | (c << 12) | d
