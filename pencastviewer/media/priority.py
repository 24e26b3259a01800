"""Work a listener waits for goes first. While the playable copy decodes the audio a tap
waits for (audio.pcm_copy), passes over recordings that nobody waits for (the waveform's
peaks and loudness, media.peaks) pause between blocks, so that they take neither the GIL
nor a core from it. Measured in the window on a 3-hour Opus notebook whose peaks were being
built (benchmarks/bench_large_notebook.py): the first chunk of a seek took 100-440 ms
beside the peaks pass on the loaded two cores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_changed = threading.Condition()
_urgent = 0  # how many urgent pieces of work are under way
LONGEST_PAUSE_S = 2.0  # a background pass never waits longer at once (an urgent piece is short)


@contextmanager
def urgent() -> Iterator[None]:
    """Background passes pause while this is open."""
    global _urgent
    with _changed:
        _urgent += 1
    try:
        yield
    finally:
        with _changed:
            _urgent -= 1
            _changed.notify_all()


def is_urgent() -> bool:
    return _urgent > 0


def wait_while_urgent(limit_s: float = LONGEST_PAUSE_S) -> None:
    """Called by a background pass between blocks: returns once no urgent work is under
    way (at once when none is), or after limit_s."""
    if _urgent:
        with _changed:
            _changed.wait_for(lambda: _urgent == 0, timeout=limit_s)
