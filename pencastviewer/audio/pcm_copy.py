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
hole, read as silence) and the player is given the file at once (it loads it meanwhile),
then the audio in chunks of CHUNK_FRAMES from wherever the player last asked for (request,
the start until then) onwards, wrapping round to what is still missing (covers()). What a
request waits for (wanted_s) is decoded and processed in one block by the run from there.
FOREGROUND_S from the request go at full speed, the rest at BACKGROUND_SHARE of a core, so
that the waveform's peaks, built from the same files at the same time, are not slowed much.
Runs are sample-exact wherever they start, decoded in a child process when one is ready
(in_child; run_writer says why); copy_store names, locks and deletes copies;
a finished one is kept for the next time (kept_copies), where the player asks for it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import av
import numpy as np

from ..media.dynamics import IDENTITY, Processing
from ..media.priority import urgent
from ..media.source import AudioError
from .copy_store import (
    PlayableAudio,
    create_copy_file,
    delete_copy,
    playable_as_is,
    remove_stale_copies,
    wav_header,
)
from .kept_copies import KEPT_PREFIX, copy_key, keep, open_kept
from .pcm_runs import CHUNK_FRAMES, Segment, chunk_table, plan, wanted_of
from .run_writer import Writer

__all__ = ["CHUNK_FRAMES", "Cancelled", "PcmCopy", "PlayableAudio", "make_playable", "playable_as_is"]
__all__ += ["remove_stale_copies"]

FOREGROUND_S = 20.0  # written at full speed from where the player asks for
START_GRACE_S = 0.15  # nothing decoded this long once a tap's audio is in: Qt's start took 0.2 s beside it
BACKGROUND_SHARE = 0.25  # the rest only uses this share of a core: the waveform is built meanwhile
_HEADER_BYTES = 44
Callback = Callable[[], None]


