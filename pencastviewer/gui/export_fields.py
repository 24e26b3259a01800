"""The Export dialog's fields: the formats offered, time editors in h:mm:ss.mmm, the
sound choices (as played or as recorded), and the small boxes the form is built from."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QSpinBox, QWidget

from ..app.export.core import ExportError
from ..app.listening import Listening
from ..model.units import parse_time

FORMATS = (  # (label, extension), in the order offered
    ("Audio — WAV", ".wav"),
    ("Audio — FLAC", ".flac"),
    ("Audio — Ogg Vorbis", ".ogg"),
    ("Audio — Opus", ".opus"),
    ("Audio — MP3", ".mp3"),
    ("Audio — M4A (AAC)", ".m4a"),
    ("Image — PNG", ".png"),
    ("Image — SVG (vector)", ".svg"),
    ("Image — PDF (vector)", ".pdf"),
    ("Video — MP4", ".mp4"),
    ("Web page — HTML", ".html"),
    ("Notebook — .pencast", ".pencast"),
)
SIZED = frozenset({".mp4", ".png"})  # formats that use the output size
# formats with sound: processed as played (a .pencast stores the gain with the samples as they are)
PROCESSED_SOUND = frozenset({".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".mp4", ".html", ".pencast"})
SOUND_AS_PLAYED, SOUND_ORIGINAL = "as-played", "original"


def sound_choices(listening: Listening) -> list[tuple[str, str]]:
    """(label, key) of the Sound choices, "as played" first: what the player does with
    `listening` (without the listener's volume boost), or the recording sample for sample."""
    heard = listening.for_export()
    parts = [f"normalised to {heard.target_lufs:g} LUFS"] if heard.normalize else []
    parts += ["voice clarity"] if heard.voice_clarity else []
    played = f"As played ({', '.join(parts)})" if parts else "As played (as recorded)"
    return [(played.replace("-", "−"), SOUND_AS_PLAYED), ("Original (as recorded)", SOUND_ORIGINAL)]


def format_hmsm(seconds: float) -> str:
    """h:mm:ss.mmm, always with hours, as the range editors show times."""
    total_ms = round(max(seconds, 0.0) * 1000)
    s, ms = divmod(total_ms, 1000)
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}.{ms:03d}"


def edited_time(text: str, shown_s: float) -> float:
    """The time in an editor: the exact value shown when the text was left alone (the
    editors show whole milliseconds)."""
    if text.strip() == format_hmsm(shown_s):
        return shown_s
    try:
        seconds = parse_time(text)
    except ValueError:
        raise ExportError(f"not a time: {text!r} (use h:mm:ss.mmm or seconds)") from None
    return seconds


def row(*widgets: QWidget) -> QWidget:
    line = QWidget()
    layout = QHBoxLayout(line)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return line


def seconds_box(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 60.0)
    box.setDecimals(2)
    box.setSingleStep(0.25)
    box.setSuffix(" s")
    box.setValue(value)
    return box


def pixels_box(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(16, 7680)
    box.setSuffix(" px")
    box.setValue(value)
    return box
