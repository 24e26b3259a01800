"""Hit testing on a dense page: index build time and per-tap latency (median, p99).

Run: python3 benchmarks/bench_hittest.py [--strokes 5000] [--taps 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import handwriting_page

from pencastviewer.model import PageHitIndex


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strokes", type=int, default=5000)
    parser.add_argument("--taps", type=int, default=20000)
    args = parser.parse_args()
    page = handwriting_page(args.strokes)
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        index = PageHitIndex(page)
        builds.append(time.perf_counter() - start)
    rng = np.random.default_rng(1)
    # half the taps on ink (a stroke's sample point, jittered), half anywhere on the paper
    on_ink = [
        page.strokes[i].xy_mm[0] + rng.normal(0, 0.5, 2)
        for i in rng.integers(0, len(page.strokes), args.taps // 2)
    ]
    anywhere = rng.uniform((0, 0), (page.width_mm, page.height_mm), (args.taps - len(on_ink), 2))
    taps = np.vstack([on_ink, anywhere])
    rng.shuffle(taps)
    latencies, hits = [], 0
    for x, y in taps.tolist():
        start = time.perf_counter()
        hit = index.hit(x, y, 3.0)
        latencies.append(time.perf_counter() - start)
        hits += hit is not None
    lat = np.array(latencies) * 1e3
    print(f"page: {len(page.strokes)} strokes, {page.n_points} points")
    print(f"index build: median {np.median(builds) * 1e3:.1f} ms")
    print(
        f"tap: median {np.median(lat):.3f} ms, p99 {np.percentile(lat, 99):.3f} ms, "
        f"max {lat.max():.3f} ms over {len(lat)} taps ({hits} hits)"
    )


if __name__ == "__main__":
    main()
