"""Transcripts of a notebook's recordings: found in the cache or made by the speech model,
and spoken words (plus typed Xournal++ text) searched with the page written at each hit.

Times are positions in a recording as played (the clock of `locate` and the playhead);
a sync offset only changes which ink was being written when a word was heard."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..formats import FormatError
from ..media.cache import cache_dir
from ..media.decode import open_audio
from ..model import Notebook, Timeline, WritingOrder
from ..model.units import ms_to_s
from ..transcript.cache import TranscriptCache, audio_key, file_content_key, transcript_key
from ..transcript.document import Transcript
from ..transcript.engine import Progress, Transcriber
from ..transcript.search import TranscriptIndex, parse_query, text_matches
from ..transcript.stream import FileSpan, transcribe_files
from ..transcript.whisper import FasterWhisperTranscriber, ModelRef
from .audio_files import playable_path

_loaded: dict[str, Transcriber] = {}  # the last model loaded in this process (0.5-5 s to load)


def load_transcriber(model: ModelRef) -> Transcriber:
    """The model loaded once per process: a second transcription or search reuses it."""
    if model.model_id not in _loaded:
        _loaded.clear()
        _loaded[model.model_id] = FasterWhisperTranscriber(model)
    return _loaded[model.model_id]


def transcripts_cache() -> TranscriptCache:
    return TranscriptCache(cache_dir("transcripts"))


def recording_spans(notebook: Notebook, timeline: Timeline, recording: int) -> list[FileSpan]:
    """The recording's files where its layout plays them (FormatError when unreachable)."""
    layout, spans = timeline.layout(recording), []
    files = notebook.recordings[recording].files
    for f, start_ms, duration_ms in zip(files, layout.played_starts_ms, layout.durations_ms, strict=True):
        path = playable_path(f)
        spans.append(
            FileSpan(
                open=lambda p=path: open_audio(p),  # type: ignore[misc]
                played_start_s=ms_to_s(start_ms),
                played_duration_s=ms_to_s(duration_ms),
                content_key=file_content_key(path),
            )
        )
    return spans


def latest_transcript(
    notebook: Notebook, timeline: Timeline, recording: int, cache: TranscriptCache | None = None
) -> Transcript | None:
    """The transcript last made of `recording`'s audio with any model (for exports)."""
    spans = recording_spans(notebook, timeline, recording)
    key = audio_key([(s.content_key, s.played_duration_s) for s in spans])
    return (cache or transcripts_cache()).latest(key)


def with_latest_transcripts(notebook: Notebook, timeline: Timeline | None = None) -> Notebook:
    """The notebook carrying each recording's newest transcript (the cache's, else the one
    it already carries), for saving as a .pencast."""
    timeline = timeline or Timeline(notebook)
    found: list[Transcript | None] = []
    for r, recording in enumerate(notebook.recordings):
        newest = None
        if not recording.is_missing:
            try:
                newest = latest_transcript(notebook, timeline, r)
            except (FormatError, OSError):  # audio that cannot be reached has no cache entry
                newest = None
        found.append(newest or notebook.transcript(r))
    return replace(notebook, transcripts=tuple(found))


class NotebookTranscripts:
    """Finds or makes the transcripts of one notebook's recordings with one model. The model
    is loaded only when something is not cached (make_transcriber, once)."""

    def __init__(
        self,
        notebook: Notebook,
        timeline: Timeline,
        model: ModelRef,
        language: str | None = None,
        cache: TranscriptCache | None = None,
        make_transcriber: Callable[[ModelRef], Transcriber] = load_transcriber,
    ) -> None:
        self.notebook, self.timeline, self.model, self.language = notebook, timeline, model, language
        self.cache = cache or transcripts_cache()
        self._make = make_transcriber
        self._transcriber: Transcriber | None = None
        self._spans: dict[int, list[FileSpan]] = {}

    def _key(self, recording: int) -> str:
        if recording not in self._spans:
            self._spans[recording] = recording_spans(self.notebook, self.timeline, recording)
        files = [(s.content_key, s.played_duration_s) for s in self._spans[recording]]
        return transcript_key(files, self.model.model_id, self.language)

    def cached(self, recording: int) -> Transcript | None:
        return self.cache.load(self._key(recording))

    def get(self, recording: int, progress: Progress | None = None) -> Transcript:
        """From the cache, or transcribed and stored (nothing stored when cancelled)."""
        key = self._key(recording)
        found = self.cache.load(key)
        if found is not None:
            return found
        if self._transcriber is None:
            self._transcriber = self._make(self.model)
        transcript = transcribe_files(self._transcriber, self._spans[recording], self.language, progress)
        files = [(s.content_key, s.played_duration_s) for s in self._spans[recording]]
        self.cache.store(key, transcript, audio_key(files))
        return transcript


@dataclass(frozen=True)
class SearchHit:
    """recording/time_s/end_s: None for typed text that was not written during a recording.
    source: "speech" or "text"; page: the page written at that moment (or holding the text);
    at_mm: where on that page (the point the pen had reached, or the text box's corner)."""

    recording: int | None
    time_s: float | None
    end_s: float | None
    text: str
    page: int | None
    source: str
    at_mm: tuple[float, float] | None = None  # on `page`: the pen then, or the text box

    def to_dict(self) -> dict[str, object]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 3)

        return {
            "recording": self.recording,
            "time_s": r(self.time_s),
            "end_s": r(self.end_s),
            "text": self.text,
            "page": self.page,
            "source": self.source,
        }


def search_notebook(
    notebook: Notebook,
    timeline: Timeline,
    transcripts: Mapping[int, Transcript],
    query: str,
    sync_offsets_ms: Mapping[int, float] | None = None,
    order: WritingOrder | None = None,
    index: TranscriptIndex | None = None,
) -> list[SearchHit]:
    """Spoken words in `transcripts` and typed text on the pages that match `query`."""
    terms = parse_query(query)
    if not terms:
        return []
    order = order or timeline.order
    heard = timeline.with_sync_offsets(sync_offsets_ms or {})
    hits = []
    for hit in (index or TranscriptIndex(dict(transcripts))).search(terms):
        t_ms = heard.ink_time_ms(hit.recording, hit.time_s)
        page, at_mm = pen_at(notebook, order, t_ms)
        hits.append(SearchHit(hit.recording, hit.time_s, hit.end_s, hit.text, page, "speech", at_mm))
    for p, page_ in enumerate(notebook.pages):
        for text in page_.texts:
            if not text_matches(text.text, terms):
                continue
            timed = text.recording is not None and text.t_ms is not None
            time_s = (
                heard.position_s(text.recording, text.t_ms)  # type: ignore[arg-type]
                if timed
                else None
            )
            recording = text.recording if timed else None
            at_mm = (float(text.x_mm), float(text.y_mm))
            hits.append(SearchHit(recording, time_s, time_s, text.text, p, "text", at_mm))
    return hits


def pen_at(
    notebook: Notebook, order: WritingOrder, t_ms: float
) -> tuple[int | None, tuple[float, float] | None]:
    """The page being written at `t_ms` and the last point of it written by then (the
    stroke being written, or the last one finished); (None, None) before any ink."""
    writing = order.writing_at(t_ms)
    if writing is None:
        return None, None
    page, stroke = writing
    ink = notebook.pages[page].ink
    first, end = int(ink.offsets[stroke]), int(ink.offsets[stroke + 1])
    i = first + max(int(np.searchsorted(ink.t_ms[first:end], t_ms, side="right")) - 1, 0)
    return page, (float(ink.xy_mm[i, 0]), float(ink.xy_mm[i, 1]))
