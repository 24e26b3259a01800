"""Bookmarks: named moments of a notebook's recordings, kept per file beside the other
per-file memory (and written into .pencast files by the writer)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..model import Bookmark
from .preferences import Preferences, file_key

__all__ = ["MAX_BOOKMARKS", "Bookmark", "Bookmarks", "bookmarks_from_json"]

MAX_BOOKMARKS = 10_000  # a damaged settings entry cannot grow without bound


def bookmarks_from_json(text: str) -> list[Bookmark]:
    try:
        docs = json.loads(text)
    except (TypeError, ValueError):
        return []
    found = [Bookmark.from_dict(d) for d in docs[:MAX_BOOKMARKS]] if isinstance(docs, list) else []
    return sorted((b for b in found if b is not None), key=lambda b: (b.recording, b.position_s))


class Bookmarks(QObject):
    """The open file's bookmarks, in recording and time order. Every change is saved at once."""

    changed = Signal()

    def __init__(self, preferences: Preferences, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self.items: list[Bookmark] = []
        self._path: Path | None = None

    def load(self, path: str | Path, from_file: list[Bookmark] | None = None) -> None:
        """The bookmarks remembered for `path` (else those the file itself carries)."""
        self._path = Path(path)
        text = self.preferences.settings.value(f"bookmarks/{file_key(path)}", None)
        self.items = bookmarks_from_json(text) if isinstance(text, str) else list(from_file or [])
        self.changed.emit()

    def _save(self) -> None:
        self.items.sort(key=lambda b: (b.recording, b.position_s))
        if self._path is not None:
            text = json.dumps([b.to_dict() for b in self.items])
            self.preferences.settings.setValue(f"bookmarks/{file_key(self._path)}", text)
        self.changed.emit()

    def add(self, recording: int, position_s: float, name: str = "") -> Bookmark:
        bookmark = Bookmark(recording, max(position_s, 0.0), name or f"Bookmark {len(self.items) + 1}")
        self.items.append(bookmark)
        self._save()
        return bookmark

    def rename(self, bookmark: Bookmark, name: str) -> None:
        self.items[self.items.index(bookmark)] = replace(bookmark, name=name)
        self._save()

    def remove(self, bookmark: Bookmark) -> None:
        self.items.remove(bookmark)
        self._save()

    def in_recording(self, recording: int) -> list[Bookmark]:
        return [b for b in self.items if b.recording == recording]