class Cancelled(Exception):
    """The copy was abandoned (a new recording was loaded)."""


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
        processing: Processing = IDENTITY,
        kept: bool = False,
        in_child: bool = False,
        key: str | None = None,  # kept_copies.copy_key of files heard with processing, if known
    ) -> None:
        self.files = tuple((str(path), duration) for path, duration in files)
        self._store = directory if kept else None  # kept copies (kept_copies) used and made there
        self.processing = processing  # how the copy is heard (media.dynamics); see reprocess()
        self._key: tuple[Processing, str | None] | None = (processing, key) if key is not None else None
        self._version = 0  # counts reprocess(): a chunk written under an older one is not kept
        self.sample_rate, self.directory = sample_rate, directory
        self.background_share = background_share
        self.in_child = in_child  # decoded in a child process (decode_process) when one is ready
        self.path, self.channels = "", 0
        self.durations_s: tuple[float, ...] = ()
        self.notify = False  # run() calls `advanced` after every chunk while this is set
        self._lock = threading.Lock()
        self._starts = self._ends = np.zeros(0, np.int64)
        self._segment_of = np.zeros(0, np.int64)
        self._segments: list[Segment] = []
        self._written = np.zeros(0, bool)
        self._cursor_frame, self._n_requests = 0, 0
        self._requested_frame = 0  # where the player last asked for: FOREGROUND_S from it is urgent
        self._wanted_frames = 0  # how much from there the player waits for
        self._wake = threading.Event()  # ends a background pause early
        self._complete = self._released = False
        self._lock_fd: int | None = None
        self.kept = False  # a finished copy in the store (kept_copies): never written again

    # --- any thread -----------------------------------------------------------------
    def request(self, position_s: float, notify: bool = True, wanted_s: float = 0.0) -> None:
        """Write the audio from `position_s` on next (and call `advanced` meanwhile if notify);
        `wanted_s` from there is waited for: decoded in one go."""
        with self._lock:
            self._cursor_frame = self._requested_frame = max(0, round(position_s * self.sample_rate))
            self._wanted_frames = max(0, round(wanted_s * self.sample_rate))
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

    def reprocess(self, processing: Processing, position_s: float) -> bool | None:
        """Be heard with `processing` from now on: every chunk is written again, from
        `position_s` first. Returns True when the copy had been completed, so that its
        worker has ended: the caller then runs resume() in a thread; None for a kept copy,
        which is never written again: the caller makes a new one."""
        with self._lock:
            if self.kept:
                return None
            was_complete = self._complete
            self.processing = processing
            self._version += 1
            self._written[:] = False
            self._complete = False
            self._cursor_frame = self._requested_frame = max(0, round(position_s * self.sample_rate))
            self._n_requests += 1
        self._wake.set()
        return was_complete

    def release(self, delete: bool = True, in_background: bool = False) -> None:
        """Done with the copy: delete it (now, or as soon as run() creates it) and unlock it.
        in_background: a large copy is deleted by a thread (freeing 1 GB of ext4 takes 0.2 s,
        measured); not at exit, where such a thread would be abandoned."""
        with self._lock:
            self._released = self._released or delete
            if delete and self.path and not Path(self.path).name.startswith(KEPT_PREFIX):
                delete_copy(Path(self.path), in_background)  # (a kept copy's own name stays)
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
        """Make the whole copy; `started` once the header is written (the file can be
        loaded: the audio follows, most wanted first). Raises AudioError (one line naming
        the file) or Cancelled, deleting the copy."""
        try:
            if self.kept or (not self.path and self._adopt()):
                return started()
            if not self.path:
                os.close(self._create(*plan(self.files, self.sample_rate)))
            self._write_all(cancel, advanced, started)
        except (AudioError, Cancelled):
            self.release()
            raise
        except (OSError, av.FFmpegError, ValueError) as e:
            self.release()
            raise AudioError(f"{self.files[0][0]}: cannot prepare for playback ({e})") from None

    def prepare(self) -> bool:
        """Plan the copy and write its header now, in the caller's thread (a probe of each
        file: under a millisecond), so that the player is given the file before run() is
        even scheduled. False when that fails: run() then raises the error."""
        try:
            if not self._adopt():
                os.close(self._create(*plan(self.files, self.sample_rate)))
            return True
        except (AudioError, Cancelled, OSError, av.FFmpegError, ValueError):
            self.path = ""
            return False

    @property
    def key(self) -> str | None:
        """copy_key of the copy as heard now, once per processing (2 MiB hashed per file: 4 ms)."""
        processing, known = self.processing, self._key
        if known is None or known[0] != processing:
            known = self._key = (processing, copy_key(self.files, self.sample_rate, processing))
        return known[1]

    def _adopt(self) -> bool:
        """Use a kept copy of the same files heard the same way, if there is one."""
        key = self.key if self._store else None
        found = open_kept(self._store, key) if self._store and key else None
        if found is None:
            return False
        segments, self.channels = plan(self.files, self.sample_rate)
        self.durations_s = tuple(s.n_frames / self.sample_rate for s in segments)
        with self._lock:
            (self.path, self._lock_fd), self.kept, self._complete = found, True, True
        return True

    def _keep(self) -> None:
        """The copy is complete (under the lock, so that a reprocess() or release() after
        this finds it kept, and one before it found it still being made): into the store."""
        key = self.key if self._store else None
        if self._store and key and not self._released:
            self.kept = keep(self.path, self._store, key)

    def _create(self, segments: list[Segment], channels: int) -> int:
        n_frames = segments[-1].first_frame + segments[-1].n_frames if segments else 0
        header = wav_header(n_frames, self.sample_rate, channels)
        starts, ends, segment_of = chunk_table(segments)
        self._segments, self._segment_of, self.channels = segments, segment_of, channels
        self.durations_s = tuple(s.n_frames / self.sample_rate for s in segments)
        if self.directory:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._released:
                raise Cancelled
            fd, self.path, self._lock_fd = create_copy_file(self.directory)
            self._starts, self._ends = starts, ends
            self._written = np.zeros(len(starts), bool)
        os.ftruncate(fd, _HEADER_BYTES + n_frames * channels * 2)  # a hole: no disk used yet
        os.pwrite(fd, header, 0)
        return fd

    def resume(self, cancel: threading.Event, advanced: Callable[[], object] = lambda: None) -> None:
        """Write again what reprocess() asked for, after run() had ended (same errors)."""
        try:
            self._write_all(cancel, advanced)
        except (OSError, av.FFmpegError, ValueError) as e:  # (AudioError and Cancelled pass)
            raise AudioError(f"{self.files[0][0]}: cannot prepare for playback ({e})") from None

    def _next_chunk(self) -> tuple[int, int, int, tuple[int, int]]:
        """(chunk to write next or -1 when all are, the request count it answers, the
        version it is for, the span the request waits for). All written: the copy
        is complete (decided here, under the lock, so that a reprocess() either sees it
        complete or finds this worker still going)."""
        with self._lock:
            missing = ~self._written
            wanted = (self._requested_frame, self._requested_frame + self._wanted_frames)
            here = int(np.searchsorted(self._ends, self._cursor_frame, side="right"))
            if missing[here:].any():
                return here + int(np.argmax(missing[here:])), self._n_requests, self._version, wanted
            if missing.any():
                return int(np.argmax(missing)), self._n_requests, self._version, wanted
            self._complete = True
            self._keep()
            return -1, self._n_requests, self._version, wanted

    def _write_all(
        self, cancel: threading.Event, advanced: Callable[[], object], started: Callback | None = None
    ) -> None:
        """Write what is missing, most wanted first; `started` (the first run) is called
        first: the header is in. What a request waits for goes in one piece (one command to
        the child process, one notice to the player)."""
        if started is not None:
            started()
        writer = Writer(self.path, self.sample_rate, self.channels, self.in_child)
        try:
            while (chunk := self._next_chunk())[0] >= 0:
                i, n_requests, version, wanted = chunk
                if cancel.is_set():
                    raise Cancelled
                work_start = time.perf_counter()
                segment = self._segments[int(self._segment_of[i])]
                start = int(self._starts[i])
                waited_for = wanted_of(start, wanted, segment)
                last = self._span(i, start + waited_for)
                end = int(self._ends[last])
                with urgent() if waited_for else contextlib.nullcontext():  # media.priority
                    writer.write(
                        segment, start - segment.first_frame, end - start, self.processing, waited_for
                    )
                with self._lock:
                    if version != self._version:
                        continue  # reprocessed meanwhile: written again with the new processing
                    self._written[i : last + 1] = True
                    if n_requests == self._n_requests:
                        self._cursor_frame = end
                if self.notify:
                    advanced()
                if 0 < waited_for <= end - start:  # all a tap waits for is in: the player starts
                    with urgent():  # (Qt's threads buffer and open the stream) with the cores free
                        self._rest(START_GRACE_S)
                elif not self._is_urgent(start, end):
                    self._rest((time.perf_counter() - work_start) * (1 / self.background_share - 1))
        finally:
            writer.close()

    def _span(self, i: int, until: int) -> int:
        """The last of the missing chunks from chunk i on, in its file, that start before `until`."""
        with self._lock:
            last = i
            while last + 1 < len(self._starts) and self._starts[last + 1] < until:
                if self._written[last + 1] or self._segment_of[last + 1] != self._segment_of[i]:
                    break
                last += 1
            return last

    def _is_urgent(self, start: int, end: int) -> bool:
        """The chunk [start, end) meets FOREGROUND_S from the request (the chunk holding the
        requested frame begins before it: it rested 3× its work, 40-100 ms, before the next)."""
        return end > self._requested_frame and start - self._requested_frame < FOREGROUND_S * self.sample_rate

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
    processing: Processing = IDENTITY,
) -> PlayableAudio:
    """The whole copy at once, as heard with `processing` (or the file itself when fit to
    play as it is). Raises AudioError or Cancelled."""
    as_is = playable_as_is(files, sample_rate) if processing.is_identity else None
    if as_is is not None:
        return as_is
    copy = PcmCopy(files, sample_rate, directory, background_share=1.0, processing=processing)
    copy.run(cancel or threading.Event())
    copy.release(delete=False)
    return PlayableAudio(copy.path, copy.durations_s, temporary=True)
