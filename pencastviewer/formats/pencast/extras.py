"""Version 3 of the .pencast: transcripts (one JSON member per recording), bookmarks and the
stored playback level of a recording, read as untrusted input and written back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...model import Bookmark, Notebook, Recording, Segment, StoredLevel, Transcript, Word
from .schema import REQUIRED, ManifestProblem, Obj

EXTRAS_VERSION = 3  # first version with transcripts, bookmarks and recording levels
MAX_TRANSCRIPT_BYTES = 16 * 1024 * 1024  # a transcript member: 3 hours of speech take ~3 MB,
# and parsing the largest allowed costs a few hundred MB at worst (a hostile file)
MAX_WORDS = 500_000  # per transcript (some 50 hours of speech)
MAX_TOTAL_TRANSCRIPT_BYTES = 64 * 1024 * 1024  # all the transcripts of a file together
MAX_TOTAL_WORDS = 1_000_000  # all the transcripts of a file together (~300 MB in memory)
MAX_SEGMENTS = 100_000
MAX_BOOKMARKS = 10_000
MAX_TIME_S = 1e9  # about 30 years: further is no recording
MAX_LABEL_CHARS = 500  # a bookmark's name, a language, a model name, a word
MAX_TEXT_CHARS = 100_000  # a segment's text
MAX_GAIN_DB = 60.0
LUFS_RANGE = (-70.0, 0.0)


def transcript_member(recording_index: int) -> str:
    return f"transcripts/{recording_index}.json"


def needs_extras(notebook: Notebook) -> bool:
    """Whether the notebook holds anything only version 3 can store."""
    return (
        bool(notebook.bookmarks)
        or any(t is not None for t in notebook.transcripts)
        or any(r.level is not None for r in notebook.recordings)
    )


# --- reading -------------------------------------------------------------------------------


def read_level(obj: Obj) -> StoredLevel | None:
    level = obj.child("level", None, nullable=True)
    if level is None:
        return None
    return StoredLevel(
        gain_db=_bounded(level, "gain_db", -MAX_GAIN_DB, MAX_GAIN_DB),
        target_lufs=_bounded(level, "target_lufs", *LUFS_RANGE),
        voice_clarity=level.flag("voice_clarity", False),
    )


def read_bookmarks(root: Obj, n_recordings: int) -> tuple[Bookmark, ...]:
    items = root.objects("bookmarks", [])
    if len(items) > MAX_BOOKMARKS:
        raise ManifestProblem(
            root.field("bookmarks"), f"lists {len(items)} bookmarks (at most {MAX_BOOKMARKS})"
        )
    found = []
    for obj in items:
        recording = obj.integer("recording", hi=MAX_BOOKMARKS * 1000)
        if recording >= n_recordings:
            raise ManifestProblem(
                obj.field("recording"), f"is {recording}, but the notebook has {n_recordings} recordings"
            )
        position = _bounded(obj, "position_s", 0.0, MAX_TIME_S)
        found.append(Bookmark(recording, position, _label(obj, "name", MAX_LABEL_CHARS)))
    return tuple(sorted(found, key=lambda b: (b.recording, b.position_s)))


def read_transcript(value: object, max_words: int = MAX_WORDS) -> Transcript:
    """A transcript member's parsed JSON as a Transcript of at most `max_words` words;
    ManifestProblem names the field (within the member) at fault."""
    doc = Obj(value, "")
    segments = doc.objects("segments")
    if len(segments) > MAX_SEGMENTS:
        raise ManifestProblem("segments", f"lists {len(segments)} segments (at most {MAX_SEGMENTS})")
    n_words = 0
    out = []
    for segment in segments:
        words = segment.objects("words", [])
        n_words += len(words)
        if n_words > max_words:
            raise ManifestProblem("segments", f"hold more than {max_words} words")
        start, end = _span(segment)
        text = _label(segment, "text", MAX_TEXT_CHARS)
        out.append(Segment(start, end, text, tuple(_word(w) for w in words)))
    language = _label(doc, "language", MAX_LABEL_CHARS)
    return Transcript(language, _label(doc, "model", MAX_LABEL_CHARS), tuple(out))


def _word(obj: Obj) -> Word:
    start, end = _span(obj)
    probability = _bounded(obj, "probability", 0.0, 1.0, default=1.0)
    return Word(_label(obj, "word", MAX_LABEL_CHARS), start, end, probability)


def _span(obj: Obj) -> tuple[float, float]:
    start = _bounded(obj, "start_s", 0.0, MAX_TIME_S)
    end = _bounded(obj, "end_s", 0.0, MAX_TIME_S)
    if end < start:
        raise ManifestProblem(obj.field("end_s"), f"is {end}, before start_s ({start})")
    return start, end


def _bounded(obj: Obj, key: str, lo: float, hi: float, default: Any = REQUIRED) -> float:
    value: float = obj.number(key, default, lo=lo)
    if value > hi:
        raise ManifestProblem(obj.field(key), f"is {value}, must be at most {hi:g}")
    return value


def _label(obj: Obj, key: str, limit: int) -> str:
    value: str = obj.text(key)
    if len(value) > limit:
        raise ManifestProblem(obj.field(key), f"is {len(value)} characters long (at most {limit})")
    return value


def parse_json(data: bytes) -> Any:
    """JSON without NaN or Infinity (ValueError, RecursionError or UnicodeDecodeError)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    return json.loads(data.decode("utf-8"), parse_constant=refuse)


# --- writing -------------------------------------------------------------------------------


def level_entry(recording: Recording) -> dict[str, Any] | None:
    level = recording.level
    if level is None:
        return None
    return {
        "gain_db": float(level.gain_db),
        "target_lufs": float(level.target_lufs),
        "voice_clarity": bool(level.voice_clarity),
    }


def transcript_bytes(transcript: Transcript) -> bytes:
    """The member's JSON; ManifestProblem for what a reader would refuse (negative times)."""
    doc = transcript.to_dict()
    read_transcript(doc)
    data = json.dumps(doc, allow_nan=False, ensure_ascii=False).encode("utf-8")
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise ManifestProblem("transcript", f"takes {len(data)} bytes (at most {MAX_TRANSCRIPT_BYTES})")
    return data


def bookmark_entries(bookmarks: Sequence[Bookmark]) -> list[dict[str, Any]]:
    return [
        {"recording": int(b.recording), "position_s": float(b.position_s), "name": b.name[:MAX_LABEL_CHARS]}
        for b in bookmarks
    ]
