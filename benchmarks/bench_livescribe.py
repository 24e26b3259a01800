"""Livescribe Pencast PDF: time to read 2-pages.pdf (what `info` does) and AAC decode speed.

Run: python3 benchmarks/bench_livescribe.py [--pdf ../shared/fixtures/livescribe/2-pages.pdf] [--runs 7]

Prints three figures: a fresh interpreter's imports + read_notebook (the work `info` adds
after Python start-up, with bytecode cached as in an installed copy), the same read again
in a warm process, and the decode speed of the embedded recording as × real time (all
frames, streamed in 65 536-frame blocks).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pencastviewer.formats import read_notebook  # noqa: E402
from pencastviewer.formats.livescribe.pdf import embedded_file_bytes  # noqa: E402
from pencastviewer.media.decode import open_audio  # noqa: E402

DEFAULT_PDF = ROOT.parent / "shared" / "fixtures" / "livescribe" / "2-pages.pdf"
COLD_READ = (
    "import sys, time\n"
    "start, start_cpu = time.perf_counter(), time.process_time()\n"
    "from pencastviewer.formats import read_notebook\n"
    "notebook = read_notebook(sys.argv[1])\n"
    "print(time.perf_counter() - start, time.process_time() - start_cpu)\n"
)


def cold_read_s(pdf: Path, env: dict[str, str]) -> tuple[float, float]:
    """Imports + read in a new interpreter, everything `info` does after start-up:
    (wall, CPU) seconds. CPU time shows the work when the machine is busy."""
    result = subprocess.run(
        [sys.executable, "-c", COLD_READ, str(pdf)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    wall, cpu = result.stdout.split()
    return float(wall), float(cpu)


def warm_read_s(pdf: Path) -> float:
    start = time.perf_counter()
    read_notebook(pdf)
    return time.perf_counter() - start


def decode_s(data: bytes) -> tuple[float, int, int]:
    start = time.perf_counter()
    with open_audio(data, name_hint="Livescribe_Audio0.m4a") as decoder:
        n_frames = sum(len(block) for block in decoder.blocks(65536))
        rate = decoder.sample_rate
    return time.perf_counter() - start, n_frames, rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not args.pdf.is_file():
        sys.exit(f"{args.pdf} not found (the shared fixtures are needed)")
    notebook = read_notebook(args.pdf)
    print(
        f"{args.pdf.name}: {len(notebook.pages)} pages, {notebook.n_strokes} strokes, "
        f"{notebook.n_points} points, {sum(r.duration_s for r in notebook.recordings):.3f} s of audio"
    )
    # As installed: bytecode compiled once and cached (outside the tree), not on every start.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as pycache:
        env["PYTHONPYCACHEPREFIX"] = pycache
        cold_read_s(args.pdf, env)
        cold = [cold_read_s(args.pdf, env) for _ in range(args.runs)]
    warm = [warm_read_s(args.pdf) for _ in range(args.runs)]
    wall, cpu = statistics.median(w for w, _ in cold), statistics.median(c for _, c in cold)
    print(
        f"read_notebook, fresh interpreter (imports + read): median {wall * 1e3:.0f} ms wall, "
        f"{cpu * 1e3:.0f} ms CPU (target ≤ 500 ms)"
    )
    print(f"read_notebook, warm process: median {statistics.median(warm) * 1e3:.1f} ms")
    if not notebook.recordings:
        return
    audio = notebook.recordings[0].files[0]
    data = embedded_file_bytes(args.pdf, audio.member)
    timings = [decode_s(data) for _ in range(args.runs)]
    seconds = statistics.median(t for t, _, _ in timings)
    _, n_frames, rate = timings[0]
    print(
        f"decode {audio.member}: {n_frames} frames = {n_frames / rate:.3f} s "
        f"in median {seconds * 1e3:.1f} ms = {n_frames / rate / seconds:.0f}× real time (target > 300×)"
    )


if __name__ == "__main__":
    main()
