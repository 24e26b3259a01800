"""Exported audio as the listener hears it in the player: the recording's loudness,
measured once and kept in the cache folder, and the loudness processing (normalisation, voice clarity,
true-peak limiter) that a clip asks for. Qt-free, for the CLI as for the window."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...media.cache import cache_dir
from ...media.dynamics import IDENTITY, Processing
from ...media.loudness import METER_VERSION, Loudness, LoudnessMeter
from ...media.normalize import normalization_gain_db
from ...model import Recording
from ..listening import DEFAULT_TARGET_LUFS, TARGET_RANGE_LUFS, Listening
from ..stored_level import level_processing, needs_loudness
from .core import ClipSpec, ExportError

__all__ = [
    "DEFAULT_TARGET_LUFS",
    "TARGET_RANGE_LUFS",
    "check_target",
    "clip_processing",
    "recording_loudness",
]

LOSSY_CEILING_DBTP = -2.0  # for lossy encodings (EBU R128 s1: headroom for the codec)
LOSSY_SUFFIXES = frozenset({".m4a", ".mp3", ".ogg", ".opus", ".mp4", ".html"})
_measured: dict[tuple[object, ...], Loudness] = {}
_measured_lock = threading.Lock()


def _key(recording: Recording) -> tuple[object, ...]:
    """The recording's files and their on-disk versions (a changed file is measured anew),
    and the meter's version (a changed meter measures anew)."""
    parts: list[object] = [("meter", METER_VERSION)]
    for audio in recording.files:
        path = audio.container or audio.member
        with contextlib.suppress(OSError):
            stat = os.stat(path)
            parts.append((stat.st_size, stat.st_mtime_ns))
        parts.append((int(audio.store), audio.member, audio.container, audio.n_frames))
    return tuple(parts)


def recording_loudness(recording: Recording, progress: Callable[[float], None] | None = None) -> Loudness:
    """The loudness of the whole recording as played (its files back to back), measured in
    one decoding pass and remembered for this process and in the cache folder (keyed by
    the files' sizes and times). ExportError if it cannot be read."""
    key = _key(recording)
    with _measured_lock:
        if key in _measured:
            return _measured[key]
    stored = _stored(key)
    if stored is None:
        stored = _measure(recording, progress)
        _store(key, stored)
    with _measured_lock:
        _measured[key] = stored
    return stored


def _measure(recording: Recording, progress: Callable[[float], None] | None) -> Loudness:
    from .recording_reader import RecordingReader  # (the decoders: only when measuring)

    with RecordingReader(recording) as reader:
        meter = LoudnessMeter(reader.sample_rate, reader.channels)
        done = 0
        for block in reader.blocks(0, reader.n_frames):
            meter.feed(block)
            done += len(block)
            if progress is not None:
                progress(done / max(reader.n_frames, 1))
        return meter.result()


def _cache_file(key: tuple[object, ...]) -> Path:
    """Where the figures of a recording are kept between runs (`info` on a notebook with
    an hour of audio would decode all of it each time otherwise)."""
    name = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return cache_dir("loudness") / f"{name}.loudness"


def _stored(key: tuple[object, ...]) -> Loudness | None:
    """The figures measured by an earlier run, or None (absent, damaged: measured again)."""
    try:
        with _cache_file(key).open("rb") as f:
            header = json.loads(f.readline())
            if header.get("key") != repr(key):
                return None
            profiles = np.frombuffer(f.read(), "<f4").astype(np.float32)
        return Loudness.from_header(header, profiles)
    except (OSError, ValueError, AttributeError):
        return None


def _store(key: tuple[object, ...], loudness: Loudness) -> None:
    """Kept for the next run; a cache that cannot be written only costs a measurement."""
    path = _cache_file(key)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {**loudness.header(), "key": repr(key)}
        part.write_bytes(json.dumps(header).encode() + b"\n" + loudness.profiles().astype("<f4").tobytes())
        part.replace(path)
    with contextlib.suppress(OSError):
        part.unlink(missing_ok=True)


def check_target(target_lufs: float) -> float:
    low, high = TARGET_RANGE_LUFS
    if not low <= target_lufs <= high:
        raise ExportError(f"a loudness target of {target_lufs:g} LUFS is outside {low:g}…{high:g} LUFS")
    return target_lufs


def clip_listening(spec: ClipSpec) -> Listening:
    """The listening options a clip asks for (ExportError for a target out of range)."""
    target = DEFAULT_TARGET_LUFS if spec.normalize_lufs is None else check_target(spec.normalize_lufs)
    return Listening(
        normalize=spec.normalize_lufs is not None, target_lufs=target, voice_clarity=spec.voice_clarity
    )


def clip_processing(
    recording: Recording,
    spec: ClipSpec,
    progress: Callable[[float], None] | None = None,
    *,
    lossy: bool = False,
) -> Processing:
    """What the clip's audio goes through: nothing unless it asks for normalisation or
    voice clarity; then what the player does with the same options (Listening.processing),
    the recording's loudness measured only when normalising. `lossy` (AAC, MP3, Vorbis,
    Opus): the limiter's ceiling is LOSSY_CEILING_DBTP, since the codec's rounding of the
    spectrum overshoots (measured: AAC −1 dBTP in, −0.09 dBTP decoded), and the gain is
    solved for that ceiling (the limiter takes more off: the target is still reached)."""
    listening = clip_listening(spec)
    if not listening.changes_sound:
        return IDENTITY
    loudness = recording_loudness(recording, progress) if needs_loudness(listening, recording) else None
    processing = level_processing(listening, recording, loudness)  # a clip's stored gain, if it has one
    if not (lossy and processing.limit):
        return processing
    processing = replace(processing, ceiling_dbtp=LOSSY_CEILING_DBTP)
    if loudness is not None and listening.normalize:  # the lower ceiling takes more: solved for it
        gain_db = normalization_gain_db(
            loudness, listening.target_lufs, LOSSY_CEILING_DBTP, voice_clarity=listening.voice_clarity
        )
        processing = replace(processing, gain_db=gain_db)
    return processing
