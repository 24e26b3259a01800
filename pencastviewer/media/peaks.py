"""The min/max peak pyramid of a recording: built once by streaming its decoders, queried on
every waveform repaint, and kept in a small cache file (JSON header + raw int16, no pickle)."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from ..model.back_to_back import BackToBack
from .cache import file_fingerprint
from .decode import open_audio
from .loudness import METER_VERSION, BackgroundMeter, Loudness
from .prefetch import prefetched
from .probe import probe

BIN_FRAMES = 256  # frames per level-0 bin
LEVEL_FACTOR = 2  # each coarser level merges two bins of the level below
TOP_LEVEL_BINS = 64  # stop adding levels once one is this small
READ_FRAMES = BIN_FRAMES * 1024  # decoder block: large enough that per-block overhead vanishes
FORMAT_VERSION = 2  # 2: the loudness measured in the same pass follows the peaks
_MAGIC = b"PVPEAKS\x00"
_MAX_HEADER_BYTES = 1 << 16
_INT16_MAX = 32767.0

Progress = Callable[[float], bool]  # called with the fraction done; returns True to cancel
Envelope = tuple[NDArray[np.float64], NDArray[np.float32], NDArray[np.float32]]  # times_s, mins, maxs
PeakSource = tuple[str | os.PathLike[str], float | None]  # (audio file, seconds it spans or None)


class PeaksCancelled(Exception):
    """The progress callback asked the build to stop."""


class PeaksFileError(Exception):
    """A cache file that is not a peak pyramid written by this version."""


def _quantize(values: NDArray[np.float32]) -> NDArray[np.int16]:
    scaled = np.rint(np.nan_to_num(values.astype(np.float64), nan=0.0) * _INT16_MAX)
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def coarser_level(level: NDArray[np.int16]) -> NDArray[np.int16]:
    """(n, 2) min/max bins -> (ceil(n / 2), 2): each bin merges two of `level` (elementwise
    on even/odd rows: four times faster than a reshaped reduction)."""
    n_pairs = len(level) // 2
    even, odd = level[0 : 2 * n_pairs : 2], level[1 : 2 * n_pairs : 2]
    merged = np.minimum(even, odd)
    merged[:, 1] = np.maximum(even[:, 1], odd[:, 1])
    return np.concatenate([merged, level[-1:]]) if len(level) % 2 else merged


class PeakPyramid:
    """levels[k]: int16 (n_k, 2) array of (min, max) over every channel for each run of
    BIN_FRAMES * LEVEL_FACTOR**k frames, scaled so 32767 = full scale; `loudness` is the
    recording's loudness measured in the same decoding pass. Immutable once built."""

    def __init__(
        self, sample_rate: int, n_frames: int, level0: NDArray[np.int16], loudness: Loudness | None = None
    ):
        self.sample_rate = int(sample_rate)
        self.n_frames = int(n_frames)
        self.loudness = loudness
        self.levels = [level0]
        while len(self.levels[-1]) > TOP_LEVEL_BINS:
            self.levels.append(coarser_level(self.levels[-1]))
        for level in self.levels:
            level.flags.writeable = False

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.sample_rate if self.sample_rate else 0.0

    @staticmethod
    def bin_frames(level: int) -> int:
        frames: int = BIN_FRAMES * LEVEL_FACTOR**level
        return frames

    def level_for(self, span_s: float, n_bins: int) -> int:
        """The coarsest level that still has >= n_bins bins across span_s (0 if none has)."""
        span_frames = span_s * self.sample_rate
        for level in range(len(self.levels) - 1, 0, -1):
            if span_frames / self.bin_frames(level) >= n_bins:
                return level
        return 0

    def query(self, start_s: float, end_s: float, n_bins: int) -> Envelope:
        """(times_s, mins, maxs) of the bins covering [start_s, end_s) from the coarsest level
        with >= n_bins there: times are bin starts, mins/maxs float32 in [-1, 1]."""
        start_f = max(start_s, 0.0) * self.sample_rate
        end_f = min(end_s * self.sample_rate, self.n_frames)
        if end_f <= start_f or n_bins <= 0:
            empty = np.empty(0, np.float32)
            return np.empty(0), empty, empty
        level = self.level_for((end_f - start_f) / self.sample_rate, n_bins)
        size = self.bin_frames(level)
        first, stop = int(start_f // size), min(math.ceil(end_f / size), len(self.levels[level]))
        values = self.levels[level][first:stop].astype(np.float32) * np.float32(1.0 / _INT16_MAX)
        times = np.arange(first, stop, dtype=np.float64) * (size / self.sample_rate)
        return times, values[:, 0], values[:, 1]

    # --- cache file ------------------------------------------------------------------
    def save(self, path: Path, key: str = "") -> None:
        """Write atomically: magic, u32 header length, JSON header, level 0 as <i2 pairs."""
        header = {
            "version": FORMAT_VERSION,
            "key": key,
            "sample_rate": self.sample_rate,
            "n_frames": self.n_frames,
            "bin_frames": BIN_FRAMES,
            "n_bins": len(self.levels[0]),
            "loudness": self.loudness.header() if self.loudness is not None else None,
        }
        data = json.dumps(header).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + struct.pack("<I", len(data)) + data)
                f.write(self.levels[0].astype("<i2").tobytes())
                if self.loudness is not None:
                    f.write(self.loudness.profiles().astype("<f4").tobytes())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, key: str = "") -> PeakPyramid:
        """Read a file written by save(); PeaksFileError if it is not one (or not for `key`)."""
        with open(path, "rb") as f:
            rate, n_frames, n_bins, loudness = _read_header(f, path, key)
            n_sub = int(loudness["n_sub_blocks"]) if loudness else 0  # type: ignore[call-overload]
            n_profile = Loudness.profile_length(n_sub)
            n_body = os.fstat(f.fileno()).st_size - f.tell()
            if n_body != n_bins * 4 + n_profile * 4:  # checked before reading: the header may lie
                raise PeaksFileError(
                    f"{path}: {n_body} bytes of peaks, expected {n_bins * 4 + n_profile * 4}"
                )
            body = f.read(n_body)
        level0 = np.frombuffer(body, "<i2", count=n_bins * 2).reshape(n_bins, 2).astype(np.int16)
        profiles = np.frombuffer(body, "<f4", offset=n_bins * 4).astype(np.float32)
        try:
            measured = Loudness.from_header(loudness, profiles) if loudness is not None else None
        except ValueError as e:
            raise PeaksFileError(f"{path}: {e}") from None
        return cls(rate, n_frames, level0, measured)


