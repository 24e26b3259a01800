"""Which exporter writes which file extension, and the single entry point."""

from __future__ import annotations

import importlib
from pathlib import Path

from ...model import AudioStore
from ..document import OpenedNotebook
from .atomic import Source, atomic_output, refuse_sources
from .core import ClipSpec, ExportError, Progress, no_progress
from .ranges import with_sync_offset

# extension -> module with `export(document, spec, temp_path, progress) -> None` that
# writes the whole file to temp_path (the caller renames it into place when complete).
EXPORTERS: dict[str, str] = {}


def register(module: str, *extensions: str) -> None:
    for ext in extensions:
        EXPORTERS[ext] = module


register("pencastviewer.app.export.audio_clip", ".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a")
register("pencastviewer.app.export.page_image", ".png", ".svg", ".pdf")
register("pencastviewer.app.export.pencast_clip", ".pencast")
register("pencastviewer.app.export.video", ".mp4")
register("pencastviewer.app.export.web_page", ".html")
register("pencastviewer.app.export.subtitles", ".vtt", ".srt")


def validate(document: OpenedNotebook, spec: ClipSpec) -> None:
    """Clear messages for ranges the exporters cannot honour."""
    recordings = document.notebook.recordings
    if spec.recording is None:
        return
    if not 0 <= spec.recording < len(recordings):
        raise ExportError(f"recording {spec.recording} does not exist (the file has {len(recordings)})")
    length = recordings[spec.recording].duration_s
    if spec.end_s <= spec.start_s:
        raise ExportError(
            f"the range is empty: it ends ({spec.end_s:.3f} s) before it starts ({spec.start_s:.3f} s)"
        )
    if spec.start_s < 0 or spec.end_s > length + 1e-6:
        raise ExportError(
            f"the range {spec.start_s:.3f}–{spec.end_s:.3f} s lies outside the recording (0–{length:.3f} s)"
        )


def sources(document: OpenedNotebook) -> list[Source]:
    """The files an export of `document` reads: the notebook, its recordings' audio files
    (or the archive or PDF holding them) and its PDF backgrounds."""
    found: list[Source] = [(document.path, "the notebook being exported")]
    for recording in document.notebook.recordings:
        for f in recording.files:
            if f.store == AudioStore.FILE:
                found.append((f.member, f"the audio of “{recording.name}”"))
            elif f.container is not None:
                found.append((f.container, f"the file holding the audio of “{recording.name}”"))
    for page in document.notebook.pages:
        if page.background is not None and page.background.pdf_path:
            found.append((page.background.pdf_path, "a background of the notebook"))
    return found


def export_clip(
    document: OpenedNotebook, spec: ClipSpec, out: str | Path, progress: Progress = no_progress
) -> Path:
    """Write the clip to `out` (format from its extension) atomically; returns `out`.
    Ink is placed with the clip's sync offset (see ClipSpec)."""
    out = Path(out)
    module = EXPORTERS.get(out.suffix.lower())
    if module is None:
        known = " ".join(sorted(EXPORTERS))
        raise ExportError(
            f"{out}: cannot export to '{out.suffix or 'no extension'}' (choose one of: {known})"
        )
    validate(document, spec)
    refuse_sources(out, sources(document))
    exporter = importlib.import_module(module)
    heard = with_sync_offset(document, spec)
    with atomic_output(out) as tmp:
        exporter.export(heard, spec, tmp, progress)
    return out
