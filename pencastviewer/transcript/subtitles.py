"""Transcripts as files: WebVTT and SubRip subtitles (cues of at most two short lines,
cut at word boundaries), plain text and the JSON document of `transcribe`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from .document import Segment, Transcript

CUE_MAX_CHARS = 84  # two lines of 42, the common subtitle limit
CUE_MAX_S = 6.0
FORMATS = (".vtt", ".srt", ".json", ".txt")


def cues(transcript: Transcript) -> Iterator[tuple[float, float, str]]:
    """(start_s, end_s, text) per cue; a long segment is split between its words."""
    for segment in transcript.segments:
        yield from _split(segment)


def _split(segment: Segment) -> Iterator[tuple[float, float, str]]:
    if not segment.words:
        if segment.text.strip():
            yield segment.start_s, segment.end_s, segment.text.strip()
        return
    text, start, end = "", segment.words[0].start_s, segment.words[0].end_s
    for word in segment.words:
        longer = (text + word.word).strip()
        if text and (len(longer) > CUE_MAX_CHARS or word.end_s - start > CUE_MAX_S):
            yield start, end, text.strip()
            text, start = "", word.start_s
        text += word.word
        end = word.end_s
    if text.strip():
        yield start, end, text.strip()


def clip(transcript: Transcript, start_s: float, end_s: float) -> Transcript:
    """The words heard within [start_s, end_s], on the clip's clock (start_s becomes 0)."""
    segments = []
    for segment in transcript.segments:
        words = tuple(
            w.shifted(-start_s, 0.0, end_s - start_s)
            for w in segment.words
            if w.end_s > start_s and w.start_s < end_s
        )
        if words:
            text = "".join(w.word for w in words).strip()
            segments.append(Segment(words[0].start_s, words[-1].end_s, text, words))
    return Transcript(transcript.language, transcript.model, tuple(segments))


def _stamp(seconds: float, sep: str) -> str:
    ms = max(round(seconds * 1000), 0)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_vtt(transcript: Transcript) -> str:
    lines = ["WEBVTT", ""]
    for start, end, text in cues(transcript):
        lines += [f"{_stamp(start, '.')} --> {_stamp(end, '.')}", text.replace("-->", "→"), ""]
    return "\n".join(lines)


def to_srt(transcript: Transcript) -> str:
    lines = []
    for n, (start, end, text) in enumerate(cues(transcript), 1):
        lines += [str(n), f"{_stamp(start, ',')} --> {_stamp(end, ',')}", text, ""]
    return "\n".join(lines)


def to_text(transcript: Transcript) -> str:
    return "\n".join(s.text.strip() for s in transcript.segments if s.text.strip()) + "\n"


def to_json(transcripts: Mapping[int, Transcript]) -> str:
    """The `transcribe` JSON: a list of recordings with their index."""
    doc = [{"recording": r, **t.to_dict()} for r, t in sorted(transcripts.items())]
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def render(transcripts: Mapping[int, Transcript], suffix: str) -> str:
    """The file's text for one of FORMATS (subtitle and text formats take one recording)."""
    if suffix == ".json":
        return to_json(transcripts)
    if len(transcripts) != 1:
        raise ValueError(f"a {suffix} file holds one recording, got {len(transcripts)}")
    (transcript,) = transcripts.values()
    writer = {".vtt": to_vtt, ".srt": to_srt, ".txt": to_text}.get(suffix)
    if writer is None:
        raise ValueError(f"unknown transcript format {suffix!r} (known: {', '.join(FORMATS)})")
    return writer(transcript)


def suffix_of(path: str | Path) -> str:
    return Path(path).suffix.lower()
