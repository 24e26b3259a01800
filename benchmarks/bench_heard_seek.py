"""Issue 13: does loudness processing in the playable copy delay a tap? A tap (or a seek)
into audio not yet copied waits until the copy holds qt_quirks.LEAD_S from there; this
times that wait for a 1-hour FLAC lecture with the copy as recorded (before) and as heard
with normalisation, voice clarity and the limiter (after), side by side, medians of taps at
random places, and prints the ratio. (Qt's own start, ~30-40 ms once copied, comes on top
of both: tests/audio measure it through PulseAudio.)

Run: python3 benchmarks/bench_heard_seek.py [--hours 1] [--taps 12] [--work DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_waveform import speech_like_flac

from pencastviewer.audio.pcm_copy import PcmCopy
from pencastviewer.audio.qt_quirks import LEAD_S
from pencastviewer.media.dynamics import IDENTITY, Processing


def _tap_waits(
    path: Path, duration_s: float, processing: Processing, taps: list[float], folder: str
) -> list[float]:
    """Seconds from a request to the copy covering LEAD_S from there, for each tap."""
    copy = PcmCopy([(str(path), duration_s)], 48000, folder, processing=processing)
    cancel = threading.Event()
    started = threading.Event()
    worker = threading.Thread(target=copy.run, args=(cancel, started.set), daemon=True)
    worker.start()
    started.wait(60)
    waits = []
    try:
        for at in taps:
            begin = time.perf_counter()
            copy.request(at, wanted_s=LEAD_S)  # as the player asks (qt_output)
            while not copy.covers(at, at + LEAD_S):
                time.sleep(0.001)
            waits.append(time.perf_counter() - begin)
    finally:
        cancel.set()
        copy.release()
        worker.join(10)
    return waits


def _as_heard(path: Path) -> Processing:
    """What the default listening options (normalised to −16 LUFS) and voice clarity make of
    this recording, its loudness measured on its first ten minutes."""
    import soundfile as sf

    from pencastviewer.app.listening import Listening
    from pencastviewer.media.loudness import measure

    samples, rate = sf.read(path, frames=600 * 48000, dtype="float32", always_2d=True)
    return Listening(voice_clarity=True).processing(measure(samples, rate))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--taps", type=int, default=12)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pencastviewer-bench"))
    args = parser.parse_args()
    path = speech_like_flac(args.work / f"speech-{args.hours:g}h.flac", args.hours)
    duration_s = args.hours * 3600
    taps = np.random.default_rng(7).uniform(60.0, duration_s - 60.0, args.taps).tolist()
    heard = _as_heard(path)
    before, after = [], []
    for round_taps in (taps[: len(taps) // 2], taps[len(taps) // 2 :]):  # interleaved halves
        before += _tap_waits(path, duration_s, IDENTITY, round_taps, str(args.work))
        after += _tap_waits(path, duration_s, heard, round_taps, str(args.work))
    b, a = statistics.median(before), statistics.median(after)
    print(f"as heard: {heard}")
    print(f"tap into audio not yet copied: {b * 1000:.0f} ms as recorded, {a * 1000:.0f} ms as heard")
    print(f"RATIO heard_tap_extra_ms: {(a - b) * 1000:.1f} (processing's cost to a tap, goal ≤ ~5 ms)")
    print(f"RATIO heard_tap_wait: {a / b:.2f} (report; Qt's start adds ~35 ms to both)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
