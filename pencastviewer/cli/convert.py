"""`pencastviewer convert IN OUT.pencast`: the program's own format, losslessly (audio is
copied as stored, never re-encoded)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..app.transcripts import with_latest_transcripts
from ..formats import FormatError, ReadOptions, read_notebook, writer_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="notebook to convert")
    parser.add_argument("target", help="output file (.pencast)")
    parser.add_argument("--audio", action="append", default=[], help="an audio file recorded with the ink")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")


def run(args: argparse.Namespace) -> int:
    source, target = Path(args.source), Path(args.target)
    spec = writer_for(target)  # refuse an unwritable format before reading anything
    if target.exists() and not args.force:
        raise FormatError(target, "already exists (use --force to replace it)")
    if target.exists() and source.exists() and os.path.samefile(source, target):  # links, hard links too
        raise FormatError(target, "is the file being converted; choose another output")
    notebook = read_notebook(source, ReadOptions(audio_paths=tuple(Path(a) for a in args.audio)))
    notebook = with_latest_transcripts(notebook)  # what `transcribe` made goes along
    assert spec.write is not None
    spec.write(notebook, target)
    audio = sum(len(r.files) for r in notebook.recordings)
    print(
        f"wrote {target}: {_count(len(notebook.pages), 'page')}, {_count(notebook.n_strokes, 'stroke')}, "
        f"{_count(audio, 'audio file')} copied"
    )
    transcripts = sum(t is not None for t in notebook.transcripts)
    if transcripts or notebook.bookmarks:
        print(f"with {_count(transcripts, 'transcript')} and {_count(len(notebook.bookmarks), 'bookmark')}")
    embedded = sorted(
        {p.background.pdf_path for p in notebook.pages if p.background and p.background.pdf_path}
    )
    for name in embedded:
        print(f"embedded {name}")
    for name in notebook.outside_files:
        if name not in embedded:
            print(f"embedded {name}")
    for warning in notebook.warnings:
        print(f"warning: {warning}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
