"""Decoder of Anoto STF v1.0 stroke files, the ink of Livescribe pen archives.

The format (docs/formats.md §2) is a bit stream of canonical Huffman codes. Decoding is
table-driven: the common point (no gap, small residuals, force unchanged) is recognised by
one lookup of the next FAST_BITS bits, which yields its whole bit length and both
residuals; everything else goes field by field through per-table lookups. Bits come from
an int accumulator refilled with 32-bit words, so no function is called per bit or per
point, and every loop is bounded by the input's size.
"""

from __future__ import annotations

import array
import bisect
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..errors import CorruptFileError, TooLargeError
from ..limits import MAX_POINTS
from .stf_codes import FAST_BITS, fast_table, lookup

MAGIC = b"\x01\x00Anoto STF v1.0"
HEADER_BYTES = len(MAGIC) + 2  # + u16 sample rate
MAX_TIME_MS = 1 << 53  # beyond this a pen time is garbage (and float64 would lose ms)
MAX_AU = 1 << 20  # absolute coordinates are u16; a decoded point this far out is garbage
_TIME_FIELD_BYTES = {0x00: 1, 0x08: 2, 0x10: 4, 0x18: 8}
_END_OF_FILE = 0x80
_NOT_A_HEADER = 0xFF & ~0x98  # reference readers skip bytes with any of these bits set
_GAP_FIELD_BITS = {0: 8, 1: 16, 3: 32}  # HDR2 symbol -> raw gap field width
_CHUNK_WORDS = 1 << 16
_PAD_WORDS = 4  # zero words after the data, so peeks near the end need no bounds check


