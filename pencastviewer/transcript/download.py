"""Downloading a named Whisper model into faster-whisper's cache (only once the user agreed),
reporting the bytes fetched and stopping when asked. The same repository and files as
faster-whisper's own loader (`faster_whisper.utils.download_model`), which takes no
progress callback; what a cancelled download left is resumed by the next one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engine import Progress, TranscriptionCancelled

# the files faster_whisper.utils.download_model fetches
MODEL_FILES = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]


class DownloadCancelled(TranscriptionCancelled):
    """The progress callback asked to stop the download."""


def model_repository(name: str) -> str:
    """The Hugging Face repository faster-whisper takes a model name (or an id) from."""
    if "/" in name:
        return name
    from faster_whisper import utils

    models: dict[str, str] = getattr(utils, "_MODELS", {})
    if name not in models:
        raise ValueError(f"unknown model size {name!r}")
    return models[name]


def progress_bar_class(progress: Progress) -> type:
    """A tqdm class for huggingface_hub that prints nothing and hands `progress` the
    fraction of bytes fetched (never going back), raising DownloadCancelled when it says so."""
    from tqdm.auto import tqdm

    reached = [0.0]

    class Reporting(tqdm):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = True
            self._counts_bytes = kwargs.get("unit") == "B"
            self._done = float(kwargs.get("initial") or 0)
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            self._done += float(n or 0)
            total = float(self.total or 0)
            if self._counts_bytes and total > 0:
                reached[0] = max(reached[0], min(self._done / total, 1.0))
            if progress(reached[0]):
                raise DownloadCancelled("the model download was cancelled")
            return None

    return Reporting


def download(name: str, progress: Progress) -> Path:
    """The model's folder after fetching what is missing; DownloadCancelled when stopped."""
    import huggingface_hub

    folder = huggingface_hub.snapshot_download(
        model_repository(name), allow_patterns=MODEL_FILES, tqdm_class=progress_bar_class(progress)
    )
    return Path(folder)
