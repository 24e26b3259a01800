"""Voice clarity's 80 Hz high-pass made with numpy (media/high_pass.py) gives scipy's
sosfilt samples, on a real pen recording and on noise, at every rate recordings come in,
and any cut of a signal processed with its context equals the whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pikepdf
import pytest
from scipy import signal

from pencastviewer.media.decode import open_audio
from pencastviewer.media.dynamics import HIGH_PASS_HZ, Processing, process, process_region
from pencastviewer.media.high_pass import high_pass


def _scipy(frames: np.ndarray, rate: int) -> np.ndarray:
    """What voice clarity filtered with before (scipy computes float32 input in float64)."""
    sos = signal.butter(2, HIGH_PASS_HZ, btype="highpass", fs=rate, output="sos")
    return np.asarray(signal.sosfilt(sos, frames, axis=0), dtype=np.float32)


def test_equals_scipy_on_a_real_pen_recording(livescribe_dir: Path) -> None:
    """126 s of speech recorded by a Livescribe pen (AAC, 16 kHz), filtered whole, and at
    the rates it may be resampled to (the filter is designed per rate)."""
    with pikepdf.open(livescribe_dir / "2-pages.pdf") as pdf:
        data = pdf.attachments["Livescribe_Audio0.m4a"].get_file().read_bytes()
    with open_audio(data, name_hint="a.m4a") as decoder:
        speech = np.concatenate(list(decoder.blocks(65536)))
    assert speech.shape == (2_013_184, 1) and np.abs(speech).max() > 0.1
    for rate in (16000, 44100, 48000):
        expected = _scipy(speech, rate)
        np.testing.assert_allclose(high_pass(speech, rate, HIGH_PASS_HZ), expected, rtol=0, atol=1e-6)
        # it does take out the low end (a filter that passed everything would fail here)
        assert np.abs(expected - speech).max() > 1e-3


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000, 192000])
@pytest.mark.parametrize("channels", [1, 2])
def test_equals_scipy_on_noise_hum_and_steps(rate: int, channels: int) -> None:
    """Loud noise, a 50 Hz hum, a DC step (the recursion's slowest part) and a click, in
    lengths around the block size (short signals, one block, many)."""
    rng = np.random.default_rng(rate + channels)
    for n in (1, 2, 3, 17, 1000, rate // 3, 3 * rate + 7):
        t = np.arange(n) / rate
        x = 0.5 * rng.standard_normal((n, channels)) + 0.3 * np.sin(2 * np.pi * 50 * t)[:, None]
        x[n // 2 :] += 0.4  # a step: the filter rings back to 0 over ~10 ms
        x[n // 3] = 1.0
        frames = np.clip(x, -1, 1).astype(np.float32)
        np.testing.assert_allclose(
            high_pass(frames, rate, HIGH_PASS_HZ), _scipy(frames, rate), rtol=0, atol=1e-6
        )


def test_a_cut_with_its_context_equals_one_pass_over_the_whole() -> None:
    """A run of the playable copy starts anywhere, CONTEXT_S early: voice clarity there
    must give the samples of one pass over the whole recording (the filter's memory of
    what came before the context has died out by then)."""
    rate = 48000
    rng = np.random.default_rng(3)
    n = 12 * rate
    t = np.arange(n) / rate
    x = 0.05 * rng.standard_normal(n) * (np.sin(2 * np.pi * 3 * t) > 0) + 0.1 * np.sin(2 * np.pi * 60 * t)
    source = x.astype(np.float32)[:, None]
    processing = Processing(gain_db=12.0, voice_clarity=True)
    whole = process(source, rate, processing)
    filtered = _scipy(source * np.float32(processing.total_gain), rate)
    assert np.abs(whole - source).max() > 0.01  # (processed, not passed through)
    for start in (0, 1, 12_345, 200_000, 479_999, n - 3000):
        stop = min(n, start + 50_000)
        np.testing.assert_allclose(
            process_region(source, start, stop, rate, processing), whole[start:stop], atol=1e-6
        )
    # and the numpy filter on a cut started early equals scipy's on the whole there
    for start in (100_000, 333_333):
        early = start - 12_000  # 0.25 s: CONTEXT_S
        cut = high_pass(source[early : start + 4800] * np.float32(processing.total_gain), rate, HIGH_PASS_HZ)
        np.testing.assert_allclose(cut[12_000:], filtered[start : start + 4800], rtol=0, atol=1e-6)
