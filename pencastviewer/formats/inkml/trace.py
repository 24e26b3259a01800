"""InkML values: channels, the explicit/difference encodings, Livescribe's deltas, units."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ...model import units as model_units
from ..numtext import floats_in_text
from ..xmlsafe import local_name
from .differences import decode_differences

MAX_VALUES = 50_000_000  # per document: bounds time and memory on hostile input
_PLAIN = re.compile(r"[^0-9eE+\-.,\s]")  # anything else needs the full grammar
_TOKEN = re.compile(
    r"""\s*(?:(?P<comma>,)|(?P<mode>[!'"])|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"""
    r"""|(?P<flag>[TF*?])|(?P<bad>\S))"""
)
_EXPLICIT, _FIRST, _SECOND = "!", "'", '"'


class TraceError(ValueError):
    """Malformed trace data; the reader turns it into a CorruptFileError with the place."""


@dataclass(frozen=True)
class Channel:
    """One channel of a traceFormat. sign is -1 for orientation="-ve"; respect_to is the
    id of the timestamp a T channel counts from; intermittent channels may be left out."""

    name: str
    units: str | None = None
    sign: float = 1.0
    max: float | None = None
    respect_to: str | None = None
    intermittent: bool = False


@dataclass(frozen=True)
class TraceFormat:
    """Regular channels first, then intermittent ones; the InkML default is X, Y."""

    channels: tuple[Channel, ...] = (Channel("X"), Channel("Y"))

    def index(self, name: str) -> int | None:
        return next((i for i, c in enumerate(self.channels) if c.name == name), None)

    @property
    def n_regular(self) -> int:
        return sum(not c.intermittent for c in self.channels)


def parse_trace_format(elem: ET.Element) -> TraceFormat:
    channels = []
    for child in elem:
        name = local_name(child.tag)
        if name == "channel":
            channels.append(_channel(child, intermittent=False))
        elif name == "intermittentChannels":
            channels += [_channel(c, intermittent=True) for c in child if local_name(c.tag) == "channel"]
    return TraceFormat(tuple(channels)) if channels else TraceFormat()


def _channel(elem: ET.Element, *, intermittent: bool) -> Channel:
    try:
        maximum = float(elem.get("max", "nan"))
    except ValueError:
        maximum = float("nan")
    return Channel(
        name=elem.get("name") or "",
        units=elem.get("units"),
        sign=-1.0 if elem.get("orientation") == "-ve" else 1.0,
        max=maximum if np.isfinite(maximum) and maximum > 0 else None,
        respect_to=(elem.get("respectTo") or "").lstrip("#") or None,
        intermittent=intermittent,
    )


def decode_values(text: str, n_channels: int) -> NDArray[np.float64]:
    """Points × n_channels values (NaN where a value is missing or unknown '?').

    Each value may carry a prefix that stays in force for its channel until changed:
    '!' explicit, "'" first difference (value = previous + d), '"' second difference
    (the change itself changes by d). '*' repeats the previous value (or difference),
    'T'/'F' are 1/0."""
    if not text.strip():
        return np.zeros((0, n_channels))
    fast = _decode_plain(text, n_channels) if not _PLAIN.search(text) else None
    if fast is None:
        fast = decode_differences(text, n_channels)
    return fast if fast is not None else _decode_full(text, n_channels)


def _decode_plain(text: str, n_channels: int) -> NDArray[np.float64] | None:
    """Explicit values, n_channels per comma-separated point, converted in bulk (no Python
    object per number); None when the text needs the full grammar (missing or extra
    values in a row, numbers written without spaces as in "1-2")."""
    n_rows = text.count(",") + 1
    values = floats_in_text(text.replace(",", " "))
    if values is None or len(values) != n_rows * n_channels or not _rows_of(text, n_rows, n_channels):
        return None
    return values.reshape(n_rows, n_channels)


def _rows_of(text: str, n_rows: int, n_channels: int) -> bool:
    """Whether every comma-separated row of `text` (plain ASCII, see _PLAIN) holds exactly
    n_channels numbers, counted with numpy over the bytes."""
    chars = np.frombuffer(text.encode("ascii"), np.uint8)
    comma = chars == ord(",")
    separator = comma | (chars <= ord(" "))
    starts = ~separator
    starts[1:] &= separator[:-1]
    rows = np.cumsum(comma, dtype=np.int32)[starts]
    return bool(np.all(np.bincount(rows, minlength=n_rows) == n_channels))


def _decode_full(text: str, n_channels: int) -> NDArray[np.float64]:
    points: list[list[float]] = []
    modes = [_EXPLICIT] * n_channels
    last = [np.nan] * n_channels
    step = [0.0] * n_channels
    row: list[float] = []
    pending_mode: str | None = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comma":
            points.append(_finish(row, n_channels))
            row, pending_mode = [], None
            continue
        if kind == "bad":
            raise TraceError(
                f"unexpected {match.group('bad')!r} in trace data at character {match.start('bad')}"
            )
        if kind == "mode":
            pending_mode = match.group("mode")
            continue
        i = len(row)
        if i >= n_channels:
            continue  # values for channels the format does not declare
        if pending_mode is not None:
            modes[i], pending_mode = pending_mode, None
        row.append(_value(match, i, modes, last, step))
    points.append(_finish(row, n_channels))
    return np.array(points, dtype=np.float64).reshape(-1, n_channels)


def _value(match: re.Match[str], i: int, modes: list[str], last: list[float], step: list[float]) -> float:
    token = match.group("num") or match.group("flag")
    if token == "?":
        return np.nan
    if token in ("T", "F"):
        value = 1.0 if token == "T" else 0.0
    elif token == "*":
        value = last[i] if modes[i] == _EXPLICIT else last[i] + step[i]
    elif modes[i] == _EXPLICIT:
        value = float(token)
    elif modes[i] == _FIRST:
        value = last[i] + float(token)
    else:
        value = last[i] + step[i] + float(token)
    step[i] = value - last[i] if np.isfinite(last[i]) else 0.0
    last[i] = value
    return value


def _finish(row: list[float], n_channels: int) -> list[float]:
    return row + [np.nan] * (n_channels - len(row))


def livescribe_deltas(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Livescribe writes the first point absolute and every later one as a delta from the
    previous point, without InkML's difference prefixes (not standard InkML)."""
    return np.cumsum(values, axis=0)


def positive(text: str | None) -> float | None:
    value = number(text)
    return value if value is not None and value > 0 else None


def number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def iso_ms(text: str) -> float | None:
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp() * 1000.0


def mm_per_unit(units: str | None, resolution: tuple[float | None, str] | None) -> float | None:
    """mm per value of a length channel, by the W3C InkML rules; None when unknown.

    A channel's `resolution` (channelProperty) says how many values make one unit of
    length: value="1000" units="1/cm" is 1000 values per cm (0.01 mm a value, what
    Windows Journal, Word and OneNote write beside units="cm"). Resolution units default
    to 1/(the channel's units). Without a resolution a value is one of the channel's
    `units` (`himetric`, Windows ink, is 0.01 mm); px and device units need one."""
    key = (units or "").strip().lower()
    if resolution and resolution[0]:
        per = (resolution[1] or "").strip().lower() or (f"1/{key}" if key else "")
        length = _length_mm(per.removeprefix("1/")) if per.startswith("1/") else None
        if length is not None:
            return length / resolution[0]
    if key == "himetric":
        return model_units.mm_per_unit("cm") / 1000.0
    return _length_mm(key) if key not in ("", "dev", "px") else None


def _length_mm(unit: str) -> float | None:
    if unit == "himetric":
        return model_units.mm_per_unit("cm") / 1000.0
    try:
        return model_units.mm_per_unit(unit) if unit and unit != "px" else None
    except ValueError:
        return None


TIME_UNIT_MS = {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "us": 0.001, "µs": 0.001, "min": 60000.0}


def ms_per_tick(units: str | None, resolution: tuple[float | None, str] | None) -> float:
    """ms per value of a time channel: its `resolution` (values per 1/s, 1/ms, …) when
    given, else its `units` (ms when absent, as InkML's default time unit)."""
    key = (units or "ms").strip().lower()
    if resolution and resolution[0]:
        per = (resolution[1] or "").strip().lower() or f"1/{key}"
        unit_ms = TIME_UNIT_MS.get(per.removeprefix("1/")) if per.startswith("1/") else None
        if unit_ms is not None:
            return unit_ms / resolution[0]
    return TIME_UNIT_MS.get(key, 1.0)
