"""The decoder interface: block reads of float32 frames, sample-exact, from any backend."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from types import TracebackType

import numpy as np
from numpy.typing import NDArray

from .source import AudioInfo


class AudioDecoder(abc.ABC):
    """One open audio file. Not thread-safe: give each thread its own decoder.

    sample_rate (Hz), channels, n_frames (exact decoded length), codec. Reads outside
    [0, n_frames) are clipped, so read() may return fewer frames than asked."""

    sample_rate: int
    channels: int
    n_frames: int
    codec: str
    lost_frames: int = 0  # damaged or missing frames given as silence so far

    @abc.abstractmethod
    def _read_range(self, start_frame: int, end_frame: int) -> NDArray[np.float32]:
        """Frames [start, end), 0 <= start <= end <= n_frames, as float32 (n, channels)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def read(self, start_frame: int, n_frames: int) -> NDArray[np.float32]:
        """Frames [start_frame, start_frame + n_frames) that exist, float32 (n, channels)."""
        start = min(max(int(start_frame), 0), self.n_frames)
        end = min(max(int(start_frame) + int(n_frames), start), self.n_frames)
        return self._read_range(start, end)

    def blocks(
        self, block_frames: int = 65536, start_frame: int = 0, end_frame: int | None = None
    ) -> Iterator[NDArray[np.float32]]:
        """Consecutive blocks of `block_frames` frames (the last may be shorter) from
        `start_frame` to `end_frame` (default: the end), decoded as they are asked for."""
        if block_frames <= 0:
            raise ValueError(f"block_frames must be positive, got {block_frames}")
        end = self.n_frames if end_frame is None else min(max(int(end_frame), 0), self.n_frames)
        position = min(max(int(start_frame), 0), end)
        while position < end:
            block = self._read_range(position, min(position + block_frames, end))
            position += len(block)
            yield block

    def info(self) -> AudioInfo:
        return AudioInfo(self.codec, self.sample_rate, self.channels, self.n_frames)

    def __enter__(self) -> AudioDecoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
