"""An opened notebook with what the session derives from it once (timeline, hit indexes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..formats import ReadOptions, read_with_format
from ..model import Notebook, PageHitIndex, Timeline


@dataclass
class OpenedNotebook:
    path: Path
    format_name: str
    notebook: Notebook
    timeline: Timeline
    _hit_indexes: dict[int, PageHitIndex] = field(default_factory=dict)

    def hit_index(self, page: int) -> PageHitIndex:
        """Built on first use: opening a 100-page notebook must not index every page."""
        if page not in self._hit_indexes:
            self._hit_indexes[page] = PageHitIndex(self.notebook.pages[page])
        return self._hit_indexes[page]


def open_notebook(path: str | Path, options: ReadOptions | None = None) -> OpenedNotebook:
    """Read (formats.read_notebook) and prepare a notebook (runs in a worker thread;
    raises FormatError subclasses)."""
    path = Path(path)
    spec, notebook = read_with_format(path, options)
    return OpenedNotebook(path, spec.name, notebook, Timeline(notebook))
