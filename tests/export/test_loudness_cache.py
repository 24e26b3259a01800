"""The loudness kept in the cache folder answers only for the meter that measured it: a
result of an older meter is measured anew (a notebook and its own conversion once showed
true peaks 0.13 dB apart, one read from a cache the previous meter had written)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pencastviewer.app.export import heard
from pencastviewer.formats import read_notebook
from pencastviewer.media import peaks


def test_a_cached_loudness_answers_only_for_its_meter(
    monkeypatch, tmp_path: Path, fixtures_dir: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(heard, "_measured", {})
    recording = read_notebook(fixtures_dir / "livescribe" / "2-pages.pdf").recordings[0]
    measured = heard.recording_loudness(recording)
    assert list((tmp_path / "pencastviewer" / "loudness").iterdir())  # kept for the next run

    planted = replace(measured, true_peak_dbtp=measured.true_peak_dbtp - 5.0)
    heard._store(heard._key(recording), planted)
    monkeypatch.setattr(heard, "_measured", {})
    assert heard.recording_loudness(recording).true_peak_dbtp == pytest.approx(planted.true_peak_dbtp)

    monkeypatch.setattr(heard, "METER_VERSION", heard.METER_VERSION + 1)
    monkeypatch.setattr(heard, "_measured", {})
    again = heard.recording_loudness(recording)
    assert again.true_peak_dbtp == pytest.approx(measured.true_peak_dbtp)


def test_the_peaks_file_key_names_the_meter(monkeypatch, fixtures_dir: Path) -> None:
    files = [(fixtures_dir / "xournalpp" / "audio-old.xopp", 1.0)]  # any file: only the key is compared
    key = peaks.cache_key(files)
    monkeypatch.setattr(peaks, "METER_VERSION", peaks.METER_VERSION + 1)
    assert peaks.cache_key(files) != key
