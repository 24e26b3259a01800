"""The speech recogniser's contract, and the errors every implementation raises."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from .document import Segment

SAMPLE_RATE = 16_000  # what every Transcriber is fed: mono float32 at 16 kHz

# progress(fraction done 0..1) -> True to cancel
Progress = Callable[[float], bool]


class ModelUnavailable(Exception):
    """No usable speech model. `str(err)` is one line saying which and how to get one."""


class TranscriptionCancelled(Exception):
    """The progress callback asked to stop; nothing was stored."""


class Transcriber(abc.ABC):
    """Turns speech into word-timed segments. Not thread-safe: one window at a time.

    model_id: names the model and its version, so that a cache keyed by it is invalidated
    when the model changes; model_name: what a user calls it (stored with the transcript)."""

    model_id: str
    model_name: str

    @abc.abstractmethod
    def transcribe(self, samples: NDArray[np.float32], language: str | None) -> tuple[str, Iterator[Segment]]:
        """(language used or detected, segments as they are recognised) for `samples`
        (mono, SAMPLE_RATE), times in seconds from the first sample. The iterator does
        the work lazily, so a caller can report progress and stop between segments."""
