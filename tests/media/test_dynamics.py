"""Gain, voice clarity and the look-ahead limiter: peaks stay under the ceiling, loudness
reaches the target, and a region processed alone equals the same region of the whole."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from pencastviewer.media.dynamics import Processing, limiter_gain, process, process_region
from pencastviewer.media.loudness import measure
from pencastviewer.media.normalize import normalization_gain_db

RATE = 48000


def _quiet_speechlike_with_clicks(seconds: float = 20.0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    syllables = np.repeat(rng.random(n // 4800 + 1) ** 2, 4800)[:n]
    t = np.arange(n) / RATE
    voice = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 360 * t) + 0.3 * rng.standard_normal(n)
    x = 0.02 * syllables * voice
    for at in rng.integers(0, n - 100, 12):
        x[at : at + 30] += np.hanning(30) * 0.98  # pen clicks at 0 dBFS
    return np.clip(x, -1, 1).astype(np.float32)[:, None]


def test_limiter_gain_never_lets_a_peak_through():
    rng = np.random.default_rng(0)
    for _ in range(50):
        peak = np.abs(rng.standard_normal(8000)).astype(np.float32) * rng.random() * 4
        gain = limiter_gain(peak, 0.8, RATE)
        assert np.all(peak * gain <= 0.8 * (1 + 1e-5))
        assert np.all(gain <= 1.0)


def test_limiter_reacts_before_the_click_and_recovers_after():
    peak = np.full(20000, 0.1, dtype=np.float32)
    peak[10000] = 1.0
    gain = limiter_gain(peak, 0.5, RATE)
    dipped = np.flatnonzero(gain < 0.999)
    assert 10000 - 0.01 * RATE < dipped.min() < 10000  # look-ahead: before the click
    assert 10000 < dipped.max() < 10000 + 0.03 * RATE  # hold, then back to unity
    assert gain[0] == 1.0 and gain[-1] == 1.0


@pytest.mark.parametrize("voice_clarity", [False, True])
def test_normalised_quiet_speech_reaches_the_target_under_the_ceiling(voice_clarity):
    source = _quiet_speechlike_with_clicks()
    before = measure(source, RATE)
    processing = Processing(gain_db=normalization_gain_db(before, -16.0), voice_clarity=voice_clarity)
    heard = process(source, RATE, processing)
    after = measure(heard, RATE)
    assert after.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert after.sample_peak_dbfs <= -1.0
    assert after.true_peak_dbtp <= -0.9


def test_a_region_processed_alone_equals_that_region_of_the_whole():
    source = _quiet_speechlike_with_clicks(8.0)
    processing = Processing(gain_db=22.0, voice_clarity=True)
    whole = process(source, RATE, processing)
    for start, stop in [(0, 5000), (100_000, 150_000), (len(source) - 7000, len(source))]:
        region = process_region(source, start, stop, RATE, processing)
        np.testing.assert_allclose(region, whole[start:stop], atol=1e-5)


def test_identity_leaves_samples_untouched():
    source = _quiet_speechlike_with_clicks(2.0)
    assert process(source, RATE, Processing(limit=False)) is source


def test_volume_boost_is_capped_at_20_db():
    assert Processing(volume_db=35.0).total_gain == pytest.approx(10.0)
    assert Processing(gain_db=50.0).total_gain == pytest.approx(10 ** (30 / 20))


def test_a_stream_of_blocks_equals_the_whole():
    from pencastviewer.media.dynamics import process_stream

    source = _quiet_speechlike_with_clicks(6.0)
    processing = Processing(gain_db=20.0, voice_clarity=True)
    whole = process(source, RATE, processing)
    sizes = [1000, 30000, 7, 50000, 4096] * 10
    blocks, start = [], 0
    for size in sizes:
        if start >= len(source):
            break
        blocks.append(source[start : start + size])
        start += size
    blocks.append(source[start:])
    out = list(process_stream(iter(blocks), RATE, processing))
    assert [len(b) for b in out] == [len(b) for b in blocks]
    np.testing.assert_allclose(np.concatenate(out), whole, atol=1e-5)


def test_the_limiter_model_holds_the_same_minimum_as_scipy():
    """normalize's held minimum (numpy, so solving a gain imports no scipy.ndimage before the
    window's first page) is scipy's minimum_filter1d with mode="nearest", value for value."""
    from scipy import ndimage

    from pencastviewer.media.normalize import _held_minimum

    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 7, 1000):
        needed = rng.random(n)
        for hold in (1, 2, 5):
            size = hold + 2
            expected = ndimage.minimum_filter1d(needed, size, mode="nearest", origin=hold - size // 2)
            assert np.array_equal(_held_minimum(needed, hold), expected)


def test_solving_a_normalisation_gain_imports_no_scipy():
    """The window's reading worker solves the gain of a cached loudness before the first
    page is painted: that must not load scipy (0.5–1 s of imports), voice clarity's
    compressor model included. A fresh process, since
    this one has scipy loaded by other tests."""
    probe = (
        "import sys, numpy as np\n"
        "from pencastviewer.media.loudness import Loudness\n"
        "from pencastviewer.media.normalize import normalization_gain_db\n"
        "rng = np.random.default_rng(1)\n"
        "power = rng.random(6000).astype(np.float32) * 0.01\n"
        "peak = (rng.random(6000) * 0.9).astype(np.float32)\n"
        "sub = power.reshape(600, 10).mean(axis=1)\n"
        "loudness = Loudness(-30.0, 5.0, -1.0, -1.0, 60.0, sub, peak, power)\n"
        "gain = normalization_gain_db(loudness, -16.0)\n"
        "assert 0 < gain, gain\n"
        "assert 0 < normalization_gain_db(loudness, -20.0, voice_clarity=True)\n"
        "print(any(m == 'scipy' or m.startswith('scipy.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_limiter_is_scipy_s_filters_made_with_numpy():
    """The limiter's interpolator, true-peak envelope and moving windows are written with
    numpy (no scipy import on a tap's path): the same values as scipy's firwin, upfirdn,
    minimum_filter1d and uniform_filter1d."""
    from scipy import ndimage, signal

    from pencastviewer.media import dynamics, true_peak

    taps = (signal.firwin(true_peak.TAPS, 0.25, window=("kaiser", 5.0)) * 4).astype(np.float32)
    np.testing.assert_allclose(true_peak.interpolator(), taps, rtol=0, atol=1e-7)
    delay = (true_peak.TAPS - 1) // 2
    rng = np.random.default_rng(5)
    for channels in (1, 2):
        frames = (0.4 * rng.standard_normal((5000, channels))).astype(np.float32)
        upsampled = signal.upfirdn(taps, frames, up=4, axis=0)[delay : delay + 4 * len(frames)]
        reference = np.maximum(
            np.abs(upsampled).reshape(len(frames), 4, channels).max(axis=(1, 2)), np.abs(frames).max(axis=1)
        )
        np.testing.assert_allclose(dynamics.true_peak_envelope(frames), reference, atol=1e-6)
    x = rng.random(3000).astype(np.float32)
    for size in (1, 2, 7, 960, 2400):
        np.testing.assert_allclose(
            dynamics._moving_mean(x, size), ndimage.uniform_filter1d(x, size, mode="nearest"), atol=1e-6
        )
    for before, after in ((0, 0), (3, 1), (60, 15), (5, 40)):
        size = before + after + 1
        expected_min = ndimage.minimum_filter1d(x, size, mode="nearest", origin=before - size // 2)
        np.testing.assert_array_equal(dynamics._moving_min(x, before, after), expected_min)
    peak = (rng.random(20000) * 2).astype(np.float32)
    gain = limiter_gain(peak, 0.8, RATE)
    look, hold = round(dynamics.LOOKAHEAD_S * RATE / 16), round(dynamics.HOLD_S * RATE / 16)
    steps = np.minimum(1.0, 0.8 / peak.reshape(-1, 16).max(axis=1)).astype(np.float32)
    size = hold + look + 1
    held = ndimage.minimum_filter1d(steps, size, mode="nearest", origin=hold - size // 2)
    expected = np.repeat(ndimage.uniform_filter1d(held, look // 2 * 2 + 1, mode="nearest"), 16)
    np.testing.assert_allclose(gain, expected, atol=1e-6)


def test_the_limiter_and_voice_clarity_load_no_scipy():
    """scipy's import takes 0.8-2 s: a tap into audio heard normalised, limited and with
    voice clarity (its high-pass: media/high_pass.py) must not wait for it."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from pencastviewer.media.dynamics import Processing, process\n"
        "x = (np.random.default_rng(0).standard_normal((48000, 2)) * 0.5).astype(np.float32)\n"
        "out = process(x, 48000, Processing(gain_db=12.0))\n"
        "assert np.abs(out).max() < 0.9\n"
        "clear = process(x, 48000, Processing(gain_db=12.0, voice_clarity=True))\n"
        "assert np.abs(clear).max() < 0.9 and np.abs(clear - out).max() > 0.01\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_an_eager_stream_equals_the_whole_and_gives_a_large_first_block_at_once():
    """Eager: what was read comes out but for its last CONTEXT_S, so the playable copy's
    first run after a tap has its whole first block heard without decoding the next."""
    import math

    from pencastviewer.media.dynamics import CONTEXT_S, process_stream

    source = _quiet_speechlike_with_clicks(6.0)
    processing = Processing(gain_db=20.0, voice_clarity=True)
    whole = process(source, RATE, processing)
    sizes = [200_000, 7, 30000, 4096, 1000]
    blocks, start = [], 0
    for size in sizes:
        blocks.append(source[start : start + size])
        start += size
    blocks.append(source[start:])
    read = []

    def reading():
        for block in blocks:
            read.append(len(block))
            yield block

    stream = process_stream(reading(), RATE, processing, eager=True)
    first = next(stream)
    assert read == [200_000] and len(first) == 200_000 - math.ceil(CONTEXT_S * RATE)
    out = np.concatenate([first, *stream])
    np.testing.assert_allclose(out, whole, atol=1e-5)


def test_the_compressor_worked_out_per_step_follows_the_per_frame_one():
    """The compressor's gain per _GAIN_STEP frames (its two moving means were most of a
    tap's processing) against the same rule per frame, by scipy: close everywhere, the
    same loudness, and the steps fixed in the signal, so a cut gets the same gain."""
    from scipy import ndimage

    from pencastviewer.media import dynamics

    source = _quiet_speechlike_with_clicks(10.0, seed=4)[:, 0] * np.float32(10.0)
    reference_db = -16.0
    level = np.abs(source)
    power = ndimage.uniform_filter1d(level.astype(np.float64) ** 2, 960, mode="nearest")
    curve = dynamics.compressor_gain_db(np.float32(10.0 * np.log10(np.maximum(power, 1e-12))), reference_db)
    per_frame_db = ndimage.uniform_filter1d(curve.astype(np.float64), 2400, mode="nearest")
    stepped_db = 20.0 * np.log10(dynamics._compressor_gain(level, RATE, reference_db))
    assert np.abs(per_frame_db).max() > 3.0  # (it does compress and lift)
    difference = np.abs(stepped_db - per_frame_db)
    assert np.percentile(difference, 99) < 0.1 and difference.max() < 0.6
    heard = [
        measure((source * 10 ** (g / 20))[:, None].astype(np.float32), RATE).integrated_lufs
        for g in (per_frame_db, stepped_db)
    ]
    assert abs(heard[0] - heard[1]) < 0.01
    for start in (1, 15, 16, 12_345):
        cut = dynamics._compressor_gain(level[start:], RATE, reference_db, first_frame=start)
        np.testing.assert_allclose(cut[5000:-5000], 10 ** (stepped_db[start:][5000:-5000] / 20), rtol=1e-5)
