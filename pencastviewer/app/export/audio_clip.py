"""The audio of a clip: a sample-exact cut of a recording, across its files, with fades and tags."""

from __future__ import annotations

import contextlib
import math
import queue
import threading
from collections.abc import Generator, Iterator
from pathlib import Path

import av
import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from ...media.dynamics import IDENTITY, Processing, process_stream
from ...media.encode import EncodeError, Encoder, Tags
from ...media.encode import open_encoder as open_media_encoder
from ...model.units import frames_at
from ..document import OpenedNotebook
from .atomic import note
from .core import ClipSpec, ExportError, Progress, check_cancel
from .heard import LOSSY_SUFFIXES, clip_processing
from .ranges import clip_tags
from .recording_reader import RecordingReader

READ_AHEAD_BLOCKS = 4


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
    processing: Processing = IDENTITY,
) -> None:
    """Frames [start, end) of `reader` through `encoder`, as `processing` makes them heard,
    faded in and out over `fade_ms` (at most half the clip). Reports progress from `done`
    to `done + share`."""
    total = end - start
    n_fade = min((math.ceil(max(fade_ms, 0.0) * reader.sample_rate / 1000.0)), total // 2)
    gains = fade_gains(n_fade)
    position = 0
    try:
        # closing(): on cancel or error the decoding thread stops before the reader closes.
        heard = process_stream(reader.blocks(start, end), reader.sample_rate, processing)
        with contextlib.closing(read_ahead(heard)) as blocks:
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
        raise ExportError(recording.missing_text())
    check_cancel(progress, 0.0)
    lossy = temp_path.suffix.lower() in LOSSY_SUFFIXES
    processing = clip_processing(recording, spec, lambda f: check_cancel(progress, 0.5 * f), lossy=lossy)
    done = 0.0 if processing.gain_db == 0.0 else 0.5
    with RecordingReader(recording) as reader:
        start, end = clip_frames(spec, reader.sample_rate, reader.n_frames)
        ext, tags = temp_path.suffix.lower(), clip_tags(document, spec)
        with open_encoder(
            temp_path, ext, reader.sample_rate, reader.channels, bits=reader.bits, tags=tags
        ) as enc:
            write_clip(reader, enc, start, end, spec.fade_ms, progress, done, 1.0 - done, processing)
        note_losses(reader)
