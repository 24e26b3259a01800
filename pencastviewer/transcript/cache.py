"""Transcripts kept on disk, keyed by the recording's audio content and the model (and the
language asked for), so reopening a file is instant. Written atomically; an entry that
cannot be read is ignored (and replaced by the next store)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .document import SCHEMA_VERSION, Transcript

_HASH_CHUNK = 1 << 20


def file_content_key(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (a 3-hour AAC recording, ~170 MB, hashes in ~0.3 s)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def audio_key(file_keys: Sequence[tuple[str, float]]) -> str:
    """The recording's audio alone: names the latest transcript of it, whatever the model."""
    h = hashlib.sha256(b"audio")
    for content, seconds in file_keys:
        h.update(f"|{content}|{seconds:.6f}".encode())
    return h.hexdigest()[:40]


def transcript_key(file_keys: Sequence[tuple[str, float]], model_id: str, language: str | None) -> str:
    """file_keys: (content key, seconds played) per file in play order."""
    h = hashlib.sha256(f"transcript {SCHEMA_VERSION} {model_id} {language or 'auto'}".encode())
    for content, seconds in file_keys:
        h.update(f"|{content}|{seconds:.6f}".encode())
    return h.hexdigest()[:40]


class TranscriptCache:
    """One JSON file per transcript in `directory` (created when first written)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> Transcript | None:
        path = self.path(key)
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            if doc.get("schema") != SCHEMA_VERSION or doc.get("key") != key:
                raise ValueError("another schema or key")
            return Transcript.from_dict(doc["transcript"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # corrupt or foreign: transcribed again and overwritten

    def store(self, key: str, transcript: Transcript, audio: str = "") -> Path:
        """audio: the recording's audio_key, to find this transcript again by latest()."""
        doc = {"schema": SCHEMA_VERSION, "key": key, "transcript": transcript.to_dict()}
        self._write(self.path(key), doc)
        if audio:
            self._write(self.directory / f"latest-{audio}.json", {"schema": SCHEMA_VERSION, "key": key})
        return self.path(key)

    def latest(self, audio: str) -> Transcript | None:
        """The transcript last made of this audio (with any model), or None."""
        try:
            with open(self.directory / f"latest-{audio}.json", encoding="utf-8") as f:
                key = json.load(f)["key"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return self.load(key) if isinstance(key, str) else None

    def _write(self, path: Path, doc: object) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".part-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
