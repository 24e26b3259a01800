"""The bundled demo notebook: it reads back, and each line's phrase is heard while it is written."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.formats import read_notebook
from pencastviewer.formats.audio_source import audio_bytes
from pencastviewer.model import Notebook, Stroke

PAUSE_S = 0.3  # the quietest stretch this long between two lines counts as the pause


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Notebook:
    return read_notebook(demo_path)


@pytest.fixture(scope="module")
def decoded(demo: Notebook) -> tuple[np.ndarray, int]:
    audio = demo.recordings[0].files[0]
    samples, rate = sf.read(io.BytesIO(audio_bytes(audio)), dtype="float32")
    return samples, rate


def written_lines(demo: Notebook) -> list[list[Stroke]]:
    """Strokes grouped into written lines, in writing order: a stroke starts a new line
    when it sits more than ~half a ruling pitch from the line being written."""
    lines: list[list[Stroke]] = []
    for page in demo.pages:
        assert page.background is not None and page.background.ruling is not None
        pitch_mm = page.background.ruling.spacing_mm
        heights: list[float] = []
        for stroke in page.strokes:
            y_mm = float(np.median(stroke.xy_mm[:, 1]))
            if heights and abs(y_mm - float(np.median(heights))) < 0.6 * pitch_mm:
                lines[-1].append(stroke)
                heights.append(y_mm)
            else:
                lines.append([stroke])
                heights = [y_mm]
    return lines


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0


def quietest_rms(samples: np.ndarray, window: int) -> float:
    """RMS of the quietest `window`-frame stretch of `samples`."""
    energy = np.concatenate([[0.0], np.cumsum(np.square(samples, dtype=np.float64))])
    sums = energy[window:] - energy[:-window]
    return float(np.sqrt(max(sums.min(), 0.0) / window))


def frames_of(demo: Notebook, rate: int, start_ms: float, end_ms: float) -> slice:
    origin_ms = demo.recordings[0].clock_start_ms
    return slice(round((start_ms - origin_ms) / 1000 * rate), round((end_ms - origin_ms) / 1000 * rate))


def test_demo_reads_back_as_handwritten_pages_with_audio(demo: Notebook) -> None:
    assert demo.source_format == "pencast"
    assert "CloudCamp Paris" in demo.title
    assert demo.created is not None and demo.created.year == 2009 and demo.created.tzinfo is not None
    assert 1 <= len(demo.pages) <= 2
    assert demo.n_strokes >= 150 and demo.n_points >= 3000
    assert len(demo.recordings) == 1
    assert all(s.recording == 0 for p in demo.pages for s in p.strokes)
    assert all(p.background is not None and p.background.ruling.style == "lined" for p in demo.pages)


def test_recording_length_is_the_decoded_ogg_length(demo: Notebook, decoded: tuple[np.ndarray, int]) -> None:
    samples, rate = decoded
    recording = demo.recordings[0]
    assert samples.ndim == 1 and rate == recording.sample_rate
    assert recording.n_frames == len(samples)
    assert recording.duration_s == pytest.approx(len(samples) / rate, abs=0.001)
    assert 90 <= recording.duration_s <= 180


def test_every_stroke_is_written_inside_the_recording(demo: Notebook) -> None:
    recording = demo.recordings[0]
    for page in demo.pages:
        for stroke in page.strokes:
            assert recording.clock_start_ms <= stroke.start_ms
            assert stroke.end_ms <= recording.clock_end_ms


def test_points_are_sampled_at_75_hz_and_lines_are_written_in_order(demo: Notebook) -> None:
    lines = written_lines(demo)
    assert 10 <= len(lines) <= 40
    for line in lines:
        starts = [s.start_ms for s in line]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        for stroke, following in itertools.pairwise(line):
            assert stroke.end_ms < following.start_ms  # one pen: no two strokes at once
    steps_ms = np.concatenate([np.diff(s.t_ms) for p in demo.pages for s in p.strokes])
    assert np.allclose(steps_ms, 1000 / 75, atol=0.01)


def test_speech_is_heard_while_each_line_is_written(demo: Notebook, decoded: tuple[np.ndarray, int]) -> None:
    samples, rate = decoded
    lines = written_lines(demo)
    spans_ms = [(line[0].start_ms, line[-1].end_ms) for line in lines]
    pauses = [
        quietest_rms(samples[frames_of(demo, rate, end_ms, next_start_ms)], int(PAUSE_S * rate))
        for (_, end_ms), (next_start_ms, _) in itertools.pairwise(spans_ms)
    ]
    loudest_pause = max(pauses)
    frame = rate // 20
    for start_ms, end_ms in spans_ms:
        heard = samples[frames_of(demo, rate, start_ms, end_ms)]
        assert rms(heard) > 20 * loudest_pause + 0.01
        # Heard throughout, not just one loud burst: most 50 ms frames carry speech.
        frames = heard[: len(heard) // frame * frame].reshape(-1, frame)
        voiced = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) > 0.01
        assert voiced.mean() > 0.6
