"""What `transcribe` and `search` share: the model options, and getting every asked-for
recording's transcript (carried by the file, cached or made, with progress on stderr when
it is a terminal)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..app.document import OpenedNotebook, open_notebook
from ..formats import FormatError, ReadOptions
from ..model.units import format_hms
from ..transcript.document import Transcript
from ..transcript.engine import Progress
from ..transcript.whisper import DEFAULT_MODEL, find_model

if TYPE_CHECKING:  # the use-case loads QtCore (the cache location): only when run
    from ..app.transcripts import NotebookTranscripts

MODEL_ENV = "PENCASTVIEWER_MODEL"


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=None,
        metavar="NAME|DIR",
        help=f"Whisper model name (tiny.en, base, small, …) or a CTranslate2 model folder "
        f"(default: ${MODEL_ENV}, else {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--download", action="store_true", help="allow downloading a named model into the user cache"
    )
    parser.add_argument("--language", default=None, metavar="xx", help="spoken language (default: detected)")
    parser.add_argument("--audio", action="append", default=[], help="an audio file recorded with the ink")


class Transcripts:
    """Where each recording's transcript comes from: the one the file carries (a .pencast)
    unless --model asks for another, else the cache or the model, loaded only when needed
    (a .pencast with its transcripts is searched without any model)."""

    def __init__(self, document: OpenedNotebook, args: argparse.Namespace) -> None:
        self.document, self.args = document, args
        self._made: NotebookTranscripts | None = None

    def _maker(self) -> NotebookTranscripts:
        from ..app.transcripts import NotebookTranscripts

        if self._made is None:
            args, doc = self.args, self.document
            spec = args.model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
            model = find_model(spec, allow_download=args.download)
            self._made = NotebookTranscripts(doc.notebook, doc.timeline, model, args.language)
        return self._made

    def carried(self, recording: int) -> Transcript | None:
        return None if self.args.model else self.document.notebook.transcript(recording)

    def get(self, recording: int, progress: Progress | None = None) -> Transcript:
        return self.carried(recording) or self._maker().get(recording, progress)


def open_with_transcripts(args: argparse.Namespace) -> tuple[OpenedNotebook, Transcripts]:
    document = open_notebook(args.file, ReadOptions(audio_paths=tuple(Path(a) for a in args.audio)))
    return document, Transcripts(document, args)


def _progress(label: str) -> Progress | None:
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def report(fraction: float) -> bool:
        elapsed = time.monotonic() - started
        eta = f", {format_hms(elapsed * (1 - fraction) / fraction)} left" if fraction > 0.02 else ""
        print(f"\r{label}: {fraction:4.0%}{eta}   ", end="", file=sys.stderr, flush=True)
        return False

    return report


def gather(
    document: OpenedNotebook, transcripts: Transcripts, recordings: list[int]
) -> dict[int, Transcript]:
    """Transcripts of `recordings` (missing audio: skipped with a line on stderr)."""
    found: dict[int, Transcript] = {}
    for r in recordings:
        recording = document.notebook.recordings[r]
        carried = transcripts.carried(r)
        if carried is not None:
            found[r] = carried
            continue
        if recording.is_missing:
            print(f"pencastviewer: recording {r + 1} ({recording.name}) is missing: skipped", file=sys.stderr)
            continue
        progress = _progress(f"transcribing recording {r + 1}/{len(document.notebook.recordings)}")
        found[r] = transcripts.get(r, progress)
        if progress is not None:
            print(file=sys.stderr)
    return found


def chosen_recordings(document: OpenedNotebook, number: int | None) -> list[int]:
    n = len(document.notebook.recordings)
    if n == 0:
        raise FormatError(str(document.path), "the notebook has no recording to transcribe")
    if number is None:
        return list(range(n))
    if not 1 <= number <= n:
        raise FormatError(str(document.path), f"recording {number} does not exist (the file has {n})")
    return [number - 1]
