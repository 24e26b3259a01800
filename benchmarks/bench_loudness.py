"""Issue 13: what measuring loudness (BS.1770 in the waveform's pass) adds to the peaks
pass of a 3-hour recording, side by side with the same pass without the meter, medians of
interleaved rounds. Goal: ≤ 10 % more. Wall time is what the user waits; CPU time (all the
pass's threads) is what the meter costs when the other core is busy, and moves less with
the machine's load.

Run: python3 benchmarks/bench_loudness.py [--hours 3] [--rounds 3] [--work DIR]
(the FLAC is generated once into DIR, default /tmp/pencastviewer-bench, and reused)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_waveform import speech_like_flac

from pencastviewer.media import peaks


def _timed_build(path: Path, *, loudness: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one peaks pass."""
    original = peaks.PeakBuilder._measure
    if not loudness:
        peaks.PeakBuilder._measure = lambda self, block: None  # type: ignore[method-assign]
    try:
        start, cpu = time.perf_counter(), time.process_time()
        pyramid = peaks.build_pyramid([(str(path), None)])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        peaks.PeakBuilder._measure = original  # type: ignore[method-assign]
    assert (pyramid.loudness is not None) == loudness
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pencastviewer-bench"))
    args = parser.parse_args()
    path = speech_like_flac(args.work / f"speech-{args.hours:g}h.flac", args.hours)
    _timed_build(path, loudness=True)  # (imports scipy's FFT and filters: not part of a pass)
    plain, measured = [], []
    for _ in range(args.rounds):
        plain.append(_timed_build(path, loudness=False))
        measured.append(_timed_build(path, loudness=True))
    p, m = (statistics.median(t[0] for t in runs) for runs in (plain, measured))
    p_cpu, m_cpu = (statistics.median(t[1] for t in runs) for runs in (plain, measured))
    print(f"peaks pass of {args.hours:g} h: {p:.2f} s without loudness, {m:.2f} s with")
    print(f"CPU: {p_cpu:.2f} s without, {m_cpu:.2f} s with ({m_cpu / p_cpu:.3f}x)")
    print(f"rounds (wall, CPU) without: {plain}, with: {measured}")
    print(f"RATIO loudness_in_peaks_pass: {m / p:.3f} (<= 1.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
