"""Finding spoken words: case- and accent-insensitive, whole words or prefixes, quoted
phrases. A query's unquoted words form one phrase whose words may each be a prefix
("cell resp" finds "cellular respiration"); a quoted phrase matches whole words only.
Several quoted phrases (and the unquoted rest) each give hits."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .document import Transcript

_TOKEN = re.compile(r"\w+(?:['’]\w+)*")
_QUOTED = re.compile(r'"([^"]*)"?')


def normalize(text: str) -> str:
    """Lower case without accents: 'Émile' and 'emile' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool  # each word may be the beginning of the word said


def parse_query(query: str) -> list[Term]:
    terms = [Term(tuple(tokens(q)), False) for q in _QUOTED.findall(query)]
    rest = tuple(tokens(_QUOTED.sub(" ", query)))
    if rest:
        terms.append(Term(rest, True))
    return [t for t in terms if t.words]


@dataclass(frozen=True)
class SpokenHit:
    """first_word/last_word: indices into the transcript's words (in order)."""

    recording: int
    time_s: float
    end_s: float
    text: str
    first_word: int
    last_word: int


class TranscriptIndex:
    """The words of some recordings' transcripts, normalised once; queries take
    milliseconds on a 3-hour transcript (a dictionary of the distinct words)."""

    def __init__(self, transcripts: dict[int, Transcript]) -> None:
        self._recordings: list[int] = []
        self._tokens: list[str] = []  # one per token, in order; a word may hold several
        self._token_word: list[int] = []
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._sentences: list[str] = []
        self._word_offset: list[int] = []  # index of the token's word within its recording
        self._where: dict[str, list[int]] = defaultdict(list)
        for recording, transcript in sorted(transcripts.items()):
            self._add(recording, transcript)

    def _add(self, recording: int, transcript: Transcript) -> None:
        n_word = 0
        for segment in transcript.segments:
            text = segment.text.strip()
            for word in segment.words:
                for token in tokens(word.word):
                    self._where[token].append(len(self._tokens))
                    self._tokens.append(token)
                    self._recordings.append(recording)
                    self._starts.append(word.start_s)
                    self._ends.append(word.end_s)
                    self._sentences.append(text)
                    self._word_offset.append(n_word)
                n_word += 1

    def _positions(self, word: str, prefix: bool) -> list[int]:
        if not prefix:
            return self._where.get(word, [])
        found = [p for token, where in self._where.items() if token.startswith(word) for p in where]
        return sorted(found)

    def _phrase_at(self, start: int, term: Term) -> bool:
        n = len(term.words)
        if start + n > len(self._tokens) or self._recordings[start + n - 1] != self._recordings[start]:
            return False
        return all(
            self._tokens[start + k] == w or (term.prefix and self._tokens[start + k].startswith(w))
            for k, w in enumerate(term.words)
        )

    def search(self, query: str | Sequence[Term]) -> list[SpokenHit]:
        """Hits in recording and time order, one per occurrence."""
        terms = parse_query(query) if isinstance(query, str) else list(query)
        found: dict[int, int] = {}  # first token -> last token
        for term in terms:
            for p in self._positions(term.words[0], term.prefix):
                if self._phrase_at(p, term):
                    found[p] = max(found.get(p, p), p + len(term.words) - 1)
        hits = [self._hit(first, last) for first, last in sorted(found.items())]
        return sorted(hits, key=lambda h: (h.recording, h.time_s))

    def _hit(self, first: int, last: int) -> SpokenHit:
        return SpokenHit(
            self._recordings[first],
            self._starts[first],
            self._ends[last],
            self._sentences[first],
            self._word_offset[first],
            self._word_offset[last],
        )


def text_matches(text: str, query: str | Sequence[Term]) -> bool:
    """Whether typed text (a Xournal++ text box) contains the query, by the same rules."""
    terms = parse_query(query) if isinstance(query, str) else list(query)
    words = tokens(text)
    for term in terms:
        n = len(term.words)
        for i in range(len(words) - n + 1):
            if all(
                words[i + k] == w or (term.prefix and words[i + k].startswith(w))
                for k, w in enumerate(term.words)
            ):
                return True
    return False
