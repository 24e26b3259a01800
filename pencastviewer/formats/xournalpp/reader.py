"""Xournal++ notebooks (.xopp, .xoj): gzip, ZIP-packaged or plain XML, with linked audio."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ...model import Background, BackgroundKind, Notebook, Page, PageImage, PageText, Recording
from ...model.units import MM_PER_POINT
from ..errors import CorruptFileError, FormatError
from ..registry import FormatSpec, ReadOptions
from ..timing import time_from_name, unix_ms
from ..xmlsafe import local_name
from .audio import AudioLocator, place_back_to_back
from .background import BackgroundFiles, lenient_int, solid_background
from .container import MIMETYPE, open_archive, parse_content
from .elements import (
    MAX_COORD_PT,
    AudioLink,
    ElementContext,
    RawText,
    audio_link,
    parse_stroke,
    parse_text,
)
from .images import parse_image
from .page_columns import PageColumns
from .stroke_batch import StrokeRun, batch_strokes, run_of

MAX_WARNINGS = 40
_ROOT = re.compile(rb"<(xournal|MrWriter)[\s>/]")


@dataclass
class _Page:
    width_mm: float
    height_mm: float
    background: Background | None = None
    strokes: list[StrokeRun] = field(default_factory=list)  # in drawing order
    texts: list[RawText] = field(default_factory=list)
    images: list[PageImage] = field(default_factory=list)


class _Warnings:
    """Notebook warnings without repeats, capped so a damaged file cannot flood the user."""

    def __init__(self) -> None:
        self.items: dict[str, None] = {}
        self.dropped = 0

    def add(self, text: str) -> None:
        if text in self.items or len(self.items) < MAX_WARNINGS:
            self.items[text] = None
        else:
            self.dropped += 1

    def result(self) -> tuple[str, ...]:
        extra = (f"… and {self.dropped} more warnings",) if self.dropped else ()
        return (*self.items, *extra)


def sniff(head: bytes, path: Path) -> bool:
    if head.startswith(b"\x1f\x8b"):
        try:
            text = zlib.decompressobj(wbits=31).decompress(head, 4096)
        except zlib.error:
            return False
        return _ROOT.search(text) is not None
    if head.startswith(b"PK\x03\x04"):
        return MIMETYPE in head or path.suffix.lower() == ".xopp"
    return _ROOT.search(head) is not None


def read(path: Path, options: ReadOptions) -> Notebook:
    path = Path(path)
    warnings = _Warnings()
    archive = open_archive(path)
    try:
        read_member = archive.read if archive else None
        reading = _PageReader(path, options, read_member, warnings.add)
        root = parse_content(path, archive, reading.take)
        pages, outside = reading.finish(root)
        # The tree (20 MB of big.xopp) goes before the pages' columns are made: each page of
        # memory touched first costs a fault (`info` on big.xopp: 28 000, 0.07-0.12 s of system time).
        del root
        locator = AudioLocator(
            path, options.search_dirs, options.located, archive.names() if archive else (), read_member
        )
        notebook_pages, recordings = _assemble(pages, locator, warnings.add)
    finally:
        if archive:
            archive.close()
    return Notebook(
        tuple(notebook_pages),
        tuple(recordings),
        title=path.stem,
        source_format="xournalpp",
        warnings=warnings.result(),
        outside_files=tuple(outside),
    )


class _PageReader:
    """Reads each `<page>` as soon as the parser has it, then clears it: the tree never
    holds more than a page (the whole of big.xopp's is 20 MB, and each page of memory
    touched first costs a fault: `info` on it had 28 000, 0.07-0.12 s of system time).
    A FormatError waits for the end of the parse, so that malformed XML further on is
    what is reported, as when the pages were read after it."""

    def __init__(
        self,
        path: Path,
        options: ReadOptions,
        read_member: Callable[[str], bytes] | None,
        warn: Callable[[str], None],
    ) -> None:
        self.path, self.options, self.read_member, self.warn = path, options, read_member, warn
        self.pages: list[_Page] = []
        self.error: FormatError | None = None
        self.ctx: ElementContext | None = None
        self.files: BackgroundFiles | None = None

    def take(self, root: ET.Element, elem: ET.Element) -> None:
        if self.error is not None or local_name(elem.tag) != "page":
            return
        try:
            ctx, files = self._start(root)
            self.pages.append(_parse_page(elem, len(self.pages), ctx, files))
        except FormatError as e:
            self.error = e
        elem.clear()

    def _start(self, root: ET.Element) -> tuple[ElementContext, BackgroundFiles]:
        if self.ctx is None or self.files is None:
            tag = local_name(root.tag)
            if tag not in ("xournal", "MrWriter"):
                raise CorruptFileError(self.path, f"root element is <{tag}>, not <xournal>")
            # Xournal++ takes the version from the root only (default 1), even for ZIP files.
            version = (lenient_int(root.get("fileversion")) or 1) if tag == "xournal" else 1
            self.ctx = ElementContext(str(self.path), version, self.warn, self.read_member)
            self.files = BackgroundFiles(self.path, self.read_member, self.options.located, self.warn)
        return self.ctx, self.files

    def finish(self, root: ET.Element) -> tuple[list[_Page], list[str]]:
        """The pages, and the files outside the notebook's folder their backgrounds opened."""
        if self.error is not None:
            raise self.error
        _, files = self._start(root)
        if not self.pages:
            raise CorruptFileError(self.path, "the notebook has no pages")
        return self.pages, files.outside


