"""Re-opening the issue's 3-hour notebook in the window (issue 14, "re-opening"): the real
MainWindow (gui.launch.build_window) opens the large notebook of make_large_notebook.py
several times in a row, the way a user reopens a file (File ▸ Open again, a locate, a
recent file), with the small demo notebook open before and after.

Figures:
- open → first page painted, first open (peaks built) and later opens (from the cache);
- recording selected → waveform shown with its writing marks, later opens (goal < 0.2 s);
- resident memory (VmRSS): with the demo open before, after each open of the large notebook,
  and with the demo open again after (goal: within 30 MB of before).

Run: QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_reopen.py [--runs 3] [--hours 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_large_notebook import Opening, pause_s, rss_mb, setup, start_sink  # noqa: E402
from make_large_notebook import LargeNotebookSpec, large_notebook  # noqa: E402

SETTLE_S = 3.0  # after each open: thumbnails, sprites and the audio copy get going meanwhile
STEADY_S = 12.0  # with the demo open: its copy made, the replaced notebook's workers gone


def open_and_wait(window, path: Path) -> Opening:
    """Open `path`, wait until the page is painted and the waveform shows, then settle."""
    opening = Opening(window, path, None, None)
    opening.wait_shown(lambda: None)
    opening.wait()
    pause_s(SETTLE_S)
    return opening


def settled_rss_mb() -> float:
    """VmRSS once Python's garbage is collected and the event loop ran (deferred deletes)."""
    pause_s(0.5)
    gc.collect()
    pause_s(0.5)
    return rss_mb()


def median(values: list[float]) -> float:
    clean = [v for v in values if v == v]
    return statistics.median(clean) if clean else float("nan")


def measure(args: argparse.Namespace) -> None:
    from pencastviewer.app.resources import demo_path

    path = large_notebook(LargeNotebookSpec(hours=args.hours))
    sink = start_sink()  # the real output makes its sample-exact copy on every open
    _, window = setup(Path(os.environ["XDG_CONFIG_HOME"]).parent)
    demo = Path(demo_path())
    open_and_wait(window, demo)
    pause_s(STEADY_S)
    memory = {"demo open": settled_rss_mb()}
    openings = []
    for k in range(args.runs + 1):
        openings.append(open_and_wait(window, path))
        memory[f"after open {k + 1}"] = settled_rss_mb()
    open_and_wait(window, demo)
    pause_s(STEADY_S)
    memory["demo open again"] = settled_rss_mb()
    window.session.playback.unload()
    window.close()
    pause_s(0.2)
    if sink:
        sink.stop()

    first, later = openings[0], openings[1:]
    painted = [o.ms("open", "painted") for o in later]
    waveform = [o.ms("selected", "waveform") for o in later]
    ready = [max(o.ms("selected", "peaks"), 0.0) for o in later]  # (0: given as it was selected)
    print(
        f"first open: first page painted {first.ms('open', 'painted'):.0f} ms; waveform shown "
        f"{first.ms('selected', 'waveform'):.0f} ms after the recording was selected (peaks built)"
    )
    print(
        f"later opens ({len(later)}): first page painted ms {', '.join(f'{v:.0f}' for v in painted)}; "
        f"waveform from the cache, with the writing marks, ms: given to the view "
        f"{', '.join(f'{v:.0f}' for v in ready)}, painted (with the first page) "
        f"{', '.join(f'{v:.0f}' for v in waveform)}"
    )
    base = memory["demo open"]
    figures = "; ".join(f"{k} {v:.0f} ({v - base:+.0f})" for k, v in memory.items())
    print(f"resident memory (VmRSS) MB: {figures}")
    print(
        f"RATIO reopen / first open, first page painted: "
        f"{median(painted) / first.ms('open', 'painted'):.2f} (≤ 1.0)"
    )
    print(f"RATIO waveform from the cache with marks, s: {median(waveform) / 1000:.3f} (< 0.2)")
    growth = memory[f"after open {args.runs + 1}"] - memory["after open 2"]
    print(f"RATIO RSS growth from the first reopen to the last, MB: {growth:.0f} (< 30)")
    closed = memory["demo open again"] - base
    print(f"RATIO RSS after closing it (the demo open again) minus before, MB: {closed:.0f} (< 30)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="reopens after the first open")
    parser.add_argument("--hours", type=float, default=3.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pv-bench-reopen-"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # a cold cache: the first open builds the peaks
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    try:
        measure(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
