"""`pencastviewer search FILE QUERY`: where words were said (and typed) in a notebook."""

from __future__ import annotations

import argparse
import json
import sys

from ..app.heard_time import MAX_SYNC_OFFSET_MS
from ..model.units import format_hms
from .transcripts import add_model_arguments, chosen_recordings, gather, open_with_transcripts


def _offset_ms(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected milliseconds, e.g. 250 or -40, got {text!r}") from None
    if not abs(value) <= MAX_SYNC_OFFSET_MS:
        raise argparse.ArgumentTypeError(f"a sync offset is at most ±{MAX_SYNC_OFFSET_MS:g} ms, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="notebook file")
    parser.add_argument(
        "query",
        help='words to find (case and accents ignored, words may be prefixes; "quoted phrase": whole words)',
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--sync-offset",
        type=_offset_ms,
        default=0.0,
        metavar="MS",
        help="the recordings' sync offset as in `export`: changes which page was being written "
        "when a word was heard, not the word's time in the recording",
    )
    add_model_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..app.transcripts import search_notebook  # loads QtCore: only for this command

    document, transcripts = open_with_transcripts(args)
    recordings = chosen_recordings(document, None) if document.notebook.recordings else []
    found = gather(document, transcripts, recordings)
    offsets = {r: args.sync_offset for r in range(len(document.notebook.recordings))}
    hits = search_notebook(document.notebook, document.timeline, found, args.query, offsets)
    if not hits:
        print(f"pencastviewer: {args.query!r} was not found in {args.file}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
        return 0
    for h in hits:
        if h.time_s is None or h.recording is None:
            where = "typed"
        else:
            where = f"recording {h.recording + 1} {format_hms(h.time_s, millis=True)}"
        page = "" if h.page is None else f", page {h.page + 1}"
        print(f"{where}{page}: {h.text}")
    return 0
