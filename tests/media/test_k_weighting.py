"""The meter's K-weighting from a quarter-length spectrum (media/k_weighting.py) against
BS.1770's filters run sample by sample, per 100 ms and over whole signals, where the
shortcut is weakest: tones at the edge of its band and above it, noise, stereo."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from pencastviewer.media.k_weighting import KWeighting, decimation, k_weighting_sos
from pencastviewer.media.loudness import measure
from pencastviewer.media.true_peak import OVERSAMPLING, interpolator

RATE = 48000


def _filtered_energies(x: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted mean square per 100 ms, filtering the whole signal (the definition)."""
    frames = x.reshape(len(x), -1).astype(np.float64)
    y = signal.sosfilt(k_weighting_sos(rate), frames, axis=0)
    n = rate // 10
    return (y[: len(y) // n * n] ** 2).reshape(-1, n, frames.shape[1]).mean(axis=1).sum(axis=1)


def _signals(rate: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    t = np.arange(10 * rate) / rate
    spectrum = np.fft.rfft(rng.standard_normal(len(t)))
    spectrum[1:] /= np.sqrt(np.fft.rfftfreq(len(t), 1 / rate)[1:])
    spectrum[0] = 0
    pink = np.fft.irfft(spectrum, len(t))
    syllables = np.abs(np.sin(2 * np.pi * 4 * t)) * rng.standard_normal(len(t))
    tones = (50, 1000, 3000, 5800, 6200, 8000, 10000)
    out = {f"{f} Hz": 0.1 * np.sin(2 * np.pi * f * t + 0.3) for f in tones}
    out |= {"pink": 0.1 * pink / pink.std(), "white": 0.05 * rng.standard_normal(len(t))}
    out["speech-like"] = 0.2 * syllables
    out["stereo"] = np.stack([out["pink"], 0.3 * out["speech-like"]], axis=1)
    return {name: x.astype(np.float32) for name, x in out.items()}


def test_at_48_khz_the_spectrum_is_a_quarter_long():
    assert decimation(48000, 4800) == 4
    assert decimation(44100, 4410) == 3
    assert decimation(16000, 1600) == 1  # too low a rate: every bin


def _every_bin_energies(x: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted mean square per 100 ms by Parseval over every bin of its spectrum (what
    the meter did before: the same block-wise view, no shortcut)."""
    frames = x.reshape(len(x), -1).astype(np.float64)
    n = rate // 10
    blocks = frames[: len(frames) // n * n].reshape(-1, n, frames.shape[1])
    _, response = signal.sosfreqz(k_weighting_sos(rate), worN=np.fft.rfftfreq(n), fs=1.0)
    weights = np.abs(response) ** 2 * 2 / n**2
    weights[0] /= 2
    weights[-1] /= 2
    return (np.abs(np.fft.rfft(blocks, axis=1)) ** 2 * weights[:, None]).sum(axis=(1, 2))


@pytest.mark.parametrize("rate", [48000, 44100])
@pytest.mark.parametrize("name", list(_signals(48000)))
def test_energies_agree_with_filtering_sample_by_sample(name, rate):
    """Per 100 ms within 0.05 dB of Parseval over every bin; the whole signal within
    0.05 LU of the filters run sample by sample (single blocks of pink noise differ from
    those by up to 0.3 dB, the every-bin view's own limit: the 38 Hz high-pass rings
    longer than a block)."""
    x = _signals(rate)[name]
    assert KWeighting(rate, rate // 10).factor > 1
    n_sub = len(x) // (rate // 10)
    measured = measure(x, rate).sub_energy.astype(np.float64)[:n_sub]
    every_bin = _every_bin_energies(x, rate)
    np.testing.assert_allclose(10 * np.log10(measured), 10 * np.log10(every_bin), atol=0.05)
    filtered = _filtered_energies(x, rate)[1:]  # (the filter's own start-up in the first)
    assert 10 * np.log10(measured[1:].mean() / filtered.mean()) == pytest.approx(0.0, abs=0.05)


def test_the_interpolator_keeps_the_samples_themselves():
    """Odd length: every 4th interpolated value is a sample, so the 4× grid cannot pass
    between a signal's crests and its samples (48 taps sat 1/8 sample off)."""
    taps = interpolator()
    assert len(taps) % 2 == 1
    centre = len(taps) // 2
    phase = taps[centre % OVERSAMPLING :: OVERSAMPLING]
    assert phase[centre // OVERSAMPLING] == pytest.approx(1.0, abs=0.002)
    assert np.abs(np.delete(phase, centre // OVERSAMPLING)).max() < 1e-6


@pytest.mark.parametrize("rate", [48000, 44100, 16000])
def test_the_power_response_is_scipy_s_sosfreqz(rate):
    from pencastviewer.media.k_weighting import sos_power_response

    frequencies = np.fft.rfftfreq(rate // 10)
    _, response = signal.sosfreqz(k_weighting_sos(rate), worN=frequencies, fs=1.0)
    np.testing.assert_allclose(
        sos_power_response(k_weighting_sos(rate), frequencies), np.abs(response) ** 2, rtol=1e-12
    )


def test_measuring_loudness_loads_no_scipy_signal():
    """The meter runs in the window whenever a recording's waveform is built: importing
    scipy.signal there cost ~50 MB of resident memory for as long as the program runs and
    ~0.35 s of imports holding the GIL while a notebook opens. Only scipy.fft (its batched
    FFT is 5× numpy's here) may load. A fresh process: this one has scipy loaded."""
    probe = (
        "import sys, numpy as np\n"
        "from pencastviewer.media.loudness import measure\n"
        "rng = np.random.default_rng(2)\n"
        "x = (0.05 * rng.standard_normal((48000 * 5, 2))).astype(np.float32)\n"
        "x[::9000] = 0.99\n"
        "m = measure(x, 48000)\n"
        "assert -40 < m.integrated_lufs < -10 and m.true_peak_dbtp >= m.sample_peak_dbfs, m\n"
        "print(sorted(n for n in sys.modules if n.startswith(('scipy.signal', 'scipy.ndimage'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
