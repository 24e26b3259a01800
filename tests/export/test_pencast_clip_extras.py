"""A .pencast clip carries its part of the transcript and the bookmarks inside it, on its own
clock, and stores the loudness gain instead of changing the samples (issue 12, issue 13)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.core import ClipSpec
from pencastviewer.app.export.heard import recording_loudness
from pencastviewer.app.export.registry import export_clip
from pencastviewer.app.transcripts import recording_spans, transcripts_cache
from pencastviewer.formats.pencast import read_pencast, write_pencast
from pencastviewer.media.decode import open_audio
from pencastviewer.media.normalize import normalization_gain_db
from pencastviewer.model import Bookmark, Segment, StoredLevel, Transcript, Word
from pencastviewer.transcript.cache import audio_key

CLIP = (12.5, 30.0)


def words_every_second(n: int, label: str) -> Transcript:
    words = tuple(Word(f" {label}{k}", k + 0.25, k + 0.75, 0.9) for k in range(n))
    segments = tuple(
        Segment(
            words[k].start_s,
            words[min(k + 9, n - 1)].end_s,
            "".join(w.word for w in words[k : k + 10]),
            words[k : k + 10],
        )
        for k in range(0, n, 10)
    )
    return Transcript("en", "test-model", segments)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def source(demo_path: Path, tmp_path: Path) -> OpenedNotebook:
    """The demo saved with a transcript and three bookmarks, two of them inside CLIP."""
    demo = open_notebook(demo_path).notebook
    n = int(demo.recordings[0].duration_s) - 1
    marks = (Bookmark(0, 5.0, "before"), Bookmark(0, 14.0, "inside"), Bookmark(0, 29.5, "late"))
    path = tmp_path / "with-words.pencast"
    write_pencast(dataclasses.replace(demo, transcripts=(words_every_second(n, "w"),), bookmarks=marks), path)
    return open_notebook(path)


def samples(path: Path) -> np.ndarray:
    notebook = read_pencast(path)
    from pencastviewer.app.audio_files import playable_path

    with open_audio(playable_path(notebook.recordings[0].files[0])) as audio:
        return np.concatenate(list(audio.blocks()))


def test_the_clip_keeps_its_words_and_bookmarks_on_its_clock(source: OpenedNotebook, tmp_path: Path) -> None:
    clip = read_pencast(export_clip(source, ClipSpec(0, *CLIP, fade_ms=0.0), tmp_path / "clip.pencast"))
    transcript = clip.transcript(0)
    assert transcript is not None and (transcript.language, transcript.model) == ("en", "test-model")
    words = list(transcript.words())
    # words w12 (12.25–12.75, cut at the clip's start) … w29 (29.25–29.75)
    assert [w.word for w in words] == [f" w{k}" for k in range(12, 30)]
    assert words[0].start_s == 0.0 and words[0].end_s == pytest.approx(0.25)
    assert words[5].start_s == pytest.approx(17.25 - CLIP[0])
    assert all(w.end_s <= CLIP[1] - CLIP[0] for w in words)
    assert clip.bookmarks == (Bookmark(0, 14.0 - CLIP[0], "inside"), Bookmark(0, 29.5 - CLIP[0], "late"))
    assert clip.recordings[0].level is None  # not asked to be normalised: plays as recorded


def test_the_newest_transcript_in_the_cache_wins_over_the_stored_one(
    source: OpenedNotebook, tmp_path: Path
) -> None:
    spans = recording_spans(source.notebook, source.timeline, 0)
    newer = words_every_second(40, "new")
    transcripts_cache().store(
        "any-model-key", newer, audio_key([(s.content_key, s.played_duration_s) for s in spans])
    )
    clip = read_pencast(export_clip(source, ClipSpec(0, *CLIP, fade_ms=0.0), tmp_path / "clip.pencast"))
    assert next(clip.transcript(0).words()).word == " new12"


def test_the_window_bookmarks_replace_the_files(source: OpenedNotebook, tmp_path: Path) -> None:
    spec = ClipSpec(0, *CLIP, fade_ms=0.0, bookmarks=(Bookmark(0, 20.0, "added in the window"),))
    clip = read_pencast(export_clip(source, spec, tmp_path / "clip.pencast"))
    assert clip.bookmarks == (Bookmark(0, 7.5, "added in the window"),)


def test_normalize_stores_the_gain_and_keeps_the_samples(source: OpenedNotebook, tmp_path: Path) -> None:
    plain = export_clip(source, ClipSpec(0, *CLIP, fade_ms=0.0), tmp_path / "plain.pencast")
    spec = ClipSpec(0, *CLIP, fade_ms=0.0, normalize_lufs=-18.0, voice_clarity=True)
    loud = export_clip(source, spec, tmp_path / "loud.pencast")
    loudness = recording_loudness(source.notebook.recordings[0])
    expected = normalization_gain_db(loudness, -18.0, voice_clarity=True)
    assert expected > 1.0  # the demo's talk is quiet: the gain is real
    level = read_pencast(loud).recordings[0].level
    assert level == StoredLevel(pytest.approx(expected, abs=1e-9), -18.0, True)
    np.testing.assert_array_equal(samples(loud), samples(plain))
    again = read_pencast(export_clip(open_notebook(loud), ClipSpec(0, 1.0, 5.0), tmp_path / "again.pencast"))
    assert again.recordings[0].level == level  # a clip of the clip plays as loud


def test_convert_keeps_what_the_file_carries_and_adds_the_cache(
    source: OpenedNotebook, tmp_path: Path, capsys
) -> None:
    from pencastviewer.cli.main import main

    assert main(["convert", str(source.path), str(tmp_path / "copy.pencast")]) == 0
    assert "with 1 transcript and 3 bookmarks" in capsys.readouterr().out
    copy = read_pencast(tmp_path / "copy.pencast")
    assert copy.transcripts == source.notebook.transcripts and copy.bookmarks == source.notebook.bookmarks
    spans = recording_spans(source.notebook, source.timeline, 0)
    newer = words_every_second(40, "new")
    transcripts_cache().store("k", newer, audio_key([(s.content_key, s.played_duration_s) for s in spans]))
    assert main(["convert", str(source.path), str(tmp_path / "newer.pencast")]) == 0
    (stored,) = read_pencast(tmp_path / "newer.pencast").transcripts
    assert stored.to_dict() == newer.to_dict()  # as stored: segment text without its outer spaces


def test_a_clip_with_a_stored_level_is_heard_as_loud_as_its_source(
    source: OpenedNotebook, tmp_path: Path
) -> None:
    """Exported "as played" (or played), the clip takes its stored gain, not one from its
    own loudness: the same samples as the source's clip with the source's normalisation."""
    import soundfile as sf

    from pencastviewer.app.listening import Listening
    from pencastviewer.app.stored_level import level_processing

    spec = ClipSpec(0, *CLIP, fade_ms=0.0, normalize_lufs=-18.0)
    clip = open_notebook(export_clip(source, spec, tmp_path / "loud.pencast"))
    level = clip.notebook.recordings[0].level
    assert level is not None
    heard = level_processing(Listening(target_lufs=-16.0), clip.notebook.recordings[0], None)
    assert heard.gain_db == pytest.approx(level.gain_db + 2.0)  # another target: moved by the difference
    assert level_processing(Listening(normalize=False), clip.notebook.recordings[0], None).gain_db == 0.0
    from_source = export_clip(source, spec, tmp_path / "source.wav")
    duration = CLIP[1] - CLIP[0]
    from_clip = export_clip(
        clip, ClipSpec(0, 0.0, duration, fade_ms=0.0, normalize_lufs=-18.0), tmp_path / "clip.wav"
    )
    a, rate = sf.read(from_source, dtype="float32")
    b, _ = sf.read(from_clip, dtype="float32")
    assert len(a) == len(b)
    inner = slice(rate // 2, len(a) - rate // 2)  # the limiter sees past the clip's ends in the source
    assert np.abs(a[inner] - b[inner]).max() < 2e-3
    assert np.sqrt(np.mean(b[inner] ** 2)) > 10 ** (3 / 20) * np.sqrt(
        np.mean(samples(tmp_path / "loud.pencast")[inner] ** 2)
    )


def test_info_shows_what_a_pencast_carries(source: OpenedNotebook, tmp_path: Path, capsys) -> None:
    import json

    from pencastviewer.cli.main import main

    spec = ClipSpec(0, *CLIP, fade_ms=0.0, normalize_lufs=-16.0)
    clip = export_clip(source, spec, tmp_path / "clip.pencast")
    assert main(["info", str(clip), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (recording,) = doc["recordings"]
    assert recording["transcript"] == {"language": "en", "model": "test-model", "words": 18}
    level = read_pencast(clip).recordings[0].level
    assert recording["gain_db"] == round(level.gain_db, 2) != 0
    assert doc["bookmarks"] == [
        {"recording": 0, "position_s": 1.5, "name": "inside"},
        {"recording": 0, "position_s": 17.0, "name": "late"},
    ]
    assert main(["info", str(clip)]) == 0
    out = capsys.readouterr().out
    assert (
        "transcript: 18 words (en, test-model)" in out and "bookmarks: 2" in out and "stored gain of +" in out
    )


def test_search_and_transcribe_use_the_carried_transcript_without_a_model(
    source: OpenedNotebook, tmp_path: Path, capsys, monkeypatch
) -> None:
    import json

    from pencastviewer.cli.main import main

    monkeypatch.setenv("PENCASTVIEWER_MODEL", str(tmp_path / "no-model-here"))  # loading one would fail
    assert main(["search", str(source.path), "w42", "--json"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert (hit["recording"], hit["time_s"], hit["source"]) == (0, 42.25, "speech")
    assert main(["transcribe", str(source.path), "-o", str(tmp_path / "words.json")]) == 0
    (doc,) = json.loads((tmp_path / "words.json").read_text(encoding="utf-8"))
    assert doc == {"recording": 0, **source.notebook.transcript(0).to_dict()}
    assert main(["search", str(source.path), "w42", "--model", str(tmp_path / "no-model-here")]) != 0
    assert "no-model-here" in capsys.readouterr().err  # --model asks for a new transcript


def test_subtitles_come_from_the_carried_transcript(source: OpenedNotebook, tmp_path: Path) -> None:
    out = export_clip(source, ClipSpec(0, 40.0, 43.0), tmp_path / "clip.vtt")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT") and "w40 w41 w42" in text and "w39" not in text and "w43" not in text
    assert "00:00:00.250 --> 00:00:02.750" in text
