"""The envelope's scales: linear as recorded, as heard (gain, held at the ceiling), in dB."""

from __future__ import annotations

import numpy as np
import pytest

from pencastviewer.media.dynamics import IDENTITY, Processing
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
