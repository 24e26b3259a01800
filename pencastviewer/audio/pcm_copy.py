"""A playable copy of a recording: its files decoded, resampled to the output device's rate
and joined into one 16-bit WAV, so that Qt seeks it to the sample and plays it gaplessly.

Why (measured through PulseAudio, see qt_output): QMediaPlayer starts a seek at the
beginning of the compressed packet holding the target, i.e. up to 85 ms early in FLAC at
48 kHz (4096-frame blocks; 256 ms at 16 kHz), ~20 ms in Vorbis and AAC, 6.5-16 ms in
Opus, but exactly in PCM WAV. And a 16 kHz stream (Livescribe) sounds 33 ms later than one at
the device's own rate (PulseAudio's resampler and buffer), which Qt's position does not
include. The copy costs 0.04-0.06 s of CPU and 5.8 MB of disk per minute of mono audio at
48 kHz (benchmarks/bench_playhead.py), i.e. ~3 s and 350 MB an hour: give it a cache
folder on a real disk (a tmpfs /tmp would hold it in memory).

Progressive, so that a 3-hour recording plays at once rather than after the whole copy
(9-30 s): the WAV header with the final length is written first (the rest of the file a
hole, read as silence), then the audio in chunks of CHUNK_FRAMES: the first HEAD_S seconds,
then from wherever the player last asked for (request) onwards, wrapping round to what is
still missing; covers() says whether a span is in. FOREGROUND_S from the request go at full
speed, the rest at BACKGROUND_SHARE of a core, so that the waveform's peaks, built from the
same files at the same time, are not slowed much. Each run of chunks gets a fresh decoder
and resampler started WARMUP_S early: the output then equals one sequential pass (measured:
the resampler's first ~32 output frames differ, an Opus decoder needs 80 ms to converge).
Ogg Vorbis/Opus runs are decoded by FFmpeg seeking to the granule, where libsndfile would
decode from the start (the two decode these identically, ±1e-7). AAC with noise filling
(PNS) decodes differently after any seek, as FFmpeg's own seeks do: same place, other noise.

Copies are named pencastviewer-play-*.wav and hold a shared flock while in use, so that
remove_stale_copies() can delete what a crashed run left behind without touching a copy
another running viewer plays (without flock: only copies older than a day).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..media.decode import SoundFileDecoder, open_audio
from ..media.probe import probe
from ..media.source import AudioError

try:
    import fcntl
except ImportError:  # Windows: stale copies are recognised by age alone
    fcntl = None  # type: ignore[assignment]

CHUNK_FRAMES = 1 << 16  # unit of writing and of covers(): 1.4 s at 48 kHz
BLOCK_FRAMES = 1 << 16  # decoder block
HEAD_S = 8.0  # written before the player is given the file: what it reads while loading
WARMUP_S = 0.1  # decoded and dropped before a run: decoder and resampler settle (see above)
FOREGROUND_S = 20.0  # written at full speed from where the player asks for
BACKGROUND_SHARE = 0.25  # the rest only uses this share of a core: the waveform is built meanwhile
OGG_PREROLL_S = 0.2  # an Ogg seek lands this much early: Opus needs 80 ms to converge
COPY_PREFIX, COPY_SUFFIX = "pencastviewer-play-", ".wav"
STALE_AGE_S = 24 * 3600.0
CREATION_GRACE_S = 60.0  # a copy this young may not be locked yet
BACKGROUND_DELETE_BYTES = 64 << 20
_HEADER_BYTES = 44
_SEEKLESS_CODECS = frozenset({"vorbis", "opus"})  # libsndfile decodes these from the start to seek


class Cancelled(Exception):
    """The copy was abandoned (a new recording was loaded)."""


@dataclass(frozen=True)
class PlayableAudio:
    """What the player opens: `path` (a WAV), per-file lengths on the timeline, and
    whether `path` is a temporary copy to delete when done."""

    path: str
    durations_s: tuple[float, ...]
    temporary: bool


@dataclass(frozen=True)
class _Segment:
    path: str
    first_frame: int  # where the file starts in the copy
    n_frames: int  # how long it lasts there (trimmed or padded with silence)


def playable_as_is(files: Sequence[tuple[str, float | None]], sample_rate: int) -> PlayableAudio | None:
    """A single 16-bit WAV at the device rate, whose length is the one asked, needs no copy."""
    if len(files) != 1:
        return None
    path, duration_s = files[0]
    try:
        info = probe(path)
    except AudioError:
        return None
    plain = (info.container, info.codec, info.bits, info.sample_rate) == ("wav", "pcm", 16, sample_rate)
    if not plain or info.channels > 2:
        return None
    length_s = info.n_frames / sample_rate
    if duration_s is not None and abs(length_s - duration_s) > 0.5 / sample_rate:
        return None
    return PlayableAudio(path, (length_s,), temporary=False)


def _plan(files: Sequence[tuple[str, float | None]], sample_rate: int) -> tuple[list[_Segment], int]:
    """Where each file goes in the copy, and the copy's channels (mono when every file is)."""
    infos = [probe(path) for path, _ in files]
    segments, start = [], 0
    for (path, duration_s), info in zip(files, infos, strict=True):
        if duration_s is None:
            n_frames = round(info.n_frames * sample_rate / info.sample_rate)
        else:
            n_frames = round(duration_s * sample_rate)
        segments.append(_Segment(path, start, n_frames))
        start += n_frames
    return segments, 1 if all(info.channels == 1 for info in infos) else 2


