"""InkML <timestamp>s: a time given (`time` in ms, or `timeString`) or counted from another
timestamp (`timestampRef` plus `timeOffset`), each resolved once."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from ..errors import CorruptFileError
from .trace import iso_ms, number

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
MAX_REF_DEPTH = 64


class Timestamps:
    """Times in ms of the timestamps of one document. `ref(text)` finds the element a
    reference names; `pen_clock`: times count on the pen's own clock (Livescribe), so a
    time given is not a date. `absolute_time` says whether a time given was a date."""

    def __init__(self, path: Path, ref: Callable[[str | None], ET.Element | None], *, pen_clock: bool):
        self.path, self._ref, self._pen_clock = path, ref, pen_clock
        self.absolute_time = False
        self._times: dict[int, float | None] = {}

    def time(self, elem: ET.Element | None, depth: int = 0) -> float | None:
        """A timestamp's time in ms: `time` or `timeString` (absolute), else its
        `timestampRef`'s plus `timeOffset`."""
        if elem is None:
            return None
        key = id(elem)
        if key not in self._times:
            if depth > MAX_REF_DEPTH:
                raise CorruptFileError(
                    self.path,
                    "timestamp references nest too deep (a cycle?)",
                    where=f"timestamp {elem.get(XML_ID)}",
                )
            self._times[key] = self._resolve(elem, depth)
        return self._times[key]

    def _resolve(self, elem: ET.Element, depth: int) -> float | None:
        absolute = number(elem.get("time"))
        if absolute is None and elem.get("timeString"):
            absolute = iso_ms(elem.get("timeString") or "")
        if absolute is not None:
            self.absolute_time = not self._pen_clock
            return absolute
        base = self.time(self._ref(elem.get("timestampRef")), depth + 1)
        offset = number(elem.get("timeOffset")) or 0.0
        return None if base is None else base + offset
