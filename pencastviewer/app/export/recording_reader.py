"""A recording's frames as played, for exports: its files back to back, each trimmed or
padded to its span on the timeline, decoded from wherever they are stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import numpy as np
from numpy.typing import NDArray

from ...formats import FormatError
from ...formats.audio_source import audio_bytes
from ...media.decode import open_audio
from ...media.decoder import AudioDecoder
from ...media.encode import source_bits
from ...media.source import AudioError
from ...model import AudioFile, AudioStore, Recording, RecordingLayout
from .core import ExportError

BLOCK_FRAMES = 1 << 16


class RecordingReader:
    """Reads frames of a recording as played: its files back-to-back, each trimmed or
    padded with silence to its span on the timeline (as the Timeline places ink), at the
    first file's rate and channel count. A context manager; not thread-safe."""

    def __init__(self, recording: Recording):
        self.recording = recording
        self._decoders: dict[int, AudioDecoder] = {}
        self._sources: dict[int, str | bytes] = {}
        first = self._decoder(0)
        self.sample_rate, self.channels = first.sample_rate, first.channels
        self.bits = source_bits(self._sources[0])
        self._starts = RecordingLayout.of(recording).frame_starts(self.sample_rate)
        self.n_frames = self._starts[-1]

    def _decoder(self, index: int) -> AudioDecoder:
        if index not in self._decoders:
            audio = self.recording.files[index]
            self._sources[index] = source = _source(audio)
            try:
                decoder = open_audio(source, name_hint=Path(audio.member).name)
            except AudioError as e:
                raise ExportError(str(e)) from None
            if index and decoder.sample_rate != self.sample_rate:
                decoder.close()
                raise ExportError(
                    f"{audio.member}: recorded at {decoder.sample_rate} Hz, the recording's "
                    f"first file at {self.sample_rate} Hz: cannot join them"
                )
            self._decoders[index] = decoder
        return self._decoders[index]

    @property
    def lost_frames(self) -> int:
        """Damaged frames the decoders gave as silence so far."""
        return sum(d.lost_frames for d in self._decoders.values())

    def blocks(
        self, start_frame: int, end_frame: int, block_frames: int = BLOCK_FRAMES
    ) -> Iterator[NDArray[np.float32]]:
        """Consecutive float32 blocks (n, channels) covering [start_frame, end_frame)."""
        for i in range(len(self.recording.files)):
            lo, hi = max(start_frame, self._starts[i]), min(end_frame, self._starts[i + 1])
            if lo < hi:
                yield from self._file_blocks(i, lo - self._starts[i], hi - self._starts[i], block_frames)

    def _file_blocks(self, index: int, lo: int, hi: int, block_frames: int) -> Iterator[NDArray[np.float32]]:
        decoder = self._decoder(index)
        decoded_end = min(hi, decoder.n_frames)
        try:
            for block in decoder.blocks(block_frames, lo, decoded_end):
                yield self._fit_channels(block)
        except AudioError as e:
            raise ExportError(str(e)) from None
        for first in range(max(lo, decoded_end), hi, block_frames):  # the file is shorter than its span
            yield np.zeros((min(block_frames, hi - first), self.channels), np.float32)

    def _fit_channels(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        if block.shape[1] == self.channels:
            return block
        mono = block.mean(axis=1, keepdims=True)
        return np.ascontiguousarray(np.repeat(mono, self.channels, axis=1), dtype=np.float32)

    def close(self) -> None:
        for decoder in self._decoders.values():
            decoder.close()
        self._decoders.clear()

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _source(audio: AudioFile) -> str | bytes:
    """A path to decode from, or the encoded bytes of audio kept inside a container."""
    if audio.store == AudioStore.FILE:
        return audio.member
    try:
        return audio_bytes(audio)
    except FormatError as e:
        raise ExportError(str(e)) from None
