"""Kept results carry a version raised by hand whenever what they hold would come out
otherwise: media.loudness.METER_VERSION (the loudness and peaks caches) and
audio.kept_copies.COPY_FORMAT (kept playable copies). Forgotten, a cache serves an older
meter's figures or a copy made with an older processing (a stale cache entry once failed a
test, c969e1c). These tests fingerprint what each makes of fixed inputs: when one fails,
raise that version and record the new fingerprint under it (the old ones may go)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf

from pencastviewer.audio.kept_copies import COPY_FORMAT
from pencastviewer.audio.pcm_copy import make_playable
from pencastviewer.media.dynamics import IDENTITY, Processing
from pencastviewer.media.loudness import METER_VERSION, LoudnessMeter

METER_FINGERPRINTS = {5: "58e590dbf24a18a4"}
COPY_FINGERPRINTS = {3: "3075a1ab44a94f49"}


def _speech_like(rate: int, seconds: float, channels: int, seed: int) -> np.ndarray:
    """Noise under a syllable-rate envelope over a quiet floor, a hum, and a few clicks."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(rate * seconds)) / rate
    envelope = 0.02 + 0.4 * np.abs(np.sin(2 * np.pi * 3.7 * t)) * (np.sin(2 * np.pi * 0.3 * t) > -0.3)
    mono = envelope * rng.standard_normal(len(t)) * 0.3 + 0.01 * np.sin(2 * np.pi * 50 * t)
    mono[rng.integers(0, len(t), 6)] = 0.99
    columns = [mono] + [0.7 * np.roll(mono, 37) for _ in range(channels - 1)]
    return np.stack(columns, axis=1).astype(np.float32)


def _meter_fingerprint() -> str:
    digest = hashlib.sha256()
    for rate, channels, seed in ((48000, 1, 1), (44100, 2, 2), (16000, 1, 3)):
        samples = _speech_like(rate, 12.0, channels, seed)
        meter = LoudnessMeter(rate, channels)
        for start in range(0, len(samples), 7919):  # odd blocks, as decoders give them
            meter.feed(samples[start : start + 7919])
        found = meter.result()
        figures = [found.integrated_lufs, found.range_lu, found.true_peak_dbtp, found.sample_peak_dbfs]
        digest.update(np.round(np.array(figures, np.float64), 4).tobytes())
        for profile in found.profiles():
            digest.update(np.round(10 * np.log10(np.maximum(profile, 1e-12)), 3).tobytes())
    return digest.hexdigest()[:16]


def _copy_fingerprint(tmp_path: Path) -> str:
    digest = hashlib.sha256()
    source = tmp_path / "speech.flac"
    sf.write(source, _speech_like(44100, 8.0, 1, 4), 44100)  # resampled to 48 kHz: never as it is
    heard = (IDENTITY, Processing(gain_db=9.0), Processing(gain_db=12.0, voice_clarity=True))
    for processing in heard:
        playable = make_playable([(str(source), None)], 48000, str(tmp_path), processing=processing)
        digest.update(Path(playable.path).read_bytes())
        Path(playable.path).unlink()
    return digest.hexdigest()[:16]


def test_the_meter_version_names_what_the_meter_measures():
    found = _meter_fingerprint()
    assert METER_FINGERPRINTS.get(METER_VERSION) == found, (
        f"the meter's figures changed ({found}): raise media.loudness.METER_VERSION and record "
        f"{found!r} under it in METER_FINGERPRINTS"
    )


def test_the_copy_format_names_what_a_playable_copy_holds(tmp_path):
    found = _copy_fingerprint(tmp_path)
    assert COPY_FINGERPRINTS.get(COPY_FORMAT) == found, (
        f"a playable copy's samples changed ({found}): raise audio.kept_copies.COPY_FORMAT and "
        f"record {found!r} under it in COPY_FINGERPRINTS"
    )