def _children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in elem if local_name(child.tag) == name]


def _size(elem: ET.Element, name: str, ctx: ElementContext, where: str) -> float:
    try:
        value = float(elem.get(name, ""))
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and 0 < value <= MAX_COORD_PT):
        raise CorruptFileError(
            ctx.path,
            f"page {name} {elem.get(name)!r} is not a positive number of points up to {MAX_COORD_PT:g}",
            where=where,
        )
    return value


def _parse_page(elem: ET.Element, index: int, ctx: ElementContext, files: BackgroundFiles) -> _Page:
    where = f"page {index + 1}"
    width_pt = _size(elem, "width", ctx, where)
    page = _Page(width_pt * MM_PER_POINT, _size(elem, "height", ctx, where) * MM_PER_POINT)
    for background in _children(elem, "background"):
        kind = background.get("type")
        if kind == "solid":
            page.background = solid_background(background, width_pt)
        elif kind == "pixmap":
            page.background = files.pixmap(background)
        elif kind == "pdf":
            page.background = files.pdf(background)
        else:
            ctx.warn(f"{where}: unknown background type {kind!r}, plain paper shown")
    is_image = page.background is not None and page.background.kind == BackgroundKind.IMAGE
    files.images.append(page.background.image if is_image else None)  # type: ignore[union-attr]
    for n, layer in enumerate(_children(elem, "layer")):
        _parse_layer(layer, ctx, page, f"{where}, layer {n + 1}")
    return page


def _parse_layer(layer: ET.Element, ctx: ElementContext, page: _Page, where: str) -> None:
    elements = _layer_elements(layer, ctx)
    strokes = [(elem, link) for name, elem, link in elements if name == "stroke"]
    batch = batch_strokes([e for e, _ in strokes], [link for _, link in strokes], ctx)
    plain = batch.plain if batch is not None else [False] * len(strokes)
    counts = {"stroke": 0, "text": 0, "image": 0, "teximage": 0}
    taken = run_start = 0  # plain strokes so far; the first of the run not yet on the page
    for name, elem, link in elements:
        counts[name] += 1
        if name == "stroke":
            if plain[counts[name] - 1]:
                taken += 1
                continue
            if batch is not None and run_start < taken:  # the plain ones before it, in order
                page.strokes.append(batch.run(run_start, taken))
            run_start = taken
            read = parse_stroke(elem, ctx, link, f"{where}, {name} {counts[name]}")
            if read:
                page.strokes.append(run_of(read))
        elif name == "text":
            page.texts.append(parse_text(elem, ctx, link, f"{where}, {name} {counts[name]}"))
        else:
            image = parse_image(elem, ctx, f"{where}, {name} {counts[name]}")
            if image is not None:
                page.images.append(image)
    if batch is not None and run_start < taken:
        page.strokes.append(batch.run(run_start, taken))


