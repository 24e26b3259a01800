"""The transcript that goes with a clip: the newest of its recording (the cache's, else the
one the file carries), cut to the clip and timed from its start."""

from __future__ import annotations

import contextlib

from ...formats import FormatError
from ...model import Transcript
from ...transcript.subtitles import clip
from ..document import OpenedNotebook
from ..transcripts import latest_transcript
from .core import ClipSpec


def clip_transcript(document: OpenedNotebook, spec: ClipSpec) -> Transcript | None:
    """None when the recording was never transcribed (or the clip has no recording)."""
    if spec.recording is None:
        return None
    found = document.notebook.transcript(spec.recording)
    with contextlib.suppress(FormatError, OSError):  # unreachable audio has no cache entry
        found = latest_transcript(document.notebook, document.timeline, spec.recording) or found
    return None if found is None else clip(found, spec.start_s, spec.end_s)
