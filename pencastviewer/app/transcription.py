"""The window's transcripts: found in the cache when a file opens, made in the background
with progress, ETA and cancel on request, and searched together with typed text.

Work runs in the thread pool (CTranslate2 releases the GIL), never in the GUI thread, so
playback goes on; results come back as queued signals. QtCore only."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from ..transcript.document import Transcript
from ..transcript.engine import ModelUnavailable, Progress, TranscriptionCancelled
from ..transcript.search import TranscriptIndex
from ..transcript.whisper import ModelRef, find_model
from .document import OpenedNotebook
from .transcripts import NotebookTranscripts, SearchHit, search_notebook
from .workers import Job

_ALIVE: set[Job] = set()  # running jobs outlive a service deleted under them (window closed)


class _Relay(QObject):
    """Emitted from the worker thread; Qt queues them to the service's (GUI) thread."""

    progressed = Signal(int, float, float)  # recording, fraction, seconds left (-1: unknown yet)
    done = Signal(int, int, object)  # generation, recording, Transcript
    downloading = Signal(float)  # fraction of the speech model fetched


class TranscriptionService(QObject):
    """One notebook's transcripts with one model (Preferences ▸ Transcription)."""

    started = Signal()  # a transcription job began
    transcript_ready = Signal(int)  # recording
    progressed = Signal(int, float, float)  # recording, fraction done, seconds left (-1 unknown)
    finished = Signal()  # a transcription job ended (done, cancelled or failed)
    failed = Signal(str)  # one line for the user
    downloading = Signal(float)  # fraction of the speech model downloaded (the user allowed it)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transcripts: dict[int, Transcript] = {}
        self.model_spec, self.allow_download = "", False
        self.language: str | None = None
        self.running = False
        self._document: OpenedNotebook | None = None
        self._store: NotebookTranscripts | None = None
        self._index: TranscriptIndex | None = None
        self._cancel = threading.Event()
        self._generation = 0
        self._relay = _Relay()
        self._relay.progressed.connect(self.progressed)
        self._relay.done.connect(self._on_relay_done)
        self._relay.downloading.connect(self.downloading)
        self._jobs: set[Job] = set()

    def set_model(self, spec: str, allow_download: bool = False, language: str | None = None) -> None:
        self.model_spec, self.allow_download, self.language = spec, allow_download, language
        if self._document is not None:
            self.set_document(self._document)

    def set_document(self, document: OpenedNotebook | None) -> None:
        """Forget the last notebook's transcripts: take those this one carries and look up
        its recordings in the cache."""
        self.cancel()
        self._generation += 1
        self._document, self._store, self._index = document, None, None
        # What the file carries (a .pencast) shows at once, with or without a model; the
        # cache's transcripts with the chosen model replace it when they are found.
        stored = document.notebook.transcripts if document is not None else ()
        self.transcripts = {r: t for r, t in enumerate(stored) if t is not None}
        for r in self.transcripts:
            self.transcript_ready.emit(r)
        if document is not None and self.model_spec:
            self._run(self._load_cached, self._generation)

    def _model(self, download: Progress | None) -> ModelRef:
        """The chosen model; downloaded (when allowed) only with a `download` progress."""
        if not self.model_spec:
            raise ModelUnavailable("no speech model chosen: pick one in Preferences ▸ Transcription")
        allowed = self.allow_download and download is not None
        return find_model(self.model_spec, allow_download=allowed, progress=download)

    def _ensure_store(self, download: Progress | None = None) -> NotebookTranscripts:
        assert self._document is not None
        if self._store is None:
            doc = self._document
            self._store = NotebookTranscripts(
                doc.notebook, doc.timeline, self._model(download), self.language
            )
        return self._store

    def _playable(self) -> list[int]:
        recordings = self._document.notebook.recordings if self._document else ()
        return [r for r, rec in enumerate(recordings) if not rec.is_missing]

    def _load_cached(self) -> dict[int, Transcript]:
        """Opening a file never downloads: a model not here yet has nothing in the cache."""
        try:
            store = self._ensure_store()
        except ModelUnavailable:
            if self.allow_download:
                return {}
            raise
        found = {r: store.cached(r) for r in self._playable()}
        return {r: t for r, t in found.items() if t is not None}

    def transcribe(self) -> None:
        """Transcribe every recording not transcribed yet, in the background."""
        if self._document is None or self.running:
            return
        self._cancel.clear()
        self.running = True
        self.started.emit()
        generation = self._generation
        self._run(lambda: self._transcribe_all(generation), generation)

    def cancel(self) -> None:
        self._cancel.set()

    def _download_progress(self, fraction: float) -> bool:
        try:
            self._relay.downloading.emit(fraction)
        except RuntimeError:  # the window went away
            return True
        return self._cancel.is_set()

    def _transcribe_all(self, generation: int) -> dict[int, Transcript]:
        store = self._ensure_store(self._download_progress)  # fetches the model first if allowed
        for r in self._playable():
            if r in self.transcripts:
                continue
            started = time.monotonic()

            def progress(fraction: float, r: int = r, started: float = started) -> bool:
                elapsed = time.monotonic() - started
                left = elapsed * (1 - fraction) / fraction if fraction > 0.01 else -1.0
                try:
                    self._relay.progressed.emit(r, fraction, left)
                except RuntimeError:  # the window went away: stop
                    return True
                return self._cancel.is_set()

            self._relay.done.emit(generation, r, store.get(r, progress))  # shown as soon as it is ready
        return {}

    def _run(self, work, generation: int) -> None:  # type: ignore[no-untyped-def]
        job = Job(work)
        self._jobs.add(job)
        _ALIVE.add(job)
        job.relay.succeeded.connect(lambda result: self._on_job_succeeded(job, generation, result))
        job.relay.failed.connect(lambda error: self._on_job_failed(job, generation, error))
        job.start()

    def _on_job_succeeded(self, job: Job, generation: int, result: dict[int, Transcript]) -> None:
        self._jobs.discard(job)
        _ALIVE.discard(job)
        if generation != self._generation:
            return
        for r, transcript in result.items():
            self._on_relay_done(generation, r, transcript)
        self._end_run(job)

    def _on_relay_done(self, generation: int, recording: int, transcript: Transcript) -> None:
        if generation == self._generation:
            self.transcripts[recording] = transcript
            self._index = None
            self.transcript_ready.emit(recording)

    def _on_job_failed(self, job: Job, generation: int, error: BaseException) -> None:
        self._jobs.discard(job)
        _ALIVE.discard(job)
        if generation == self._generation and not isinstance(error, TranscriptionCancelled):
            self.failed.emit(str(error))
        self._end_run(job)

    def _end_run(self, job: Job) -> None:
        if self.running and not self._jobs:
            self.running = False
            self.finished.emit()

    def search(self, query: str, sync_offsets_ms: dict[int, float] | None = None) -> list[SearchHit]:
        doc = self._document
        if doc is None:
            return []
        if self._index is None:
            self._index = TranscriptIndex(dict(self.transcripts))
        return search_notebook(
            doc.notebook, doc.timeline, self.transcripts, query, sync_offsets_ms, index=self._index
        )
