"""Benchmark: decoding difference-encoded InkML traces (as Windows Journal and Word write
them: a first point, first differences ', then second differences "), in bulk with numpy
against the token-by-token decoder it replaced; both give the same values bit for bit.

Run from the project root: python3 benchmarks/bench_inkml.py [n_points] [runs]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pencastviewer.formats.inkml.trace import _decode_full, decode_values


def windows_ink(n_points: int, seed: int = 7) -> str:
    """One trace of X Y F: explicit, first, then second differences (-40..40)."""
    steps = np.random.default_rng(seed).integers(-40, 41, (n_points - 2, 3))
    rows = ["2988 13425 1902", "'-93'37'608", '"' + '"'.join(map(str, steps[0]))]
    rows += [" ".join(map(str, r)) for r in steps[1:]]
    return ",".join(rows).replace(" -", "-")


def cpu_median(work, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.process_time()
        work()
        seconds.append(time.process_time() - started)
    return statistics.median(seconds)


def main() -> None:
    n_points = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    text = windows_ink(n_points)
    bulk, token = decode_values(text, 3), _decode_full(text, 3)
    assert bulk.tobytes() == token.tobytes(), "the decoders disagree"
    print(f"{n_points:,} points, {len(text) / 1e6:.1f} MB of trace text (CPU time, medians of {runs})")
    bulk_s = cpu_median(lambda: decode_values(text, 3), runs)
    token_s = cpu_median(lambda: _decode_full(text, 3), max(1, runs // 2))
    print(f"bulk (numpy):    {bulk_s:.2f} s -> {n_points / bulk_s:,.0f} points/s")
    print(f"token by token:  {token_s:.2f} s -> {n_points / token_s:,.0f} points/s")
    print(f"RATIO inkml difference decoding, token/bulk: {token_s / bulk_s:.1f} (> 1: bulk faster)")


if __name__ == "__main__":
    main()
