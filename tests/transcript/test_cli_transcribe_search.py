"""`transcribe` and `search` on espeak-ng speech with known phrase times, through the real
tiny.en model: words are found where they were said, on the same clock as `locate`."""

from __future__ import annotations

import json

import pytest
from speech import RATE

from pencastviewer.cli.main import main
from pencastviewer.transcript.whisper import FasterWhisperTranscriber

TOLERANCE_S = 0.3


def run_cli(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def search(capsys, path, query, model_dir):
    status, out, err = run_cli(capsys, "search", path, query, "--model", model_dir, "--json")
    return status, (json.loads(out) if status == 0 else None), err


def locate_time_s(capsys, path, page, y_mm):
    """What `locate` says a tap on the start of the stroke at height y_mm plays."""
    status, out, err = run_cli(capsys, "locate", path, "--page", page, "--at", f"20,{y_mm}", "--json")
    assert status == 0, err
    return json.loads(out)["time_s"]


def test_each_content_word_is_found_inside_its_phrase(capsys, spoken, model_dir):
    _, said, files = spoken
    checked = set()
    for n, phrase in enumerate(said):
        for word in phrase.words:
            status, hits, err = search(capsys, files["one"], word, model_dir)
            assert status == 0, f"{word!r} not found: {err}"
            inside = [
                h for h in hits if phrase.start_s - TOLERANCE_S <= h["time_s"] <= phrase.end_s + TOLERANCE_S
            ]
            assert inside, f"{word!r} said in {phrase.start_s:.2f}-{phrase.end_s:.2f} s, found at {hits}"
            assert inside[0]["recording"] == 0 and inside[0]["end_s"] >= inside[0]["time_s"]
            assert inside[0]["page"] == (0 if n < 3 else 1)  # the page being written then
            assert word in inside[0]["text"].lower()
            checked.add(word)
    assert len(checked) >= 6


def test_a_word_never_said_exits_1_with_one_line(capsys, spoken, model_dir):
    status, hits, err = search(capsys, spoken[2]["one"], "xylophone", model_dir)
    assert status == 1 and hits is None
    assert err.count("\n") == 1 and "xylophone" in err


def test_case_accents_prefixes_and_quoted_phrases(capsys, spoken, model_dir):
    _, said, files = spoken
    museum = said[3]
    for query in ("MUSÉUM", "muse", '"the museum opens"', "museum op"):
        status, hits, err = search(capsys, files["one"], query, model_dir)
        assert status == 0, f"{query}: {err}"
        assert any(museum.start_s - TOLERANCE_S <= h["time_s"] <= museum.end_s for h in hits), query
    status, _, _ = search(capsys, files["one"], '"muse"', model_dir)  # quoted: whole words only
    assert status == 1


def test_word_times_are_monotonic_and_inside_the_recording(capsys, spoken, model_dir, tmp_path):
    samples, _, files = spoken
    out = tmp_path / "t.json"
    status, _, err = run_cli(capsys, "transcribe", files["one"], "-o", out, "--model", model_dir)
    assert status == 0, err
    (doc,) = json.loads(out.read_text())
    assert doc["recording"] == 0 and doc["language"] == "en" and doc["model"].endswith("model")
    words = [w for s in doc["segments"] for w in s["words"]]
    assert len(words) >= 30
    starts = [w["start_s"] for w in words]
    assert starts == sorted(starts)
    duration = len(samples) / RATE
    assert all(0 <= w["start_s"] <= w["end_s"] <= duration for w in words)
    assert all(0 <= w["probability"] <= 1 for w in words)


def test_a_second_search_does_not_run_the_model(capsys, spoken, model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # an empty cache: the first search transcribes
    calls = []
    real = FasterWhisperTranscriber.transcribe

    def counted(self, samples, language):
        calls.append(len(samples))
        return real(self, samples, language)

    monkeypatch.setattr(FasterWhisperTranscriber, "transcribe", counted)
    path = spoken[2]["offset"]
    first = search(capsys, path, "volcanoes", model_dir)
    ran = len(calls)
    second = search(capsys, path, "volcanoes", model_dir)
    assert first[0] == second[0] == 0 and first[1] == second[1]
    assert ran >= 1 and len(calls) == ran  # the cached transcript answered


@pytest.mark.parametrize("variant", ["split", "offset"])
def test_times_are_on_the_clock_of_locate(capsys, spoken, model_dir, variant):
    """Two files with a 40 s pause between them (played back-to-back), and a recording that
    starts 12.345 s into the notebook clock: `search` gives the position that `locate` gives
    for the stroke begun when the phrase began."""
    _, said, files = spoken
    for n, word in ((1, "equation"), (4, "elephant"), (5, "homework")):
        phrase = said[n]
        located = locate_time_s(capsys, files[variant], 1 if n < 3 else 2, 20.0 + 12 * n)
        assert located == pytest.approx(phrase.start_s, abs=0.002)
        status, hits, err = search(capsys, files[variant], word, model_dir)
        assert status == 0, err
        offsets = [h["time_s"] - located for h in hits]
        assert any(-TOLERANCE_S <= d <= phrase.end_s - phrase.start_s + TOLERANCE_S for d in offsets), offsets
        assert hits[0]["page"] == (0 if n < 3 else 1)


def test_subtitle_and_text_outputs(capsys, spoken, model_dir, tmp_path):
    files = spoken[2]
    for suffix in (".vtt", ".srt", ".txt"):
        out = tmp_path / f"talk{suffix}"
        status, _, err = run_cli(capsys, "transcribe", files["one"], "-o", out, "--model", model_dir)
        assert status == 0, err
        text = out.read_text()
        assert "volcanoes" in text.lower() and "wednesday" in text.lower()
    vtt = (tmp_path / "talk.vtt").read_text().splitlines()
    assert vtt[0] == "WEBVTT" and vtt[2].startswith("00:00:0") and " --> " in vtt[2]
    srt = (tmp_path / "talk.srt").read_text().splitlines()
    assert srt[0] == "1" and "," in srt[1].split(" --> ")[0]
    status, _, err = run_cli(
        capsys, "transcribe", files["one"], "-o", tmp_path / "x.doc", "--model", model_dir
    )
    assert status == 2 and "unknown format" in err


def test_a_sync_offset_moves_the_page_not_the_time(capsys, spoken, model_dir):
    """Heard 3 s later than written: "museum" (phrase 3, page 2) was heard while the
    stroke of phrase 2 (page 1) was the latest begun; its time in the recording stays."""
    files = spoken[2]
    status, plain, _ = search(capsys, files["one"], "museum", model_dir)
    status2, out, err = run_cli(
        capsys, "search", files["one"], "museum", "--model", model_dir, "--json", "--sync-offset", "3000"
    )
    assert status == status2 == 0, err
    (synced,) = json.loads(out)
    assert synced["time_s"] == plain[0]["time_s"]
    assert (plain[0]["page"], synced["page"]) == (1, 0)
