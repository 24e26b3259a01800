"""What playback costs: preparing the sample-exact copy (CPU time and disk per minute of
audio, by source format) and one playhead read (PlayheadClock.position_s); with
--raw-seeks, why the copy exists: where QMediaPlayer's seeks land when it plays each
format itself, heard through a private PulseAudio null sink (tests/support/pulse.py).

    python3 benchmarks/bench_playhead.py [minutes] [--raw-seeks]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # support.pulse, support.xcorr

from pencastviewer.audio.clock import PlayheadClock
from pencastviewer.audio.pcm_copy import make_playable


def speechlike(seconds: float, rate: int) -> np.ndarray:
    """Noise shaped into syllables (~4 Hz): as hard to encode as speech, no espeak needed."""
    rng = np.random.default_rng(0)
    t = np.arange(round(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return (0.2 * envelope * rng.standard_normal(len(t))).astype(np.float32)


def write_m4a(path: Path, samples: np.ndarray, rate: int) -> None:
    with av.open(str(path), "w", format="ipod") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        for start in range(0, len(samples), 1024):
            block = np.zeros((1, 1024), np.float32)
            chunk = samples[start : start + 1024]
            block[0, : len(chunk)] = chunk
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def bench_copies(minutes: float, workdir: Path) -> None:
    cases = [
        ("M4A AAC 16 kHz mono (Livescribe)", "m4a", 16000),
        ("Ogg Vorbis 48 kHz mono (Xournal++)", "ogg", 48000),
        ("FLAC 48 kHz mono", "flac", 48000),
        ("WAV 16-bit 16 kHz mono", "wav", 16000),
    ]
    for label, kind, rate in cases:
        path = workdir / f"source.{kind}"
        samples = speechlike(minutes * 60, rate)
        if kind == "m4a":
            write_m4a(path, samples, rate)
        elif kind == "ogg":  # in blocks: libsndfile 1.2.2 crashes encoding minutes of Vorbis at once
            with sf.SoundFile(path, "w", rate, 1, format="OGG", subtype="VORBIS") as out:
                for block in range(0, len(samples), 1 << 16):
                    out.write(samples[block : block + (1 << 16)])
        else:
            sf.write(path, samples, rate, subtype="PCM_16" if kind == "wav" else None)
        start = time.perf_counter()
        playable = make_playable([(str(path), None)], 48000, str(workdir))
        elapsed = time.perf_counter() - start
        size_mb = Path(playable.path).stat().st_size / 1e6
        print(
            f"copy of {label}: {elapsed / minutes:.2f} s and {size_mb / minutes:.1f} MB per minute of audio"
        )
        Path(playable.path).unlink()


def bench_clock() -> None:
    clock = PlayheadClock()
    clock.set_duration(3600.0)
    clock.start()
    clock.observe(0.05)
    n = 200_000
    start = time.perf_counter()
    for _ in range(n):
        clock.position_s()
    print(f"PlayheadClock.position_s(): {(time.perf_counter() - start) / n * 1e6:.2f} µs per call")


def write_kind(path: Path, samples: np.ndarray, rate: int) -> None:
    kind = path.suffix[1:]
    if kind == "m4a":
        write_m4a(path, samples, rate)
    elif kind in ("ogg", "opus"):
        sf.write(path, samples, rate, format="OGG", subtype="VORBIS" if kind == "ogg" else "OPUS")
    else:
        sf.write(path, samples, rate, subtype="PCM_16" if kind == "wav" else None)


def bench_raw_seeks(workdir: Path) -> None:
    """Seek QMediaPlayer itself (no copy) in each format and hear where it starts."""
    import os

    from support.pulse import PulseSink
    from support.xcorr import first_sound, locate

    sink = PulseSink()
    sink.start()  # before any Qt multimedia object: sets PULSE_SERVER
    try:
        from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer, QUrl
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QCoreApplication.instance() or QCoreApplication([])

        def wait(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        rate = 48000
        source = speechlike(6.0, rate)
        player, output = QMediaPlayer(), QAudioOutput()
        player.setAudioOutput(output)
        for kind in ("wav", "flac", "ogg", "opus", "m4a"):
            path = workdir / f"raw.{kind}"
            write_kind(path, source, rate)
            player.setSource(QUrl.fromLocalFile(str(path)))
            wait(150)
            errors = []
            for target_s in (0.5, 1.3, 2.77, 3.9, 1.1):
                take = sink.start_recording()
                player.setPosition(round(target_s * 1000))
                player.play()
                wait(600)
                player.pause()
                wait(100)
                heard = take.stop().samples
                start = first_sound(heard)
                target = round(target_s * rate)
                snippet = heard[start + 4800 : start + 14400]  # 0.1-0.3 s after playback began
                found = locate(snippet, source, target - rate // 2, target + rate // 2)
                errors.append(round((found - 4800 - target) / rate * 1000, 1))
            print(f"raw QMediaPlayer seek start error, {kind} 48 kHz: {errors} ms")
        player.stop()
        wait(50)
        del app
    finally:
        sink.stop()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    minutes = float(args[0]) if args else 2.0
    with tempfile.TemporaryDirectory() as tmp:
        bench_copies(minutes, Path(tmp))
        bench_clock()
        if "--raw-seeks" in sys.argv:
            bench_raw_seeks(Path(tmp))
