"""Export targets .vtt and .srt: the transcript of the clip's recording, cut to the clip
and timed from its start (so the subtitles fit an audio or video export of the same clip)."""

from __future__ import annotations

from pathlib import Path

from ...transcript.subtitles import render
from ..document import OpenedNotebook
from .clip_transcript import clip_transcript
from .core import ClipSpec, ExportError, Progress, check_cancel


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    if spec.recording is None:
        raise ExportError("subtitles need a recording: this notebook has none")
    check_cancel(progress, 0.0)
    transcript = clip_transcript(document, spec)  # the cache's newest, else the one the file carries
    if transcript is None:
        raise ExportError(
            f"recording {spec.recording + 1} has no transcript yet: transcribe it first "
            f"(`pencastviewer transcribe {document.path.name}` or Transcribe in the window)"
        )
    temp_path.write_text(render({spec.recording: transcript}, temp_path.suffix.lower()), encoding="utf-8")
    check_cancel(progress, 1.0)
