"""Recordings: where their audio is and where they sit on the notebook clock."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from .units import ms_to_s


class AudioStore(enum.IntEnum):
    """How an audio file is reached; the values are stored in the .pencast format."""

    FILE = 0  # `member` is a path on disk
    ZIP = 1  # `member` is an entry of the ZIP archive at `container`
    PDF_EMBEDDED = 2  # `member` is the name of an embedded file of the PDF at `container`
    MISSING = 3  # the notebook names it but it was not found; `member` is the name


@dataclass(frozen=True)
class AudioFile:
    """One audio file and its placement on the notebook clock.

    clock_start_ms: notebook-clock time at which the file's first sample was recorded.
    clock_duration_ms: how much notebook time the file spans (Livescribe: end − start;
        elsewhere the decoded duration). The timeline uses it to play files back-to-back.
    n_frames: decoded length in sample frames (0 when unknown or missing).
    """

    store: AudioStore
    member: str
    codec: str
    sample_rate: int
    channels: int
    n_frames: int
    clock_start_ms: float
    clock_duration_ms: float
    container: str | None = None

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.sample_rate if self.sample_rate else 0.0

    @property
    def lost(self) -> bool:
        """Missing from inside its `container` (the notebook file itself, e.g. a truncated
        Pencast PDF): the file is damaged, and no other file can stand in for it."""
        return self.store == AudioStore.MISSING and self.container is not None


@dataclass(frozen=True)
class StoredLevel:
    """How a recording was exported to be heard (a .pencast clip keeps the original samples
    and stores this instead of processing them): `gain_db` is the loudness normalisation
    gain solved for `target_lufs` from the loudness of the recording the clip was cut from,
    so the clip plays as loud as it did there; `voice_clarity` asks for that stage too."""

    gain_db: float
    target_lufs: float
    voice_clarity: bool = False


@dataclass(frozen=True)
class Recording:
    """One recording: one or several files played back-to-back (Livescribe splits a
    session into files when recording was paused; the pauses are not played)."""

    name: str
    files: tuple[AudioFile, ...]
    created: dt.datetime | None = None
    level: StoredLevel | None = None  # from a .pencast clip exported normalised; None: measure

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError(f"recording {self.name!r} has no audio file")
        ordered = tuple(sorted(self.files, key=lambda f: f.clock_start_ms))
        object.__setattr__(self, "files", ordered)

    @property
    def duration_s(self) -> float:
        """Length as played, in seconds (sum of the files' clock spans)."""
        return ms_to_s(sum(f.clock_duration_ms for f in self.files))

    @property
    def sample_rate(self) -> int:
        return self.files[0].sample_rate

    @property
    def channels(self) -> int:
        return self.files[0].channels

    @property
    def codec(self) -> str:
        return self.files[0].codec

    @property
    def n_frames(self) -> int:
        return sum(f.n_frames for f in self.files)

    @property
    def clock_start_ms(self) -> float:
        return self.files[0].clock_start_ms

    @property
    def clock_end_ms(self) -> float:
        last = self.files[-1]
        return last.clock_start_ms + last.clock_duration_ms

    @property
    def is_missing(self) -> bool:
        return any(f.store == AudioStore.MISSING for f in self.files)

    @property
    def is_lost(self) -> bool:
        """Its audio should be inside the notebook file, which has lost it (see AudioFile.lost)."""
        return any(f.lost for f in self.files)

    def missing_text(self) -> str:
        """Why the recording has no sound, for every surface (window, exports, command line)."""
        lost = [f for f in self.files if f.lost]
        if lost:
            container = lost[0].container.replace("\\", "/").rsplit("/", 1)[-1]  # type: ignore[union-attr]
            return f"the file {container} is damaged: the audio of “{self.name}” is missing from it"
        return f"the audio of “{self.name}” was not found"
