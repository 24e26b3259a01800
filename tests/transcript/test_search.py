"""Spoken-word search rules on a transcript made by hand."""

from __future__ import annotations

from pencastviewer.transcript.document import Segment, Transcript, Word
from pencastviewer.transcript.search import TranscriptIndex, normalize, parse_query, text_matches
from pencastviewer.transcript.subtitles import to_srt, to_vtt


def transcript(*sentences: tuple[float, str]) -> Transcript:
    segments = []
    for start, text in sentences:
        words = tuple(
            Word(" " + w, start + 0.5 * i, start + 0.5 * i + 0.4) for i, w in enumerate(text.split())
        )
        segments.append(Segment(start, words[-1].end_s, text, words))
    return Transcript("fr", "test", tuple(segments))


LECTURE = transcript((0.0, "Émile parle de l'été."), (10.0, "Les élèves écoutent Émile, puis l'État."))


def test_case_and_accents_are_ignored():
    assert normalize("ÉTÉ") == normalize("été") == "ete"
    hits = TranscriptIndex({0: LECTURE}).search("EMILE")
    assert [(h.time_s, h.text) for h in hits] == [
        (0.0, "Émile parle de l'été."),
        (11.5, LECTURE.segments[1].text),
    ]


def test_prefixes_phrases_and_quotes():
    index = TranscriptIndex({0: LECTURE, 2: transcript((3.0, "emilie arrive"))})
    assert [(h.recording, h.time_s) for h in index.search("emil")] == [(0, 0.0), (0, 11.5), (2, 3.0)]
    assert [h.recording for h in index.search('"emile"')] == [0, 0]
    (hit,) = index.search("eleves ecout")
    assert (hit.time_s, hit.end_s, hit.first_word, hit.last_word) == (10.5, 11.4, 5, 6)
    assert index.search('"eleves ecout"') == []
    assert [h.time_s for h in index.search('"parle" "arrive"')] == [0.5, 3.5]
    assert index.search("") == [] and parse_query('  "" ') == []


def test_typed_text_follows_the_same_rules():
    assert text_matches("Réunion: Budget 2027", "reunion budg")
    assert not text_matches("Réunion: Budget 2027", '"budg"')


def test_subtitles_split_long_segments_at_words():
    long = transcript((0.0, " ".join(["mot"] * 30)))
    vtt = to_vtt(long).splitlines()
    assert vtt[0] == "WEBVTT" and vtt[2] == "00:00:00.000 --> 00:00:05.900"
    assert all(len(line) <= 84 for line in vtt)
    assert to_srt(long).splitlines()[1] == "00:00:00,000 --> 00:00:05,900"
