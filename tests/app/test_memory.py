"""A replaced notebook's memory goes back to the system, not just to the C allocator."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pencastviewer.app.memory import ARENAS
from pencastviewer.gui.launch import build_window

ROOT = Path(__file__).resolve().parent.parent.parent

# Many 64 KiB arrays (below glibc's mmap threshold: on its heap), each followed by a small one
# that stays, so freeing the large ones leaves holes that free() alone never gives back.
FRAGMENTED_HEAP = """
import sys
import numpy as np
from pencastviewer.app.memory import return_freed_memory

def rss_mb():
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1]) / 1024

big, kept = [], []
for i in range(3000):  # ~190 MB
    a = np.empty(8192, np.float64); a.fill(1.0); big.append(a)
    kept.append(np.ones(8))
peak = rss_mb()
del big
freed = rss_mb()
assert return_freed_memory()
print(peak, freed, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_memory_goes_back_to_the_system():
    done = subprocess.run(
        [sys.executable, "-c", FRAGMENTED_HEAP], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    peak, freed, returned = (float(v) for v in done.stdout.split())
    assert freed > peak - 50  # (the allocator kept the holes: the case this is for)
    assert returned < freed - 120  # most of the ~190 MB went back


# Eight threads, each allocating while the others do (ctypes releases the GIL), then the
# arenas glibc made, counted from malloc_stats() ("Arena N:" on stderr).
THREADS_ALLOCATING = """
import ctypes, sys, threading
from pencastviewer.app.memory import limit_arenas

if sys.argv[1] == "limited":
    assert limit_arenas()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
go = threading.Barrier(8)

def allocate():
    go.wait()
    blocks = [libc.malloc(1000) for _ in range(2000)]
    for b in blocks:
        libc.free(b)

threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc.malloc_stats()
"""


def _arenas(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    done = subprocess.run(
        [sys.executable, "-c", THREADS_ALLOCATING, mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_the_window_keeps_threads_to_a_few_malloc_arenas():
    """Threads' own arenas pin freed pages that malloc_trim cannot give back (app.memory)."""
    assert _arenas("default") > ARENAS  # glibc's own limit is 8 per core: what this changes
    assert 1 <= _arenas("limited") <= ARENAS


def test_the_window_asks_for_the_limit_before_its_threads_start():
    source = inspect.getsource(build_window)
    assert source.index("limit_arenas()") < source.index("Session(")


# The window built, then what a full pass of the garbage collector walks, and what it leaves out.
WINDOW_BUILT = """
import gc, sys
from PySide6.QtWidgets import QApplication
from pencastviewer.gui.launch import build_window

app = QApplication(sys.argv[:1])
window = build_window(app)
cycle = [[]]
cycle[0].append(cycle)  # made later: still collected
del cycle
print(len(gc.get_objects()), gc.get_freeze_count(), gc.collect())
"""


def test_a_full_collection_leaves_the_window_and_the_modules_alone():
    """Once the window is built, the objects made so far (modules, the window) are out of
    the collector's passes (app.memory.freeze_long_lived): a full pass on the GUI thread
    after an open walked ~80 000 of them, and a seek waited behind it. Garbage made later
    is still collected."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", WINDOW_BUILT], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    walked, frozen, collected = (int(v) for v in done.stdout.split()[-3:])
    assert frozen > 20 * walked  # (about 80 000 against a few hundred)
    assert collected >= 2
