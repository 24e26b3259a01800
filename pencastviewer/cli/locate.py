"""`pencastviewer locate FILE --page N --at X,Y`: what a tap on the page would play."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..formats import FormatError, ReadOptions, read_notebook
from ..model import PageHitIndex, Timeline
from ..model.units import format_hms


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in millimetres, got {text!r}") from None
    return x, y


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="notebook file")
    parser.add_argument("--page", type=int, required=True, help="page number, 1 = first page of the file")
    parser.add_argument(
        "--at",
        type=_point,
        required=True,
        metavar="X,Y",
        help="tap position in mm from the page's top-left corner",
    )
    parser.add_argument(
        "--radius", type=float, default=3.0, metavar="MM", help="how far to look (default 3 mm)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--audio", action="append", default=[], help="an audio file recorded with the ink")


def run(args: argparse.Namespace) -> int:
    notebook = read_notebook(args.file, ReadOptions(audio_paths=tuple(Path(a) for a in args.audio)))
    if not 1 <= args.page <= len(notebook.pages):
        raise FormatError(
            args.file, f"page {args.page} does not exist (the file has {len(notebook.pages)} pages)"
        )
    page_index = args.page - 1
    x, y = args.at
    hit = PageHitIndex(notebook.pages[page_index]).hit(x, y, args.radius)
    if hit is None:
        print(
            f"pencastviewer: no ink within {args.radius:g} mm of ({x:g}, {y:g}) on page {args.page}",
            file=sys.stderr,
        )
        return 1
    timeline = Timeline(notebook)
    time_s = None if hit.recording is None else timeline.position_s(hit.recording, hit.t_ms)
    written_page = timeline.page_being_written(hit.t_ms)  # what the window turns to, playing here
    doc = {
        "page": args.page,
        "stroke": hit.stroke,
        "recording": hit.recording,
        "time_s": None if time_s is None else round(time_s, 6),
        "distance_mm": round(hit.distance_mm, 4),
        "ink_time_ms": hit.t_ms,
        "written_page": None if written_page is None else written_page + 1,
    }
    if args.json:
        print(json.dumps(doc, indent=2))
    elif time_s is None:
        print(f"page {args.page}, stroke {hit.stroke}: no recording covers this stroke")
    else:
        name = notebook.recordings[hit.recording].name  # type: ignore[index]
        print(
            f"page {args.page}, stroke {hit.stroke}: recording {hit.recording} ({name}) at "
            f"{format_hms(time_s, millis=True)} ({time_s:.3f} s), {hit.distance_mm:.2f} mm from the ink"
        )
    return 0
