"""The audio of a clip: a sample-exact cut of a recording, across its files, with fades and tags."""

from __future__ import annotations

import contextlib
import math
import queue
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from types import TracebackType

import av
import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from ...formats import FormatError
from ...formats.audio_source import audio_bytes
from ...media.decode import open_audio
from ...media.decoder import AudioDecoder
from ...media.encode import EncodeError, Encoder, Tags, source_bits
from ...media.encode import open_encoder as open_media_encoder
from ...media.source import AudioError
from ...model import AudioFile, AudioStore, Recording, RecordingLayout
from ...model.units import frames_at
from ..document import OpenedNotebook
from .atomic import note
from .core import ClipSpec, ExportError, Progress, check_cancel
from .ranges import clip_tags

BLOCK_FRAMES = 1 << 16
READ_AHEAD_BLOCKS = 4


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


def clip_frames(spec: ClipSpec, sample_rate: int, n_frames: int) -> tuple[int, int]:
    """[first, end) frame of the clip, rounded to the nearest frame, within the recording."""
    start = min(max(frames_at(spec.start_s, sample_rate), 0), n_frames)
    end = min(max(frames_at(spec.end_s, sample_rate), start), n_frames)
    if end <= start:
        raise ExportError(f"the range {spec.start_s:.3f}–{spec.end_s:.3f} s holds no audio")
    return start, end


def fade_gains(n_fade: int) -> NDArray[np.float32]:
    """A raised-cosine rise over `n_fade` frames, never reaching exactly 0 or 1 inside."""
    k = np.arange(n_fade, dtype=np.float64) + 0.5
    return (0.5 - 0.5 * np.cos(np.pi * k / n_fade)).astype(np.float32)


def write_clip(
    reader: RecordingReader,
    encoder: Encoder,
    start: int,
    end: int,
    fade_ms: float,
    progress: Progress,
    done: float = 0.0,
    share: float = 1.0,
) -> None:
    """Frames [start, end) of `reader` through `encoder`, faded in and out over `fade_ms`
    (at most half the clip). Reports progress from `done` to `done + share`."""
    total = end - start
    n_fade = min((math.ceil(max(fade_ms, 0.0) * reader.sample_rate / 1000.0)), total // 2)
    gains = fade_gains(n_fade)
    position = 0
    try:
        # closing(): on cancel or error the decoding thread stops before the reader closes.
        with contextlib.closing(read_ahead(reader.blocks(start, end))) as blocks:
            for block in blocks:
                block = _faded(block, position, total, gains)
                encoder.write(block)
                position += len(block)
                check_cancel(progress, done + share * position / total)
    except (sf.LibsndfileError, av.FFmpegError) as e:
        raise ExportError(f"cannot encode the audio: {e}") from None


def note_losses(reader: RecordingReader) -> None:
    """Tell the user how much damaged audio the clip holds as silence."""
    if reader.lost_frames:
        note(
            f"{reader.lost_frames / reader.sample_rate:.3f} s of damaged audio in "
            f"“{reader.recording.name}” could not be decoded and is silence in the clip"
        )


def read_ahead(
    blocks: Iterator[NDArray[np.float32]], depth: int = READ_AHEAD_BLOCKS
) -> Generator[NDArray[np.float32], None, None]:
    """`blocks`, decoded in a thread of their own while the caller encodes the previous
    ones (libsndfile and FFmpeg release the GIL: a clip takes about the longer of the two
    instead of their sum). Errors come out here; closing early stops the decoding."""
    handoff: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        handoff.put(("block", block), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(("end", None))
        except BaseException as e:  # handed to the consumer, which raises it in its own thread
            handoff.put(("error", e))
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()  # finish the decoding generators here, before the reader closes them

    worker = threading.Thread(target=produce, name="clip-decoder", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise item  # type: ignore[misc]
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                handoff.get(timeout=0.05)
        worker.join()


def _faded(
    block: NDArray[np.float32], offset: int, total: int, gains: NDArray[np.float32]
) -> NDArray[np.float32]:
    n_fade, n = len(gains), len(block)
    if n_fade == 0 or n_fade <= offset <= total - n_fade - n:
        return block
    factor = np.ones(n, np.float32)
    index = np.arange(offset, offset + n)
    rising, falling = index < n_fade, index >= total - n_fade
    factor[rising] = gains[index[rising]]
    factor[falling] = gains[total - 1 - index[falling]]
    return block * factor[:, None]


def open_encoder(
    path: Path, ext: str, sample_rate: int, channels: int, *, bits: int = 16, tags: Tags | None = None
) -> Encoder:
    """media's encoder for `path`, its refusals reported as ExportErrors."""
    try:
        return open_media_encoder(path, ext, sample_rate, channels, bits=bits, tags=tags)
    except EncodeError as e:
        raise ExportError(str(e)) from None


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    """Write the clip's audio to `temp_path` in the format of its extension."""
    if spec.recording is None:
        raise ExportError("this clip has no recording: choose a range of a recording to export audio")
    recording = document.notebook.recordings[spec.recording]
    if recording.is_missing:
        raise ExportError(f"the audio of “{recording.name}” was not found; use “Locate recording…”")
    check_cancel(progress, 0.0)
    with RecordingReader(recording) as reader:
        start, end = clip_frames(spec, reader.sample_rate, reader.n_frames)
        ext, tags = temp_path.suffix.lower(), clip_tags(document, spec)
        with open_encoder(
            temp_path, ext, reader.sample_rate, reader.channels, bits=reader.bits, tags=tags
        ) as enc:
            write_clip(reader, enc, start, end, spec.fade_ms, progress)
        note_losses(reader)
