"""Xournal++ page backgrounds: ruled paper with Xournal++'s own defaults, images and PDFs."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from ...model import Background, BackgroundKind, Color, Ruling
from ...model.units import MM_PER_POINT
from ..colors import parse_color, rgb
from ..errors import FormatError

MAX_IMAGE_BYTES = 64 * 1024 * 1024
WHITE: Color = (255, 255, 255, 255)
PDF_MISSING = "PDF background missing"  # Xournal++'s own words on such a page
IMAGE_MISSING = "Image background missing"
_LEADING_INT = re.compile(r"\s*\+?(\d+)")
_MAX_INT_DIGITS = 18

# Xournal++ src/core/view/background/*BackgroundView.h (1.2/1.3): per style the pitch in
# points, the line colour on light paper and on dark paper (config keys f1 / af1 override
# them), and the default line width in points (config key lw).
_STYLE_DEFAULTS: dict[str, tuple[float, int, int, float]] = {
    "plain": (0.0, 0x000000, 0x000000, 0.0),
    "ruled": (24.0, 0x40A0FF, 0x434343, 0.5),
    "lined": (24.0, 0x40A0FF, 0x434343, 0.5),
    "graph": (14.17, 0xBDBDBD, 0x434343, 0.5),
    "dotted": (14.17, 0xBDBDBD, 0x434343, 1.5),
    "isodotted": (14.17, 0xBDBDBD, 0x434343, 1.5),
    "isograph": (14.17, 0xBDBDBD, 0x434343, 1.0),
    "staves": (5.0, 0x000000, 0xFFFFFF, 0.5),  # pitch = between two lines of one staff
}
_HEADER_PT = 80.0  # ruled, lined, staves: blank band at the top ...
_FOOTER_PT = 60.0  # ... and at the bottom
_LINED_MARGIN_PT = 72.0  # lined: vertical margin line 1 inch from the left (m1 overrides)
_MARGIN_COLORS = (0xFF0080, 0x220080)  # lined margin line on light / dark paper (f2 / af2)
_STAVES_GAP_PT = 40.0  # between two staves
_STAVES_SIDE_PT = 50.0  # staves stop 50 pt from either page edge


# ... and its named paper colours, which differ from the pen colours of the same name.
_PAPER_COLORS = {
    "blue": 0xA0E8FF,
    "pink": 0xFFC0D4,
    "green": 0x80FFC0,
    "orange": 0xFFC080,
    "yellow": 0xFFFF80,
}


def _is_light(color: Color) -> bool:
    return color[0] + color[1] + color[2] > 0x180  # Xournal++ Color::isLight


def _config(text: str | None) -> dict[str, str]:
    """'m1=40,rm=1' -> {'m1': '40', 'rm': '1'} (split at the last '=' like Xournal++)."""
    pairs = (item.rpartition("=") for item in (text or "").split(","))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


def _number(config: dict[str, str], key: str, default: float) -> float:
    try:
        return float(config[key])
    except (KeyError, ValueError):
        return default


def _hex_color(config: dict[str, str], key: str, default: int) -> Color:
    try:
        return rgb(int(config[key], 16) & 0xFFFFFF)
    except (KeyError, ValueError):
        return rgb(default)


def solid_background(elem: ET.Element, page_width_pt: float) -> Background:
    """`<background type="solid" color=… style=… config=…>`; unknown styles are plain,
    as in Xournal++."""
    text = elem.get("color")
    paper = _PAPER_COLORS.get(text or "")
    color = rgb(paper) if paper is not None else parse_color(text, WHITE, opaque=True)
    style = elem.get("style") or "plain"
    if style not in _STYLE_DEFAULTS:
        style = "plain"
    config = _config(elem.get("config"))
    pitch_pt, light, dark, width_pt = _STYLE_DEFAULTS[style]
    light_paper = _is_light(color)
    banded = style in ("ruled", "lined", "staves")
    grid_margin_mm, round_to_grid = _graph_border(style, config)
    ruling = Ruling(
        style=style,
        # Staves ignore r1: their pitch is fixed.
        spacing_mm=(pitch_pt if style == "staves" else _number(config, "r1", pitch_pt)) * MM_PER_POINT,
        line_color=_hex_color(config, "f1" if light_paper else "af1", light if light_paper else dark),
        margin_mm=_lined_margin(config, page_width_pt) if style == "lined" else 0.0,
        margin_color=_hex_color(
            config, "f2" if light_paper else "af2", _MARGIN_COLORS[0 if light_paper else 1]
        ),
        header_mm=_HEADER_PT * MM_PER_POINT if banded else 0.0,
        footer_mm=_FOOTER_PT * MM_PER_POINT if banded else 0.0,
        line_width_mm=_number(config, "lw", width_pt) * MM_PER_POINT,
        grid_margin_mm=grid_margin_mm,
        round_to_grid=round_to_grid,
        staff_gap_mm=_STAVES_GAP_PT * MM_PER_POINT,
        staff_side_mm=_STAVES_SIDE_PT * MM_PER_POINT if style == "staves" else 0.0,
    )
    return Background(BackgroundKind.SOLID, color, ruling)


def _lined_margin(config: dict[str, str], page_width_pt: float) -> float:
    margin_pt = _number(config, "m1", _LINED_MARGIN_PT)
    if margin_pt < 0:  # Xournal++: a negative margin puts the line that far from the right
        margin_pt += page_width_pt
    return margin_pt * MM_PER_POINT


def _graph_border(style: str, config: dict[str, str]) -> tuple[float, bool]:
    """Graph paper: the `m1` blank border in mm, and whether `rm` widens it to whole
    squares (Xournal++ honours only a positive border)."""
    margin_pt = max(_number(config, "m1", 0.0), 0.0) if style == "graph" else 0.0
    return margin_pt * MM_PER_POINT, margin_pt > 0 and _number(config, "rm", 0.0) != 0.0


# The document names these files itself, so it could name any file on the disk: only
# regular files whose name and content are an image (or a PDF) are opened, lest a crafted
# notebook read /etc/passwd or a device, or copy a private file into something the user
# later exports or shares; and the user is told which files outside its folder were read.
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", ".webp"})
_PDF_SUFFIXES = frozenset({".pdf"})


class _FileChecks:
    """Opening the files a notebook names (mixed into BackgroundFiles)."""

    _path: Path
    outside: list[str]

    def _starts_with(self, path: Path, suffixes: frozenset[str], magic: tuple[bytes, ...]) -> bool:
        if path.suffix.lower() not in suffixes:
            return False
        try:
            if not path.is_file():  # regular files only: no devices, no FIFOs
                return False
            with path.open("rb") as f:
                head = f.read(8)
        except OSError:
            return False
        if not head.startswith(magic):
            return False
        self._note(path)
        return True

    def _read_image(self, path: Path) -> bytes | None:
        try:
            if not self._starts_with(path, _IMAGE_SUFFIXES, _IMAGE_MAGIC):
                return None
            if path.stat().st_size > MAX_IMAGE_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def _note(self, path: Path) -> None:
        resolved = path.resolve()
        if not resolved.is_relative_to(self._path.parent.resolve()) and str(resolved) not in self.outside:
            self.outside.append(str(resolved))


class BackgroundFiles(_FileChecks):
    """Finds the files pixmap and pdf backgrounds name. `read_member(name)` reads an entry
    of the packaged (ZIP) variant and is None for gzip/plain files. The document's PDF is
    named on its first pdf background only; later pages give just `pageno`."""

    def __init__(
        self,
        path: Path,
        read_member: Callable[[str], bytes] | None,
        located: dict[str, Path],
        warn: Callable[[str], None],
    ):
        self._path = path
        self._read_member = read_member
        self._located = located
        self._warn = warn
        self._pdf: tuple[str | None, bytes | None] | None = None  # (path, data) once resolved
        self._pdf_missing = False
        self.images: list[bytes | None] = []  # image of each page parsed so far, for domain="clone"
        self.outside: list[str] = []  # files opened outside the notebook's folder, for the user

    def pdf(self, elem: ET.Element) -> Background:
        """`<background type="pdf" domain filename pageno>` -> PDF background, or plain
        white with one warning when the PDF cannot be found."""
        filename = elem.get("filename")
        if filename and self._pdf is None and not self._pdf_missing:
            self._pdf = self._find_pdf(elem.get("domain") or "absolute", filename)
            if self._pdf is None:
                self._pdf_missing = True
                self._warn(
                    f"background PDF {filename!r} not found (looked beside {self._path.name}); "
                    f'pages show "{PDF_MISSING}" instead'
                )
        if self._pdf is None:
            return Background(BackgroundKind.SOLID, WHITE, missing=PDF_MISSING)
        # Xournal++ 1.0.x–1.1.0 wrote pageno="2ll" (a %ull format); it reads the digits.
        pageno = lenient_int(elem.get("pageno")) or 1
        return Background(
            BackgroundKind.PDF, pdf_path=self._pdf[0], pdf_data=self._pdf[1], pdf_page=max(pageno - 1, 0)
        )

    def _find_pdf(self, domain: str, filename: str) -> tuple[str | None, bytes | None] | None:
        if filename in self._located and self._located[filename].is_file():
            return str(self._located[filename]), None
        if domain == "attach" and self._read_member is not None:
            data = self._member(filename)
            return (None, data) if data is not None else None
        here = self._path.parent
        if domain == "attach":
            first = Path(os.fspath(self._path) + "." + filename)  # `<file>.xopp.bg.pdf`
        else:
            first = Path(filename) if Path(filename).is_absolute() else here / filename
        # A moved document: its PDF is often beside it under the same name.
        for candidate in (
            first,
            here / _base_name(filename),
            here / (self._path.name + "." + _base_name(filename)),
        ):
            if self._starts_with(candidate, _PDF_SUFFIXES, (b"%PDF",)):
                return str(candidate), None
        return None

    def pixmap(self, elem: ET.Element) -> Background:
        """`<background type="pixmap" domain filename>`: absolute path, attached beside the
        file (`<file>.xopp.<filename>`) or inside the ZIP, or cloned from page N (0-based)."""
        domain = elem.get("domain") or "absolute"
        filename = elem.get("filename") or ""
        data: bytes | None = None
        if domain == "clone":
            index = _int(filename, -1)
            data = self.images[index] if 0 <= index < len(self.images) else None
        elif domain == "attach" and self._read_member is not None:
            data = self._member(filename)
        else:
            here = self._path.parent
            first = Path(os.fspath(self._path) + "." + filename) if domain == "attach" else here / filename
            data = self._read_image(first) or self._read_image(here / _base_name(filename))
        if data is None:
            self._warn(f'background image {filename!r} not found; the page shows "{IMAGE_MISSING}"')
            return Background(BackgroundKind.SOLID, WHITE, missing=IMAGE_MISSING)
        return Background(BackgroundKind.IMAGE, image=data)

    def _member(self, name: str) -> bytes | None:
        assert self._read_member is not None
        try:
            return self._read_member(name)
        except FormatError:
            return None


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def lenient_int(text: str | None) -> int | None:
    """The leading digits of `text` ('0ll' -> 0, as Xournal++'s strtol reads it); None
    for none, or for more digits than a 64-bit integer holds (strtol's overflow: the
    value is garbage, and Python would refuse to convert 5 000 digits)."""
    if text is not None and len(text) <= _MAX_INT_DIGITS and text.isdigit() and text.isascii():
        return int(text)  # the usual case (every stroke's ts), without the pattern
    match = _LEADING_INT.match(text or "")
    if not match or len(match.group(1).lstrip("+-").lstrip("0")) > _MAX_INT_DIGITS:
        return None
    return int(match.group(1))


def _int(text: str | None, default: int) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default
