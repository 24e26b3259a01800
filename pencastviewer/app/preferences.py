"""Preferences and what the program remembers per file, kept in QSettings (QtCore only).

Global settings: pre-roll, ghost ink, auto page turn, theme, speed, volume, recent files,
window geometry, folders searched for recordings, how quiet recordings are heard (Listening)
and how the waveform shows them. Per file (keyed by its resolved path):
playhead position, recording, page, sync offsets, zoom and recordings the user located,
so reopening a file puts the user back where they were, with its audio.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from .listening import Listening

MAX_RECENT = 10
MAX_REMEMBERED_FILES = 200  # the oldest file's memory is dropped beyond this
MAX_LOCATED = 1000  # recordings located by hand, per file (a damaged entry cannot grow without bound)
MAX_AUDIO_FOLDERS = 50
THEMES = ("system", "light", "dark")
DEFAULTS = {
    "preroll_s": 1.5,
    "show_ghosts": True,
    "auto_page_turn": True,
    "theme": "system",
    "rate": 1.0,
    "volume": 1.0,
    "muted": False,
    "speech_model": "",  # a Whisper model name or a CTranslate2 model folder; "" = none chosen
    "speech_model_download": False,  # the user allowed faster-whisper to download a named model
    "speech_language": "",  # "" = detected
    "zoom_mode": "fit-width",  # how a file opens that has no place remembered: the last fit chosen
    # how quiet recordings are heard (app/listening.py)
    "normalize": Listening.normalize,
    "target_lufs": Listening.target_lufs,
    "voice_clarity": Listening.voice_clarity,
    "skip_silence": Listening.skip_silence,
    "boost_db": Listening.boost_db,
    "waveform_db": False,  # the waveform's amplitude in dB (log) rather than linear
    "waveform_heard": True,  # the waveform shows the signal as heard (normalised, limited)
}
LISTENING_KEYS = ("normalize", "target_lufs", "voice_clarity", "skip_silence", "boost_db")


@dataclass
class FileMemory:
    """Where the user was in one file. zoom: "fit-page", "fit-width" or a percentage.
    located: recordings the user pointed to, name in the notebook -> path on disk."""

    position_s: float = 0.0
    recording: int = 0
    page: int = 0
    sync_offsets_ms: dict[int, float] = field(default_factory=dict)
    zoom: str | float = "fit-width"
    located: dict[str, str] = field(default_factory=dict)
    view_mm: tuple[float, float] | None = None  # the page point at the centre of the view

    @classmethod
    def from_json(cls, text: str) -> FileMemory:
        """Tolerant: a damaged or foreign entry gives the defaults for what is wrong."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        memory = cls()
        memory.position_s = _number(data.get("position_s"), 0.0)
        memory.recording = int(_number(data.get("recording"), 0))
        memory.page = int(_number(data.get("page"), 0))
        offsets = data.get("sync_offsets_ms")
        if isinstance(offsets, dict):
            memory.sync_offsets_ms = {
                int(k): _number(v, 0.0) for k, v in offsets.items() if str(k).lstrip("-").isdigit()
            }
        zoom = data.get("zoom")
        memory.zoom = zoom if zoom in ("fit-page", "fit-width") else _number(zoom, 0.0) or "fit-width"
        view = data.get("view_mm")
        if isinstance(view, list) and len(view) == 2:
            x, y = (_number(v, float("nan")) for v in view)
            memory.view_mm = (x, y) if x == x and y == y else None
        located = data.get("located")
        if isinstance(located, dict):
            pairs = [(k, v) for k, v in located.items() if isinstance(k, str) and isinstance(v, str)]
            memory.located = dict([(k, v) for k, v in pairs if k and v][:MAX_LOCATED])
        return memory

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def _number(value: object, default: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return number if number == number and abs(number) < 1e12 else default  # no NaN / inf


def file_key(path: str | Path) -> str:
    resolved = str(Path(path).expanduser().resolve())
    return hashlib.sha1(resolved.encode()).hexdigest()[:20]


def default_settings() -> QSettings:
    """The user's settings file (an INI file, the same on every platform)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "pencastviewer", "pencastviewer")


class Preferences:
    """Typed access to the settings. Not a QObject: whoever changes a preference applies it
    (the window applies it to the session) and the settings only keep it."""

    def __init__(self, settings: QSettings | None = None):
        self.settings = settings or default_settings()

    # --- plain preferences ---------------------------------------------------------------
    def get(self, name: str) -> Any:
        """The preference `name`, of its default's type (float, bool or str)."""
        default = DEFAULTS[name]
        value = self.settings.value(f"prefs/{name}", default, type=type(default))
        if name == "theme" and value not in THEMES:
            return default
        return value

    def set(self, name: str, value: object) -> None:
        if name not in DEFAULTS:
            raise KeyError(name)
        kind: Callable[[Any], object] = type(DEFAULTS[name])
        self.settings.setValue(f"prefs/{name}", kind(value))

    def _list(self, key: str) -> list[object]:
        value = self.settings.value(key, [], type=list)
        return list(value) if isinstance(value, list) else []

    # --- listening ----------------------------------------------------------------------------
    def listening(self) -> Listening:
        """The listening options (out-of-range values clamped by Listening itself)."""
        return Listening(**{name: self.get(name) for name in LISTENING_KEYS})

    def set_listening(self, listening: Listening) -> None:
        for name in LISTENING_KEYS:
            self.set(name, getattr(listening, name))

    # --- recent files ---------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        return [str(v) for v in self._list("recent/files") if v][:MAX_RECENT]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).expanduser().resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent/files", files[:MAX_RECENT])

    def clear_recent(self) -> None:
        self.settings.setValue("recent/files", [])

    # --- folders searched for recordings a notebook links to ---------------------------------
    def audio_folders(self) -> list[str]:
        return list(dict.fromkeys(str(v) for v in self._list("audio/folders") if v))[:MAX_AUDIO_FOLDERS]

    def set_audio_folders(self, folders: list[str]) -> None:
        unique = list(dict.fromkeys(str(f) for f in folders if f))
        self.settings.setValue("audio/folders", unique[:MAX_AUDIO_FOLDERS])

    # --- window ---------------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.settings.value("window/geometry", None)
        state = self.settings.value("window/state", None)
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.settings.setValue("window/geometry", geometry)
        self.settings.setValue("window/state", state)

    # --- per file ---------------------------------------------------------------------------
    def file_memory(self, path: str | Path) -> FileMemory | None:
        """What was remembered about `path`, or None for a file never opened."""
        text = self.settings.value(f"files/{file_key(path)}", None)
        return FileMemory.from_json(text) if isinstance(text, str) else None

    def remember_file(self, path: str | Path, memory: FileMemory) -> None:
        key = file_key(path)
        self.settings.setValue(f"files/{key}", memory.to_json())
        order = [k for k in self._list("files_order/keys") if k != key] + [key]
        for old in order[:-MAX_REMEMBERED_FILES]:
            self.settings.remove(f"files/{old}")
        self.settings.setValue("files_order/keys", order[-MAX_REMEMBERED_FILES:])

    def sync(self) -> None:
        self.settings.sync()
