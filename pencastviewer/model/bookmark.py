"""Bookmarks: named moments of a notebook's recordings (kept per file by the window and
stored in .pencast files)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_NAME_CHARS = 500


@dataclass(frozen=True)
class Bookmark:
    """position_s: in `recording` as played (the playhead's clock)."""

    recording: int
    position_s: float
    name: str

    def to_dict(self) -> dict[str, object]:
        return {"recording": self.recording, "position_s": round(self.position_s, 3), "name": self.name}

    @classmethod
    def from_dict(cls, doc: object) -> Bookmark | None:
        """None for an entry that is not a bookmark (damaged settings, a foreign file)."""
        if not isinstance(doc, dict):
            return None
        try:
            recording, position = int(doc["recording"]), float(doc["position_s"])
        except (KeyError, TypeError, ValueError, OverflowError):
            return None
        if recording < 0 or not 0 <= position < 1e9:
            return None
        return cls(recording, position, str(doc.get("name", ""))[:MAX_NAME_CHARS])