def _wav_header(n_frames: int, sample_rate: int, channels: int) -> bytes:
    data_bytes = n_frames * channels * 2
    if data_bytes > 0xFFFFFFFF - 36:
        raise ValueError(f"{n_frames / sample_rate / 3600:.1f} hours is too long for one WAV file")
    frame_bytes = channels * 2
    fmt = struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * frame_bytes, frame_bytes, 16)
    riff = b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
    return riff + b"fmt " + fmt + b"data" + struct.pack("<I", data_bytes)


def _pcm_blocks(
    blocks: Iterator[np.ndarray], rate_in: int, rate_out: int, channels: int
) -> Iterator[np.ndarray]:
    """Float32 (n, c) blocks at rate_in as interleaved int16 at rate_out with `channels` (1 or 2)."""
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="s16", layout=layout, rate=rate_out)
    for block in blocks:
        if block.shape[1] != channels:  # mix down, then spread out
            block = np.repeat(block.mean(axis=1, keepdims=True), channels, axis=1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout=layout)
        frame.sample_rate = rate_in
        for out in resampler.resample(frame):
            yield out.to_ndarray().reshape(-1)
    for out in resampler.resample(None):
        yield out.to_ndarray().reshape(-1)


def _ogg_frames(path: str, start_frame: int) -> Iterator[np.ndarray]:
    """Float32 (n, channels) codec frames of an Ogg Vorbis/Opus file from `start_frame` on,
    decoded by FFmpeg, which seeks to the granule (its FFmpegDecoder would first read every
    packet of the file for the length: 1.8 s for 3 hours of Opus). Placed as FFmpegDecoder
    does: the first frame after the seek by its timestamp, the next ones by counting."""
    with av.open(path) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        origin = next(container.decode(stream)).pts or 0
        for target in (max(0, start_frame - round(OGG_PREROLL_S * rate)), 0):  # from the start if need be
            ticks = int(Fraction(target, rate) / stream.time_base)
            container.seek(origin + ticks, stream=stream, backward=True)
            stream.codec_context.flush_buffers()
            frames = container.decode(stream)
            first = next(frames, None)
            if first is None or first.pts is None:
                return
            position = round(Fraction(first.pts - origin) * stream.time_base * rate)
            if position <= start_frame:
                break
        for frame in itertools.chain([first], frames):
            data = frame.to_ndarray()
            data = data.T if frame.format.is_planar else data.reshape(-1, frame.layout.nb_channels)
            position += len(data)
            if position > start_frame:
                yield data[max(0, len(data) - (position - start_frame)) :].astype(np.float32, copy=False)