class StfStroke(NamedTuple):
    """One stroke as the pen stored it: x, y in Anoto units, t_ms in pen-clock ms; the
    arrays are views into the file's columns (a tuple: cheap for tens of thousands)."""

    start_ms: int
    x: NDArray[np.int64]
    y: NDArray[np.int64]
    t_ms: NDArray[np.int64]
    force: NDArray[np.int64]

    @property
    def n_points(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class StfInk:
    """A decoded file. `damage` (lenient decoding only) says where decoding stopped; the
    strokes before it are kept."""

    sample_rate: int
    strokes: tuple[StfStroke, ...]
    damage: CorruptFileError | None = None

    @property
    def n_points(self) -> int:
        return sum(s.n_points for s in self.strokes)


class _Damage(Exception):
    """Where decoding stopped: byte offset, problem, and the first stroke not to keep
    (None: the stroke being decoded)."""

    def __init__(self, byte: int, problem: str, stroke: int | None = None):
        super().__init__(problem)
        self.byte, self.problem, self.stroke = byte, problem, stroke


class _Words:
    """The input as big-endian 32-bit words, converted to ints a chunk at a time."""

    def __init__(self, data: bytes):
        self.n_bytes = len(data)
        self.padded = data + bytes(-len(data) % 4 + 4 * _PAD_WORDS)
        self.n_words = len(self.padded) // 4
        self.base = 0
        self.words: list[int] = []

    def load(self, word: int) -> tuple[list[int], int]:
        """Make `word` the start of the current chunk: (chunk, its length)."""
        if word >= self.n_words:
            raise _Damage(self.n_bytes, "the file ends in the middle of a stroke")
        count = min(_CHUNK_WORDS, self.n_words - word)
        self.base = word
        self.words = np.frombuffer(self.padded, ">u4", count, 4 * word).tolist()
        return self.words, count

    def seek(self, bit: int) -> tuple[list[int], int, int, int]:
        """(chunk, index, chunk length, bit count) to read from bit offset `bit`: the
        accumulator is the word at index - 1, whose low `bit count` bits are unread."""
        word = bit >> 5
        if not self.base <= word < self.base + len(self.words):
            self.load(word)
        return self.words, word - self.base + 1, len(self.words), 32 - (bit & 31)


class _TooManyPoints(Exception):
    """More points than formats.limits.MAX_POINTS: stop decoding at once."""


def decode_stf(data: bytes, path: str | os.PathLike[str] | None = None, *, lenient: bool = False) -> StfInk:
    """Decode a whole STF file. Malformed input raises CorruptFileError naming the byte
    offset; with `lenient`, the strokes before the damage are returned with `damage` set."""
    if len(data) < HEADER_BYTES or not data.startswith(MAGIC):
        raise CorruptFileError(path, "not an Anoto STF v1.0 stroke file", where="byte 0")
    rate = int.from_bytes(data[16:18], "big")
    if rate == 0:
        raise CorruptFileError(path, "STF sample rate is 0", where="byte 16")
    columns = _Columns()
    damage = None
    # The range check sees only what the scan kept, so a damage it finds lies earlier.
    steps: tuple[Callable[[], object], ...] = (lambda: _scan(data, columns), columns.check_range)
    for step in steps:
        try:
            step()
        except _TooManyPoints:
            raise TooLargeError(
                path, f"holds more than {MAX_POINTS:,} points (the most a notebook file may have)"
            ) from None
        except _Damage as d:
            damage = CorruptFileError(path, f"damaged STF stroke data: {d.problem}", where=f"byte {d.byte}")
            if not lenient:
                raise damage from None
            columns.truncate(len(columns.first) - 1 if d.stroke is None else d.stroke)
    return StfInk(rate, columns.strokes(rate), damage)


class _Columns:
    """All points of a file in flat columns, plus per-stroke starts and sparse events."""

    def __init__(self) -> None:
        self.xs = array.array("q")  # raw int64s: no int object is kept per point
        self.ys = array.array("q")
        self.first: list[int] = []  # index of each stroke's first point
        self.start_ms: list[int] = []
        self.start_byte: list[int] = []
        self.gaps: list[tuple[int, int]] = []  # (point, extra samples) where the gap was not 1
        self.force_at: list[int] = []  # points where the force changes ...
        self.force: list[int] = []  # ... and its new value there

    def truncate(self, stroke: int) -> None:
        """Keep the strokes before `stroke`."""
        if stroke >= len(self.first):
            return
        cut = self.first[stroke]
        del self.first[stroke:], self.start_ms[stroke:], self.start_byte[stroke:]
        del self.xs[cut:], self.ys[cut:]
        self.gaps = [g for g in self.gaps if g[0] < cut]
        kept = sum(1 for at in self.force_at if at < cut)
        del self.force_at[kept:], self.force[kept:]

    def check_range(self) -> None:
        bad = self._first_out_of_range()
        if bad is not None:
            stroke = bisect.bisect_right(self.first, bad) - 1
            raise _Damage(self.start_byte[stroke], f"a stroke leaves the page (beyond {MAX_AU} AU)", stroke)
        if sum(gap for _, gap in self.gaps) + len(self.xs) > MAX_TIME_MS // 1000:
            raise _Damage(self.start_byte[0], "sample gaps out of range", 0)

    def _first_out_of_range(self) -> int | None:
        # The views must be gone before a truncate resizes the arrays, hence a function.
        x, y = np.frombuffer(self.xs, dtype=np.int64), np.frombuffer(self.ys, dtype=np.int64)
        bad = np.flatnonzero((np.abs(x) > MAX_AU) | (np.abs(y) > MAX_AU))
        return int(bad[0]) if bad.size else None

    def strokes(self, rate: int) -> tuple[StfStroke, ...]:
        """Per-stroke views of the columns, with times and forces filled in."""
        n = len(self.xs)
        if not self.first:
            return ()
        x, y = np.frombuffer(self.xs, dtype=np.int64), np.frombuffer(self.ys, dtype=np.int64)
        first = np.array(self.first, dtype=np.int64)
        counts = np.diff(np.append(first, n))
        extra = np.zeros(n, dtype=np.int64)
        if self.gaps:
            at, more = np.array(self.gaps, dtype=np.int64).T
            extra[at] = more
        summed = np.cumsum(extra)  # a stroke's first point never has a gap, so this is exact:
        samples = np.arange(n, dtype=np.int64) - np.repeat(first + summed[first], counts) + summed
        t_ms = np.repeat(np.array(self.start_ms, dtype=np.int64), counts) + samples * 1000 // rate
        changes = np.zeros(n, dtype=np.int64)  # force is a step function of the point index
        changes[self.force_at] = np.diff(np.array(self.force, dtype=np.int64), prepend=0)
        force = np.cumsum(changes)
        for column in (x, y, t_ms, force):
            column.flags.writeable = False
        ends = [*self.first[1:], n]
        return tuple(
            StfStroke(ms, x[a:b], y[a:b], t_ms[a:b], force[a:b])
            for ms, a, b in zip(self.start_ms, self.first, ends, strict=True)
        )


def _scan(data: bytes, out: _Columns) -> None:
    """Decode every stroke into `out`; raises _Damage where the data stops making sense."""
    try:
        _scan_strokes(data, out)
    except OverflowError:  # a coordinate beyond int64: only garbage gets there
        raise _Damage(out.start_byte[-1], "coordinates out of range") from None


def _stroke_start(data: bytes, pos: int, stroke_ms: int, out: _Columns) -> tuple[int, int] | None:
    """The stroke record at or after byte `pos` (bytes that cannot start one are skipped, as
    the reference readers do): its start is added to `out` and (byte of its first point, its
    time) returned; None at the end-of-file marker."""
    n_bytes = len(data)
    while pos < n_bytes and data[pos] & _NOT_A_HEADER:
        pos += 1
    if pos >= n_bytes:
        raise _Damage(n_bytes, "the file ends without its end-of-file marker", len(out.first))
    head = data[pos]
    if head == _END_OF_FILE:
        return None
    size = _TIME_FIELD_BYTES.get(head)
    if size is None:
        raise _Damage(pos, f"unknown stroke header 0x{head:02x}", len(out.first))
    if pos + 1 + size + 4 >= n_bytes:
        raise _Damage(n_bytes, f"the stroke starting at byte {pos} is cut off", len(out.first))
    stroke_ms += int.from_bytes(data[pos + 1 : pos + 1 + size], "big")
    if stroke_ms >= MAX_TIME_MS:
        raise _Damage(pos, f"stroke time {stroke_ms} ms is out of range", len(out.first))
    if len(out.xs) > MAX_POINTS:  # checked while decoding: a 130 KB archive can hold 64 MB of STF
        raise _TooManyPoints()
    out.first.append(len(out.xs))
    out.start_ms.append(stroke_ms)
    out.start_byte.append(pos)
    return pos + 1 + size, stroke_ms


def _scan_strokes(data: bytes, out: _Columns) -> None:
    # One function on purpose (about 100 lines): the per-point loops keep every table, the
    # bit accumulator and the pen state in local variables. Splitting the fast and slow
    # point paths into functions costs a call and a dozen argument passes per slow-path
    # run, which a 1-million-point benchmark (benchmarks/bench_stf.py) would pay in full;
    # the per-stroke header parsing, which runs once per stroke, is _stroke_start.
    n_bytes, n_bits = len(data), 8 * len(data)
    reader = _Words(data)
    padded = reader.padded
    fast, k_bits = fast_table(), FAST_BITS
    k_mask = (1 << k_bits) - 1
    hdr, hdr2, gap_tab, dx_tab, dy_tab, df_tab = (
        lookup(n)[1] for n in ("HDR", "HDR2", "TIME", "DX", "DY", "DFORCE")
    )
    force_bits, force_tab = lookup("FORCE")
    low = [(1 << i) - 1 for i in range(129)]
    xs, gaps, force_at, force_new = out.xs, out.gaps, out.force_at, out.force
    x_add, y_add = xs.append, out.ys.append
    pos, stroke_ms = HEADER_BYTES, 0
    while True:  # one stroke record per turn, each starting on a byte boundary
        started = _stroke_start(data, pos, stroke_ms, out)
        if started is None:
            return
        pos, stroke_ms = started
        x, y = int.from_bytes(data[pos : pos + 2], "big"), int.from_bytes(data[pos + 2 : pos + 4], "big")
        x_add(x)
        y_add(y)
        force, length = force_tab[int.from_bytes(padded[pos + 4 : pos + 6], "big") >> (16 - force_bits)]
        force_at.append(len(xs) - 1)
        force_new.append(force)
        words, wi, wend, nb = reader.seek(8 * (pos + 4) + length)
        acc = words[wi - 1]
        vx = vy = 0
        while True:  # the points of this stroke
            while True:  # fast path: the common point, one lookup
                if nb < k_bits:
                    if wi == wend:
                        words, wend = reader.load(reader.base + wi)
                        wi = 0
                    acc = (acc & low[nb]) << 32 | words[wi]
                    wi += 1
                    nb += 32
                entry = fast[(acc >> (nb - k_bits)) & k_mask]
                if entry is None:
                    break
                length, dx, dy = entry
                nb -= length
                vx += dx
                vy += dy
                x += vx
                y += vy
                x_add(x)
                y_add(y)
            # Slow path, field by field, until a point with gap 1 restores the fast path's
            # invariant (the scaled velocity is exactly 256 × the last step).
            vsx, vsy = vx << 8, vy << 8
            while True:
                while nb < 96:  # the longest point is 82 bits
                    if wi == wend:
                        words, wend = reader.load(reader.base + wi)
                        wi = 0
                    acc = (acc & low[nb]) << 32 | words[wi]
                    wi += 1
                    nb += 32
                kind, length = hdr[(acc >> (nb - 2)) & 3]
                nb -= length
                if kind < 2:
                    gap, length = gap_tab[(acc >> (nb - 16)) & 0xFFFF]
                    nb -= length
                else:
                    field, length = hdr2[(acc >> (nb - 2)) & 3]
                    nb -= length + _GAP_FIELD_BITS[field]
                    gap = (acc >> nb) & low[_GAP_FIELD_BITS[field]]
                if gap == 0:
                    break
                if kind == 0:
                    dx, length = dx_tab[(acc >> (nb - 10)) & 0x3FF]
                    nb -= length
                    dy, length = dy_tab[(acc >> (nb - 10)) & 0x3FF]
                    nb -= length
                    vx, vy = dx + ((vsx * gap) >> 8), dy + ((vsy * gap) >> 8)
                else:
                    nb -= 1
                    if (acc >> nb) & 1:  # absolute position
                        nb -= 32
                        vx, vy = ((acc >> (nb + 16)) & 0xFFFF) - x, ((acc >> nb) & 0xFFFF) - y
                    else:  # signed 8-bit residuals
                        nb -= 16
                        dx, dy = (acc >> (nb + 8)) & 0xFF, (acc >> nb) & 0xFF
                        dx, dy = dx - ((dx & 0x80) << 1), dy - ((dy & 0x80) << 1)
                        vx, vy = dx + ((vsx * gap) >> 8), dy + ((vsy * gap) >> 8)
                dforce, length = df_tab[(acc >> (nb - 13)) & 0x1FFF]
                nb -= length
                x += vx
                y += vy
                x_add(x)
                y_add(y)
                if gap != 1:
                    gaps.append((len(xs) - 1, gap - 1))
                if dforce:
                    force += dforce
                    force_at.append(len(xs) - 1)
                    force_new.append(force)
                if gap == 1:
                    break
                vsx, vsy = vx * (256 // gap), vy * (256 // gap)
            if gap == 0:
                break
        end_bit = 32 * (reader.base + wi) - nb
        if end_bit > n_bits:
            raise _Damage(n_bytes, f"the stroke starting at byte {out.start_byte[-1]} is cut off")
        pos = (end_bit + 7) >> 3
