"""An Anoto STF v1.0 encoder for tests and benchmarks, built from the decoder's canonical tables."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pencastviewer.formats.livescribe.stf import MAGIC
from pencastviewer.formats.livescribe.stf_codes import canonical_code

_RAW_WIDTH = {8: 0, 16: 1, 32: 3}  # HDR2 symbol for each raw gap field width


@dataclass
class PenStroke:
    """What the pen saw: start time (pen ms), and per point x, y (AU), force and the
    sample index since the stroke's start (0 first, strictly increasing)."""

    start_ms: int
    x: list[int]
    y: list[int]
    force: list[int]
    samples: list[int]

    def times_ms(self, rate: int) -> list[int]:
        return [self.start_ms + k * 1000 // rate for k in self.samples]


class _Bits:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def raw(self, value: int, width: int) -> None:
        self.parts.append(format(value & ((1 << width) - 1), f"0{width}b"))

    def code(self, table: dict[int, tuple[int, int]], symbol: int) -> None:
        code, length = table[symbol]
        self.raw(code, length)

    def to_bytes(self) -> bytes:
        bits = "".join(self.parts)
        bits += "0" * (-len(bits) % 8)  # every record starts on a byte boundary
        return int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""


def _stroke_header(delta_ms: int) -> bytes:
    for head, width in ((0x00, 1), (0x08, 2), (0x10, 4), (0x18, 8)):
        if delta_ms < 1 << (8 * width):
            return bytes([head]) + delta_ms.to_bytes(width, "big")
    raise ValueError(f"stroke time delta {delta_ms} does not fit 64 bits")


def _encode_points(stroke: PenStroke, t: dict[str, dict[int, tuple[int, int]]]) -> bytes:
    bits = _Bits()
    x, y, force = stroke.x[0], stroke.y[0], stroke.force[0]
    bits.raw(x, 16)
    bits.raw(y, 16)
    bits.code(t["FORCE"], force)
    vsx = vsy = 0
    for i in range(1, len(stroke.x)):
        n = stroke.samples[i] - stroke.samples[i - 1]
        if n <= 0:
            raise ValueError("sample indices must increase")
        X, Y = stroke.x[i], stroke.y[i]
        dx = (X - x) - ((vsx * n) >> 8)
        dy = (Y - y) - ((vsy * n) >> 8)
        short_gap = n in t["TIME"]
        if short_gap and dx in t["DX"] and dy in t["DY"]:
            bits.code(t["HDR"], 0)
            bits.code(t["TIME"], n)
            bits.code(t["DX"], dx)
            bits.code(t["DY"], dy)
        else:
            if short_gap:
                bits.code(t["HDR"], 1)
                bits.code(t["TIME"], n)
            else:
                width = next(w for w in (8, 16, 32) if n < 1 << w)
                bits.code(t["HDR"], 2)
                bits.code(t["HDR2"], _RAW_WIDTH[width])
                bits.raw(n, width)
            if -128 <= dx < 128 and -128 <= dy < 128:
                bits.raw(0, 1)
                bits.raw(dx, 8)
                bits.raw(dy, 8)
            else:
                bits.raw(1, 1)
                bits.raw(X, 16)
                bits.raw(Y, 16)
        bits.code(t["DFORCE"], stroke.force[i] - force)
        vsx, vsy = (X - x) * (256 // n), (Y - y) * (256 // n)
        x, y, force = X, Y, stroke.force[i]
    bits.code(t["HDR"], 0)
    bits.code(t["TIME"], 0)  # a gap of 0 ends the stroke
    return bits.to_bytes()


def encode_stf(strokes: list[PenStroke], rate: int = 75, *, end_marker: bool = True) -> bytes:
    """STF bytes for `strokes` (start times non-decreasing)."""
    tables = {name: canonical_code(name) for name in ("HDR", "HDR2", "FORCE", "TIME", "DX", "DY", "DFORCE")}
    out = [MAGIC, rate.to_bytes(2, "big")]
    previous_ms = 0
    for stroke in strokes:
        out.append(_stroke_header(stroke.start_ms - previous_ms))
        out.append(_encode_points(stroke, tables))
        previous_ms = stroke.start_ms
    if end_marker:
        out.append(b"\x80")
    return b"".join(out)


def synthetic_strokes(n_points: int, seed: int = 1, start_ms: int = 7_059_567_802) -> list[PenStroke]:
    """Handwriting-like strokes: smooth velocity random walks at 75 Hz, force 30 while
    writing and 0 on the last point, an occasional missed sample (gap 2-3) and a rare
    jump (absolute point), like the real pen file."""
    rng = random.Random(seed)
    strokes: list[PenStroke] = []
    t_ms, total = start_ms, 0
    while total < n_points:
        length = min(max(2, int(rng.expovariate(1 / 30))), n_points - total)
        length = max(length, 1)
        x, y = rng.randrange(400, 4500), rng.randrange(400, 5800)
        vx, vy = rng.randint(-15, 15), rng.randint(-15, 15)
        xs, ys, samples = [x], [y], [0]
        for _ in range(length - 1):
            spread = 3 if rng.random() < 0.75 else 12  # mostly smooth, sometimes a sharp turn
            vx = max(-60, min(60, vx + int(rng.gauss(0, spread))))
            vy = max(-60, min(60, vy + int(rng.gauss(0, spread))))
            gap = 1 if rng.random() > 0.01 else rng.randint(2, 3)
            if rng.random() < 0.003:
                vx, vy = rng.randint(-300, 300), rng.randint(-300, 300)
            x = min(max(x + vx * gap, 0), 6000)
            y = min(max(y + vy * gap, 0), 7000)
            xs.append(x)
            ys.append(y)
            samples.append(samples[-1] + gap)
        force = [30] * (length - 1) + [0] if length > 1 else [30]
        strokes.append(PenStroke(t_ms, xs, ys, force, samples))
        total += length
        t_ms += samples[-1] * 1000 // 75 + rng.randint(100, 900)
    return strokes
