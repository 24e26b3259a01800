"""Giving the memory of a notebook that was replaced back to the system.

Freeing a notebook's arrays returns them to the C allocator, not to the system: glibc keeps
freed pages of its heaps (and of the arenas of the worker threads that read the notebook)
for later use, so the window's resident memory stayed ~110 MB above what it was before the
3-hour notebook was opened, even once another one replaced it (benchmarks/bench_reopen.py).
malloc_trim(0) hands every free page of every arena back, in well under a millisecond.

But a page is only free when nothing on it is still in use, and glibc gives threads arenas
of their own, up to 8 per core: the reading, peaks, copy and Qt's decoding threads each
scatter what they keep (a cached block, a Qt object) over their own, pinning pages that
are otherwise free. The window limits them to ARENAS (`limit_arenas`): bench_reopen, the
demo open again after the 3-hour notebook, RSS +22…+52 MB above before with the default
arenas, +15…+24 with two (5 and 4 runs, load 2-5). Threads then share arenas, which
costs little here: Python allocates under the GIL anyway.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from functools import cache

ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter (malloc.h)


@cache
def _libc() -> ctypes.CDLL | None:
    """The process's own C library when it is glibc (whose malloc is tuned here), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim, libc.mallopt  # noqa: B018 (musl lacks them)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas() -> bool:
    """At most ARENAS malloc arenas from now on (see the module's docstring), unless the
    user chose (MALLOC_ARENA_MAX, GLIBC_TUNABLES); call it before the worker threads start.
    True when glibc took it."""
    if "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_ARENA_MAX, ARENAS))


def return_freed_memory() -> bool:
    """Free what only reference cycles still hold, then give the allocator's free pages back
    to the system; True when the C library could be asked to (glibc)."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


_frozen = False


def freeze_long_lived() -> None:
    """Leave every object made so far out of the garbage collector's passes, once per
    process: called once the window is built, they are the modules and the window, which
    live as long as the program. A full pass walked ~80 000 of them: 50-120 ms of the GUI
    thread (a seek waited behind the one after an open: bench_large_notebook); what is made
    later, a notebook's objects included, is collected as ever."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()  # (what is garbage already is not kept)
        gc.freeze()
