"""`info` on a Xournal++ file loads only what reading it needs: no Qt, no decoders, no
scipy, no speech model, not the other formats' readers (each costs a tenth of a second or
more of a command that Xournal++ answers in half a second), not the model's playing and
showing parts; and it starts inflating the file before numpy loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("PySide6", "av", "scipy", "faster_whisper", "pikepdf", "pyqtgraph")
OTHER_READERS = (
    "pencastviewer.formats.pencast.reader",
    "pencastviewer.formats.livescribe",
    "pencastviewer.formats.inkml",
)
# Playing and showing only (model/__init__ loads them on first use): ~20 ms.
FOR_THE_WINDOW = tuple(f"pencastviewer.model.{m}" for m in ("hittest", "layout", "timeline", "writing_order"))
LAZY_NUMPY = ("numpy.ma",)  # numpy loads it on first use of np.ma (np.unique does): 7 ms

CHILD = """
import contextlib, io, json, sys
from pencastviewer.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["info", sys.argv[1]])
print(json.dumps([status, sorted(sys.modules)]))
"""


def test_info_on_a_xopp_imports_only_what_reading_needs(xournalpp_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(xournalpp_dir / "strokes.xopp")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, modules = json.loads(done.stdout.splitlines()[-1])
    assert status == 0
    assert "pencastviewer.formats.xournalpp.reader" in modules
    loaded = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(OTHER_READERS)]
    loaded += [m for m in modules if m in FOR_THE_WINDOW]
    loaded += [m for m in modules if m in LAZY_NUMPY or m.startswith(tuple(f"{n}." for n in LAZY_NUMPY))]
    assert loaded == []


PREFETCH_CHILD = """
import contextlib, io, json, sys
from pencastviewer.formats import inflating
made = []  # for each stream: was numpy loaded when it started?
original = inflating.Inflating.__init__
def counted(self, *args, **kwargs):
    made.append("numpy" in sys.modules)
    original(self, *args, **kwargs)
inflating.Inflating.__init__ = counted
from pencastviewer.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["info", sys.argv[1]])
print(json.dumps([status, made]))
"""


def test_info_inflates_a_gzip_file_while_numpy_and_the_readers_load(xournalpp_dir: Path) -> None:
    """One stream, started before numpy is imported (zlib inflates with the GIL released,
    beside the imports), and the one the reader parses."""
    path = xournalpp_dir / "strokes.xopp"
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    done = subprocess.run(
        [sys.executable, "-c", PREFETCH_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, made = json.loads(done.stdout.splitlines()[-1])
    assert status == 0
    assert made == [False]


THREADS_CHILD = """
import contextlib, io, json, os, sys, threading, time
from pencastviewer.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["info", sys.argv[1]])
for thread in threading.enumerate():
    if thread is not threading.current_thread():
        thread.join()
for _ in range(100):  # (a thread just joined may take a moment to leave the task list)
    if len(os.listdir("/proc/self/task")) == 1:
        break
    time.sleep(0.05)
print(json.dumps([status, len(os.listdir("/proc/self/task"))]))
"""


def test_info_runs_without_blas_threads(xournalpp_dir: Path) -> None:
    """numpy's OpenBLAS would start a thread per core, which spins on load (CPU that the
    inflating thread and the other processes need); `info` does no matrix work."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    done = subprocess.run(
        [sys.executable, "-c", THREADS_CHILD, str(xournalpp_dir / "strokes.xopp")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    status, threads = json.loads(done.stdout.splitlines()[-1])
    assert status == 0
    assert threads == 1  # the main thread alone


GC_CHILD = """
import contextlib, gc, io, json, sys
from pencastviewer.cli import info
from pencastviewer.cli.main import main
seen = []
original = info._run
def run(args):
    seen.append(gc.isenabled())
    return original(args)
info._run = run
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["info", sys.argv[1]])
print(json.dumps([status, seen, gc.isenabled()]))
"""


def test_info_reads_without_the_cyclic_collector_and_restores_it(xournalpp_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", GC_CHILD, str(xournalpp_dir / "strokes.xopp")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, seen, after = json.loads(done.stdout.splitlines()[-1])
    assert status == 0 and seen == [False] and after is True
