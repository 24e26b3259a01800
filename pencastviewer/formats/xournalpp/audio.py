"""Recordings linked from Xournal++ (and InkML) ink: find them safely, probe them (media.probe), place
them on the notebook clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ...media.probe import probe
from ...media.source import AudioError, AudioInfo
from ...model import AudioFile, AudioStore
from ..errors import FormatError
from ..xmlsafe import local_name, parse_xml

MAX_SETTINGS_BYTES = 1024 * 1024


def xournalpp_audio_folder() -> Path | None:
    """The audio folder configured in Xournal++ (`audioFolder` in its settings.xml), if any."""
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    settings = Path(config_home) / "xournalpp" / "settings.xml"
    try:
        if not settings.is_file() or settings.stat().st_size > MAX_SETTINGS_BYTES:
            return None
        root = parse_xml(settings.read_bytes(), settings, what="Xournal++ settings")
    except (OSError, FormatError):
        return None  # the settings are the user's, not the notebook's: no warning
    for prop in root.iter():
        if local_name(prop.tag) == "property" and prop.get("name") == "audioFolder":
            value = (prop.get("value") or "").removeprefix("file://")
            return Path(value) if value and Path(value).is_absolute() else None
    return None


class AudioLocator:
    """Finds a recording named by a notebook, reading only from allowed places: inside
    the notebook's own ZIP, `located` (picked by the user), or these folders: beside the
    notebook, its audio/ subfolder, Xournal++'s audio folder, `search_dirs`. A name that
    points elsewhere ('../../etc/passwd', an absolute path to another folder) is looked up
    by its base name inside those folders only, and any path whose real location (after
    symlinks) is outside the folder is refused."""

    def __init__(
        self,
        notebook: Path,
        search_dirs: Iterable[Path],
        located: dict[str, Path],
        members: Iterable[str] = (),
        read_member: Callable[[str], bytes] | None = None,
    ):
        here = notebook.parent
        folders = [here, here / "audio", xournalpp_audio_folder(), *search_dirs]
        self.folders = list(dict.fromkeys(f.resolve() for f in folders if f is not None and f.is_dir()))
        self._located = located
        self._members = list(members)
        self._read_member = read_member
        self._container = str(notebook)

    def find(self, name: str) -> tuple[AudioStore, str, Path | bytes] | None:
        """(store, member, what to probe) or None when not found."""
        member = self._member(name)
        if member is not None and self._read_member is not None:
            try:
                return AudioStore.ZIP, member, self._read_member(member)
            except FormatError:
                return None
        picked = self._located.get(name)
        if picked is not None and Path(picked).is_file():
            return AudioStore.FILE, str(Path(picked).resolve()), Path(picked).resolve()
        for folder in self.folders:
            found = _inside(folder, name)
            if found is not None:
                return AudioStore.FILE, str(found), found
        return None

    def _member(self, name: str) -> str | None:
        if name in self._members:
            return name
        base = _base_name(name)
        return next(
            (m for m in self._members if m.startswith("attachments/") and _base_name(m) == base), None
        )

    def audio_file(self, name: str, warn: Callable[[str], None]) -> tuple[AudioFile, AudioInfo | None]:
        """An AudioFile placed at clock 0 (the caller places it), MISSING when not found."""
        found = self.find(name)
        if found is None:
            warn(
                f"recording {name!r} not found (looked in {', '.join(str(f) for f in self.folders)}); "
                "the ink opens without it"
            )
            return AudioFile(AudioStore.MISSING, name, "", 0, 0, 0, 0.0, 0.0), None
        store, member, source = found
        try:
            info: AudioInfo | None = probe(source, name_hint=member)
        except AudioError as e:
            warn(f"recording {name!r} cannot be read: {e}")
            info = None
        container = self._container if store == AudioStore.ZIP else None
        if info is None:
            return AudioFile(store, member, "", 0, 0, 0, 0.0, 0.0, container), None
        audio = AudioFile(
            store,
            member,
            info.codec,
            info.sample_rate,
            info.channels,
            info.n_frames,
            0.0,
            info.duration_ms,
            container,
        )
        return audio, info


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _inside(folder: Path, name: str) -> Path | None:
    relative = Path(name.replace("\\", "/").removeprefix("file://"))
    candidates = []
    if relative.is_absolute() or ".." not in relative.parts:
        candidates.append(relative if relative.is_absolute() else folder / relative)
    candidates.append(folder / _base_name(name))
    for candidate in candidates:
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):
            continue
        if real.is_relative_to(folder) and real.is_file():
            return real
    return None


def place_back_to_back(durations_ms: list[float], dated_ms: list[float | None]) -> list[float]:
    """Clock start of each recording: its wall-clock time when its name gives one, else
    right after the previous undated one (in order of first use), from 0."""
    starts, cursor = [], 0.0
    for duration, dated in zip(durations_ms, dated_ms, strict=True):
        if dated is None:
            starts.append(cursor)
            cursor += duration
        else:
            starts.append(dated)
    return starts
