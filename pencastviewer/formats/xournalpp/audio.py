"""Recordings linked from Xournal++ (and InkML) ink: find them safely, probe them, place
them on the notebook clock, and spread a stroke's points over its writing time."""

from __future__ import annotations

import bisect
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...model import AudioFile, AudioStore
from ..errors import FormatError
from ..xmlsafe import local_name, parse_xml

WRITING_SPEED_MM_PER_S = 40.0  # typical handwriting speed, for files with one time per stroke
MAX_SETTINGS_BYTES = 1024 * 1024
_NAME_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})")  # Xournal++ recording names
_WAV_CODECS = {
    "PCM_16": "pcm_s16le",
    "PCM_24": "pcm_s24le",
    "PCM_32": "pcm_s32le",
    "FLOAT": "pcm_f32le",
    "DOUBLE": "pcm_f64le",
    "PCM_U8": "pcm_u8",
}


@dataclass(frozen=True)
class AudioProbe:
    codec: str
    sample_rate: int
    channels: int
    n_frames: int
    created: dt.datetime | None = None  # from a date tag, when it gives a time of day

    @property
    def duration_ms(self) -> float:
        return self.n_frames / self.sample_rate * 1000.0 if self.sample_rate else 0.0


def probe_audio(source: Path | bytes) -> AudioProbe:
    """Format figures of an audio file (soundfile; PyAV for what libsndfile cannot read,
    such as M4A). Raises ValueError when neither can read it."""
    import soundfile as sf

    try:
        with sf.SoundFile(io.BytesIO(source) if isinstance(source, bytes) else source) as f:
            codec = _soundfile_codec(f.format, f.subtype)
            created = _tag_time(f.copy_metadata().get("date"))
            return AudioProbe(codec, int(f.samplerate), int(f.channels), int(f.frames), created)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        pass
    return _probe_with_av(source)


def _soundfile_codec(container: str, subtype: str) -> str:
    if container in ("OGG", "FLAC", "MP3"):
        return {"OGG": subtype.lower(), "FLAC": "flac", "MP3": "mp3"}[container]
    return _WAV_CODECS.get(subtype, subtype.lower())


def _probe_with_av(source: Path | bytes) -> AudioProbe:
    import av

    try:
        with av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source)) as container:
            stream = container.streams.audio[0]
            if stream.codec_context is None:  # FFmpeg knows the container, not the codec
                raise ValueError("no decoder for the codec of its audio track")
            rate = int(stream.codec_context.sample_rate or 0)
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = (container.duration or 0) / 1_000_000
            meta = container.metadata
            created = _tag_time(meta.get("creation_time") or meta.get("date"))
            channels = int(stream.codec_context.layout.nb_channels)
            return AudioProbe(stream.codec_context.name, rate, channels, round(seconds * rate), created)
    except (av.error.FFmpegError, IndexError, OSError, ValueError) as e:
        raise ValueError(f"not a readable audio file ({e})") from None


def _tag_time(text: str | None) -> dt.datetime | None:
    """A date tag that names a time of day ('2024-05-01T10:20:30Z'); naive times are UTC.
    Encoders write 1904 or 1970 when they know no date: anything before 1990 is none."""
    if not text or len(text) < 16:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when if when.year >= 1990 else None


def time_from_name(name: str) -> dt.datetime | None:
    """Xournal++ names a recording YYYY-MM-DD_HH-MM-SS.ogg after its start, in local time.
    Which zone that was is not recorded, so it is taken as UTC (the per-recording offset
    control corrects it if ever needed; within one notebook all recordings agree)."""
    match = _NAME_TIME.search(name.replace("\\", "/").rsplit("/", 1)[-1])
    if not match:
        return None
    try:
        return dt.datetime(*(int(g) for g in match.groups()), tzinfo=dt.UTC)  # type: ignore[misc]
    except ValueError:
        return None


def unix_ms(when: dt.datetime) -> float:
    return when.timestamp() * 1000.0


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

    def audio_file(self, name: str, warn: Callable[[str], None]) -> tuple[AudioFile, AudioProbe | None]:
        """An AudioFile placed at clock 0 (the caller places it), MISSING when not found."""
        found = self.find(name)
        if found is None:
            warn(
                f"recording {name!r} not found (looked in {', '.join(str(f) for f in self.folders)}); "
                "the ink opens without it — use “Locate recording…”"
            )
            return AudioFile(AudioStore.MISSING, name, "", 0, 0, 0, 0.0, 0.0), None
        store, member, source = found
        try:
            probe: AudioProbe | None = probe_audio(source)
        except ValueError as e:
            warn(f"recording {name!r} cannot be read: {e}")
            probe = None
        container = self._container if store == AudioStore.ZIP else None
        if probe is None:
            return AudioFile(store, member, "", 0, 0, 0, 0.0, 0.0, container), None
        audio = AudioFile(
            store,
            member,
            probe.codec,
            probe.sample_rate,
            probe.channels,
            probe.n_frames,
            0.0,
            probe.duration_ms,
            container,
        )
        return audio, probe


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


def writing_times(xy_mm: NDArray[np.float64], start_ms: float, limit_ms: float | None) -> NDArray[np.float64]:
    """Point times for a stroke known only by its start. Xournal++ stores no per-point
    times, so the points are spread along the path at a typical writing speed
    (WRITING_SPEED_MM_PER_S), never past `limit_ms` (the next stroke's start in the same
    recording): the pen cannot still be writing this stroke once the next one began."""
    steps = np.hypot(*np.diff(xy_mm, axis=0).T) if len(xy_mm) > 1 else np.zeros(0)
    along = np.concatenate(([0.0], np.cumsum(steps)))
    total = along[-1]
    if total <= 0:
        return np.full(len(xy_mm), start_ms)
    duration = total / WRITING_SPEED_MM_PER_S * 1000.0
    if limit_ms is not None:
        duration = min(duration, max(limit_ms - start_ms, 0.0))
    return start_ms + along / total * duration


def next_start(sorted_starts: list[float], start_ms: float) -> float | None:
    """The first start strictly after `start_ms` (strokes sharing a time do not limit each
    other: old files store whole seconds)."""
    i = bisect.bisect_right(sorted_starts, start_ms)
    return sorted_starts[i] if i < len(sorted_starts) else None
