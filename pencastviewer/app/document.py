"""An opened notebook with what the session derives from it once (timeline, hit indexes,
writing marks), and, when read for the window, what the window shows at once prepared in
the reading worker (the writing order, the first recording's cached peaks and marks)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..formats import FormatError, ReadOptions, read_with_format
from ..media.peaks import PeakPyramid
from ..media.source import AudioError
from ..model import Notebook, PageHitIndex, Timeline
from .audio_files import playable_sequence
from .ink_navigation import merged_marks, writing_positions_s
from .listening import prepare_gains
from .peaks_cache import load_cached, peaks_cache_dir

MAX_HIT_INDEXES = 12
Marks = tuple[NDArray[np.float64], NDArray[np.float64]]


@dataclass(frozen=True)
class WindowReadOptions(ReadOptions):
    """ReadOptions of a notebook opened in the window: open_notebook also prepares, in the
    same worker, what the window shows at once (see prepare_for_window)."""


@dataclass
class OpenedNotebook:
    path: Path
    format_name: str
    notebook: Notebook
    timeline: Timeline
    _hit_indexes: OrderedDict[int, PageHitIndex] = field(default_factory=OrderedDict)
    peaks: dict[int, PeakPyramid] = field(default_factory=dict)  # recording -> pyramid read with it
    _marks: dict[int, tuple[float, Marks]] = field(default_factory=dict)

    def is_file(self, path: str | Path) -> bool:
        """`path` names the file this notebook was read from."""
        try:
            return self.path.samefile(path)
        except OSError:  # one of them is gone (or never was)
            return self.path == Path(path)

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

    def writing_marks(self, timeline: Timeline, recording: int) -> Marks:
        """(starts, ends), merged, where `recording` has ink being written, heard with
        `timeline`'s sync offset: kept per recording for the offset last asked for (any
        thread may fill it: the waveform finds them made by its worker)."""
        offset = timeline.sync_offset_ms(recording)
        kept = self._marks.get(recording)
        if kept is not None and kept[0] == offset:
            return kept[1]
        marks = merged_marks(writing_positions_s(timeline, recording))
        self._marks[recording] = (offset, marks)
        return marks


def prepare_for_window(document: OpenedNotebook) -> None:
    """In the reading worker, what the window needs once the notebook is shown, so that it
    is not made on the GUI thread meanwhile: the writing order (the first seek asks for it),
    and for the first recording its writing marks, its pyramid if the cache has it (never
    built here) and the normalisation gains of its loudness."""
    _ = document.timeline.order
    recordings = document.notebook.recordings
    if not recordings or recordings[0].is_missing:
        return
    document.writing_marks(document.timeline, 0)
    try:
        pyramid = load_cached(playable_sequence(recordings[0]), peaks_cache_dir())
    except (FormatError, AudioError, OSError, ValueError):
        return  # (the session says why when it selects the recording; the peaks job tries again)
    if pyramid is not None:
        document.peaks[0] = pyramid
        if pyramid.loudness is not None:
            prepare_gains(pyramid.loudness)


def open_notebook(path: str | Path, options: ReadOptions | None = None) -> OpenedNotebook:
    """Read (formats.read_notebook) and prepare a notebook (runs in a worker thread;
    raises FormatError subclasses); with WindowReadOptions, prepared for the window too."""
    path = Path(path)
    spec, notebook = read_with_format(path, options)
    document = OpenedNotebook(path, spec.name, notebook, Timeline(notebook))
    if isinstance(options, WindowReadOptions):
        prepare_for_window(document)
    return document
