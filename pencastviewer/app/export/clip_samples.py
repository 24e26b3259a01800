"""The samples of a clip for the video and web exporters: the audio exporter's sample-exact
cut (files back-to-back, same fades), as blocks or as PyAV frames for an encoder."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from types import TracebackType

import av
import numpy as np
from numpy.typing import NDArray

from ...media.dynamics import process_stream
from ..document import OpenedNotebook
from .audio_clip import clip_frames, fade_gains
from .core import ClipSpec, ExportError
from .heard import clip_processing
from .recording_reader import BLOCK_FRAMES, RecordingReader


class ClipSamples:
    """float32 (n, channels) blocks of the clip at the recording's rate, mono or stereo,
    as the clip's loudness processing makes them heard, faded in and out over
    `spec.fade_ms`. A context manager; not thread-safe."""

    def __init__(self, document: OpenedNotebook, spec: ClipSpec) -> None:
        if spec.recording is None:
            raise ExportError("this clip has no recording: choose a range of a recording to export")
        recording = document.notebook.recordings[spec.recording]
        if recording.is_missing:
            raise ExportError(recording.missing_text())
        self._processing = clip_processing(recording, spec, lossy=True)  # (MP4's AAC, the web page's Opus)
        self._reader = RecordingReader(recording)
        self.sample_rate = self._reader.sample_rate
        self.channels = 2 if self._reader.channels == 2 else 1  # more than two: mixed down
        self._start, self._end = clip_frames(spec, self.sample_rate, self._reader.n_frames)
        self.n_frames = self._end - self._start
        n_fade = min(math.ceil(max(spec.fade_ms, 0.0) * self.sample_rate / 1000.0), self.n_frames // 2)
        self._gains = fade_gains(n_fade)

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.sample_rate

    @property
    def layout(self) -> str:
        return "mono" if self.channels == 1 else "stereo"

    def blocks(self, block_frames: int = BLOCK_FRAMES) -> Iterator[NDArray[np.float32]]:
        """The whole clip in order, `block_frames` at a time (the last may be shorter)."""
        position = 0
        blocks = self._reader.blocks(self._start, self._end, block_frames)
        for block in process_stream(blocks, self.sample_rate, self._processing):
            if block.shape[1] != self.channels:
                block = block.mean(axis=1, keepdims=True, dtype=np.float32)
            yield self._faded(block, position)
            position += len(block)

    def _faded(self, block: NDArray[np.float32], offset: int) -> NDArray[np.float32]:
        n_fade, n, total = len(self._gains), len(block), self.n_frames
        if n_fade == 0 or n_fade <= offset <= total - n_fade - n:
            return block
        index = np.arange(offset, offset + n)
        factor = np.ones(n, np.float32)
        rising, falling = index < n_fade, index >= total - n_fade
        factor[rising] = self._gains[index[rising]]
        factor[falling] = np.minimum(factor[falling], self._gains[total - 1 - index[falling]])
        return block * factor[:, None]

    def av_frames(self, block_frames: int = BLOCK_FRAMES) -> Iterator[av.AudioFrame]:
        """The blocks as PyAV frames (planar float, pts counted in samples) for encoders."""
        position = 0
        for block in self.blocks(block_frames):
            planar = np.ascontiguousarray(block.T)
            frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=self.layout)
            frame.sample_rate, frame.pts = self.sample_rate, position
            frame.time_base = Fraction(1, self.sample_rate)
            position += len(block)
            yield frame

    def read_all(self) -> NDArray[np.float32]:
        parts = list(self.blocks())
        return np.concatenate(parts) if parts else np.zeros((0, self.channels), np.float32)

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> ClipSamples:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
