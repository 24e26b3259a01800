"""FFmpeg (PyAV) decoding for what libsndfile cannot read, AAC/M4A above all, sample-exact.

AAC priming rule. An AAC encoder emits one frame (1024 samples) of start-up "priming"
before the signal. When the container says so (an MP4 edit list, or skip-samples side
data) FFmpeg drops it and so do we; when it does not, we keep every decoded sample and
never trim on our own. Livescribe's M4A files have no edit list: FFmpeg outputs all
117/326/1966 frames × 1024 samples, which equals `audio_file end − start` on the pen clock
to the millisecond in all three fixtures (7.488 s, 20.864 s, 125.824 s). The pen therefore
counts the priming frame as recorded time, and dropping it would make every stroke sound
64 ms early.

Positions: frame 0 is the first sample FFmpeg outputs; after a seek the first decoded
frame is placed by its timestamp and later ones by counting samples. The length is the
container's declared one (MP4 sample tables, edit list applied) or, for other containers,
the sum of the packets' durations; the decoder's output is cut or padded with silence to it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import TypeVar

import av
import numpy as np
from numpy.typing import NDArray

from .codecs import codec_name
from .decoder import AudioDecoder
from .source import AudioError, AudioInfo, AudioSource, tag_time

# Demuxers whose seeks land on a timestamped packet (sample tables or an index). Raw
# streams (ADTS AAC, MP3 without index) seek by a byte estimate: for them we decode from
# the start instead.
_INDEXED_DEMUXERS = frozenset({"mov", "mp4", "matroska", "webm", "ogg", "wav", "flac", "caf", "aiff", "w64"})
_T = TypeVar("_T")
PREROLL_CODEC_FRAMES = 4  # decoded and thrown away after a seek: AAC overlaps each frame with the last
FORWARD_DECODE_S = 3.0  # closer than this ahead, decoding on beats seeking


def _open_container(source: AudioSource, label: str) -> tuple[av.container.InputContainer, av.AudioStream]:
    try:
        container = av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), mode="r")
    except (av.FFmpegError, OSError) as e:
        raise AudioError(f"{label}: not a readable audio file ({e})") from None
    if not container.streams.audio:
        container.close()
        raise AudioError(f"{label}: has no audio track")
    stream = container.streams.audio[0]
    if stream.codec_context is None:  # FFmpeg knows the container, not the codec
        container.close()
        raise AudioError(f"{label}: no decoder for the codec of its audio track")
    if not stream.codec_context.sample_rate:
        container.close()
        raise AudioError(f"{label}: the audio track declares no sample rate")
    return container, stream


def _time_base(stream: av.AudioStream) -> Fraction:
    """FFmpeg gives every opened stream a time base; PyAV types it as optional."""
    return stream.time_base if stream.time_base is not None else Fraction(1, stream.codec_context.sample_rate)


def _to_frames(pts_count: int, stream: av.AudioStream, sample_rate: int) -> int:
    return round(Fraction(pts_count) * _time_base(stream) * sample_rate)


def _length(source: AudioSource, label: str) -> int:
    """The exact decoded length in frames, without decoding when the container allows."""
    container, stream = _open_container(source, label)
    rate = stream.codec_context.sample_rate
    try:
        if "mov" in container.format.name.split(",") and stream.duration:
            return _to_frames(stream.duration, stream, rate)
        total = 0
        for packet in container.demux(stream):
            if packet.size == 0:
                continue  # the flush packet at the end
            if not packet.duration:
                break
            total += packet.duration
        else:
            return _to_frames(total, stream, rate)
        container.seek(0, stream=stream)  # packets without durations: count by decoding
        return sum(frame.samples for frame in container.decode(stream))
    except av.FFmpegError as e:
        raise AudioError(f"{label}: cannot read the audio track ({e})") from None
    finally:
        container.close()


def ffmpeg_probe(source: AudioSource, label: str) -> AudioInfo:
    """media.probe for what libsndfile cannot read. channels comes from the codec's own
    configuration (an MP4 stsd box claims 2 for Livescribe's mono AAC)."""
    container, stream = _open_container(source, label)
    context = stream.codec_context
    meta = container.metadata
    created = tag_time(meta.get("creation_time") or meta.get("date"))
    info = (codec_name(context.name), context.sample_rate, context.layout.nb_channels)
    demuxer = container.format.name
    container.close()
    return AudioInfo(*info, _length(source, label), created, demuxer)


def _as_float32(data: np.ndarray) -> NDArray[np.float32]:
    if data.dtype == np.float32:
        return data
    if data.dtype.kind == "f":
        return data.astype(np.float32)
    if data.dtype == np.uint8:
        return (data.astype(np.float32) - 128.0) / 128.0
    return data.astype(np.float32) / float(2 ** (8 * data.dtype.itemsize - 1))


def _frame_array(frame: av.AudioFrame, channels: int) -> NDArray[np.float32]:
    """(n, channels) float32 whatever FFmpeg's sample format."""
    data = frame.to_ndarray()
    data = data.T if frame.format.is_planar else data.reshape(-1, frame.layout.nb_channels)
    data = _as_float32(data)
    if data.shape[1] != channels:  # a stream that changes layout mid-way: mix down, spread out
        data = np.repeat(data.mean(axis=1, keepdims=True), channels, axis=1)
    return np.ascontiguousarray(data)


class _LostPosition(Exception):
    """A frame after a seek has no timestamp: its position is unknown."""


class FFmpegDecoder(AudioDecoder):
    """Decodes with FFmpeg on demand, keeping only the current codec frame decoded."""

    def __init__(self, source: AudioSource, label: str) -> None:
        self._source, self._label = source, label
        self.n_frames = _length(source, label)
        self._container, self._stream = _open_container(source, label)
        context = self._stream.codec_context
        self.codec, self.sample_rate = codec_name(context.name), context.sample_rate
        self._seekable = bool(_INDEXED_DEMUXERS & set(self._container.format.name.split(",")))
        self._preroll = PREROLL_CODEC_FRAMES * (context.frame_size or 1024)
        self._forward_limit = int(FORWARD_DECODE_S * self.sample_rate)
        self._items: Iterator[av.AudioFrame | int] = iter(())
        self._pending: tuple[int, NDArray[np.float32]] | None = None
        self._next_pos: int | None = 0
        first = self._guarded(self._first_frame)
        self.channels = first.layout.nb_channels if first is not None else context.layout.nb_channels
        if first is not None and first.sample_rate and first.sample_rate != self.sample_rate:
            # HE-AAC may declare its core rate and decode at twice it: believe the decoder.
            self.n_frames = round(self.n_frames * first.sample_rate / self.sample_rate)
            self.sample_rate = first.sample_rate
        self._origin_pts = first.pts if first is not None and first.pts is not None else 0
        self._restart()

    def _guarded(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except av.FFmpegError as e:
            raise AudioError(f"{self._label}: cannot decode ({e})") from None

    def _first_frame(self) -> av.AudioFrame | None:
        for item in self._decode():
            if not isinstance(item, int):
                return item
        return None

    def _decode(self) -> Iterator[av.AudioFrame | int]:
        """Decoded frames in order; for a packet that will not decode, its length in
        frames (played as silence rather than ending playback)."""
        for packet in self._container.demux(self._stream):
            try:
                frames = packet.decode()
            except av.FFmpegError:  # a damaged packet (InvalidData, or e.g. AAC's own errors)
                yield _to_frames(packet.duration or 0, self._stream, self.sample_rate)
                continue
            yield from frames

    def _restart(self) -> None:
        self._container.close()
        self._container, self._stream = _open_container(self._source, self._label)
        self._items, self._pending, self._next_pos = self._decode(), None, 0

    def _next_chunk(self) -> tuple[int, NDArray[np.float32]] | None:
        if self._pending is not None:
            chunk, self._pending = self._pending, None
            return chunk
        item = next(self._items, None)
        while isinstance(item, int) and self._next_pos is None:  # no position yet: skip the gap
            item = next(self._items, None)
        if item is None:
            return None
        if isinstance(item, int):
            data = np.zeros((item, self.channels), np.float32)
            self.lost_frames += item
        else:
            data = _frame_array(item, self.channels)
        if self._next_pos is None:  # first frame after a seek (gaps were skipped): place it by its timestamp
            pts = None if isinstance(item, int) else item.pts
            if pts is None:
                raise _LostPosition
            self._next_pos = _to_frames(pts - self._origin_pts, self._stream, self.sample_rate)
        position = self._next_pos
        self._next_pos = position + len(data)
        return position, data

    def _cursor(self) -> int | None:
        return self._pending[0] if self._pending is not None else self._next_pos

    def _go_to(self, start: int) -> None:
        """Position the decoder at or before `start`, close enough to decode on to it."""
        cursor = self._cursor()
        if cursor is not None and cursor <= start <= cursor + self._forward_limit:
            return
        if not (self._seekable and start > self._preroll and self._seek_before(start)):
            self._restart()

    def _seek_before(self, start: int) -> bool:
        """Seek so that decoding starts at least a preroll before `start`; False when the
        container's seek keeps landing after it."""
        target = start - self._preroll
        for _ in range(3):
            if target <= 0:
                return False
            ticks = int(Fraction(target, self.sample_rate) / _time_base(self._stream))
            self._container.seek(self._origin_pts + ticks, stream=self._stream, backward=True)
            self._stream.codec_context.flush_buffers()
            self._items, self._pending, self._next_pos = self._decode(), None, None
            try:
                chunk = self._next_chunk()
            except _LostPosition:
                return False
            if chunk is None:
                return False
            if chunk[0] <= target:
                self._pending = chunk
                return True
            target -= 4 * self._preroll
        return False

    def _read_range(self, start_frame: int, end_frame: int) -> NDArray[np.float32]:
        out = np.zeros((end_frame - start_frame, self.channels), np.float32)
        if end_frame > start_frame:
            self._guarded(lambda: self._fill(out, start_frame, end_frame))
        return out

    def _fill(self, out: NDArray[np.float32], start: int, end: int) -> None:
        self._go_to(start)
        while (chunk := self._next_chunk()) is not None:  # None: the stream ended early, rest silent
            position, data = chunk
            chunk_end = position + len(data)
            lo, hi = max(position, start), min(chunk_end, end)
            if hi > lo:
                out[lo - start : hi - start] = data[lo - position : hi - position]
            if chunk_end > end:
                keep = max(end, position)
                self._pending = (keep, data[keep - position :])
            if chunk_end >= end:
                return

    def close(self) -> None:
        self._container.close()
