"""Giving the memory of a notebook that was replaced back to the system.

Freeing a notebook's arrays returns them to the C allocator, not to the system: glibc keeps
freed pages of its heaps (and of the arenas of the worker threads that read the notebook)
for later use, so the window's resident memory stayed ~110 MB above what it was before the
3-hour notebook was opened, even once another one replaced it (benchmarks/bench_reopen.py).
malloc_trim(0) hands every free page of every arena back, in well under a millisecond.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None (another C library or system: nothing to do there)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):  # musl has no malloc_trim
        return None
    return trim


def return_freed_memory() -> bool:
    """Free what only reference cycles still hold, then give the allocator's free pages back
    to the system; True when the C library could be asked to (glibc)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
