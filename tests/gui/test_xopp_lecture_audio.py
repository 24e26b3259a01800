"""A lecture written in Xournal++ (slides as a PDF background, three recordings, strokes
linked by `ts`) plays each stroke's audio from exactly its `ts`: the window's session taps
the stroke's first point with no pre-roll, the private PulseAudio null sink plays it, and
the recording of the sink is located in the source by cross-correlation (≤ 20 ms).

Figures are printed: python3 -m pytest tests/gui/test_xopp_lecture_audio.py -q -p no:cacheprovider -s
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pikepdf
import pytest
import soundfile as sf
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication
from support.player_probe import PlayerProbe, heard_runs
from support.pulse import SAMPLE_RATE, underrun_ms
from support.xcorr import first_sound, locate

from pencastviewer.gui.launch import build_window
from pencastviewer.model.units import MM_PER_POINT

TOLERANCE_MS = 20.0
TALKS = {
    "2024-03-05_10-15-30.ogg": "First, the cell membrane keeps the cell together and lets nutrients in.",
    "2024-03-05_11-00-00.ogg": "Second, ribosomes build proteins from amino acids, one codon at a time.",
    "2024-03-05_11-45-00.ogg": "Third, the nucleus holds the genome and copies it before the cell divides.",
}
# page, recording, ts (ms): each stroke is tapped and must sound from its ts
PLAN = [
    (0, "2024-03-05_10-15-30.ogg", 700),
    (0, "2024-03-05_10-15-30.ogg", 2350),
    (1, "2024-03-05_11-00-00.ogg", 1200),
    (1, "2024-03-05_11-45-00.ogg", 1900),
]


def _speech_48k(folder: Path, text: str, seed: int) -> np.ndarray:
    """espeak-ng speech at 48 kHz over a faint noise floor, so that it is never digitally
    silent and the first sound the sink plays marks where playback began."""
    raw = folder / f"raw-{seed}.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), text], check=True, capture_output=True)
    speech, rate = sf.read(raw, dtype="float32")
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    frame = av.AudioFrame.from_ndarray(speech[np.newaxis, :], format="flt", layout="mono")
    frame.sample_rate = rate
    out = np.concatenate([f.to_ndarray()[0] for f in [*resampler.resample(frame), *resampler.resample(None)]])
    noise = np.random.default_rng(seed).standard_normal(len(out)).astype(np.float32)
    return (0.6 * out / np.abs(out).max() + 0.01 * noise).astype(np.float32)


def _lecture(folder: Path) -> tuple[Path, dict[str, np.ndarray]]:
    slides = folder / "slides.pdf"
    with pikepdf.new() as pdf:
        for _ in range(2):
            pdf.add_blank_page(page_size=(595.28, 841.89))
        pdf.save(slides)
    sources = {}
    for seed, (name, text) in enumerate(TALKS.items()):
        sources[name] = _speech_48k(folder, text, seed)
        for start in range(0, len(sources[name]), 16384):  # libsndfile: write Vorbis in blocks
            block = sources[name][start : start + 16384]
            if start == 0:
                handle = sf.SoundFile(folder / name, "w", SAMPLE_RATE, 1, format="OGG", subtype="VORBIS")
            handle.write(block)
        handle.close()
    pages = [[], []]
    for n, (page, fn, ts) in enumerate(PLAN):
        y = 120 + 60 * n
        coords = " ".join(f"{100 + 20 * k} {y + (k % 2) * 6}" for k in range(12))
        pages[page].append(
            f'<stroke tool="pen" color="#1030a0ff" width="2.0" ts="{ts}" fn="{fn}">{coords}</stroke>'
        )
    xml = ['<?xml version="1.0" standalone="no"?>\n<xournal creator="Xournal++ 1.2.3" fileversion="4">']
    for i, strokes in enumerate(pages):
        background = (
            f'<background type="pdf" domain="absolute" filename="{slides}" pageno="{i + 1}"/>'
            if i == 0
            else f'<background type="pdf" pageno="{i + 1}"/>'
        )
        xml.append(
            f'<page width="595.28" height="841.89">{background}<layer>{"".join(strokes)}</layer></page>'
        )
    xml.append("</xournal>")
    path = folder / "lecture.xopp"
    path.write_bytes(gzip.compress("".join(xml).encode()))
    return path, sources


def _heard_from(qtbot, pulse_sink, session, probe: PlayerProbe, page: int, x_mm: float, y_mm: float):
    """Tap, listen 1.2 s, pause: (samples heard from the first sound on, ms until it began,
    the tap's monotonic time)."""
    recorder = pulse_sink.start_recording()
    tapped = probe.mark("tap")
    hit = session.tap(page, x_mm, y_mm, 0.5)
    assert hit is not None
    qtbot.waitUntil(lambda: session.playback.playing, timeout=20000)
    qtbot.wait(1200)
    probe.mark("pause")
    session.toggle_play()
    qtbot.wait(150)
    recording = recorder.stop()
    search_from = max(recording.index_at(tapped) - SAMPLE_RATE // 50, 0)
    start = first_sound(recording.samples[search_from:])
    assert start is not None, "the sink played nothing after the tap"
    start += search_from
    return (
        recording.samples[start:],
        (start / SAMPLE_RATE - (tapped - recording.start_monotonic)) * 1000,
        tapped,
    )


@pytest.mark.audio
def test_each_stroke_plays_its_recording_from_its_ts(pulse_sink, qtbot, tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path, sources = _lecture(tmp_path)
    window = build_window(QApplication.instance())
    qtbot.addWidget(window)
    session = window.session
    assert not session.playback.is_silent, "the private PulseAudio sink should be a real output"
    window.show()
    window.open_file(path)
    qtbot.waitUntil(lambda: session.document is not None, timeout=20000)
    doc = session.document
    assert len(doc.notebook.pages) == 2 and len(doc.notebook.recordings) == 3
    assert doc.notebook.pages[0].background.pdf_path == str(tmp_path / "slides.pdf")
    session.preroll_s = 0.0
    probe = PlayerProbe(session.playback.backend.findChild(QMediaPlayer))
    strokes = [s for p in doc.notebook.pages for s in p.strokes]
    lead, length = SAMPLE_RATE // 100, SAMPLE_RATE // 4
    errors, traces = [], []
    for (page, fn, ts), stroke in zip(PLAN, strokes, strict=True):
        assert doc.notebook.recordings[stroke.recording].name == fn
        x_mm, y_mm = stroke.xy_mm[0]
        assert (x_mm, y_mm) == pytest.approx((100 * MM_PER_POINT, stroke.xy_mm[0][1]))
        for _attempt in range(4):  # a take that met an underrun measures the machine: again
            heard, latency_ms, tapped = _heard_from(qtbot, pulse_sink, session, probe, page, x_mm, y_mm)
            if latency_ms < 100 and underrun_ms(heard[: SAMPLE_RATE // 2]) == 0:
                break
        target = round(ts / 1000 * SAMPLE_RATE)
        found = locate(
            heard[lead : lead + length], sources[fn], target - SAMPLE_RATE // 2, target + SAMPLE_RATE // 2
        )
        errors.append((found - lead - target) / SAMPLE_RATE * 1000)
        traces.append(
            f"{fn} at {ts} ms: error {errors[-1]:+.1f} ms, sound {latency_ms:.0f} ms after the tap; "
            f"heard: {heard_runs(heard[: SAMPLE_RATE * 2 // 5], sources[fn], SAMPLE_RATE, target)}; "
            f"player: {probe.describe(tapped)}"
        )
    print(f"\nstart errors against ts, ms: {[round(e, 1) for e in errors]}")
    # on failure: where what was heard came from, and when the player ran the commands
    # (support/player_probe.py: a command run late, or run in time and something else played)
    assert max(abs(e) for e in errors) <= TOLERANCE_MS, "\n".join(traces)
