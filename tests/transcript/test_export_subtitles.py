"""`.vtt` / `.srt` as export targets: the latest transcript of the clip's recording, cut to
the clip and timed from its start."""

from __future__ import annotations

import re

from pencastviewer.cli.main import main


def stamps_s(vtt: str) -> list[float]:
    found = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) -->", vtt)
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in found]


def test_a_clip_exports_its_words_timed_from_its_start(capsys, spoken, model_dir, tmp_path):
    _, said, files = spoken
    assert (
        main(["transcribe", str(files["one"]), "--model", str(model_dir), "-o", str(tmp_path / "all.json")])
        == 0
    )
    museum = said[3]
    out = tmp_path / "clip.vtt"
    status = main(
        [
            "export",
            str(files["one"]),
            "-o",
            str(out),
            "--from",
            f"{museum.start_s - 1:.3f}",
            "--to",
            f"{museum.end_s + 0.5:.3f}",
        ]
    )
    assert status == 0, capsys.readouterr().err
    vtt = out.read_text()
    assert vtt.startswith("WEBVTT") and "museum" in vtt.lower()
    assert "volcanoes" not in vtt.lower() and "elephant" not in vtt.lower()
    assert 0.0 <= stamps_s(vtt)[0] <= 1.3  # the phrase begins a second into the clip
    srt = tmp_path / "whole.srt"
    assert main(["export", str(files["one"]), "-o", str(srt)]) == 0
    text = srt.read_text().lower()
    assert text.startswith("1\n") and "volcanoes" in text and "friday" in text


def test_no_transcript_yet_is_one_clear_line(capsys, spoken, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    out = tmp_path / "x.vtt"
    status = main(["export", str(spoken[2]["split"]), "-o", str(out)])
    err = capsys.readouterr().err
    assert status != 0 and not out.exists()
    assert err.count("\n") == 1 and "no transcript yet" in err and "transcribe" in err
