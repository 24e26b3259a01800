"""`pencastviewer info FILE`: what a notebook holds, as text or JSON."""

from __future__ import annotations

import argparse
import gc
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Notebook, Recording

# Only light modules at the top: run() starts inflating the file before numpy and the
# readers load (formats.inflating), and the two overlap.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="notebook file")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--audio", action="append", default=[], help="an audio file recorded with the ink")


def _loudness(recording: Recording) -> dict[str, float | None]:
    """BS.1770 integrated loudness and true peak as played (null when the audio is missing
    or unreadable: the notebook's warnings say why)."""
    if recording.is_missing:
        return {"loudness_lufs": None, "true_peak_dbtp": None}
    from ..app.export.core import ExportError
    from ..app.export.heard import recording_loudness  # (scipy and the decoders: only when measured)

    try:
        measured = recording_loudness(recording)
    except ExportError:
        return {"loudness_lufs": None, "true_peak_dbtp": None}
    return {
        "loudness_lufs": round(measured.integrated_lufs, 2),
        "true_peak_dbtp": round(measured.true_peak_dbtp, 2),
    }


def _transcript(notebook: Notebook, recording: int) -> dict[str, Any] | None:
    """The transcript the file carries (a .pencast), or None."""
    found = notebook.transcript(recording)
    if found is None:
        return None
    return {"language": found.language, "model": found.model, "words": sum(1 for _ in found.words())}


def describe(notebook: Notebook, source_format: str) -> dict[str, Any]:
    """The JSON document of `info` (keys are part of the CLI's contract)."""
    span = notebook.ink_span_ms()
    return {
        "format": source_format,
        "title": notebook.title,
        "pages": [
            {
                "index": i + 1,
                "label": page.label,
                "width_mm": round(page.width_mm, 3),
                "height_mm": round(page.height_mm, 3),
                "strokes": len(page.strokes),
                "points": page.n_points,
            }
            for i, page in enumerate(notebook.pages)
        ],
        "strokes": notebook.n_strokes,
        "points": notebook.n_points,
        "recordings": [
            {
                "name": rec.name,
                "duration_s": round(rec.duration_s, 6),
                "sample_rate": rec.sample_rate,
                "channels": rec.channels,
                "codec": rec.codec,
                "missing": rec.missing_text() if rec.is_missing else None,
                **_loudness(rec),
                "transcript": _transcript(notebook, r),
                "gain_db": None if rec.level is None else round(rec.level.gain_db, 2),
            }
            for r, rec in enumerate(notebook.recordings)
        ],
        "bookmarks": [b.to_dict() for b in notebook.bookmarks],
        "ink_span_ms": list(span) if span else None,
        "warnings": list(notebook.warnings),
        "outside_files": list(notebook.outside_files),
    }


AUDIO_HINT = "hint: give a recording that was not found with --audio FILE"


def _text(doc: dict[str, Any]) -> str:
    from ..model.units import format_hms

    lines = [f"format: {doc['format']}"]
    if doc["title"]:
        lines.append(f"title: {doc['title']}")
    lines.append(f"pages: {len(doc['pages'])}, strokes: {doc['strokes']}, points: {doc['points']}")
    for p in doc["pages"]:
        label = f" (label {p['label']})" if p["label"] else ""
        lines.append(
            f"  page {p['index']}{label}: {p['width_mm']:.1f} × {p['height_mm']:.1f} mm, "
            f"{p['strokes']} strokes, {p['points']} points"
        )
    lines.append(f"recordings: {len(doc['recordings'])}")
    for i, r in enumerate(doc["recordings"]):
        lines.append(
            f"  {i}: {r['name']}: {format_hms(r['duration_s'], millis=True)}, {r['codec']}, "
            f"{r['sample_rate']} Hz, {r['channels']} ch"
            + (
                f", {r['loudness_lufs']:g} LUFS, peak {r['true_peak_dbtp']:g} dBTP"
                if r["loudness_lufs"] is not None
                else ""
            )
        )
        if r["missing"]:
            lines.append(f"     no sound: {r['missing']}")
        if r["transcript"]:
            t = r["transcript"]
            lines.append(f"     transcript: {t['words']} words ({t['language']}, {t['model']})")
        if r["gain_db"] is not None:
            lines.append(f"     plays with a stored gain of {r['gain_db']:+g} dB")
    if doc["bookmarks"]:
        lines.append(f"bookmarks: {len(doc['bookmarks'])}")
    if doc["ink_span_ms"]:
        first, last = doc["ink_span_ms"]
        lines.append(f"ink written over {format_hms((last - first) / 1000, millis=True)}")
    lines += [f"warning: {w}" for w in doc["warnings"]]
    lines += [f"read outside the notebook's folder: {f}" for f in doc["outside_files"]]
    if any(r["missing"] and "not found" in r["missing"] for r in doc["recordings"]):
        lines.append(AUDIO_HINT)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    # The imports and the reading make objects by the hundred thousand and few cycles: the
    # cyclic collector's passes over them were ~2% of `info` on big.xopp (perf samples).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        if collecting:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    from ..formats.inflating import prefetch

    # numpy's OpenBLAS starts a thread per core that spins ~0.1 s when loaded (60 ms of CPU
    # on big.xopp, on the core the inflating thread needs); `info` multiplies no matrices.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    prefetch(args.file)  # a gzip file inflates in a thread (zlib frees the GIL) during the imports
    from ..formats import ReadOptions, read_with_format

    options = ReadOptions(audio_paths=tuple(Path(a) for a in args.audio))
    spec, notebook = read_with_format(args.file, options)
    doc = describe(notebook, spec.name)
    print(json.dumps(doc, indent=2, ensure_ascii=False) if args.json else _text(doc))
    return 0
