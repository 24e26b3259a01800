"""Benchmark: STF decoding speed in points per second on a synthetic 1-million-point file.

Run from the project root: python3 benchmarks/bench_stf.py [n_points] [runs]
The input is built by the test-support encoder from the same canonical tables, with the
real pen file's mix of point kinds (mostly gap 1, some gaps and absolute jumps).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.stf_encoder import encode_stf, synthetic_strokes  # noqa: E402

from pencastviewer.formats.livescribe import stf as livescribe_stf  # noqa: E402


def main() -> None:
    n_points = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    started = time.perf_counter()
    strokes = synthetic_strokes(n_points, seed=7)
    data = encode_stf(strokes)
    print(
        f"built {n_points} points in {len(strokes)} strokes, {len(data)} bytes "
        f"({8 * len(data) / n_points:.1f} bits/point) in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    livescribe_stf.decode_stf(data[:200] + b"\x80", lenient=True)  # builds the lookup tables
    print(f"lookup tables built in {1000 * (time.perf_counter() - started):.0f} ms (once per process)")
    n_strokes = len(strokes)
    del strokes
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        ink = livescribe_stf.decode_stf(data)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert ink.n_points == n_points and len(ink.strokes) == n_strokes
        del ink
    # CPU time is printed too: on a shared machine the wall clock also counts other work.
    for name, seconds in (("wall", wall), ("cpu", cpu)):
        median = statistics.median(seconds)
        spread = f"min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}"
        print(
            f"decode {name}: median {median * 1000:.0f} ms over {runs} runs ({spread}) "
            f"-> {n_points / median:,.0f} points/s"
        )


if __name__ == "__main__":
    main()
