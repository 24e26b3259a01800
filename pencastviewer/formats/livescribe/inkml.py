"""Livescribe's InkML dialect (the ink inside a Pencast PDF): pages, timed strokes, audio sessions."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...model import Background, BackgroundKind, Page
from ...model.page_ink import ink_of_points
from ..anoto import page_address_text
from ..errors import CorruptFileError
from ..xmlsafe import local_name, parse_xml
from .common import ANOTO_MM, STANDARD_PAGE_AU, anoto_page

DEFAULT_WIDTH_MM = 0.35  # the pen's line: Livescribe files give no width (a Stroke's default)

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
DEFAULT_SAMPLE_RATE_HZ = 75.0  # every Livescribe pen samples at 75 Hz
MAX_TIMESTAMP_CHAIN = 1000
# "x y, dx dy, ...": integers only, at most 9 digits so int64 sums cannot overflow.
_TRACE = re.compile(r"\s*-?\d{1,9}\s+-?\d{1,9}(?:\s*,\s*-?\d{1,9}\s+-?\d{1,9})*\s*", re.ASCII)
_PAIR = re.compile(r"\(\s*(\d{1,9})\s*,\s*(\d{1,9})\s*\)", re.ASCII)
_ADDRESS = re.compile(r"\d{1,20}", re.ASCII)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


@dataclass(frozen=True)
class InkTrace:
    """One pen-down to pen-up: points in Anoto units (absolute), times in pen-clock ms."""

    xy_au: NDArray[np.int64]
    t_ms: NDArray[np.float64]


@dataclass(frozen=True)
class InkPage:
    """One traceGroup. page_index: the notebook page number (None when absent)."""

    address: int
    page_index: int | None
    size_au: tuple[int, int]
    traces: tuple[InkTrace, ...]


@dataclass(frozen=True)
class SessionFile:
    key: str  # name of the PDF embedded file, e.g. "Livescribe_Audio0.m4a"
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class SessionSpan:
    """An audio_stroke: traces of `page_address` starting in [start_ms, end_ms] belong to the session."""

    page_address: int
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class AudioSession:
    name: str
    created_ms: float | None  # Unix ms (display only)
    files: tuple[SessionFile, ...]
    spans: tuple[SessionSpan, ...]


@dataclass(frozen=True)
class LivescribeInk:
    """The document: pages sorted by page number, sessions in document order, background
    image key per page address, and what the parser skipped."""

    pages: tuple[InkPage, ...]
    sessions: tuple[AudioSession, ...]
    backgrounds: dict[int, str]
    warnings: tuple[str, ...]


class _Parser:
    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.warnings: list[str] = []

    def fail(self, problem: str, where: str) -> CorruptFileError:
        return CorruptFileError(self.path, f"Livescribe InkML: {problem}", where=where)

    def number(self, elem: ET.Element, attr: str, where: str, default: float | None = None) -> float:
        text = elem.get(attr)
        if text is None:
            if default is None:
                raise self.fail(f"missing attribute {attr!r}", where)
            return default
        try:
            value = float(text)
        except ValueError:
            raise self.fail(f"{attr}={text!r} is not a number", where) from None
        if not math.isfinite(value) or abs(value) > 2**53:
            raise self.fail(f"{attr}={text!r} is out of range", where)
        return value

    def address(self, text: str | None, where: str) -> int:
        if text is None or not _ADDRESS.fullmatch(text.strip()) or int(text) >= 2**64:
            raise self.fail(f"page address {text!r} is not a 64-bit number", where)
        return int(text)


def parse_inkml(data: bytes, path: str | Path) -> LivescribeInk:
    """Parse the Livescribe_InkML stream. CorruptFileError on anything malformed."""
    root = parse_xml(data, path, what="Livescribe InkML")
    parser = _Parser(path)
    if local_name(root.tag) != "ink":
        raise parser.fail(f"root element is <{local_name(root.tag)}>, not <ink>", "root")
    rate_hz = _sample_rate(root, parser)
    times = _timestamp_times(root, parser)
    backgrounds: dict[int, str] = {}
    sessions: list[AudioSession] = []
    pages: list[InkPage] = []
    for child in root:
        name = local_name(child.tag)
        if name == "annotationXML" and child.get("type") == "Livescribe_Metadata":
            _read_metadata(child, parser, backgrounds, sessions)
        elif name == "traceGroup":
            pages.append(_read_page(child, len(pages), parser, times, rate_hz))
    # Pages without a number keep their document order after the numbered ones.
    pages.sort(key=lambda p: (p.page_index is None, p.page_index or 0))
    return LivescribeInk(tuple(pages), tuple(sessions), backgrounds, tuple(parser.warnings))


def _sample_rate(root: ET.Element, parser: _Parser) -> float:
    for elem in root.iter():
        if local_name(elem.tag) == "sampleRate":
            rate = parser.number(elem, "value", "sampleRate")
            if not 1 <= rate <= 100_000:  # 1e-320 Hz would make every time infinite
                raise parser.fail(f"sample rate {rate} Hz is impossible", "sampleRate")
            return rate
    parser.warnings.append(f"no pen sample rate given; assumed {DEFAULT_SAMPLE_RATE_HZ:g} Hz")
    return DEFAULT_SAMPLE_RATE_HZ


def _timestamp_times(root: ET.Element, parser: _Parser) -> dict[str, float]:
    """Absolute time of every <timestamp>: its `time`, or its timestampRef's time plus its
    timeOffset (chains followed; loops and dangling references refused)."""
    elems = {e.get(XML_ID, ""): e for e in root.iter() if local_name(e.tag) == "timestamp"}
    resolved: dict[str, float] = {}
    for ident in elems:
        chain: list[str] = []  # timestamps still waiting for their reference's time
        current = ident
        while current not in resolved:
            elem = elems.get(current)
            if elem is None:
                raise parser.fail(f"timestamp refers to unknown {current!r}", f"timestamp {chain[-1]!r}")
            if current in chain or len(chain) > MAX_TIMESTAMP_CHAIN:
                raise parser.fail("timestamps refer to each other in a loop", f"timestamp {current!r}")
            if elem.get("time") is not None:
                resolved[current] = parser.number(elem, "time", f"timestamp {current!r}")
                break
            ref = elem.get("timestampRef")
            if ref is None:
                raise parser.fail("timestamp has neither time nor timestampRef", f"timestamp {current!r}")
            chain.append(current)
            current = ref.removeprefix("#")
        base_ms = resolved[current]
        for waiting in reversed(chain):
            base_ms += parser.number(elems[waiting], "timeOffset", f"timestamp {waiting!r}", 0.0)
            resolved[waiting] = base_ms
    return resolved


def _read_metadata(
    elem: ET.Element, parser: _Parser, backgrounds: dict[int, str], sessions: list[AudioSession]
) -> None:
    for child in elem:
        name = local_name(child.tag)
        if name == "backgroundImage":
            where = f"backgroundImage {len(backgrounds) + 1}"
            key = child.get("metadata_key")
            if not key:
                raise parser.fail("backgroundImage without metadata_key", where)
            backgrounds[parser.address(child.get("page_address"), where)] = key
        elif name == "audioSession":
            sessions.append(_read_session(child, len(sessions) + 1, parser))


def _read_session(elem: ET.Element, number: int, parser: _Parser) -> AudioSession:
    where = f"audioSession {number}"
    files, spans = [], []
    for child in elem:
        name = local_name(child.tag)
        if name == "audio_file":
            key = child.get("file_attachment_key")
            if not key:
                raise parser.fail("audio_file without file_attachment_key", where)
            start, end = parser.number(child, "start", where), parser.number(child, "end", where)
            if end < start:
                raise parser.fail(f"audio file {key!r} ends before it starts", where)
            files.append(SessionFile(key, start, end))
        elif name == "audio_stroke":
            address = parser.address(child.get("page_address"), where)
            start, end = parser.number(child, "start", where), parser.number(child, "end", where)
            spans.append(SessionSpan(address, start, end))
    created = parser.number(elem, "created", where) if elem.get("created") is not None else None
    return AudioSession(elem.get("name") or f"Session {number}", created, tuple(files), tuple(spans))


def _read_page(
    elem: ET.Element, number: int, parser: _Parser, times: Mapping[str, float], rate_hz: float
) -> InkPage:
    where = f"traceGroup {number + 1}"
    address = parser.address(elem.get(XML_ID), where)
    page_index: int | None = None
    size_au = STANDARD_PAGE_AU
    area = next((c for c in elem if local_name(c.tag) == "activeArea"), None)
    if area is None:
        parser.warnings.append(f"page {page_address_text(address)} has no size; assumed a standard page")
    else:
        if area.get("pageIndex") is not None:
            page_index = int(parser.number(area, "pageIndex", where))
        match = _PAIR.fullmatch(area.get("mediaSize", "").strip())
        if match is None or int(match[1]) == 0 or int(match[2]) == 0:
            raise parser.fail(f"mediaSize {area.get('mediaSize')!r} is not '(width, height)'", where)
        size_au = (int(match[1]), int(match[2]))
    traces: list[InkTrace] = []
    for child in elem:
        if local_name(child.tag) == "trace":
            trace = _read_trace(child, f"{where} trace {len(traces) + 1}", parser, times, rate_hz)
            if trace is not None:
                traces.append(trace)
    return InkPage(address, page_index, size_au, tuple(traces))


def _read_trace(
    elem: ET.Element, where: str, parser: _Parser, times: Mapping[str, float], rate_hz: float
) -> InkTrace | None:
    text = elem.text or ""
    if not text.strip():
        parser.warnings.append(f"skipped an empty trace ({where})")
        return None
    if _TRACE.fullmatch(text) is None:
        raise parser.fail("points are not 'x y, dx dy, …' integer pairs", where)
    # Livescribe points the trace's contextRef at a <timestamp>; accept timestampRef too.
    ref = elem.get("contextRef") or elem.get("timestampRef")
    if ref is None:
        raise parser.fail("trace has no time reference (contextRef)", where)
    base_ms = times.get(ref.removeprefix("#"))
    if base_ms is None:
        raise parser.fail(f"trace refers to unknown timestamp {ref!r}", where)
    start_ms = base_ms + parser.number(elem, "timeOffset", where, 0.0)
    # Checked by _TRACE above, so the fast C parser reads it all. First pair absolute,
    # every later pair a delta from the previous point.
    values = np.fromstring(text.replace(",", " "), dtype=np.int64, sep=" ")
    xy_au = np.cumsum(values.reshape(-1, 2), axis=0)
    t_ms = start_ms + np.arange(len(xy_au), dtype=np.float64) * (1000.0 / rate_hz)
    return InkTrace(xy_au, t_ms)


def to_pages(
    ink: LivescribeInk, *, backgrounds: Mapping[str, bytes], session_recordings: Sequence[int | None]
) -> tuple[list[Page], list[str]]:
    """Model pages. backgrounds: image bytes by metadata key (absent when not found);
    session_recordings: each session's recording index (None when it has no audio). A
    stroke belongs to the first session with an audio_stroke on its page whose
    [start, end] holds the stroke's first point."""
    warnings = []
    pages = []
    for ink_page in ink.pages:
        address = page_address_text(ink_page.address)
        spans = [
            (span.start_ms, span.end_ms, rec)
            for session, rec in zip(ink.sessions, session_recordings, strict=True)
            if rec is not None
            for span in session.spans
            if span.page_address == ink_page.address
        ]
        traces = ink_page.traces
        strokes = ink_of_points(
            [np.asarray(trace.xy_au * ANOTO_MM, np.float64) for trace in traces],
            [trace.t_ms for trace in traces],
            [_recording_at(trace.t_ms[0], spans) for trace in traces],
            width_mm=DEFAULT_WIDTH_MM,
        ).strokes()
        background = None
        key = ink.backgrounds.get(ink_page.address)
        image = backgrounds.get(key) if key else None
        if image is not None and image.startswith(_IMAGE_MAGIC):
            background = Background(kind=BackgroundKind.IMAGE, image=image)
        elif image is not None:  # (a missing one was reported by whoever looked for it)
            warnings.append(f"page {address}: background {key!r} is not a PNG or JPEG image")
        label = str(ink_page.page_index) if ink_page.page_index is not None else ""
        pages.append(anoto_page(ink_page.size_au, strokes, label, background, address))
    return pages, warnings


def _recording_at(start_ms: float, spans: Sequence[tuple[float, float, int]]) -> int | None:
    for span_start, span_end, recording in spans:
        if span_start <= start_ms <= span_end:
            return recording
    return None
