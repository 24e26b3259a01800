"""The transcript of one recording: segments of word-timed text, on the recording's clock.

Times are seconds from the start of the recording as played (its files back-to-back, the
same clock as `locate` and the playhead). The JSON form is the one `transcribe -o x.json`
writes and the cache stores. The types live in the model (a .pencast stores them too)."""

from __future__ import annotations

from ..model.transcript import Segment, Transcript, Word

SCHEMA_VERSION = 1

__all__ = ["SCHEMA_VERSION", "Segment", "Transcript", "Word"]
