"""Resident memory of a large notebook's ink: the 50 000-stroke, 100-page notebook of
make_large_notebook.py without its recording, written once as a .pencast into the bench
cache folder, then read in a fresh interpreter: VmRSS before and after `read_notebook`
(and after building the Timeline and each page's hit index, as the window does when
needed), and the time the read took.

Run: python3 benchmarks/bench_ink_memory.py [--strokes 50000] [--pages 100] [--runs 3]
(PENCASTVIEWER_SOURCE=/other/checkout measures that checkout's reader on the same file.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from make_large_notebook import LargeNotebookSpec, default_folder, make_notebook  # noqa: E402

MEASURE = """
import gc, json, sys, time
def rss_mb():
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1]) / 1024
from pencastviewer.formats import read_notebook
from pencastviewer.model import PageHitIndex, Timeline
import numpy
read_notebook(sys.argv[2])  # warm-up: the readers' lazy imports are not ink
gc.collect(); before = rss_mb()
start = time.perf_counter()
notebook = read_notebook(sys.argv[1])
read_s = time.perf_counter() - start
gc.collect(); after_read = rss_mb()
timeline = Timeline(notebook); timeline.page_being_written(0.0); timeline.reveal(0, 0.0)
gc.collect(); after_timeline = rss_mb()
print(json.dumps({"read_s": read_s, "ink_mb": after_read - before,
                  "timeline_mb": after_timeline - after_read, "strokes": notebook.n_strokes}))
"""


def ink_file(spec: LargeNotebookSpec) -> Path:
    path = default_folder() / f"ink-{spec.key()}.pencast"
    if not path.exists():
        from pencastviewer.formats.pencast.writer import write_pencast

        path.parent.mkdir(parents=True, exist_ok=True)
        write_pencast(make_notebook(spec, None), path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strokes", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = ink_file(LargeNotebookSpec(pages=args.pages, strokes=args.strokes))
    small = ink_file(LargeNotebookSpec(pages=1, strokes=10))
    env_path = os.environ.get("PENCASTVIEWER_SOURCE", str(HERE.parent))  # another checkout to compare
    runs = []
    for _ in range(args.runs):
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, str(path), str(small)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            cwd=env_path,  # (python -c imports from its working folder first)
        )
        runs.append(json.loads(result.stdout))
    print(f"{path.name}: {runs[0]['strokes']} strokes")
    for key, unit in (("ink_mb", "MB"), ("timeline_mb", "MB"), ("read_s", "s")):
        values = [r[key] for r in runs]
        each = ", ".join(f"{v:.2f}" for v in values)
        print(f"{key}: median {statistics.median(values):.2f} {unit} (runs: {each})")


if __name__ == "__main__":
    main()
