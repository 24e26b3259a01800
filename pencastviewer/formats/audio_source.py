"""Reaching the bytes of a recording's audio file wherever the notebook keeps it."""

from __future__ import annotations

from pathlib import Path

from ..model import AudioFile, AudioStore
from .errors import FormatError
from .safezip import SafeZip


def audio_bytes(audio: AudioFile) -> bytes:
    """The encoded bytes of `audio` (as stored: no decoding, no re-encoding)."""
    if audio.store == AudioStore.FILE:
        try:
            return Path(audio.member).read_bytes()
        except OSError as e:
            raise FormatError(audio.member, f"cannot read the recording: {e.strerror or e}") from None
    if audio.store == AudioStore.ZIP:
        if audio.container is None:
            raise FormatError(audio.member, "archive of the recording unknown")
        with SafeZip(Path(audio.container)) as archive:
            return archive.read(audio.member)
    if audio.store == AudioStore.PDF_EMBEDDED:
        from .livescribe.pdf import embedded_file_bytes

        if audio.container is None:
            raise FormatError(audio.member, "PDF of the recording unknown")
        return embedded_file_bytes(Path(audio.container), audio.member)
    raise FormatError(audio.member, "the recording was not found")
