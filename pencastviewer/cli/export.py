"""`pencastviewer export FILE -o OUT`: a clip — audio, page image, video, web page or .pencast —
through the same code as the Export dialog."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..app.document import OpenedNotebook, open_notebook
from ..app.export.core import ClipSpec, ExportError
from ..app.export.heard import DEFAULT_TARGET_LUFS, TARGET_RANGE_LUFS, check_target
from ..app.export.ranges import LEAD_IN_S, LEAD_OUT_S
from ..app.export.request import ClipRange, ClipRequest, build_clip
from ..app.export.run import Export
from ..app.heard_time import MAX_SYNC_OFFSET_MS
from ..formats import ReadOptions
from ..model.units import format_hms, parse_time
from . import export_pages

# Outputs made without drawing anything: these never start Qt's GUI machinery.
_UNRENDERED = frozenset({".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".pencast", ".vtt", ".srt"})
_qt_app = None  # the QGuiApplication image exports paint with, kept alive while they run


def _time(text: str) -> float:
    try:
        seconds = parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (use seconds or h:mm:ss.mmm)") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"a time cannot be negative: {text!r}")
    return seconds


def _stroke_range(text: str) -> tuple[int, int]:
    """Strokes are 0-based, as `locate` prints them and the README numbers them."""
    first, _, last = text.partition("-")
    try:
        i, j = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected I-J (stroke numbers as `locate` prints them, 0 = first), got {text!r}"
        ) from None
    if not 0 <= i <= j:
        raise argparse.ArgumentTypeError(f"expected 0 <= I <= J, got {text!r}")
    return i, j


def _size(text: str) -> tuple[int, int] | None:
    """WxH, or `fit` (None): a video frame of the page's shape."""
    if text.strip().lower() == "fit":
        return None
    width, _, height = text.lower().partition("x")
    try:
        size = int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH in pixels, e.g. 1280x720, got {text!r}") from None
    if min(size) <= 0:
        raise argparse.ArgumentTypeError(f"a size must be positive, got {text!r}")
    return size


