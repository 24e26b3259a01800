"""Writing runs of decoded audio into the playable copy (pcm_copy), in the copy's own thread
or, when one is ready, in a child process (decode_process): the same Run code either way,
so the same bytes.

Why a child process: the copy's worker thread shares the GIL with the GUI thread, and a
page being painted (pure Python for tens of ms) made the 30 ms of CPU that a tap waits for
(LEAD_S of Opus) take 100-300 ms of wall time. Measured with a GIL-bound main thread
(5.5 s of the 3-hour Opus at random places, 12 rounds, load 2): median 219 ms in a thread,
55 ms in a warm child.
"""

from __future__ import annotations

import os

from ..media.dynamics import Processing
from .decode_process import ChildGone, DecodeProcess, give_back, take
from .pcm_runs import Run, Segment


class InThread:
    """Decodes in the calling thread and writes to the copy's file."""

    def __init__(self, path: str, sample_rate: int, channels: int) -> None:
        self.path, self.sample_rate, self.channels = path, sample_rate, channels
        self._fd = os.open(path, os.O_WRONLY)
        self._run: Run | None = None

    def write(
        self, segment: Segment, first_frame: int, n_frames: int, processing: Processing, wanted: int
    ) -> None:
        """Frames [first_frame, first_frame + n_frames) of `segment` (in the file, at the
        output rate) as heard with `processing`, into their place in the copy; a new run
        decodes `wanted` frames in one go (see Run)."""
        run = self._run
        if (
            run is None
            or run.segment != segment
            or run.processing != processing
            or run.next_frame != first_frame
        ):
            if run is not None:
                run.close()
            run = self._run = Run(segment, first_frame, self.sample_rate, self.channels, processing, wanted)
        samples = run.read(n_frames).astype("<i2", copy=False).tobytes()
        offset = 44 + (segment.first_frame + first_frame) * self.channels * 2  # after the WAV header
        os.pwrite(self._fd, samples, offset)

    def close(self) -> None:
        if self._run is not None:
            self._run.close()
            self._run = None
        os.close(self._fd)


class Writer:
    """The copy's writer: a child process as soon as one is ready (decode_process.take),
    the copy's own thread until then, or if the child dies."""

    def __init__(self, path: str, sample_rate: int, channels: int, use_child: bool = True) -> None:
        self._args = (path, sample_rate, channels)
        self._use_child = use_child
        self._thread: InThread | None = None
        self._child: DecodeProcess | None = None

    def write(
        self, segment: Segment, first_frame: int, n_frames: int, processing: Processing, wanted: int
    ) -> None:
        if self._use_child and self._child is None:
            self._child = take()
        if self._child is not None:
            try:
                return self._child.write(*self._args, segment, first_frame, n_frames, processing, wanted)
            except ChildGone:
                self._child, self._use_child = None, False  # (the child wrote nothing more)
        if self._thread is None:
            self._thread = InThread(*self._args)
        self._thread.write(segment, first_frame, n_frames, processing, wanted)

    def close(self) -> None:
        """Done with the copy: the child lets go of its file (so that a deleted copy's disk
        space is freed) and waits for the next copy."""
        if self._child is not None:
            give_back(self._child)
            self._child = None
        if self._thread is not None:
            self._thread.close()
            self._thread = None
