"""Benchmark: a 10 000-stroke Xournal++ notebook (gzip XML, pressure, audio links):
parse time; open in the window until the first page is painted; and export to PDF
side by side with `xournalpp --create-pdf` on the same file (both as fresh processes,
Xournal++ on an Xvfb display started beforehand and not timed).

Run from the project root: python3 benchmarks/bench_xopp.py [n_strokes] [runs]
Strokes of 40 points with per-segment pressure widths, spread over 20 pages; every third
one is linked to one of three recordings (not present, so they are MISSING: the cost of
looking for them is included).
"""

from __future__ import annotations

import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pencastviewer.formats.registry import ReadOptions  # noqa: E402
from pencastviewer.formats.xournalpp import reader as xournalpp  # noqa: E402

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
        opened = [open_to_first_paint(path) for _ in range(runs)]
        print(
            f"open in the window → first page painted (parse included): median "
            f"{statistics.median(opened) * 1000:.0f} ms (min {min(opened) * 1000:.0f}) over {runs} runs"
        )
        compare_pdf_export(path, runs)


OPEN_CHILD = """
import sys, time
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
QMessageBox.warning = lambda *a, **k: None  # a notice about the absent recordings must not block
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
start = time.perf_counter()
window.open_file(sys.argv[1])
loop.exec()
print(painted[0] - start, flush=True)
import os
os._exit(0)  # measured; skip tearing down the window and its worker threads
"""


def open_to_first_paint(path: Path) -> float:
    """Seconds from "open this file" to the first page painted, in a fresh process."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", OPEN_CHILD, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return float(out.strip().splitlines()[-1])


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True, timeout=600)
    return time.perf_counter() - started


def compare_pdf_export(path: Path, runs: int) -> None:
    if not (shutil.which("xournalpp") and shutil.which("Xvfb")):
        print("PDF export vs Xournal++: skipped (xournalpp or Xvfb missing)")
        return
    display = ":93"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x1024x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="offscreen")
        ours, theirs = [], []
        for i in range(runs):  # alternate, so both see the same machine load
            out = path.with_name(f"ours-{i}.pdf")
            export = [sys.executable, "-m", "pencastviewer", "export", str(path), "-o", str(out)]
            ours.append(_timed(export, env))
            ref = path.with_name(f"xournalpp-{i}.pdf")
            theirs.append(_timed(["xournalpp", f"--create-pdf={ref}", str(path)], env))
    finally:
        xvfb.terminate()
    a, b = statistics.median(ours), statistics.median(theirs)
    print(
        f"PDF export of all pages, fresh process each: pencastviewer median {a:.2f} s, "
        f"xournalpp --create-pdf median {b:.2f} s; ratio ours/theirs {a / b:.2f} (runs: {runs})"
    )


if __name__ == "__main__":
    main()
