"""Parsing untrusted XML: no DTDs (so no entity expansion, billion laughs or external
entities), refused by the parser itself whatever the encoding; bounded size and nesting
depth; every failure a FormatError with line and column."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from .errors import CorruptFileError, TooLargeError

MAX_XML_BYTES = 512 * 1024 * 1024
# Notebook formats nest a few levels (Xournal++ 5, InkML trace groups a handful); a deeper
# document is hostile, and readers that walk the tree recursively stay far from Python's
# recursion limit.
MAX_XML_DEPTH = 256


class _Refused(Exception):
    """Raised from the parser's callbacks: the problem and where it is."""

    def __init__(self, problem: str, where: str) -> None:
        super().__init__(problem)
        self.problem, self.where = problem, where


class _SafeTreeBuilder(ET.TreeBuilder):
    """ElementTree's builder, plus a DOCTYPE refusal and a depth limit. expat reports the
    DOCTYPE after decoding the document, so UTF-16 (which a byte search misses) and every
    other encoding is covered, and an internal subset's entities come only after it."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _Refused("declares a DTD, which is refused: it could define entities", f"<!DOCTYPE {name}>")

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self._depth += 1
        if self._depth > MAX_XML_DEPTH:
            raise _Refused(f"nests elements more than {MAX_XML_DEPTH} deep", f"<{local_name(tag)}>")
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self._depth -= 1
        return super().end(tag)


def parse_xml(data: bytes | Iterable[bytes], path: str | Path, *, what: str = "XML") -> ET.Element:
    """The root element of `data` (the document, or its chunks in order: parsed as they
    come); CorruptFileError (naming line and column) for a DTD, too deep a nesting, an
    unknown encoding or malformed XML."""
    if isinstance(data, bytes) and len(data) > MAX_XML_BYTES:
        raise TooLargeError(path, f"{what} is {len(data)} bytes (limit {MAX_XML_BYTES})")
    chunks = (data,) if isinstance(data, bytes) else data
    parser = ET.XMLParser(target=_SafeTreeBuilder())
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_XML_BYTES:
                raise TooLargeError(path, f"{what} is more than {MAX_XML_BYTES} bytes")
            parser.feed(chunk)
        return parser.close()
    except _Refused as e:
        raise CorruptFileError(path, f"{what} {e.problem}", where=e.where) from None
    except LookupError as e:  # expat asks Python's codecs for an encoding= it does not know
        raise CorruptFileError(path, f"{what} declares an encoding that is not known ({e})") from None
    except ET.ParseError as e:
        line, column = e.position
        problem = e.msg.split(": line ")[0]  # expat's message ends with the position, given apart
        raise CorruptFileError(
            path, f"malformed {what}: {problem}", where=f"line {line}, column {column}"
        ) from None


def local_name(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]
