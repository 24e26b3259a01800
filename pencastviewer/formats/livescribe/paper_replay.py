"""Livescribe Paper Replay sessions in pen archives: session.info, session.pages, ADTS AAC audio.

The layout is *unverified* (docs/formats.md §2, no public sample): everything is checked,
and what does not fit is reported in a warning instead of being placed by guesswork.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ...media.adts import AAC_FRAME_SAMPLES, AdtsProbe, probe_adts
from ...model import AudioFile, AudioStore, Recording
from ..anoto import page_address_text
from ..errors import FormatError
from ..safezip import SafeZip

SESSION_INFO_MAGIC = b"\xfa\xce\x03\x00\x00\x00\x00\x00"
SESSION_PAGES_MAGIC = b"\xca\xbe\x01\x00"  # then 2 bytes of unknown meaning (00 01 seen)
SESSION_PAGES_HEADER = 6
SESSION_PAGES_ENTRY = 16  # u64 page address + 8 unknown bytes
MAX_SESSION_META_BYTES = 1 << 20
MAX_AUDIO_BYTES = 1 << 30
SESSION_INFO = re.compile(r"(?:^|/)sessions/(PRS-[^/]+)/session\.info$")
_AUDIO = re.compile(r"audio-(\d+)\.aac$")


@dataclass(frozen=True)
class Session:
    """One Paper Replay session: its span on the pen clock, the pages written on during
    it (64-bit addresses), and its audio as a Recording."""

    name: str
    start_ms: int
    end_ms: int
    pages: tuple[int, ...]
    recording: Recording


def parse_session_info(data: bytes) -> tuple[int, int]:
    """(start_ms, end_ms) on the pen clock; ValueError when the layout is not the known one."""
    if len(data) < 24 or not data.startswith(SESSION_INFO_MAGIC):
        raise ValueError(f"session.info has an unknown header ({data[:8].hex(' ') or 'empty'})")
    start_ms, end_ms = int.from_bytes(data[8:16], "big"), int.from_bytes(data[16:24], "big")
    if end_ms < start_ms or end_ms >= 1 << 53:
        raise ValueError(f"session.info times make no sense (start {start_ms} ms, end {end_ms} ms)")
    return start_ms, end_ms


def parse_session_pages(data: bytes) -> tuple[tuple[int, ...], str | None]:
    """(page addresses, note on trailing bytes or None); ValueError for an unknown header."""
    if len(data) < SESSION_PAGES_HEADER or not data.startswith(SESSION_PAGES_MAGIC):
        raise ValueError(f"session.pages has an unknown header ({data[:6].hex(' ') or 'empty'})")
    body = data[SESSION_PAGES_HEADER:]
    whole = len(body) - len(body) % SESSION_PAGES_ENTRY
    pages = tuple(int.from_bytes(body[i : i + 8], "big") for i in range(0, whole, SESSION_PAGES_ENTRY))
    extra = len(body) - whole
    return pages, (f"session.pages ends with {extra} bytes that are no whole entry" if extra else None)


def find_sessions(archive: SafeZip, container: Path, warnings: list[str]) -> list[Session]:
    """Every readable Paper Replay session in `archive`, sorted by start time; each one that
    cannot be read becomes a warning saying its audio was not placed."""
    sessions = []
    for info_name in sorted(n for n in archive.names() if SESSION_INFO.search(n)):
        folder = posixpath.dirname(info_name)
        label = f"Paper Replay session {posixpath.basename(folder)}"
        try:
            sessions.append(_read_session(archive, container, folder, label, warnings))
        except (ValueError, FormatError) as e:
            problem = e.problem if isinstance(e, FormatError) else str(e)
            warnings.append(f"{label} ({container.name}): {problem}; its audio was not placed")
    return sorted(sessions, key=lambda s: s.start_ms)


def _read_session(archive: SafeZip, container: Path, folder: str, label: str, warnings: list[str]) -> Session:
    start_ms, end_ms = parse_session_info(archive.read(f"{folder}/session.info", MAX_SESSION_META_BYTES))
    pages_name = f"{folder}/session.pages"
    if not archive.has(pages_name):
        raise ValueError("it has no session.pages, so its pages are unknown")
    pages, note = parse_session_pages(archive.read(pages_name, MAX_SESSION_META_BYTES))
    if note:
        warnings.append(f"{label}: {note} (ignored)")
    if not pages:
        raise ValueError("session.pages lists no page")
    audio = sorted(
        (int(m.group(1)), n)
        for n in archive.names()
        if posixpath.dirname(n) == folder and (m := _AUDIO.match(posixpath.basename(n)))
    )
    if not audio:
        raise ValueError("it has no audio-N.aac file")
    files = _audio_files([name for _, name in audio], archive, container, start_ms, end_ms, label, warnings)
    name = posixpath.basename(folder)
    return Session(name, start_ms, end_ms, pages, Recording(f"Paper Replay {name}", files))


def _audio_files(
    names: list[str],
    archive: SafeZip,
    container: Path,
    start_ms: int,
    end_ms: int,
    label: str,
    warnings: list[str],
) -> tuple[AudioFile, ...]:
    """One session.info span for the whole session: a single file covers [start, end]; with
    several, only the first start is known, so they are laid back-to-back and that is said."""
    if len(names) > 1:
        warnings.append(
            f"{label}: {len(names)} audio files but one start time; they are assumed to "
            "follow each other without pauses, so ink after the first may drift from the sound"
        )
    files, clock_ms = [], float(start_ms)
    for name in names:
        probe = _probe(archive, name, label, warnings)
        played_ms = probe.n_frames / probe.sample_rate * 1000.0
        span_ms = float(end_ms - start_ms) if len(names) == 1 else played_ms
        tolerance_ms = 2 * AAC_FRAME_SAMPLES / probe.sample_rate * 1000.0  # priming + last partial frame
        if len(names) == 1 and probe.n_frames and abs(played_ms - span_ms) > tolerance_ms:
            warnings.append(
                f"{label}: the audio lasts {played_ms / 1000:.3f} s but the session spans "
                f"{span_ms / 1000:.3f} s on the pen clock; ink may drift from the sound"
            )
        files.append(
            AudioFile(
                store=AudioStore.ZIP,
                member=name,
                codec="aac",
                sample_rate=probe.sample_rate,
                channels=probe.channels,
                n_frames=probe.n_frames,
                clock_start_ms=clock_ms,
                clock_duration_ms=span_ms,
                container=str(container),
            )
        )
        clock_ms += span_ms
    return tuple(files)


def _probe(archive: SafeZip, name: str, label: str, warnings: list[str]) -> AdtsProbe:
    try:
        probe = probe_adts(archive.read(name, MAX_AUDIO_BYTES))
    except ValueError as e:
        warnings.append(f"{label}: {posixpath.basename(name)} is {e}; assumed 16 kHz mono, length unknown")
        return AdtsProbe(16000, 1, 0)
    if probe.problem:
        warnings.append(
            f"{label}: {posixpath.basename(name)} is damaged ({probe.problem}); "
            f"only the first {probe.n_frames / probe.sample_rate:.1f} s are counted"
        )
    if probe.channels == 0:
        warnings.append(f"{label}: {posixpath.basename(name)} declares its channels in-stream; assumed mono")
        probe = AdtsProbe(probe.sample_rate, 1, probe.n_frames, probe.problem)
    return probe


def describe_pages(pages: tuple[int, ...]) -> str:
    return ", ".join(page_address_text(p) for p in pages)
