"""Parsing untrusted XML: no DTDs, so no entity expansion (billion laughs) and no
external entities; bounded size; errors become FormatError with line and column."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .errors import CorruptFileError, TooLargeError

MAX_XML_BYTES = 512 * 1024 * 1024
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(data: bytes, path: str | Path, *, what: str = "XML") -> ET.Element:
    """The root element of `data`. Refuses any DOCTYPE/ENTITY declaration outright:
    notebook formats never need one, and refusing is the only safe way with ElementTree."""
    if len(data) > MAX_XML_BYTES:
        raise TooLargeError(path, f"{what} is {len(data)} bytes (limit {MAX_XML_BYTES})")
    match = _DTD.search(data)
    if match:
        raise CorruptFileError(
            path, f"{what} declares a DTD or entities, which are refused", where=f"byte {match.start()}"
        )
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        line, column = e.position
        raise CorruptFileError(
            path,
            f"malformed {what}: {e.msg if hasattr(e, 'msg') else e}",
            where=f"line {line}, column {column}",
        ) from None


def local_name(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]
