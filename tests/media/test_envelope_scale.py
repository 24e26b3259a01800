"""The envelope's scales: linear as recorded, as heard (gain, held at the ceiling), in dB."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pencastviewer.media.dynamics import IDENTITY, Processing, process
from pencastviewer.media.envelope_scale import EnvelopeScale


def test_linear_as_recorded_draws_the_samples():
    values = np.array([-1.0, -0.25, 0.0, 0.5], dtype=np.float32)
    np.testing.assert_array_equal(EnvelopeScale.heard(IDENTITY).apply(values), values)


def test_as_heard_the_gain_applies_and_the_ceiling_holds():
    scale = EnvelopeScale.heard(Processing(gain_db=20.0))
    assert scale.ceiling == pytest.approx(10 ** (-1 / 20))
    out = scale.apply(np.array([0.01, -0.05, 0.5], dtype=np.float32))
    np.testing.assert_allclose(out, [0.1, -0.5, scale.ceiling], rtol=1e-5)


def test_decibels_spread_quiet_levels_over_the_height():
    scale = EnvelopeScale(db=True)
    levels_db = np.array([-60.0, -30.0, -20.0, 0.0])
    out = scale.apply(-(10 ** (levels_db / 20)).astype(np.float32))
    np.testing.assert_allclose(out, [0.0, -0.5, -2 / 3, -1.0], atol=1e-5)
    assert scale.apply(np.zeros(1, np.float32))[0] == 0.0  # silence: the centre line, no -inf
    heard = EnvelopeScale.heard(Processing(gain_db=10.0), db=True)
    assert heard.height_of(heard.ceiling) == pytest.approx(59 / 60, abs=1e-4)  # −1 dBTP


def test_as_heard_with_voice_clarity_the_envelope_follows_the_compressor():
    """The envelope drawn from the recording's bins with voice clarity's scale matches the
    envelope of the audio as voice clarity makes it (process(): what playback and exports
    play), quiet passages lifted and loud ones brought down; without it, it does not."""
    from pencastviewer.media.loudness import measure
    from pencastviewer.media.peaks import PeakBuilder

    rate = 48000
    rng = np.random.default_rng(2)
    t = np.arange(24 * rate) / rate
    level = np.where((t // 4) % 2 == 0, 0.0015, 0.08)  # far-away and close-up speech, by turns
    voice = np.abs(np.sin(2 * np.pi * 3 * t)) * (
        np.sin(2 * np.pi * 170 * t) + 0.3 * rng.standard_normal(len(t))
    )
    source = (level * voice).astype(np.float32)[:, None]
    processing = Processing(gain_db=20.0, voice_clarity=True, target_lufs=-16.0)
    heard = process(source, rate, processing)

    def envelope(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        builder = PeakBuilder(rate)
        builder.feed(x)
        times, _, maxs = builder.finish().query(0.0, len(x) / rate, 480)
        return times, maxs

    times, recorded = envelope(source)
    _, expected = envelope(heard)
    bin_s = float(times[1] - times[0])
    loudness = measure(source, rate)
    drawn = EnvelopeScale.heard(processing, loudness=loudness).apply(recorded, times, bin_s)
    plain = EnvelopeScale.heard(replace(processing, voice_clarity=False)).apply(recorded, times, bin_s)
    speaking = expected > 0.003
    far = speaking & ((times // 4) % 2 == 0)

    def error_db(values: np.ndarray, where: np.ndarray) -> float:
        return float(np.median(np.abs(20 * np.log10(values[where] / expected[where]))))

    print(f"drawn {error_db(drawn, speaking):.2f} dB off, without clarity {error_db(plain, speaking):.2f}")
    print(f"far-away speech: {error_db(drawn, far):.2f} dB off, without {error_db(plain, far):.2f}")
    assert error_db(drawn, speaking) < 1.0
    assert error_db(drawn, far) < 1.0
    assert error_db(plain, far) > 3.0  # (lifted by voice clarity: what the drawing must show)
