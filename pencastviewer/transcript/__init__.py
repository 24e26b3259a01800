"""Transcripts of recordings: speech recognition behind a small interface, a content-keyed
cache, spoken-word search and subtitle formats. Qt-free; audio arrives as decoded blocks."""

from .document import Segment, Transcript, Word
from .engine import ModelUnavailable, Transcriber, TranscriptionCancelled

__all__ = ["ModelUnavailable", "Segment", "Transcriber", "Transcript", "TranscriptionCancelled", "Word"]
