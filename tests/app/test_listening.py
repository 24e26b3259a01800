"""The listening options: clamped on construction, kept in the preferences, and turned with a
recording's measured loudness into the processing the player and the exports apply."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from pencastviewer.app.export.core import ClipSpec
from pencastviewer.app.export.heard import clip_listening, clip_processing
from pencastviewer.app.listening import Listening
from pencastviewer.app.preferences import Preferences
from pencastviewer.app.stored_level import level_processing
from pencastviewer.media.dynamics import process
from pencastviewer.media.loudness import measure
from pencastviewer.model import AudioFile, AudioStore, Recording, StoredLevel

RATE = 48_000


def quiet_talk_with_clicks() -> np.ndarray:
    """20 s of speech-like bursts at about −30 LUFS with a 0 dBFS click every 2 s."""
    rng = np.random.default_rng(3)
    t = np.arange(20 * RATE) / RATE
    bursts = (np.sin(2 * np.pi * 0.7 * t) > -0.2).astype(np.float32)
    samples = rng.standard_normal(len(t)).astype(np.float32) * bursts * np.float32(0.05)
    samples *= np.float32(10 ** ((-30 - measure(samples, RATE).integrated_lufs) / 20))
    for at in range(1, 20, 2):
        samples[at * RATE : at * RATE + 48] = np.hanning(48).astype(np.float32)
    return samples[:, None]


def test_out_of_range_choices_are_clamped():
    assert Listening(target_lufs=-40).target_lufs == -23.0
    assert Listening(target_lufs=-3).target_lufs == -12.0
    assert Listening(target_lufs=math.nan).target_lufs == -16.0
    assert Listening(boost_db=50).boost_db == 20.0
    assert Listening(boost_db=-6).boost_db == 0.0
    assert Listening(target_lufs=-20).target_lufs == -20.0


def test_normalizing_brings_a_quiet_recording_to_the_target_under_the_ceiling():
    samples = quiet_talk_with_clicks()
    loudness = measure(samples, RATE)
    for target in (-16.0, -20.0):
        processing = Listening(target_lufs=target).processing(loudness)
        heard = measure(process(samples, RATE, processing), RATE)
        assert heard.integrated_lufs == pytest.approx(target, abs=1.0)
        assert heard.sample_peak_dbfs <= -1.0


def test_without_any_option_the_recording_is_heard_as_recorded():
    samples = quiet_talk_with_clicks()
    processing = Listening(normalize=False).processing(measure(samples, RATE))
    assert processing.is_identity
    np.testing.assert_array_equal(process(samples, RATE, processing), samples)


def test_the_boost_goes_on_top_with_the_limiter_kept():
    samples = quiet_talk_with_clicks()
    processing = Listening(normalize=False, boost_db=12).processing(measure(samples, RATE))
    heard = measure(process(samples, RATE, processing), RATE)
    assert heard.integrated_lufs == pytest.approx(-30 + 12, abs=1.0)
    assert heard.sample_peak_dbfs <= -1.0


def test_until_the_loudness_is_known_normalizing_only_limits():
    processing = Listening().processing(None)
    assert (processing.gain_db, processing.limit) == (0.0, True)


def test_an_as_played_export_drops_the_listeners_boost_and_skipping():
    listening = Listening(target_lufs=-18, voice_clarity=True, skip_silence=True, boost_db=10)
    assert listening.for_export() == Listening(target_lufs=-18, voice_clarity=True)
    assert listening.normalize_lufs == -18.0
    assert Listening(normalize=False).normalize_lufs is None


def test_an_export_asks_for_the_same_rule_as_the_player():
    spec = ClipSpec(recording=0, start_s=0, end_s=1, normalize_lufs=-20.0, voice_clarity=True)
    assert clip_listening(spec) == Listening(target_lufs=-20, voice_clarity=True)
    plain = ClipSpec(recording=0, start_s=0, end_s=1)
    assert clip_listening(plain) == Listening(normalize=False)
    # nothing asked: no measuring at all (the recording is never opened)
    assert clip_processing(None, plain).is_identity  # type: ignore[arg-type]


def test_the_listening_options_are_kept_in_the_preferences(tmp_path: Path):
    def settings() -> QSettings:
        return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)

    assert Preferences(settings()).listening() == Listening()
    chosen = Listening(normalize=False, target_lufs=-19.5, voice_clarity=True, skip_silence=True, boost_db=6)
    first = Preferences(settings())
    first.set_listening(chosen)
    first.sync()
    assert Preferences(settings()).listening() == chosen
    first.settings.setValue("prefs/target_lufs", 99.0)  # a damaged file asks for too much
    assert Preferences(settings()).listening().target_lufs == -12.0


def test_the_gain_is_solved_once_per_measured_loudness_target_and_voice_clarity(monkeypatch):
    """Voice clarity's gain is solved through its compressor (a gain solved without it
    missed targets other than −16 LUFS by up to 1.9 LU), once, like the others."""
    from pencastviewer.app import listening as module

    samples = quiet_talk_with_clicks()
    loudness, again = measure(samples, RATE), measure(samples, RATE)
    solved: list[tuple[float, bool]] = []
    original = module.normalization_gain_db

    def counting(measured, target, *, voice_clarity=False):
        solved.append((target, voice_clarity))
        return original(measured, target, voice_clarity=voice_clarity)

    monkeypatch.setattr(module, "normalization_gain_db", counting)
    first = Listening().processing(loudness)
    clear = Listening(voice_clarity=True).processing(loudness)
    assert Listening(voice_clarity=True).processing(loudness).gain_db == clear.gain_db
    assert Listening().processing(loudness).gain_db == first.gain_db
    assert Listening(target_lufs=-20).processing(loudness).gain_db < first.gain_db
    assert Listening().processing(again).gain_db == first.gain_db  # another recording's: solved anew
    assert solved == [(-16.0, False), (-16.0, True), (-20.0, False), (-16.0, False)]


def test_an_export_of_a_clip_with_a_stored_level_takes_it_without_measuring(monkeypatch):
    from pencastviewer.app.export import heard

    def never(*_args, **_kwargs):
        raise AssertionError("a stored level needs no measuring")

    monkeypatch.setattr(heard, "recording_loudness", never)
    audio = AudioFile(AudioStore.FILE, "/nowhere/clip.wav", "pcm", RATE, 1, RATE, 0.0, 1000.0)
    clip = Recording("clip", (audio,), level=StoredLevel(9.5, -16.0))
    spec = ClipSpec(recording=0, start_s=0, end_s=1, normalize_lufs=-18.0)
    assert clip_processing(clip, spec) == level_processing(Listening(target_lufs=-18), clip, None)
    assert clip_processing(clip, spec).gain_db == 7.5
