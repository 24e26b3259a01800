"""Livescribe pen archives (the ZIPs a Pulse/Echo pen hands out): notebook pages, STF ink, Paper Replay."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...model import Background, BackgroundKind, Notebook, Page, Recording, Stroke
from ..anoto import page_address_text, parse_page_address
from ..errors import CorruptFileError, FormatError, NotAPencastError
from ..registry import FormatSpec, ReadOptions
from ..safezip import SafeZip
from ..xmlsafe import local_name, parse_xml
from .common import ANOTO_MM, STANDARD_PAGE_AU, anoto_page
from .paper_replay import SESSION_INFO, Session, describe_pages, find_sessions
from .stf import decode_stf

MAX_META_BYTES = 16 * 1024**2  # main.info, main.document, page.gfx
MAX_STF_BYTES = 256 * 1024**2  # ~130 million points
MAX_IMAGE_BYTES = 64 * 1024**2
_STF = re.compile(r"^data/([^/]+)/([^/]+)/[^/]+\.stf$", re.IGNORECASE)
_PNG = b"\x89PNG\r\n\x1a\n"
INK_WIDTH_MM = 0.35


@dataclass(frozen=True)
class PageDef:
    """One `<page>` of main.document: its size in Anoto units and its folder (background)."""

    width_au: float
    height_au: float
    basepath: str
    gfx: str


def _sniff(head: bytes, path: Path) -> bool:
    """A ZIP whose central directory names main.document, an STF file or a Paper Replay
    session; only the directory is read, not the members."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with SafeZip(path) as archive:
            names = archive.names()
        return any(n == "main.document" or _STF.match(n) or SESSION_INFO.search(n) for n in names)
    except FormatError:
        return False


def _main_info(archive: SafeZip) -> dict[str, str]:
    if not archive.has("main.info"):
        return {}
    text = archive.read("main.info", MAX_META_BYTES).decode("utf-8", errors="replace")
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key.strip().lower(): value.strip() for key, value in pairs}


def _page_defs(archive: SafeZip, path: Path) -> list[PageDef]:
    root = parse_xml(archive.read("main.document", MAX_META_BYTES), path, what="main.document")
    defs = []
    for i, elem in enumerate(e for e in root.iter() if local_name(e.tag) == "page"):
        try:
            width, height = float(elem.get("width", "")), float(elem.get("height", ""))
        except ValueError:
            width = height = 0.0
        if not (0 < width < 1e6 and 0 < height < 1e6):
            raise CorruptFileError(path, "main.document gives a page no valid size", where=f"<page> {i + 1}")
        defs.append(PageDef(width, height, elem.get("basepath", ""), elem.get("gfxfile_ref", "page.gfx")))
    return defs


def _background(archive: SafeZip, path: Path, page: PageDef, warnings: list[str]) -> Background | None:
    """The page's PNG from userdata/lsac_data: page.gfx names an .eps inside the pen whose
    stem is the PNG's name (pages/0 -> LS_StarterA5_Master_Left.eps -> …_Left.png)."""
    gfx_name = posixpath.join(page.basepath, page.gfx)
    if not page.basepath or not archive.has(gfx_name):
        return None
    try:
        root = parse_xml(archive.read(gfx_name, MAX_META_BYTES), path, what=gfx_name)
    except FormatError as e:
        warnings.append(f"{gfx_name}: {e.problem}; the page has no background")
        return None
    sources = [e.get("src", "") for e in root.iter() if local_name(e.tag) == "image" and e.get("src")]
    for src in sources:
        png_name = f"userdata/lsac_data/{posixpath.splitext(posixpath.basename(src))[0]}.png"
        if archive.has(png_name):
            image = archive.read(png_name, MAX_IMAGE_BYTES)
            if image.startswith(_PNG):
                return Background(kind=BackgroundKind.IMAGE, image=image)
            warnings.append(f"{png_name} is not a PNG image; the page has no background")
            return None
    if sources:
        warnings.append(
            f"background {posixpath.basename(sources[0])} has no PNG in userdata/lsac_data; "
            "the page has no background"
        )
    return None


