"""Exported audio as the listener hears it in the player: the recording's loudness,
measured once per process, and the loudness processing (normalisation, voice clarity,
true-peak limiter) that a clip asks for. Qt-free, for the CLI as for the window."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

from ...media.dynamics import IDENTITY, Processing
from ...media.loudness import Loudness, LoudnessMeter
from ...media.normalize import normalization_gain_db
from ...model import Recording
from .core import ClipSpec, ExportError
from .recording_reader import RecordingReader

DEFAULT_TARGET_LUFS = -16.0
TARGET_RANGE_LUFS = (-23.0, -12.0)  # EBU R128 broadcast … loud podcast speech

_measured: dict[tuple[object, ...], Loudness] = {}
_measured_lock = threading.Lock()


def _key(recording: Recording) -> tuple[object, ...]:
    """The recording's files and their on-disk versions (a changed file is measured anew)."""
    parts: list[object] = []
    for audio in recording.files:
        path = audio.container or audio.member
        with contextlib.suppress(OSError):
            stat = os.stat(path)
            parts.append((stat.st_size, stat.st_mtime_ns))
        parts.append((int(audio.store), audio.member, audio.container, audio.n_frames))
    return tuple(parts)


def recording_loudness(recording: Recording, progress: Callable[[float], None] | None = None) -> Loudness:
    """The loudness of the whole recording as played (its files back to back), measured in
    one decoding pass and remembered for this process. ExportError if it cannot be read."""
    key = _key(recording)
    with _measured_lock:
        if key in _measured:
            return _measured[key]
    with RecordingReader(recording) as reader:
        meter = LoudnessMeter(reader.sample_rate, reader.channels)
        done = 0
        for block in reader.blocks(0, reader.n_frames):
            meter.feed(block)
            done += len(block)
            if progress is not None:
                progress(done / max(reader.n_frames, 1))
        loudness = meter.result()
    with _measured_lock:
        _measured[key] = loudness
    return loudness


def check_target(target_lufs: float) -> float:
    low, high = TARGET_RANGE_LUFS
    if not low <= target_lufs <= high:
        raise ExportError(f"a loudness target of {target_lufs:g} LUFS is outside {low:g}…{high:g} LUFS")
    return target_lufs


def clip_processing(
    recording: Recording, spec: ClipSpec, progress: Callable[[float], None] | None = None
) -> Processing:
    """What the clip's audio goes through: nothing unless it asks for normalisation or
    voice clarity; then the gain that brings the recording's speech to the target, the
    optional voice clarity stage and the −1 dBTP limiter."""
    if spec.normalize_lufs is None and not spec.voice_clarity:
        return IDENTITY
    target = check_target(spec.normalize_lufs) if spec.normalize_lufs is not None else DEFAULT_TARGET_LUFS
    gain_db = 0.0
    if spec.normalize_lufs is not None:
        gain_db = normalization_gain_db(recording_loudness(recording, progress), target)
    return Processing(gain_db=gain_db, voice_clarity=spec.voice_clarity, target_lufs=target)
