"""Where a recording is silent enough to skip: passages quieter than a threshold for longer
than MIN_SILENCE_S, from the loudness meter's 100 ms momentary values (cached with the
peaks), so "skip silence" needs no decoding while playing."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .loudness import SUB_BLOCK_S, Loudness

MIN_SILENCE_S = 0.7  # shorter pauses are speech rhythm, not silence
KEEP_S = 0.15  # kept on each side of a skipped pause, so words are not clipped
RELATIVE_THRESHOLD_LU = -20.0  # quieter than the speech by this much is "silent"
ABSOLUTE_THRESHOLD_LUFS = -55.0  # and anything below this, whatever the speech level


def silence_threshold_lufs(loudness: Loudness) -> float:
    return max(loudness.integrated_lufs + RELATIVE_THRESHOLD_LU, ABSOLUTE_THRESHOLD_LUFS)


def skippable_spans(loudness: Loudness, threshold_lufs: float | None = None) -> NDArray[np.float64]:
    """(n, 2) array of [start_s, end_s) on the recording's clock that skip-silence jumps over:
    each silent run of at least MIN_SILENCE_S, less KEEP_S at both ends."""
    threshold = silence_threshold_lufs(loudness) if threshold_lufs is None else threshold_lufs
    # momentary block k covers [k·0.1 − 0.3, k·0.1 + 0.1]: it is quiet only if all of it is
    quiet = np.concatenate([[False], loudness.momentary_lufs < threshold, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]  # block indices [start, end)
    start_s = np.maximum(starts * SUB_BLOCK_S - 0.3, 0.0) + KEEP_S
    end_s = np.minimum(ends * SUB_BLOCK_S, loudness.duration_s) - KEEP_S
    long_enough = (end_s - start_s) >= MIN_SILENCE_S - 2 * KEEP_S
    return np.stack([start_s[long_enough], end_s[long_enough]], axis=1)