def _ink_members(names: Iterable[str], warnings: list[str]) -> dict[int, list[str]]:
    """STF members by 64-bit page address, from data/<a.b.c.d>/<pen>/<name>.stf."""
    by_page: dict[int, list[str]] = {}
    for name in sorted(names):
        match = _STF.match(name)
        if not match:
            continue
        try:
            by_page.setdefault(parse_page_address(match.group(1)), []).append(name)
        except ValueError:
            warnings.append(f"{name}: folder {match.group(1)!r} is not a page address; its ink was skipped")
    return by_page


def _strokes(archive: SafeZip, members: list[str], label: str, warnings: list[str]) -> list[Stroke]:
    """All strokes of one page, from all its STF files, in the order they were written."""
    strokes: list[Stroke] = []
    for name in members:
        try:
            ink = decode_stf(archive.read(name, MAX_STF_BYTES), name, lenient=True)
        except FormatError as e:
            warnings.append(
                f"page {label}: {name}: {e.problem}"
                + (f" (at {e.where})" if e.where else "")
                + "; its ink was skipped"
            )
            continue
        if ink.damage is not None:
            warnings.append(
                f"page {label}: {name}: {ink.damage.problem} (at {ink.damage.where}); "
                f"kept the {len(ink.strokes)} strokes before it"
            )
        for s in ink.strokes:
            xy_mm = np.column_stack((s.x, s.y)).astype(np.float64) * ANOTO_MM
            strokes.append(Stroke(xy_mm, s.t_ms.astype(np.float64), width_mm=INK_WIDTH_MM))
    strokes.sort(key=lambda s: s.start_ms)  # stable: files of one page interleave by time
    return strokes


def _place_recordings(pages: list[Page], sessions: list[Session], warnings: list[str]) -> list[Recording]:
    """Link each stroke whose start lies in a session's [start, end] on one of the
    session's pages to that session's recording. Sessions on none of the notebook's pages
    are left out, with a warning."""
    shown = {parse_page_address(p.address) for p in pages}
    recordings: list[Recording] = []
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for session in sessions:
        here = [p for p in session.pages if p in shown]
        if not here:
            warnings.append(
                f"Paper Replay session {session.name} was recorded on page(s) "
                f"{describe_pages(session.pages)}, which hold no ink of this notebook; "
                "its audio was not placed"
            )
            continue
        if len(here) < len(session.pages):
            missing = tuple(p for p in session.pages if p not in shown)
            warnings.append(
                f"Paper Replay session {session.name}: page(s) {describe_pages(missing)} "
                "are not in this notebook"
            )
        for address in here:
            spans.setdefault(address, []).append((session.start_ms, session.end_ms, len(recordings)))
        recordings.append(session.recording)
    for i, page in enumerate(pages):
        page_spans = spans.get(parse_page_address(page.address), [])
        if page_spans:
            strokes = [s.with_changes(recording=_recording_at(s.start_ms, page_spans)) for s in page.strokes]
            pages[i] = dataclasses.replace(page, strokes=tuple(strokes))
    return recordings


def _recording_at(start_ms: float, spans: list[tuple[int, int, int]]) -> int | None:
    return next((rec for lo, hi, rec in spans if lo <= start_ms <= hi), None)