def _layer_elements(layer: ET.Element, ctx: ElementContext) -> list[tuple[str, ET.Element, AudioLink | None]]:
    """The layer's strokes, texts and images in order, each with its audio link."""
    pending: AudioLink | None = None
    elements = []
    for elem in layer:
        name = local_name(elem.tag)
        if name == "timestamp":  # pre-1.0 files: the audio link of the next element
            fn = (elem.get("fn") or "").strip()
            pending = AudioLink(fn, lenient_int(elem.get("ts")) or 0) if fn else None
            continue
        if name not in ("stroke", "text", "image", "teximage"):
            continue
        elements.append((name, elem, audio_link(elem, ctx, pending)))
        pending = None
    return elements


def _assemble(
    pages: list[_Page], locator: AudioLocator, warn: Callable[[str], None]
) -> tuple[list[Page], list[Recording]]:
    """Recordings in order of first use, each stroke timed on the notebook clock."""
    starts = _stroke_starts(pages)
    columns = [PageColumns(p.strokes, starts) for p in pages]
    ink_end = dict.fromkeys(starts, 0.0)  # how far into each recording its ink reaches
    for page, cols in zip(pages, columns, strict=True):
        reached = list(cols.ends().items())
        for name, end_ms in reached + [(x.link.fn, float(x.link.ts_ms)) for x in page.texts if x.link]:
            ink_end[name] = max(ink_end[name], end_ms)
    names = list(starts)
    recordings, clock = _recordings(names, ink_end, locator, warn)
    index = {name: i for i, name in enumerate(names)}
    static_ms = min(clock.values(), default=0.0)  # unlinked ink: no time, already written
    result = []
    for page, cols in zip(pages, columns, strict=True):
        texts = [_timed_text(t, clock, index) for t in page.texts]
        result.append(
            Page(
                page.width_mm,
                page.height_mm,
                cols.ink(clock, index, static_ms).strokes(),
                background=page.background,
                texts=tuple(texts),
                images=tuple(page.images),
            )
        )
    return result, recordings


def _stroke_starts(pages: list[_Page]) -> dict[str, list[float]]:
    """Per recording, in order of first use (page by page): its strokes' starts."""
    starts: dict[str, set[float]] = {}
    for page in pages:
        for link in (link for run in page.strokes for link in run.links):
            if link:
                starts.setdefault(link.fn, set()).add(float(link.ts_ms))
        for text in page.texts:
            if text.link:
                starts.setdefault(text.link.fn, set())
    return {name: sorted(values) for name, values in starts.items()}


def _recordings(
    names: list[str], ink_end: dict[str, float], locator: AudioLocator, warn: Callable[[str], None]
) -> tuple[list[Recording], dict[str, float]]:
    files, durations, dated = [], [], []
    for name in names:
        audio, probe = locator.audio_file(name, warn)
        # Without a readable file its length is unknown: it spans the ink that names it.
        duration = audio.clock_duration_ms if probe and probe.n_frames else max(ink_end[name], 1.0)
        files.append(replace(audio, clock_duration_ms=duration))
        durations.append(duration)
        when = time_from_name(name)
        dated.append(unix_ms(when) if when else None)
    starts = place_back_to_back(durations, dated)
    recordings = [
        Recording(
            name.replace("\\", "/").rsplit("/", 1)[-1],
            (replace(f, clock_start_ms=start),),
            time_from_name(name),
        )
        for name, f, start in zip(names, files, starts, strict=True)
    ]
    return recordings, dict(zip(names, starts, strict=True))


def _timed_text(raw: RawText, clock: dict[str, float], index: dict[str, int]) -> PageText:
    if raw.link is None:
        return raw.text
    return replace(raw.text, t_ms=clock[raw.link.fn] + raw.link.ts_ms, recording=index[raw.link.fn])


FORMAT = FormatSpec(
    name="xournalpp",
    description="Xournal++ notebook",
    extensions=(".xopp", ".xoj"),
    sniff=sniff,
    read=read,
)
