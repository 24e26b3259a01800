"""An opened notebook with what the session derives from it once (timeline, hit indexes)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..formats import ReadOptions, read_with_format
from ..model import Notebook, PageHitIndex, Timeline

MAX_HIT_INDEXES = 12


@dataclass
class OpenedNotebook:
    path: Path
    format_name: str
    notebook: Notebook
    timeline: Timeline
    _hit_indexes: OrderedDict[int, PageHitIndex] = field(default_factory=OrderedDict)

    def hit_index(self, page: int) -> PageHitIndex:
        """Built on first use: opening a 100-page notebook must not index every page; the
        MAX_HIT_INDEXES pages used last are kept (visiting every page of a large notebook
        grew memory by megabytes a page, found by the soak test)."""
        index = self._hit_indexes.pop(page, None)
        if index is None:
            index = PageHitIndex(self.notebook.pages[page])
        self._hit_indexes[page] = index
        while len(self._hit_indexes) > MAX_HIT_INDEXES:
            self._hit_indexes.popitem(last=False)
        return index


def open_notebook(path: str | Path, options: ReadOptions | None = None) -> OpenedNotebook:
    """Read (formats.read_notebook) and prepare a notebook (runs in a worker thread;
    raises FormatError subclasses)."""
    path = Path(path)
    spec, notebook = read_with_format(path, options)
    return OpenedNotebook(path, spec.name, notebook, Timeline(notebook))