def _layout(
    info: dict[str, str], defs: list[PageDef] | None, inked: Iterable[int], warnings: list[str]
) -> dict[int, tuple[str, PageDef | None]]:
    """Label and definition of every page to show: each page with ink (page n of the
    notebook has address pagestart + n and is labelled n + 1), or the first page when
    there is no ink at all."""
    start = None
    if defs is not None:
        try:
            start = parse_page_address(info.get("pagestart", ""))
        except ValueError:
            warnings.append(
                "main.info has no valid pagestart; page numbers and sizes are unknown, "
                "standard page size assumed"
            )
    layout: dict[int, tuple[str, PageDef | None]] = {}
    for address in sorted(inked):
        n = address - start if start is not None else -1
        if defs is not None and 0 <= n < len(defs):
            layout[address] = (str(n + 1), defs[n])
        else:
            if start is not None:
                warnings.append(
                    f"ink for page {page_address_text(address)}, which this notebook does not "
                    "define; shown on a standard-size page"
                )
            layout[address] = (page_address_text(address), None)
    if not layout and defs and start is not None:
        warnings.append(f"the archive holds no ink; showing the first of the notebook's {len(defs)} pages")
        layout[start] = ("1", defs[0])
    return layout


def _notebook_pages(archive: SafeZip, path: Path, warnings: list[str]) -> tuple[dict[str, str], list[Page]]:
    """main.info and the pages to show, each with its background and ink."""
    names = archive.names()
    info = _main_info(archive)
    ink_members = _ink_members(names, warnings)
    defs = None
    if archive.has("main.document"):
        try:
            defs = _page_defs(archive, path)
        except FormatError as e:
            warnings.append(f"main.document is unreadable ({e.problem}); standard page size assumed")
    elif ink_members:
        warnings.append(
            "the archive has no main.document; page numbers and sizes are unknown, standard page size assumed"
        )
    elif any(SESSION_INFO.search(n) for n in names):
        raise NotAPencastError(
            path,
            "this is a Paper Replay audio archive: open the pen's notebook "
            "archive and add this one as its audio",
        )
    layout = _layout(info, defs, ink_members, warnings)
    if not layout:
        raise CorruptFileError(path, "the archive holds no ink and defines no notebook page")
    pages = []
    backgrounds: dict[PageDef, Background | None] = {}  # pages alternate between a few designs
    for address, (label, page_def) in layout.items():
        width_au, height_au = (page_def.width_au, page_def.height_au) if page_def else STANDARD_PAGE_AU
        if page_def is not None and page_def not in backgrounds:
            backgrounds[page_def] = _background(archive, path, page_def, warnings)
        background = backgrounds[page_def] if page_def is not None else None
        name = f"{label} ({page_address_text(address)})" if label != page_address_text(address) else label
        strokes = _strokes(archive, ink_members.get(address, []), name, warnings)
        pages.append(
            anoto_page((width_au, height_au), strokes, label, background, page_address_text(address))
        )
    return info, pages


def read_livescribe_archive(path: Path, options: ReadOptions) -> Notebook:
    warnings: list[str] = []
    with SafeZip(path) as archive:
        info, pages = _notebook_pages(archive, path, warnings)
        sessions = find_sessions(archive, path, warnings)
    for audio_path in options.audio_paths:
        sessions += _audio_archive_sessions(Path(audio_path), warnings)
    recordings = _place_recordings(pages, sorted(sessions, key=lambda s: s.start_ms), warnings)
    return Notebook(
        pages=tuple(pages),
        recordings=tuple(recordings),
        title=info.get("title") or path.stem,
        source_format=FORMAT.name,
        warnings=tuple(warnings),
    )


def _audio_archive_sessions(audio_path: Path, warnings: list[str]) -> list[Session]:
    try:
        with SafeZip(audio_path) as archive:
            sessions = find_sessions(archive, audio_path, warnings)
    except FormatError as e:
        warnings.append(f"{audio_path.name}: {e.problem}; its audio was not placed")
        return []
    if not sessions:
        warnings.append(f"{audio_path.name} holds no readable Paper Replay session; nothing was placed")
    return sessions


FORMAT = FormatSpec(
    name="livescribe-archive",
    description="Livescribe pen archive",
    extensions=(".zip",),
    sniff=_sniff,
    read=read_livescribe_archive,
)
