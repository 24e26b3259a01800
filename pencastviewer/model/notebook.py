"""The notebook: pages and recordings as read from one file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .bookmark import Bookmark
from .page import Page
from .recording import Recording
from .transcript import Transcript


@dataclass(frozen=True)
class Notebook:
    """Immutable after load. `source_format` names the reader ("pencast", "livescribe-pdf",
        ...); `warnings` lists what the reader skipped or could not place, for the user;
        `outside_files` the files outside the notebook's folder that reading it opened (e.g.
        a Xournal++ background PDF), so the user sees what a notebook made the program read.
    `transcripts[r]` is the transcript stored with recording r (None, or a shorter tuple,
    when there is none) and `bookmarks` the moments marked, both as a .pencast carries them."""

    pages: tuple[Page, ...]
    recordings: tuple[Recording, ...] = ()
    title: str = ""
    source_format: str = ""
    created: dt.datetime | None = None
    warnings: tuple[str, ...] = ()
    outside_files: tuple[str, ...] = ()
    transcripts: tuple[Transcript | None, ...] = ()
    bookmarks: tuple[Bookmark, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", tuple(self.pages))
        object.__setattr__(self, "recordings", tuple(self.recordings))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "outside_files", tuple(self.outside_files))
        object.__setattr__(self, "transcripts", tuple(self.transcripts))
        object.__setattr__(self, "bookmarks", tuple(self.bookmarks))
        n_rec = len(self.recordings)
        if len(self.transcripts) > n_rec:
            raise ValueError(f"{len(self.transcripts)} transcripts for {n_rec} recordings")
        for bookmark in self.bookmarks:
            if not 0 <= bookmark.recording < n_rec:
                raise ValueError(
                    f"a bookmark names recording {bookmark.recording}, but the notebook has {n_rec}"
                )
        for p, page in enumerate(self.pages):
            recording = page.ink.recording
            bad = np.flatnonzero((recording < -1) | (recording >= n_rec))
            if len(bad):
                s = int(bad[0])
                raise ValueError(
                    f"page {p} stroke {s} names recording {int(recording[s])}, but the notebook has {n_rec}"
                )

    def transcript(self, recording: int) -> Transcript | None:
        """The transcript stored with `recording`, if any."""
        return self.transcripts[recording] if 0 <= recording < len(self.transcripts) else None

    @property
    def n_strokes(self) -> int:
        return sum(p.ink.n_strokes for p in self.pages)

    @property
    def n_points(self) -> int:
        return sum(p.n_points for p in self.pages)

    def ink_span_ms(self) -> tuple[float, float] | None:
        """(first, last) point time over all strokes, or None without ink."""
        inks = [p.ink for p in self.pages if p.ink.n_strokes]
        if not inks:
            return None
        return min(float(i.start_ms.min()) for i in inks), max(float(i.end_ms.max()) for i in inks)
