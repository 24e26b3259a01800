"""One export, Qt-free: a clip of a document written to a file, with progress, cancel and a
typed result. The command line runs it in its own thread; the window runs it through
ExportTask (task.py), so both export through the very same object."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..document import OpenedNotebook
from .atomic import last_notes
from .core import ClipSpec
from .registry import export_clip


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its size and the clip it holds."""

    path: Path
    n_bytes: int
    spec: ClipSpec
    notes: tuple[str, ...] = ()  # what the user should know, e.g. damaged audio made silent


class Export:
    """Write `spec` of `document` to `out` (format from its extension), atomically.
    `cancel()` may be called from any thread: the export stops at its next block, removes
    its temporary file and raises ExportCancelled; an existing `out` is left untouched."""

    def __init__(self, document: OpenedNotebook, spec: ClipSpec, out: str | Path) -> None:
        self.document, self.spec, self.out = document, spec, Path(out)
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self, progress: Callable[[float], None] | None = None) -> ExportResult:
        """Export in the calling thread; `progress(fraction 0..1)` is called from it.
        Raises ExportError (ExportCancelled when cancelled)."""

        def on_progress(fraction: float) -> bool:
            if progress is not None:
                progress(fraction)
            return not self._cancel.is_set()

        path = export_clip(self.document, self.spec, self.out, on_progress)
        return ExportResult(path, path.stat().st_size, self.spec, last_notes())
