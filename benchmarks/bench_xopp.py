"""Benchmark: reading a 10 000-stroke Xournal++ notebook (gzip XML, pressure, audio links).

Run from the project root: python3 benchmarks/bench_xopp.py [n_strokes] [runs]
Strokes of 40 points with per-segment pressure widths, spread over 20 pages; every third
one is linked to one of three recordings (not present, so they are MISSING: the cost of
looking for them is included).
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pencastviewer.formats import xournalpp  # noqa: E402
from pencastviewer.formats.registry import ReadOptions  # noqa: E402

N_PAGES = 20
N_POINTS = 40


def build_xml(n_strokes: int, seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    per_page = -(-n_strokes // N_PAGES)
    parts = ['<?xml version="1.0" standalone="no"?>\n<xournal creator="bench" fileversion="4">']
    made = 0
    for _ in range(N_PAGES):
        parts.append('<page width="595.27559" height="841.88976">')
        parts.append('<background type="solid" color="#ffffffff" style="lined"/><layer>')
        for _ in range(min(per_page, n_strokes - made)):
            start = rng.uniform(50, 500, 2)
            xy = start + np.cumsum(rng.normal(0, 1.5, (N_POINTS, 2)), axis=0)
            widths = " ".join(f"{w:.4f}" for w in rng.uniform(0.3, 1.2, N_POINTS - 1))
            link = (
                f' ts="{made * 700}" fn="2024-05-0{made // 3 % 3 + 1}_09-00-00.ogg"' if made % 3 == 0 else ""
            )
            coords = " ".join(f"{v:.4f}" for v in xy.ravel())
            parts.append(
                f'<stroke tool="pen" color="#000000ff" width="1.41 {widths}"{link}>{coords}</stroke>'
            )
            made += 1
        parts.append("</layer></page>")
    parts.append("</xournal>")
    return "".join(parts).encode()


def main() -> None:
    n_strokes = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    xml = build_xml(n_strokes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xopp"
        path.write_bytes(gzip.compress(xml))
        print(
            f"built {n_strokes} strokes × {N_POINTS} points: {len(xml) / 1e6:.1f} MB XML, "
            f"{path.stat().st_size / 1e6:.1f} MB gzip"
        )
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            notebook = xournalpp.read(path, ReadOptions())
            times.append(time.perf_counter() - started)
        assert notebook.n_strokes == n_strokes, notebook.n_strokes
    median = statistics.median(times)
    print(
        f"parse: median {median * 1000:.0f} ms over {runs} runs "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); "
        f"{n_strokes / median:,.0f} strokes/s; {len(notebook.recordings)} recordings"
    )


if __name__ == "__main__":
    main()
