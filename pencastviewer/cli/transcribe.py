"""`pencastviewer transcribe FILE [-o OUT]`: word-timed transcripts of a notebook's recordings."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..transcript.subtitles import FORMATS, render, suffix_of
from .transcripts import add_model_arguments, chosen_recordings, gather, open_with_transcripts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="notebook file")
    parser.add_argument(
        "-o", "--output", default=None, help=f"write here ({', '.join(FORMATS)}; default: text on stdout)"
    )
    parser.add_argument(
        "--recording", type=int, default=None, metavar="N", help="only recording N (1 = first)"
    )
    add_model_arguments(parser)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    from .main import CliError

    suffix = suffix_of(args.output) if args.output else ".txt"
    if suffix not in FORMATS:
        raise CliError(f"pencastviewer transcribe: {args.output}: unknown format (use {', '.join(FORMATS)})")
    document, transcripts = open_with_transcripts(args)
    recordings = chosen_recordings(document, args.recording)
    if suffix != ".json" and len(recordings) > 1:
        raise CliError(
            f"pencastviewer transcribe: {args.file} has {len(recordings)} recordings; "
            f"choose one with --recording N for a {suffix} file (or write .json)"
        )
    found = gather(document, transcripts, recordings)
    if not found:
        print(f"pencastviewer: {args.file}: no recording could be transcribed", file=sys.stderr)
        return 1
    text = render(found, suffix)
    if args.output:
        _write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0
