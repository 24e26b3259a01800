"""How the user listens to quiet recordings: loudness normalisation to a target, voice
clarity, skip silence and a volume boost, as one Qt-free value kept in the preferences.

`Listening.processing()` is the one rule that turns these choices and a recording's
measured loudness into what media/dynamics.py applies: the player, every export that is
"as played" (app/export/heard.py) and the waveform's "as heard" view all call it.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, replace

from ..media.dynamics import IDENTITY, MAX_VOLUME_DB, Processing
from ..media.loudness import Loudness
from ..media.normalize import normalization_gain_db

DEFAULT_TARGET_LUFS = -16.0
TARGET_RANGE_LUFS = (-23.0, -12.0)  # EBU R128 broadcast … loud podcast speech
BOOST_RANGE_DB = (0.0, MAX_VOLUME_DB)  # volume beyond 100 %, the limiter still in place


_gains: dict[tuple[int, float, bool], tuple[weakref.ref[Loudness], float]] = {}
_gains_lock = threading.Lock()
_MAX_GAINS = 64


def normalization_gain(loudness: Loudness, target_lufs: float, voice_clarity: bool = False) -> float:
    """normalization_gain_db, remembered per measured loudness, target and voice clarity
    (whose compressor the gain is solved through): solving it takes ~0.5 s for a 3-hour
    recording, and the player, the waveform and the exports ask again for the same
    recording whenever an option changes."""
    key = (id(loudness), target_lufs, voice_clarity)
    with _gains_lock:
        hit = _gains.get(key)
    if hit is not None and hit[0]() is loudness:
        return hit[1]
    gain = normalization_gain_db(loudness, target_lufs, voice_clarity=voice_clarity)
    with _gains_lock:
        if len(_gains) >= _MAX_GAINS:
            _gains.clear()
        _gains[key] = (weakref.ref(loudness), gain)
    return gain


def prepare_gains(loudness: Loudness) -> None:
    """Solve ahead (in a worker) the gains of `loudness` for the targets (and voice
    clarity) asked for lately, or the default: the waveform and the player then find them
    solved."""
    with _gains_lock:
        asked = {(target, clarity) for _, target, clarity in _gains} or {(DEFAULT_TARGET_LUFS, False)}
    for target, clarity in sorted(asked):
        normalization_gain(loudness, target, clarity)


def _clamped(value: float, bounds: tuple[float, float], default: float) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return float(min(max(value, bounds[0]), bounds[1]))


@dataclass(frozen=True)
class Listening:
    """The listening options. `target_lufs` is clamped to TARGET_RANGE_LUFS and `boost_db`
    to BOOST_RANGE_DB on construction (a damaged setting cannot ask for more)."""

    normalize: bool = True
    target_lufs: float = DEFAULT_TARGET_LUFS
    voice_clarity: bool = False
    skip_silence: bool = False
    boost_db: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "normalize", bool(self.normalize))
        object.__setattr__(self, "voice_clarity", bool(self.voice_clarity))
        object.__setattr__(self, "skip_silence", bool(self.skip_silence))
        target = _clamped(self.target_lufs, TARGET_RANGE_LUFS, DEFAULT_TARGET_LUFS)
        object.__setattr__(self, "target_lufs", target)
        object.__setattr__(self, "boost_db", _clamped(self.boost_db, BOOST_RANGE_DB, 0.0))

    @property
    def changes_sound(self) -> bool:
        """False when the samples are heard as recorded (no gain, no stage, no limiter)."""
        return self.normalize or self.voice_clarity or self.boost_db > 0.0

    @property
    def normalize_lufs(self) -> float | None:
        """The loudness target when normalising, else None (ClipSpec.normalize_lufs)."""
        return self.target_lufs if self.normalize else None

    def for_export(self) -> Listening:
        """What an "as played" export takes: the loudness processing, without the listener's
        own volume boost and without skipping silence (a file keeps the recording's clock)."""
        return replace(self, boost_db=0.0, skip_silence=False)

    def processing(self, loudness: Loudness | None) -> Processing:
        """What the recording goes through to be heard: nothing when no option changes the
        sound; else the gain solved through voice clarity (if asked) and the limiter that
        brings its speech to the target (0 dB until its loudness is known, or when not
        normalising), voice clarity if asked, the volume boost and the −1 dBTP look-ahead
        limiter."""
        if not self.changes_sound:
            return IDENTITY
        gain_db = 0.0
        if self.normalize and loudness is not None:
            gain_db = normalization_gain(loudness, self.target_lufs, self.voice_clarity)
        return Processing(
            gain_db=gain_db,
            volume_db=self.boost_db,
            voice_clarity=self.voice_clarity,
            target_lufs=self.target_lufs,
        )