def _read_header(f: BinaryIO, path: Path, key: str) -> tuple[int, int, int, dict[str, object] | None]:
    """(sample_rate, n_frames, n_bins, loudness header) from a cache file's header, checked
    against `key`."""
    raw = f.read(len(_MAGIC) + 4)
    if len(raw) < len(_MAGIC) + 4 or raw[: len(_MAGIC)] != _MAGIC:
        raise PeaksFileError(f"{path}: not a peaks file")
    (n_header,) = struct.unpack("<I", raw[len(_MAGIC) :])
    if n_header > _MAX_HEADER_BYTES:
        raise PeaksFileError(f"{path}: header of {n_header} bytes is too large")
    try:
        header = json.loads(f.read(n_header))
        rate, n_frames, n_bins = int(header["sample_rate"]), int(header["n_frames"]), int(header["n_bins"])
        loudness = header.get("loudness")
        valid = (
            (
                loudness is None
                or (isinstance(loudness, dict) and 0 <= int(loudness["n_sub_blocks"]) < 1 << 28)
            )
            and header["version"] == FORMAT_VERSION
            and header["bin_frames"] == BIN_FRAMES
            and header["key"] == key
            and rate > 0
            and n_frames >= 0
            and n_bins == -(-n_frames // BIN_FRAMES)
        )
    except (ValueError, KeyError, TypeError) as e:
        raise PeaksFileError(f"{path}: bad header ({e})") from None
    if not valid:
        raise PeaksFileError(f"{path}: written for other audio or by another version")
    return rate, n_frames, n_bins, loudness


class PeakBuilder:
    """Turns a stream of float32 (n, channels) blocks into level 0. The channel count may
    change between blocks (files of a recording back-to-back); a bin spans the joint. The
    loudness thread reads the blocks later: they must not change once fed (decoders hand
    out new arrays)."""

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self.n_frames = 0
        self._chunks: list[NDArray[np.int16]] = []
        self._pending = 0  # frames already in the open bin
        self._pending_min = np.float32(np.inf)
        self._pending_max = np.float32(-np.inf)
        self._meter: BackgroundMeter | None = None

    def _measure(self, block: NDArray[np.float32]) -> None:
        """Loudness in the same pass; a later file with another channel count is measured
        as its mix spread over the first file's channels."""
        frames = block.reshape(len(block), -1)
        if self._meter is None:
            self._meter = BackgroundMeter(self.sample_rate, frames.shape[1])
        if frames.shape[1] != self._meter.channels:
            mix = frames.mean(axis=1, keepdims=True)
            frames = np.repeat(mix, self._meter.channels, axis=1)
        self._meter.feed(frames.astype(np.float32, copy=False), owned=True)  # (decoders hand out new arrays)

    def feed(self, block: NDArray[np.float32]) -> None:
        n = len(block)
        if n:
            self._measure(block)
        self.n_frames += n
        head = min(BIN_FRAMES - self._pending, n) if self._pending else 0
        if head:
            self._add_pending(block[:head])
        if self._pending == BIN_FRAMES:
            self._close_pending()
        n_full = (n - head) // BIN_FRAMES
        if n_full:
            body = np.ascontiguousarray(block[head : head + n_full * BIN_FRAMES]).reshape(n_full, -1)
            self._chunks.append(_quantize(np.stack([body.min(axis=1), body.max(axis=1)], axis=1)))
        tail = block[head + n_full * BIN_FRAMES :]
        if len(tail):
            self._add_pending(tail)

    def _add_pending(self, frames: NDArray[np.float32]) -> None:
        self._pending += len(frames)
        self._pending_min = min(self._pending_min, frames.min())
        self._pending_max = max(self._pending_max, frames.max())

    def _close_pending(self) -> None:
        self._chunks.append(_quantize(np.array([[self._pending_min, self._pending_max]], np.float32)))
        self._pending, self._pending_min, self._pending_max = 0, np.float32(np.inf), np.float32(-np.inf)

    def abandon(self) -> None:
        """No pyramid after all (cancelled, failed): the loudness thread ends."""
        if self._meter is not None:
            self._meter.close()

    def finish(self) -> PeakPyramid:
        if self._pending:
            self._close_pending()
        level0 = np.concatenate(self._chunks) if self._chunks else np.empty((0, 2), np.int16)
        self._chunks = []
        loudness = self._meter.result() if self._meter is not None else None
        return PeakPyramid(self.sample_rate, self.n_frames, level0, loudness)


def _resampled(
    blocks: Iterator[NDArray[np.float32]], rate_in: int, rate_out: int
) -> Iterator[NDArray[np.float32]]:
    """Nearest-neighbour rate change, only for a file whose rate differs from the first one's:
    output frame k takes input frame floor(k * rate_in / rate_out)."""
    start_in = 0
    for block in blocks:
        end_in = start_in + len(block)
        k0, k1 = -(-start_in * rate_out // rate_in), -(-end_in * rate_out // rate_in)
        yield block[np.arange(k0, k1, dtype=np.int64) * rate_in // rate_out - start_in]
        start_in = end_in


def _feed_file(
    builder: PeakBuilder, path: str | os.PathLike[str], n_target: int, on_frames: Callable[[int], None]
) -> None:
    """Feed exactly n_target frames: the file's own, cut or padded with silence."""
    with open_audio(path) as decoder:
        blocks = decoder.blocks(
            READ_FRAMES, end_frame=math.ceil(n_target * decoder.sample_rate / builder.sample_rate)
        )
        if decoder.sample_rate != builder.sample_rate:
            blocks = _resampled(blocks, decoder.sample_rate, builder.sample_rate)
        done = 0
        with contextlib.closing(prefetched(blocks)) as ahead:  # joins the thread before close()
            for block in ahead:
                block = block[: n_target - done]
                builder.feed(block)
                done += len(block)
                on_frames(len(block))
        while done < n_target:
            n = min(READ_FRAMES, n_target - done)
            builder.feed(np.zeros((n, 1), np.float32))
            done += n
            on_frames(n)


def build_pyramid(files: Sequence[PeakSource], progress: Progress | None = None) -> PeakPyramid:
    """One pyramid over `files` played back-to-back at the first file's rate, each lasting its
    seconds when given (> 0), else its decoded length (model.back_to_back places them).
    Raises AudioError, or PeaksCancelled when progress() returns True."""
    if not files:
        raise ValueError("no audio file to build peaks from")
    infos = [probe(path) for path, _ in files]
    rate = infos[0].sample_rate
    durations = [
        s if s and s > 0 else i.n_frames / i.sample_rate for (_, s), i in zip(files, infos, strict=True)
    ]
    starts = BackToBack(durations).frame_starts(rate)  # the players' and exports' frames too
    targets = [end - start for start, end in itertools.pairwise(starts)]
    total = max(sum(targets), 1)
    builder = PeakBuilder(rate)

    def on_frames(n: int) -> None:
        if progress is not None and progress(min(builder.n_frames / total, 1.0)):
            raise PeaksCancelled()

    try:
        for (path, _), n_target in zip(files, targets, strict=True):
            _feed_file(builder, path, n_target, on_frames)
    except BaseException:
        builder.abandon()
        raise
    return builder.finish()


def cache_key(files: Sequence[PeakSource]) -> str:
    """Content key of the recording: files up to FULL_HASH_BYTES are hashed whole; larger
    ones by size, mtime, first and last MiB (hashing 700 MB costs ~0.9 s, see the benchmark)."""
    h = hashlib.sha256(f"peaks {FORMAT_VERSION} {BIN_FRAMES} meter {METER_VERSION}".encode())
    for path, seconds in files:
        h.update(f"|{seconds!r}|".encode())
        h.update(file_fingerprint(Path(path)))
    return h.hexdigest()[:40]
