"""Benchmark, side by side with Xournal++ on its own format (issue 14): the big notebook of
benchmarks/big_xopp.py (20 pages, 10 000 strokes, 600 000 points, all linked to one
recording lying beside it), every measure a fresh process, medians of interleaved rounds
(ours, theirs, ours, theirs… so both see the same machine load), peak RSS of each process.

- `info big.xopp` against Xournal++ loading it and writing page 1 to PDF
  (`xournalpp --create-pdf --export-range=1`, its quickest way to load a file and exit);
- opening it in the window until the first page is painted (goal < 0.6 s);
- every page to one PDF, time and file size, against `xournalpp --create-pdf`;
- every page to a 300 dpi PNG in one process, against `xournalpp --create-img`.

Xournal++ runs on an Xvfb display started beforehand (not timed). One untimed warm-up
round first (the recording's loudness is measured once and cached; files in the page
cache). Prints `RATIO name: value (goal)` lines, which benchmarks/run_all.py collects.

    python3 benchmarks/bench_xopp.py [--rounds 3] [--skip-png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from big_xopp import big_xopp  # noqa: E402


@dataclass
class Run:
    seconds: float
    rss_mb: float


def run(command: list[str], env: dict[str, str]) -> Run:
    """Wall time and peak RSS of one process (its children's too, through wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    _, err = process.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {err.decode(errors='replace')[-2000:]}")
    return Run(elapsed, usage.ru_maxrss / 1024)


OPEN_CHILD = """
import sys, time
start = time.perf_counter()
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
QMessageBox.warning = lambda *a, **k: None  # a notice must not block
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.gui.main_window import MainWindow
window = MainWindow(Session(SilentAudioOutput()))
window.resize(1600, 1000)
window.show()
app.processEvents()
painted, loop = [], QEventLoop()
original = window.canvas.paintEvent
def paint_event(event):
    original(event)
    if window.canvas.page is not None and not painted:
        painted.append(time.perf_counter())
        loop.quit()
window.canvas.paintEvent = paint_event
QTimer.singleShot(30000, loop.quit)
opened = time.perf_counter()
window.open_file(sys.argv[1])
loop.exec()
print(painted[0] - opened, flush=True)
import os
os._exit(0)  # measured; skip tearing down the window and its worker threads
"""


def open_to_first_paint(path: Path, env: dict[str, str]) -> float:
    """Seconds from "open this file" to the first page painted, in a fresh window process."""
    out = subprocess.run(
        [sys.executable, "-c", OPEN_CHILD, str(path)],
        env=dict(env, QT_QPA_PLATFORM="offscreen"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return float(out.strip().splitlines()[-1])


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    for number in range(93, 120):
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        xvfb = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)
        if xvfb.poll() is None:
            return xvfb, f":{number}"
    raise RuntimeError("no free X display for Xvfb")


def commands(path: Path, out: Path) -> dict[str, tuple[list[str], list[str]]]:
    """measure -> (ours, Xournal++'s)."""
    ours = [sys.executable, "-m", "pencastviewer"]
    return {
        "info": (
            [*ours, "info", str(path)],
            ["xournalpp", f"--create-pdf={out / 'x-page1.pdf'}", "--export-range=1", str(path)],
        ),
        "pdf": (
            [*ours, "export", str(path), "-o", str(out / "ours.pdf")],
            ["xournalpp", f"--create-pdf={out / 'x.pdf'}", str(path)],
        ),
        "png": (
            [*ours, "export", str(path), "-o", str(out / "ours-{n}.png"), "--dpi", "300"],
            ["xournalpp", f"--create-img={out / 'x.png'}", "--export-png-dpi=300", str(path)],
        ),
    }


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.rss_mb for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-png", action="store_true", help="leave out the 300 dpi PNG pages")
    args = parser.parse_args()
    path = big_xopp()
    print(f"notebook: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if not (shutil.which("xournalpp") and shutil.which("Xvfb")):
        print("xournalpp or Xvfb missing: nothing to compare with")
        return
    xvfb, display = start_xvfb()
    # As installed: bytecode compiled once (the warm-up round) and cached outside the tree,
    # not compiled again by every process (PYTHONDONTWRITEBYTECODE cost ~60 ms a start).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    try:
        with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as pycache:
            env["PYTHONPYCACHEPREFIX"] = pycache
            measure(path, Path(folder), env, args)
    finally:
        xvfb.terminate()
        xvfb.wait()


def measure(path: Path, out: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    table = commands(path, out)
    if args.skip_png:
        del table["png"]
    ours: dict[str, list[Run]] = {name: [] for name in table}
    theirs: dict[str, list[Run]] = {name: [] for name in table}
    opened: list[float] = []
    sizes: dict[str, int] = {}
    for round_ in range(args.rounds + 1):  # round 0 warms up, untimed
        for name, (mine, xournalpp) in table.items():
            a, b = run(mine, env), run(xournalpp, env)
            if round_:
                ours[name].append(a)
                theirs[name].append(b)
        if round_:
            opened.append(open_to_first_paint(path, env))
        sizes = {"ours": (out / "ours.pdf").stat().st_size, "theirs": (out / "x.pdf").stat().st_size}
    labels = {
        "info": "info vs loading + page 1 to PDF",
        "pdf": "whole document to PDF",
        "png": "every page to 300 dpi PNG",
    }
    for name in table:
        a, b = median(ours[name]), median(theirs[name])
        print(
            f"{labels[name]}: pencastviewer {a.seconds:.2f} s, {a.rss_mb:.0f} MB; "
            f"xournalpp {b.seconds:.2f} s, {b.rss_mb:.0f} MB (medians of {args.rounds})"
        )
    print(f"PDF file: pencastviewer {sizes['ours'] / 1e6:.2f} MB, xournalpp {sizes['theirs'] / 1e6:.2f} MB")
    print(f"open in the window to the first page: median {statistics.median(opened):.2f} s")

    def ratio(name: str) -> float:
        return median(ours[name]).seconds / median(theirs[name]).seconds

    print(f"RATIO xopp info / xournalpp load: {ratio('info'):.2f} (<= 1.0)")
    print(f"RATIO xopp open to first page [s]: {statistics.median(opened):.2f} (< 0.6)")
    print(f"RATIO xopp PDF export / xournalpp: {ratio('pdf'):.2f} (<= 1.0)")
    print(f"RATIO xopp PDF size / xournalpp: {sizes['ours'] / sizes['theirs']:.2f} (<= 1.5)")
    if "png" in table:
        print(f"RATIO xopp 300 dpi PNG pages / xournalpp: {ratio('png'):.2f} (<= 1.0)")


if __name__ == "__main__":
    main()
