"""What voice clarity's 80 Hz high-pass leaves, as the meter measures it (the clear
profiles) and as the gain solved through voice clarity uses it: hum and rumble under
80 Hz raise the meter's loudness and the compressor model's level, but are not heard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.quiet_speech import quiet_lecture

from pencastviewer.media.dynamics import HIGH_PASS_HZ, Processing, process
from pencastviewer.media.high_pass import high_pass
from pencastviewer.media.loudness import SLICES_PER_SUB_BLOCK, measure
from pencastviewer.media.normalize import normalization_gain_db


def _hum(n: int, rate: int) -> np.ndarray:
    t = np.arange(n) / rate
    return 0.02 * np.sin(2 * np.pi * 50 * t) + 0.01 * np.sin(2 * np.pi * 30 * t + 1.0)


@pytest.mark.parametrize("rate", [48000, 16000])  # the meter's quarter-length spectrum, and every bin
def test_the_clear_profiles_are_those_of_the_high_passed_signal(rate: int) -> None:
    rng = np.random.default_rng(2)
    n = 20 * rate
    t = np.arange(n) / rate
    speech = 0.01 * rng.standard_normal(n) * np.abs(np.sin(2 * np.pi * 3 * t))
    x = np.stack([speech + _hum(n, rate), 0.5 * speech], axis=1).astype(np.float32)
    measured = measure(x, rate)
    clear = measure(high_pass(x, rate, HIGH_PASS_HZ), rate)
    assert measured.clear_energy is not None and measured.clear_share is not None
    # the hum is loud to the meter (a filter that passed it would fail here)
    assert 10 * np.log10(measured.sub_energy.mean() / clear.sub_energy.mean()) > 1.0
    ratio_db = 10 * np.log10(measured.clear_energy[1:] / clear.sub_energy[1:])  # (the filter's start)
    assert np.abs(ratio_db).max() < 0.3 and abs(np.mean(ratio_db)) < 0.05
    power = measured.slice_power.reshape(-1, SLICES_PER_SUB_BLOCK).mean(axis=1)
    kept = clear.slice_power.reshape(-1, SLICES_PER_SUB_BLOCK).mean(axis=1)
    share_db = 10 * np.log10(measured.clear_share[1:] * power[1:] / kept[1:])
    assert np.abs(share_db).max() < 0.3 and abs(np.mean(share_db)) < 0.05
    assert 0.0 < measured.clear_share.min() < 0.5 and measured.clear_share.max() <= 1.0
    # the loudest channel's share of what the high-pass leaves
    assert measured.louder_share is not None
    by_channel = [measure(channel[:, None], rate) for channel in high_pass(x, rate, HIGH_PASS_HZ).T]
    loudest = np.maximum(*(m.slice_power.reshape(-1, SLICES_PER_SUB_BLOCK).mean(axis=1) for m in by_channel))
    louder_db = 10 * np.log10(measured.louder_share[1:] * kept[1:] / loudest[1:])
    assert np.abs(louder_db).max() < 0.3 and abs(np.mean(louder_db)) < 0.05
    assert measured.louder_share.min() > 0.5  # (the left channel: speech and hum)
    same = measure(np.repeat(x[:, :1], 2, axis=1), rate).louder_share
    assert same is not None and np.allclose(same, 0.5, atol=1e-3)
    assert np.all(measure(x[:, :1], rate).louder_share == 1.0)


def test_with_hum_or_on_two_channels_voice_clarity_reaches_the_target(tmp_path: Path) -> None:
    """A quiet lecture over a 50 Hz hum (−34 dBFS, louder than the speech after the gain):
    solved without the high-pass in the model, voice clarity came out 2.0-2.4 LU under
    every target (the hum's loudness counted, and it is filtered out). The same lecture on
    two channels came out 1.5 LU over (its level counted both, the compressor hears one)."""
    lecture, _, _ = quiet_lecture(tmp_path)
    mono = lecture.reshape(len(lecture), -1)[:, 0]
    hum = _hum(len(mono), 48000)
    hummed = np.stack([mono + hum, 0.3 * np.roll(mono, 2400) + hum], axis=1)
    for x in (mono + hum)[:, None], hummed, np.stack([mono, mono], axis=1):
        x = x.astype(np.float32)
        source = measure(x, 48000)
        for target in (-23.0, -20.0):
            gain_db = normalization_gain_db(source, target, voice_clarity=True)
            heard = process(x, 48000, Processing(gain_db=gain_db, voice_clarity=True, target_lufs=target))
            assert measure(heard, 48000).integrated_lufs == pytest.approx(target, abs=1.0)
