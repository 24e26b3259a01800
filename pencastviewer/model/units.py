"""Length and time units: the one place where units are converted.

Every length in the model is in millimetres, every ink time in milliseconds on the
notebook's clock, every position inside a recording in seconds.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

MS_PER_S = 1000.0
MM_PER_INCH = 25.4
MM_PER_POINT = 25.4 / 72.0  # PostScript / Xournal++ point
MM_PER_ANOTO = 0.3 / 8.0  # Livescribe / Anoto dot-pattern unit: 0.0375 mm
MM_PER_CM = 10.0

_MM_PER_UNIT = {
    "mm": 1.0,
    "cm": MM_PER_CM,
    "m": 1000.0,
    "in": MM_PER_INCH,
    "pt": MM_PER_POINT,
    "anoto": MM_PER_ANOTO,
    "au": MM_PER_ANOTO,
}


def mm_per_unit(unit: str, *, px_per_inch: float | None = None) -> float:
    """How many millimetres one `unit` is; `px` needs the resolution in px per inch."""
    key = unit.strip().lower()
    if key == "px":
        if not px_per_inch or px_per_inch <= 0:
            raise ValueError("a length in px needs a resolution in px per inch")
        return MM_PER_INCH / px_per_inch
    try:
        return _MM_PER_UNIT[key]
    except KeyError:
        raise ValueError(f"unknown length unit {unit!r}") from None


def to_mm(value: float, unit: str, *, px_per_inch: float | None = None) -> float:
    return value * mm_per_unit(unit, px_per_inch=px_per_inch)


@overload
def ms_to_s(ms: float) -> float: ...
@overload
def ms_to_s(ms: NDArray[np.float64]) -> NDArray[np.float64]: ...
def ms_to_s(ms: Any) -> Any:
    """Milliseconds (ink times, Qt positions) to seconds (positions in a recording)."""
    return ms / MS_PER_S


@overload
def s_to_ms(seconds: float) -> float: ...
@overload
def s_to_ms(seconds: NDArray[np.float64]) -> NDArray[np.float64]: ...
def s_to_ms(seconds: Any) -> Any:
    """Seconds to milliseconds."""
    return seconds * MS_PER_S


def frames_at(position_s: float, sample_rate: int) -> int:
    """The frame index at a position, rounded to nearest (never truncated: Xournal++'s
    integer `rate / 1000 * ms` loses 8 s per hour at 44.1 kHz)."""
    return int(round(position_s * sample_rate))


def format_hms(seconds: float, *, millis: bool = False) -> str:
    """h:mm:ss (or m:ss below an hour), optionally with .mmm."""
    sign = "-" if seconds < 0 else ""
    total_ms = int(round(abs(seconds) * 1000))
    s, ms = divmod(total_ms, 1000)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    return f"{sign}{text}.{ms:03d}" if millis else sign + text


def parse_time(text: str) -> float:
    """Seconds from '12.5', '1:02.25' or '1:02:03.5'; ValueError otherwise."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(p.strip() == "" for p in parts):
        raise ValueError(f"not a time: {text!r} (use seconds or h:mm:ss.mmm)")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total