def _batched(frames: Iterator[np.ndarray], n_frames: int) -> Iterator[np.ndarray]:
    """Small blocks joined into blocks of at least n_frames (per-block costs add up)."""
    pending, have = [], 0
    for block in frames:
        pending.append(block)
        have += len(block)
        if have >= n_frames:
            yield np.concatenate(pending)
            pending, have = [], 0
    if pending:
        yield np.concatenate(pending)


def _chunk_table(segments: list[_Segment]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first frame, end frame, segment index) of every chunk: each file's own run of chunks."""
    none = np.zeros(0, np.int64)
    starts = [s.first_frame + np.arange(0, s.n_frames, CHUNK_FRAMES, dtype=np.int64) for s in segments]
    ends = [
        np.minimum(first + CHUNK_FRAMES, s.first_frame + s.n_frames)
        for first, s in zip(starts, segments, strict=True)
    ]
    segment_of = [np.full(len(first), i, np.int64) for i, first in enumerate(starts)]
    return np.concatenate([none, *starts]), np.concatenate([none, *ends]), np.concatenate([none, *segment_of])


class _Run:
    """Consecutive output frames of one file from `first_frame` (of the file, at the
    output rate) on, as int16; silence past the end of the file's audio."""

    def __init__(self, segment: _Segment, first_frame: int, sample_rate: int, channels: int) -> None:
        self.segment, self.next_frame, self._channels = segment, first_frame, channels
        self._decoder = decoder = open_audio(segment.path)
        rate_in = decoder.sample_rate
        step = math.gcd(rate_in, sample_rate)
        q_in, q_out = rate_in // step, sample_rate // step  # q_in input frames make exactly q_out
        warmup = round(WARMUP_S * rate_in)
        in_start = max(0, (first_frame * rate_in // sample_rate - warmup) // q_in * q_in)
        self._skip = first_frame - in_start * q_out // q_in
        if in_start > 0 and decoder.codec in _SEEKLESS_CODECS and isinstance(decoder, SoundFileDecoder):
            blocks = _batched(_ogg_frames(segment.path, in_start), BLOCK_FRAMES)
        else:
            blocks = decoder.blocks(BLOCK_FRAMES, in_start)
        self._pcm = _pcm_blocks(blocks, rate_in, sample_rate, channels)
        self._pending = np.empty(0, np.int16)

    def read(self, n_frames: int) -> np.ndarray:
        wanted = n_frames * self._channels
        parts, have = [self._pending], len(self._pending)
        while have < wanted + self._skip * self._channels:
            block = next(self._pcm, None)
            if block is None:
                break
            parts.append(block)
            have += len(block)
        samples = np.concatenate(parts)[self._skip * self._channels :]
        self._skip = 0
        out, self._pending = samples[:wanted], samples[wanted:]
        self.next_frame += n_frames
        return out if len(out) == wanted else np.concatenate([out, np.zeros(wanted - len(out), np.int16)])

    def close(self) -> None:
        self._pcm.close()  # closes an Ogg reader's container
        self._decoder.close()


class PcmCopy:
    """One copy being made. Construction does no I/O; run() does the work in a worker
    thread; request(), covers() and release() may be called from any thread meanwhile.
    After run() returns, `path` holds the whole copy until release()."""

    def __init__(
        self,
        files: Sequence[tuple[str, float | None]],
        sample_rate: int,
        directory: str | None = None,
        background_share: float = BACKGROUND_SHARE,
    ) -> None:
        self.files = tuple((str(path), duration) for path, duration in files)
        self.sample_rate, self.directory = sample_rate, directory
        self.background_share = background_share
        self.path, self.durations_s, self.channels = "", (), 0
        self.notify = False  # run() calls `advanced` after every chunk while this is set
        self._lock = threading.Lock()
        self._starts = self._ends = np.zeros(0, np.int64)
        self._segment_of = np.zeros(0, np.int64)
        self._segments: list[_Segment] = []
        self._written = np.zeros(0, bool)
        self._cursor_frame, self._n_requests = 0, 0
        self._requested_frame = 0  # where the player last asked for: FOREGROUND_S from it is urgent
        self._wake = threading.Event()  # ends a background pause early
        self._complete = self._released = False
        self._lock_fd: int | None = None

    # --- any thread -----------------------------------------------------------------
    def request(self, position_s: float, notify: bool = True) -> None:
        """Write the audio from `position_s` on next (and call `advanced` meanwhile if notify)."""
        with self._lock:
            self._cursor_frame = self._requested_frame = max(0, round(position_s * self.sample_rate))
            self._n_requests += 1
            self.notify = self.notify or notify
        self._wake.set()

    def covers(self, start_s: float, end_s: float) -> bool:
        """True when the copy holds the audio of [start_s, end_s) (clipped to its length)."""
        if self._complete:
            return True
        with self._lock:
            if not len(self._ends):
                return False
            start = max(round(start_s * self.sample_rate), 0)
            end = min(round(end_s * self.sample_rate), int(self._ends[-1]))
            first = int(np.searchsorted(self._ends, start, side="right"))
            stop = int(np.searchsorted(self._starts, end, side="left"))
            return bool(self._written[first:stop].all())

    @property
    def complete(self) -> bool:
        return self._complete

    def release(self, delete: bool = True, in_background: bool = False) -> None:
        """Done with the copy: delete it (now, or as soon as run() creates it) and unlock it.
        in_background: a large copy is deleted by a thread (freeing 1 GB of ext4 takes 0.2 s,
        measured); not at exit, where such a thread would be abandoned."""
        with self._lock:
            self._released = self._released or delete
            if delete and self.path:
                _delete(Path(self.path), in_background)
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
        self._wake.set()

    # --- the worker thread ------------------------------------------------------------
    def run(
        self,
        cancel: threading.Event,
        started: Callable[[], None] = lambda: None,
        advanced: Callable[[], None] = lambda: None,
    ) -> None:
        """Make the whole copy; `started` once the header and the first HEAD_S seconds are
        written. Raises AudioError (one line naming the file) or Cancelled, deleting the copy."""
        try:
            segments, channels = _plan(self.files, self.sample_rate)
            fd = self._create(segments, channels)
            try:
                self._write_all(fd, cancel, started, advanced)
            finally:
                os.close(fd)
        except (AudioError, Cancelled):
            self.release()
            raise
        except (OSError, av.FFmpegError, ValueError) as e:
            self.release()
            raise AudioError(f"{self.files[0][0]}: cannot prepare for playback ({e})") from None
        self._complete = True

    def _create(self, segments: list[_Segment], channels: int) -> int:
        n_frames = segments[-1].first_frame + segments[-1].n_frames if segments else 0
        header = _wav_header(n_frames, self.sample_rate, channels)
        starts, ends, segment_of = _chunk_table(segments)
        self._segments, self._segment_of, self.channels = segments, segment_of, channels
        self.durations_s = tuple(s.n_frames / self.sample_rate for s in segments)
        if self.directory:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._released:
                raise Cancelled
            fd, self.path = tempfile.mkstemp(suffix=COPY_SUFFIX, prefix=COPY_PREFIX, dir=self.directory)
            if fcntl is not None:
                self._lock_fd = os.open(self.path, os.O_RDONLY)
                fcntl.flock(self._lock_fd, fcntl.LOCK_SH)
            self._starts, self._ends = starts, ends
            self._written = np.zeros(len(starts), bool)
        os.ftruncate(fd, _HEADER_BYTES + n_frames * channels * 2)  # a hole: no disk used yet
        os.pwrite(fd, header, 0)
        return fd

    def _next_chunk(self, head: int) -> tuple[int, int]:
        """(chunk to write next or -1 when all are, the request count it answers: -1 for
        the head, which leaves the place to go on from as it was)."""
        with self._lock:
            missing = ~self._written
            if missing[:head].any():
                return int(np.argmax(missing[:head])), -1
            here = int(np.searchsorted(self._ends, self._cursor_frame, side="right"))
            if missing[here:].any():
                return here + int(np.argmax(missing[here:])), self._n_requests
            return (int(np.argmax(missing)) if missing.any() else -1), self._n_requests

    def _write_all(
        self, fd: int, cancel: threading.Event, started: Callable[[], None], advanced: Callable[[], None]
    ) -> None:
        head = int(np.searchsorted(self._starts, round(HEAD_S * self.sample_rate), side="left"))
        frame_bytes, run, has_started = self.channels * 2, None, False
        try:
            while (chunk := self._next_chunk(head))[0] >= 0:
                i, n_requests = chunk
                if cancel.is_set():
                    raise Cancelled
                work_start = time.perf_counter()
                segment = self._segments[int(self._segment_of[i])]
                start, end = int(self._starts[i]), int(self._ends[i])
                if run is None or run.segment is not segment or run.next_frame != start - segment.first_frame:
                    if run is not None:
                        run.close()
                    run = _Run(segment, start - segment.first_frame, self.sample_rate, self.channels)
                os.pwrite(
                    fd,
                    run.read(end - start).astype("<i2", copy=False).tobytes(),
                    _HEADER_BYTES + start * frame_bytes,
                )
                with self._lock:
                    self._written[i] = True
                    if n_requests == self._n_requests:
                        self._cursor_frame = end
                if not has_started and (head == 0 or self._written[:head].all()):
                    has_started = True
                    started()
                if self.notify:
                    advanced()
                if n_requests >= 0 and not self._is_urgent(start):
                    self._rest((time.perf_counter() - work_start) * (1 / self.background_share - 1))
        finally:
            if run is not None:
                run.close()
        if not has_started:
            started()

    def _is_urgent(self, frame: int) -> bool:
        return 0 <= frame - self._requested_frame < FOREGROUND_S * self.sample_rate

    def _rest(self, seconds: float) -> None:
        """Pause background work (woken early by a request or a release)."""
        if seconds > 0:
            self._wake.wait(seconds)
            self._wake.clear()


def make_playable(
    files: Sequence[tuple[str, float | None]],
    sample_rate: int,
    directory: str | None = None,
    cancel: threading.Event | None = None,
) -> PlayableAudio:
    """The whole copy at once (or the file itself when fit to play). Raises AudioError or Cancelled."""
    as_is = playable_as_is(files, sample_rate)
    if as_is is not None:
        return as_is
    copy = PcmCopy(files, sample_rate, directory, background_share=1.0)
    copy.run(cancel or threading.Event())
    copy.release(delete=False)
    return PlayableAudio(copy.path, copy.durations_s, temporary=True)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):  # still open (Windows): left to remove_stale_copies
        path.unlink(missing_ok=True)


def _delete(path: Path, in_background: bool) -> None:
    try:
        large = path.stat().st_blocks * 512 > BACKGROUND_DELETE_BYTES
    except OSError:
        return
    if in_background and large:  # not a daemon: an exit waits for it
        threading.Thread(target=_unlink, args=(path,), name="pcm-copy-delete").start()
    else:
        _unlink(path)


def _in_use(path: Path, age_s: float) -> bool:
    if fcntl is None:
        return age_s < STALE_AGE_S
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the lock just taken


def remove_stale_copies(directory: str | None) -> int:
    """Delete copies no running viewer uses (left by a crash); returns how many."""
    folder = Path(directory or tempfile.gettempdir())
    removed, now = 0, time.time()
    for path in folder.glob(f"{COPY_PREFIX}*{COPY_SUFFIX}"):
        try:
            age_s = now - path.stat().st_mtime
        except OSError:
            continue
        if age_s > CREATION_GRACE_S and not _in_use(path, age_s):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed
