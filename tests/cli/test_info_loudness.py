"""`info --json` reports each recording's integrated loudness and true peak, agreeing with
the reference meter (pyloudnorm) on the audio as decoded."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import soundfile as sf
from support.quiet_speech import lecture_notebook, quiet_lecture

pyln = pytest.importorskip("pyloudnorm", reason="pyloudnorm is the reference (test extra)")


def _info(path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "pencastviewer", "info", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_info_gives_loudness_and_true_peak(tmp_path):
    samples, _, spans = quiet_lecture(tmp_path)
    notebook = lecture_notebook(tmp_path, samples, spans)
    (recording,) = _info(notebook)["recordings"]
    decoded, rate = sf.read(tmp_path / "lecture.wav", dtype="float64")
    reference = pyln.Meter(rate, filter_class="DeMan").integrated_loudness(decoded)
    assert recording["loudness_lufs"] == pytest.approx(reference, abs=0.5)
    assert recording["true_peak_dbtp"] >= 20 * __import__("math").log10(abs(decoded).max()) - 0.01


def test_info_on_a_real_pencast_pdf(livescribe_dir):
    (recording,) = _info(livescribe_dir / "2-pages.pdf")["recordings"]
    assert -32.0 < recording["loudness_lufs"] < -28.0  # a quiet lecture, as the issue measured
    assert recording["true_peak_dbtp"] > -1.0  # its pen clicks


def test_a_missing_recording_has_no_loudness(tmp_path, xournalpp_dir):
    lonely = tmp_path / "audio-old.xopp"  # without the test.ogg that sits beside the fixture
    lonely.write_bytes((xournalpp_dir / "audio-old.xopp").read_bytes())
    doc = _info(lonely)
    (recording,) = doc["recordings"]
    assert recording["loudness_lufs"] is None and recording["true_peak_dbtp"] is None
    assert any("not found" in warning for warning in doc["warnings"])


def test_loudness_is_measured_once_and_kept_in_the_cache(tmp_path, xournalpp_dir):
    """`info` on a notebook with hours of audio must not decode all of it on every run."""
    import os

    for name in ("audio-old.xopp", "test.ogg"):
        (tmp_path / name).write_bytes((xournalpp_dir / name).read_bytes())
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))

    def info() -> dict:
        command = [sys.executable, "-m", "pencastviewer", "info", "--json", str(tmp_path / "audio-old.xopp")]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["recordings"][0]

    measured = info()
    (kept,) = (tmp_path / "cache" / "pencastviewer" / "loudness").glob("*.loudness")
    header, _, profiles = kept.read_bytes().partition(b"\n")
    figures = json.loads(header)
    assert figures["integrated_lufs"] == pytest.approx(measured["loudness_lufs"], abs=0.01)
    figures["integrated_lufs"] = -42.0  # what the next run reports comes from here
    kept.write_bytes(json.dumps(figures).encode() + b"\n" + profiles)
    assert info()["loudness_lufs"] == -42.0
    (tmp_path / "test.ogg").write_bytes((xournalpp_dir / "test.ogg").read_bytes() + b"\0")  # changed
    assert info()["loudness_lufs"] == pytest.approx(measured["loudness_lufs"], abs=0.01)
