"""A recording that carries its level (a .pencast clip exported normalised keeps its
samples and stores the gain) is heard with that gain, not one solved from its own
loudness: a clip's own loudness is not the talk's, and it must sound as it did there."""

from __future__ import annotations

from dataclasses import replace

from ..media.dynamics import Processing
from ..media.loudness import Loudness
from ..model import Recording
from .listening import Listening


def level_processing(listening: Listening, recording: Recording, loudness: Loudness | None) -> Processing:
    """Listening.processing(loudness) for `recording`; with a stored level and normalising
    on, the stored gain moved by the difference of the targets, and voice clarity if the
    level asked for it. Normalising off plays the samples as the other options make them."""
    level = recording.level
    if level is None or not listening.normalize:
        return listening.processing(loudness)
    processing = listening.processing(None)
    return replace(
        processing,
        gain_db=level.gain_db + (listening.target_lufs - level.target_lufs),
        voice_clarity=processing.voice_clarity or level.voice_clarity,
    )


def needs_loudness(listening: Listening, recording: Recording) -> bool:
    """Whether hearing `recording` this way needs its loudness measured."""
    return listening.normalize and recording.level is None