def _number(text: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def _non_negative(text: str) -> float:
    value = _number(text, "a number")
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _offset_ms(text: str) -> tuple[int | None, float]:
    """`MS` (the clip's recording) or `R=MS` (recording R, numbered as `info` lists them)."""
    recording, _, ms = text.rpartition("=")
    value = _number(ms, "milliseconds, e.g. 250, -40 or 1=250")
    if not abs(value) <= MAX_SYNC_OFFSET_MS:
        raise argparse.ArgumentTypeError(f"a sync offset is at most ±{MAX_SYNC_OFFSET_MS:g} ms, got {text!r}")
    if not recording:
        return None, value
    if not recording.isdigit():
        raise argparse.ArgumentTypeError(f"expected R=MS with R a recording number, got {text!r}")
    return int(recording), value


def _add_loudness_arguments(add: Callable[..., object]) -> None:
    """The options that make the clip heard as the player makes it (loudness)."""
    add(
        "--normalize",
        nargs="?",
        type=_lufs,
        const=DEFAULT_TARGET_LUFS,
        metavar="LUFS",
        help=f"make quiet speech loud as the player does: bring it to LUFS (default {DEFAULT_TARGET_LUFS:g}, "
        f"{TARGET_RANGE_LUFS[0]:g}…{TARGET_RANGE_LUFS[1]:g}) under a −1 dBTP limiter; off unless given",
    )
    add(
        "--voice-clarity",
        action="store_true",
        help="80 Hz high-pass and gentle compression, for far-away or uneven speech",
    )


def _add_picture_arguments(add: Callable[..., object]) -> None:
    """The size of a video's frames or an image."""
    add(
        "--size",
        type=_size,
        metavar="WxH|fit",
        help="video frame size (default fit: the page's shape, 720 px on the short side, so a "
        "portrait page fills a portrait frame); image width (height follows)",
    )
    add("--dpi", type=_non_negative, help="resolution of a .png (instead of --size)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("file", help="notebook file")
    add(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="file to write; its extension picks the format (.wav .flac .ogg .opus .mp3 .m4a "
        ".png .svg .pdf .mp4 .html .pencast); {n} in the name writes one image per page "
        "(e.g. pages/page-{n}.png)",
    )
    add("--from", dest="start", type=_time, metavar="T", help="clip start: seconds or h:mm:ss.mmm")
    add("--to", dest="end", type=_time, metavar="T", help="clip end: seconds or h:mm:ss.mmm")
    add("--page", type=int, metavar="N", help="page number, 1 = first page of the file")
    add(
        "--pages",
        type=export_pages.page_list,
        metavar="LIST",
        help="pages of an image export, e.g. 1-5,8 (default: every page for .pdf and {n} names)",
    )
    add(
        "--strokes",
        type=_stroke_range,
        metavar="I-J",
        help="strokes I to J of --page, numbered as `locate` prints them (0 = first)",
    )
    add("--recording", type=int, metavar="R", help="recording number as `info` lists it (default 0)")
    add("--fade", type=_non_negative, default=20.0, metavar="MS", help="fade in and out (default 20 ms)")
    add(
        "--lead-in",
        type=_non_negative,
        default=LEAD_IN_S,
        metavar="S",
        help=f"sound before the first of --strokes (default {LEAD_IN_S} s)",
    )
    add(
        "--lead-out",
        type=_non_negative,
        default=LEAD_OUT_S,
        metavar="S",
        help=f"sound after the last of --strokes (default {LEAD_OUT_S} s)",
    )
    _add_picture_arguments(add)
    add("--audio", action="append", default=[], help="an audio file recorded with the ink")
    _add_loudness_arguments(add)
    # The offset the window remembers per file lives in Qt's settings; reading it would load
    # Qt for every export (audio exports load none) and make the output depend on the GUI's
    # state, so the command line takes it as an option only.
    add(
        "--sync-offset",
        type=_offset_ms,
        action="append",
        default=[],
        metavar="[R=]MS",
        help="a sync offset as Alt+[ / Alt+] set it in the window: positive when the sound of the ink "
        "comes that much later than its times say. R=MS is recording R's (repeat it for several, as "
        "the window keeps one per recording); MS alone is the clip's recording's (default 0)",
    )


def _lufs(text: str) -> float:
    try:
        return check_target(float(text))
    except (ValueError, ExportError) as e:
        raise argparse.ArgumentTypeError(
            str(e) if isinstance(e, ExportError) else f"not a loudness: {text!r}"
        ) from None


def sync_offsets_ms(document: OpenedNotebook, given: list[tuple[int | None, float]]) -> dict[int, float]:
    """Each recording's offset, as the window keeps them: R=MS for recording R, a bare MS
    for every recording not named (a clip is heard in one recording: the bare value is its)."""
    bare = [ms for r, ms in given if r is None]
    offsets = {r: bare[-1] for r in range(len(document.notebook.recordings))} if bare else {}
    offsets.update({r: ms for r, ms in given if r is not None})
    return offsets


def clip_request(document: OpenedNotebook, args: argparse.Namespace) -> ClipRequest:
    """The clip the arguments describe: strokes of a page, a page, or a recording's range
    (limited to --page's ink when given), as the Export dialog describes its ranges."""
    page = None if args.page is None else args.page - 1
    if args.strokes is not None:
        if page is None:
            raise ExportError("--strokes needs --page: strokes are numbered per page")
        kind, strokes = ClipRange.STROKES, tuple(range(args.strokes[0], args.strokes[1] + 1))
    elif page is not None and args.start is None and args.end is None:
        kind, strokes = ClipRange.PAGE, ()
    else:
        kind, strokes = ClipRange.RECORDING, ()
    return ClipRequest(
        kind,
        page=page,
        strokes=strokes,
        recording=args.recording or 0,
        start_s=args.start,
        end_s=args.end,
        lead_in_s=args.lead_in,
        lead_out_s=args.lead_out,
        fade_ms=args.fade,
        sync_offsets_ms=sync_offsets_ms(document, args.sync_offset),
        size=args.size,
        dpi=args.dpi,
        normalize_lufs=args.normalize,
        voice_clarity=args.voice_clarity,
    )


def clip_spec(document: OpenedNotebook, args: argparse.Namespace) -> ClipSpec:
    return build_clip(document, clip_request(document, args))


def describe(document: OpenedNotebook, spec: ClipSpec) -> str:
    parts = []
    if spec.recording is not None:
        name = document.notebook.recordings[spec.recording].name
        parts.append(
            f"recording {spec.recording} ({name}) {format_hms(spec.start_s, millis=True)}–"
            f"{format_hms(spec.end_s, millis=True)} ({spec.duration_s:.3f} s)"
        )
        if spec.sync_offset_ms:
            parts.append(f"sync offset {spec.sync_offset_ms:+g} ms")
        if spec.normalize_lufs is not None:
            parts.append(f"normalized to {spec.normalize_lufs:g} LUFS")
        if spec.voice_clarity:
            parts.append("voice clarity")
    if spec.strokes is not None:
        page, first, last = spec.strokes
        parts.append(f"page {page + 1} strokes {first}–{last}")
    elif spec.pages is not None:
        parts.append(export_pages.pages_text(spec.pages, len(document.notebook.pages)))
    elif spec.page is not None:
        parts.append(f"page {spec.page + 1} of {len(document.notebook.pages)}")
    return ", ".join(parts)


def _other_pages_hint(document: OpenedNotebook, args: argparse.Namespace, out: Path) -> str:
    """A one-page image of a longer notebook written without naming the page: say how to
    get the others, so page 1 alone is not mistaken for the whole notebook."""
    chosen = args.page is not None or args.pages is not None or export_pages.PAGE_FIELD in args.output
    if chosen or out.suffix.lower() not in (".png", ".svg") or len(document.notebook.pages) < 2:
        return ""
    return f" (use --page N, or {export_pages.PAGE_FIELD} in the name for every page)"


def _ensure_qt_gui() -> None:
    """Painting needs a QGuiApplication; an offscreen one needs no display."""
    global _qt_app
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        _qt_app = QGuiApplication(["pencastviewer", "-platform", "offscreen"])


def run(args: argparse.Namespace) -> int:
    document = open_notebook(args.file, ReadOptions(audio_paths=tuple(Path(a) for a in args.audio)))
    for warning in document.notebook.warnings:  # e.g. a missing PDF the pages show a placeholder for
        print(f"warning: {warning}", file=sys.stderr)
    try:
        jobs = export_pages.jobs(document, args, clip_spec)
        if any(out.suffix.lower() not in _UNRENDERED for out, _ in jobs):
            _ensure_qt_gui()
        for out, spec in jobs:
            result = Export(document, spec, out).run()
            summary = describe(document, result.spec) or "the whole notebook"
            hint = _other_pages_hint(document, args, result.path)
            print(f"wrote {result.path} ({result.n_bytes:,} bytes): {summary}{hint}")
            for text in result.notes:
                print(f"warning: {text}")
    except ExportError as e:
        missing = any(r.is_missing and not r.is_lost for r in document.notebook.recordings)
        hint = " (give it with --audio FILE)" if missing and "not found" in str(e) else ""
        print(f"pencastviewer: {e}{hint}", file=sys.stderr)
        return 1
    return 0
