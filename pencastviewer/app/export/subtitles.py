"""Export targets .vtt and .srt: the transcript of the clip's recording, cut to the clip
and timed from its start (so the subtitles fit an audio or video export of the same clip)."""

from __future__ import annotations

from pathlib import Path

from ...transcript.subtitles import clip, render
from ..document import OpenedNotebook
from ..transcripts import latest_transcript
from .core import ClipSpec, ExportError, Progress, check_cancel


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    if spec.recording is None:
        raise ExportError("subtitles need a recording: this notebook has none")
    check_cancel(progress, 0.0)
    transcript = latest_transcript(document.notebook, document.timeline, spec.recording)
    if transcript is None:
        raise ExportError(
            f"recording {spec.recording + 1} has no transcript yet: transcribe it first "
            f"(`pencastviewer transcribe {document.path.name}` or Transcribe in the window)"
        )
    text = render({spec.recording: clip(transcript, spec.start_s, spec.end_s)}, temp_path.suffix.lower())
    temp_path.write_text(text, encoding="utf-8")
    check_cancel(progress, 1.0)
