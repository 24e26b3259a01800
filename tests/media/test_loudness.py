"""Loudness after BS.1770-4 / EBU R128 against a reference implementation (pyloudnorm, its
ITU-exact "DeMan" filter) and against signals whose loudness is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from pencastviewer.media.loudness import LoudnessMeter, measure

pyln = pytest.importorskip("pyloudnorm", reason="pyloudnorm is the reference (test extra)")

RATE = 48000


def _tone(freq: float, amplitude: float, seconds: float = 20.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t + 0.3)).astype(np.float32)


def _reference(x: np.ndarray, rate: int = RATE) -> float:
    return float(pyln.Meter(rate, filter_class="DeMan").integrated_loudness(x.astype(np.float64)))


def _signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t = np.arange(20 * RATE) / RATE
    bursts = np.where((t % 4) < 1, 0.3, 0.001) * np.sin(2 * np.pi * 997 * t)
    return {
        "1 kHz": _tone(1000, 0.1),
        "100 Hz": _tone(100, 0.2),
        "10 kHz": _tone(10000, 0.05),
        "white noise": (0.05 * rng.standard_normal(20 * RATE)).astype(np.float32),
        "gated bursts": bursts.astype(np.float32),
    }


@pytest.mark.parametrize("name", list(_signals()))
def test_integrated_loudness_agrees_with_the_reference(name):
    x = _signals()[name]
    assert measure(x, RATE).integrated_lufs == pytest.approx(_reference(x), abs=0.1)


def test_ebu_reference_tone_reads_minus_23_lufs():
    # EBU Tech 3341 case 1: a 1 kHz sine at -23 dBFS (stereo, both channels) reads -23 LUFS.
    mono = _tone(1000, 10 ** (-23 / 20))
    stereo = np.stack([mono, mono], axis=1)
    assert measure(stereo, RATE).integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_streaming_in_odd_blocks_gives_the_whole_signal_figure():
    x = _signals()["gated bursts"]
    meter = LoudnessMeter(RATE)
    for start in range(0, len(x), 12345):
        meter.feed(x[start : start + 12345])
    streamed, whole = meter.result(), measure(x, RATE)
    assert streamed.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=1e-3)
    # every profile (the open sub-block is joined to the next block's whole ones)
    np.testing.assert_allclose(streamed.profiles(), whole.profiles(), rtol=1e-5, atol=1e-12)
    assert streamed.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=1e-6)


def test_other_sample_rates():
    rng = np.random.default_rng(3)
    for rate in (16000, 22050, 44100):
        x = (0.05 * rng.standard_normal(10 * rate)).astype(np.float32)
        assert measure(x, rate).integrated_lufs == pytest.approx(_reference(x, rate), abs=0.1)


def test_true_peak_sees_between_samples():
    # a quarter-rate sine sampled at ±45°: every sample is 0.707 of the real peak (−3 dB)
    x = _tone(RATE / 4, 0.5)
    t = np.arange(len(x))
    x = (0.5 * np.sin(np.pi / 2 * t + np.pi / 4)).astype(np.float32)
    result = measure(x, RATE)
    assert result.sample_peak_dbfs == pytest.approx(20 * np.log10(0.5 * np.sqrt(0.5)), abs=0.01)
    assert result.true_peak_dbtp == pytest.approx(20 * np.log10(0.5), abs=0.1)


def test_loudness_range_of_alternating_levels():
    # EBU Tech 3342 style: 20 s at -20 LUFS then 20 s at -30 LUFS: LRA = 10 LU
    loud, quiet = _tone(1000, 10 ** (-20 / 20) * np.sqrt(2)), _tone(1000, 10 ** (-30 / 20) * np.sqrt(2))
    result = measure(np.concatenate([loud, quiet]), RATE)
    assert result.range_lu == pytest.approx(10.0, abs=0.5)


def test_silence_is_not_minus_infinity():
    result = measure(np.zeros(RATE * 2, dtype=np.float32), RATE)
    assert np.isfinite(result.integrated_lufs) and result.integrated_lufs <= -70
    assert np.isfinite(result.momentary_lufs).all()


def test_momentary_loudness_has_one_value_per_100_ms():
    x = np.concatenate([np.zeros(RATE * 2, np.float32), _tone(1000, 0.1, 3.0)])
    momentary = measure(x, RATE).momentary_lufs
    assert len(momentary) == 50
    assert momentary[:15].max() < -100 and momentary[-20:].min() > -30


def test_the_peak_pass_measures_loudness_and_the_cache_keeps_it(tmp_path):
    import soundfile as sf

    from pencastviewer.media.peaks import PeakPyramid, PeaksFileError, build_pyramid

    x = _signals()["gated bursts"]
    wav = tmp_path / "bursts.wav"
    sf.write(wav, x, RATE, subtype="FLOAT")
    pyramid = build_pyramid([(wav, None)])
    assert pyramid.loudness is not None
    assert pyramid.loudness.integrated_lufs == pytest.approx(_reference(x), abs=0.1)
    cache = tmp_path / "bursts.peaks"
    pyramid.save(cache, "key")
    again = PeakPyramid.load(cache, "key")
    assert again.loudness is not None
    assert again.loudness.integrated_lufs == pyramid.loudness.integrated_lufs
    np.testing.assert_array_equal(again.loudness.slice_peak, pyramid.loudness.slice_peak)
    cache.write_bytes(cache.read_bytes()[:-4])  # a truncated profile is not trusted
    with pytest.raises(PeaksFileError):
        PeakPyramid.load(cache, "key")


def test_true_peak_keeping_only_the_highest_stretches_equals_full_oversampling(monkeypatch):
    """Minutes of noise (every stretch a candidate for the conservative bound), with one
    intersample overshoot hidden late in it: the kept stretches give the same true peak as
    oversampling every candidate, and the overshoot is found."""
    from pencastviewer.media import true_peak

    rate = 48000
    noise = np.random.default_rng(3).normal(0, 0.05, rate * 120).astype(np.float32)
    t = np.arange(480) / rate
    noise[rate * 100 : rate * 100 + 480] = 0.3 * np.sin(2 * np.pi * 12000 * t + np.pi / 4)  # peaks between
    results = []
    for keep in (true_peak.KEEP_SEGMENTS, 10**9):
        monkeypatch.setattr(true_peak, "KEEP_SEGMENTS", keep)
        meter = LoudnessMeter(rate, 1)
        for i in range(0, len(noise), 65536):
            meter.feed(noise[i : i + 65536, None])
        results.append(meter.result())
    assert results[0].true_peak_dbtp == results[1].true_peak_dbtp
    assert results[0].true_peak_dbtp > results[0].sample_peak_dbfs + 0.5  # the overshoot was seen


def test_slice_profiles_are_the_samples_own():
    """Each 10 ms slice's peak is its largest |x| (over channels) and its power its mean
    square summed over channels, exactly, however the blocks are cut."""
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((5 * RATE, 2)) * np.linspace(0.01, 0.5, 5 * RATE)[:, None]).astype(np.float32)
    meter = LoudnessMeter(RATE, 2)
    for start in range(0, len(x), 7777):
        meter.feed(x[start : start + 7777])
    result = meter.result()
    slices = x.reshape(-1, RATE // 100, 2)
    np.testing.assert_array_equal(result.slice_peak, np.abs(slices).max(axis=(1, 2)))
    np.testing.assert_allclose(result.slice_power, np.square(slices).mean(axis=1).sum(axis=1), rtol=1e-5)
