"""The transcript engine without the CLI: windows cut in pauses and put back on the
recording's clock, cancel and corrupt cache entries, models that are not there."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from speech import RATE

from pencastviewer.app.document import open_notebook
from pencastviewer.app.transcripts import NotebookTranscripts
from pencastviewer.cli.main import main
from pencastviewer.media.decode import open_audio
from pencastviewer.transcript import stream
from pencastviewer.transcript.cache import TranscriptCache
from pencastviewer.transcript.engine import SAMPLE_RATE, ModelUnavailable, TranscriptionCancelled
from pencastviewer.transcript.whisper import FasterWhisperTranscriber, find_model


def test_windows_cover_the_audio_once_and_cut_in_the_quietest_place(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "WINDOW_S", 20.0)
    rng = np.random.default_rng(3)
    seconds = 50
    samples = (0.2 * rng.standard_normal(seconds * 48_000)).astype(np.float32)
    quiet = slice(round(16.5 * 48_000), round(17.0 * 48_000))  # inside the last 8 s of window 1
    samples[quiet] = 0.0
    path = tmp_path / "noise.flac"
    sf.write(path, np.column_stack([samples, samples]), 48_000)  # stereo at 48 kHz
    with open_audio(path) as decoder:
        got = list(stream.windows(decoder, 45.0))  # only the first 45 s are transcribed
    starts = [at for at, _ in got]
    lengths = [len(w) for _, w in got]
    assert starts[0] == 0.0 and 16.45 <= starts[1] <= 17.0  # the cut went into the quiet
    for (at, w), nxt in zip(got, starts[1:], strict=False):
        assert at + len(w) / SAMPLE_RATE == pytest.approx(nxt)
    assert sum(lengths) == pytest.approx(45 * SAMPLE_RATE, abs=64)
    assert max(lengths) <= 20 * SAMPLE_RATE


def test_words_keep_their_times_across_windows(spoken, model_ref, monkeypatch, tmp_path):
    """Windows of 9 s (cut in the pauses between phrases) give the same word times as one."""
    samples, said, files = spoken
    monkeypatch.setattr(stream, "WINDOW_S", 9.0)
    document = open_notebook(files["one"])
    cache = TranscriptCache(tmp_path)
    transcript = NotebookTranscripts(document.notebook, document.timeline, model_ref, cache=cache).get(0)
    words = {w.word.strip(" .,").lower(): w.start_s for w in transcript.words()}
    for phrase in said:
        for word in phrase.words:
            if word in words:
                assert phrase.start_s - 0.3 <= words[word] <= phrase.end_s + 0.3, word
    assert sum(w in words for p in said for w in p.words) >= 6
    starts = [w.start_s for w in transcript.words()]
    assert starts == sorted(starts) and starts[-1] <= len(samples) / RATE


def test_cancel_leaves_no_cache_and_a_corrupt_entry_is_rebuilt(spoken, model_ref, tmp_path, monkeypatch):
    document = open_notebook(spoken[2]["split"])
    cache = TranscriptCache(tmp_path / "cache")
    transcripts = NotebookTranscripts(document.notebook, document.timeline, model_ref, cache=cache)
    seen = []

    def cancel_after_the_first_segment(fraction):
        seen.append(fraction)
        return fraction > 0.0

    with pytest.raises(TranscriptionCancelled):
        transcripts.get(0, cancel_after_the_first_segment)
    assert seen[0] == 0.0 and 0 < seen[-1] < 1.0
    assert not cache.directory.exists() or list(cache.directory.iterdir()) == []
    transcript = transcripts.get(0)
    (entry,) = (p for p in cache.directory.iterdir() if not p.name.startswith("latest-"))  # (+ its pointer)
    assert transcripts.cached(0) == transcript

    entry.write_text('{"schema": 1, "key": "x", "transcr')  # truncated: as after a crash elsewhere
    assert transcripts.cached(0) is None
    calls = []
    real = FasterWhisperTranscriber.transcribe
    monkeypatch.setattr(
        FasterWhisperTranscriber, "transcribe", lambda self, s, lang: calls.append(1) or real(self, s, lang)
    )
    again = transcripts.get(0)
    assert calls and again.segments and json.loads(entry.read_text())["transcript"]["language"] == "en"
    assert transcripts.cached(0) == again


def test_a_model_folder_that_is_not_one_is_one_clear_line(tmp_path, capsys, spoken):
    with pytest.raises(ModelUnavailable, match=r"not a CTranslate2 Whisper model folder \(no model.bin\)"):
        find_model(tmp_path)
    status = main(["search", str(spoken[2]["one"]), "volcanoes", "--model", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "--model DIR" in err


def test_a_named_model_is_not_downloaded_without_consent(tmp_path, monkeypatch, capsys, spoken):
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty model cache
    with pytest.raises(ModelUnavailable, match="downloading it was not allowed"):
        find_model("tiny.en")
    assert not any(tmp_path.rglob("model.bin"))
    status = main(["transcribe", str(spoken[2]["one"]), "--model", "tiny.en", "--download"])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "cannot download speech model 'tiny.en'" in err
    status = main(["transcribe", str(spoken[2]["one"]), "--model", "no-such-model"])
    assert status == 1 and "unknown speech model" in capsys.readouterr().err
