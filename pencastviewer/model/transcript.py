"""Transcripts as data: word-timed segments of one recording, on the recording's clock.

Times are seconds from the start of the recording as played (its files back-to-back, the
same clock as `locate` and the playhead). Made by the transcript layer, stored in .pencast
files by the formats layer: both share these types."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    word: str  # as recognised, with its leading space and punctuation
    start_s: float
    end_s: float
    probability: float = 1.0

    def shifted(self, by_s: float, low_s: float, high_s: float) -> Word:
        """Moved by `by_s` and kept inside [low_s, high_s]."""
        start = min(max(self.start_s + by_s, low_s), high_s)
        return Word(self.word, start, min(max(self.end_s + by_s, start), high_s), self.probability)


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...] = ()

    def shifted(self, by_s: float, low_s: float, high_s: float) -> Segment:
        words = tuple(w.shifted(by_s, low_s, high_s) for w in self.words)
        start = min(max(self.start_s + by_s, low_s), high_s)
        return Segment(start, min(max(self.end_s + by_s, start), high_s), self.text, words)


@dataclass(frozen=True)
class Transcript:
    """language: ISO 639-1 code used or detected; model: the model's name or folder name."""

    language: str
    model: str
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    def words(self) -> Iterator[Word]:
        for segment in self.segments:
            yield from segment.words

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "model": self.model,
            "segments": [
                {
                    "start_s": round(s.start_s, 3),
                    "end_s": round(s.end_s, 3),
                    "text": s.text.strip(),
                    "words": [
                        {
                            "word": w.word,
                            "start_s": round(w.start_s, 3),
                            "end_s": round(w.end_s, 3),
                            "probability": round(w.probability, 3),
                        }
                        for w in s.words
                    ],
                }
                for s in self.segments
            ],
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Transcript:
        """Raises KeyError, TypeError or ValueError on a malformed document."""
        segments = tuple(
            Segment(
                float(s["start_s"]),
                float(s["end_s"]),
                str(s["text"]),
                tuple(
                    Word(str(w["word"]), float(w["start_s"]), float(w["end_s"]), float(w["probability"]))
                    for w in s["words"]
                ),
            )
            for s in doc["segments"]
        )
        return cls(str(doc["language"]), str(doc["model"]), segments)
