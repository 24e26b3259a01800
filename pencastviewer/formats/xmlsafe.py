"""Parsing untrusted XML: no DTDs (so no entity expansion, billion laughs or external
entities), refused by the parser itself whatever the encoding; bounded size and nesting
depth; every failure a FormatError with line and column."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import cast
from xml.parsers import expat as pyexpat

from .errors import CorruptFileError, TooLargeError

MAX_XML_BYTES = 512 * 1024 * 1024
# Notebook formats nest a few levels (Xournal++ 5, InkML trace groups a handful); a deeper
# document is hostile, and readers that walk the tree recursively stay far from Python's
# recursion limit.
MAX_XML_DEPTH = 256


class _Refused(Exception):
    """Raised from the parser's callbacks or between chunks: the problem and where it is."""

    def __init__(self, problem: str, where: str) -> None:
        super().__init__(problem)
        self.problem, self.where = problem, where


class _Prolog:
    """The DOCTYPE check: a second expat parser, given each chunk before the tree's parser,
    that reports a DOCTYPE and stops at the root element (a DOCTYPE can only come before
    it). expat reports the DOCTYPE after decoding the document, so UTF-16 (which a byte
    search misses) and every other encoding is covered, and an internal subset's entities
    come only after it. (The tree is built by ElementTree's own C builder: a builder of
    ours would be called in Python for every element and every text, 30% of the parse.)"""

    def __init__(self) -> None:
        self.parser: pyexpat.XMLParserType | None = pyexpat.ParserCreate(namespace_separator="}")
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._root

    @staticmethod
    def _doctype(name: str, *_: object) -> None:
        raise _Refused("declares a DTD, which is refused: it could define entities", f"<!DOCTYPE {name}>")

    @staticmethod
    def _root(*_: object) -> None:
        raise _PrologDone

    def check(self, chunk: bytes | memoryview) -> None:
        if self.parser is None:
            return
        try:
            self.parser.Parse(bytes(chunk), False)
        except (_PrologDone, pyexpat.ExpatError):
            # The root element began: no DOCTYPE can follow. Or the prolog is malformed:
            # the tree's parser stops at the same place and says where.
            self.parser = None


class _PrologDone(Exception):
    pass


# Each chunk the tree's parser takes at most: the depth of its elements is checked between
# chunks, so a deep nest grows at most this much (~20 000 elements) before it is refused.
_FEED_BYTES = 64 * 1024


def parse_xml(
    data: bytes | Iterable[bytes],
    path: str | Path,
    *,
    what: str = "XML",
    on_child: Callable[[ET.Element, ET.Element], None] | None = None,
) -> ET.Element:
    """The root element of `data` (the document, or its chunks in order: parsed as they
    come); CorruptFileError (naming line and column) for a DTD, too deep a nesting, an
    unknown encoding or malformed XML. on_child(root, child) is called for each child of
    the root as soon as it is complete (it may clear it: a reader that takes a document a
    page at a time never holds the whole tree)."""
    if isinstance(data, bytes) and len(data) > MAX_XML_BYTES:
        raise TooLargeError(path, f"{what} is {len(data)} bytes (limit {MAX_XML_BYTES})")
    chunks = (data,) if isinstance(data, bytes) else data
    prolog = _Prolog()
    tree: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    size = depth = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_XML_BYTES:
                raise TooLargeError(path, f"{what} is more than {MAX_XML_BYTES} bytes")
            view = memoryview(chunk)
            for at in range(0, len(view), _FEED_BYTES):
                piece = view[at : at + _FEED_BYTES]
                prolog.check(piece)  # before the tree's parser sees any of it
                tree.feed(piece)
                for event, elem in cast(Iterator[tuple[str, ET.Element]], tree.read_events()):
                    if event == "start":
                        depth += 1
                        if depth > MAX_XML_DEPTH:
                            raise _Refused(
                                f"nests elements more than {MAX_XML_DEPTH} deep", f"<{local_name(elem.tag)}>"
                            )
                        root = elem if root is None else root
                    else:
                        depth -= 1
                        if depth == 1 and on_child is not None:
                            assert root is not None
                            on_child(root, elem)
        tree.close()
        for _ in tree.read_events():
            pass
        assert root is not None  # (close() raises for a document without one)
        return root
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
