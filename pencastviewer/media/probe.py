"""Probing: an audio file's codec, rate, channels, exact length and recording date, read
from its headers without decoding it. The only place in the program that probes files."""

from __future__ import annotations

import io
import os

from .codecs import soundfile_codec
from .source import (
    AudioError,
    AudioInfo,
    AudioSource,
    check_exists,
    check_figures,
    source_label,
    tag_time,
    wants_ffmpeg,
)

_BITS = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 0,
    "DOUBLE": 0,
}  # libsndfile subtype -> bits (else 16)


def probe(source: AudioSource, name_hint: str = "") -> AudioInfo:
    """The figures of a file path or the file's bytes (name_hint: the file's name when
    `source` is bytes). libsndfile where it can, FFmpeg otherwise. Raises AudioError."""
    info = _probe(source, name_hint)
    check_figures(source_label(source, name_hint), info.sample_rate, info.channels)
    return info


def _probe(source: AudioSource, name_hint: str) -> AudioInfo:
    import soundfile as sf  # here: readers import this module, and `info` must start fast

    label = source_label(source, name_hint)
    check_exists(source, label)
    if not wants_ffmpeg(source, name_hint):
        try:
            with sf.SoundFile(io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source)) as f:
                codec, bits = soundfile_codec(f.format, f.subtype), _BITS.get(f.subtype, 16)
                created = tag_time(f.copy_metadata().get("date"))
                figures = (int(f.samplerate), int(f.channels), int(f.frames))
                return AudioInfo(codec, *figures, created, f.format.lower(), bits)
        except (sf.LibsndfileError, RuntimeError, TypeError):
            pass  # not a format libsndfile knows: FFmpeg may
        except OSError as e:
            raise AudioError(f"{label}: cannot read ({e.strerror or e})") from None
    from .decode_av import ffmpeg_probe  # imported only when needed: FFmpeg is large

    return ffmpeg_probe(source, label)
