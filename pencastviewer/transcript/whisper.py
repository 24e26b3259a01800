"""faster-whisper (CTranslate2 Whisper) behind the Transcriber interface.

CPU with int8 weights by default, CUDA (float16) when a device is present. Silero VAD
(bundled with faster-whisper) skips silence. A model is a folder holding a CTranslate2
Whisper conversion, or a name faster-whisper's own loader downloads into the user's
cache — only when the caller says the user agreed (allow_download)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .document import Segment, Word
from .download import DownloadCancelled, download
from .engine import ModelUnavailable, Progress, Transcriber

DEFAULT_MODEL = "base"
_HOW_TO_GET = "pass --model DIR (a CTranslate2 Whisper folder) or a model name with --download"
_MODEL_FILES = ("model.bin", "config.json")


def model_names() -> list[str]:
    from faster_whisper.utils import available_models

    return list(available_models())


def resolve_model(
    spec: str | os.PathLike[str], *, allow_download: bool = False, progress: Progress | None = None
) -> Path:
    """The folder of the model `spec` names (a folder, or a name looked up in faster-whisper's
    cache and downloaded there only with allow_download, reporting to `progress`, which may
    cancel: DownloadCancelled). Raises ModelUnavailable."""
    text = os.fspath(spec)
    folder = Path(text).expanduser()
    if folder.is_dir() or os.sep in text or text.startswith("."):
        missing = [name for name in _MODEL_FILES if not (folder / name).is_file()]
        if missing:
            raise ModelUnavailable(
                f"{folder}: not a CTranslate2 Whisper model folder (no {missing[0]}); {_HOW_TO_GET}"
            )
        return folder
    if "/" not in text and text not in model_names():
        raise ModelUnavailable(f"unknown speech model {text!r} (known: {', '.join(model_names())})")
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(text, local_files_only=True))
    except Exception:
        if not allow_download:
            raise ModelUnavailable(
                f"speech model {text!r} is not on this machine and downloading it was not allowed; "
                f"{_HOW_TO_GET}"
            ) from None
    try:
        return Path(download_model(text)) if progress is None else download(text, progress)
    except DownloadCancelled:
        raise
    except Exception as e:
        reason = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
        raise ModelUnavailable(
            f"cannot download speech model {text!r} ({reason}); "
            "pass --model DIR with a CTranslate2 Whisper folder copied from a machine that has one"
        ) from None


def display_name(spec: str | os.PathLike[str], folder: Path) -> str:
    """What the transcript says it was made with: the model's name, or its folder."""
    text = os.fspath(spec)
    return text if folder != Path(text).expanduser() else str(folder.resolve())


def model_fingerprint(folder: Path) -> str:
    """Changes when the model's weights or configuration change (size and config hash:
    hashing 75 MB–3 GB of weights on every open would cost more than it protects)."""
    h = hashlib.sha256((folder / "config.json").read_bytes())
    for name in ("model.bin", "tokenizer.json", "vocabulary.txt", "vocabulary.json"):
        path = folder / name
        if path.is_file():
            h.update(f"{name}:{path.stat().st_size};".encode())
    return h.hexdigest()[:16]


def _device() -> tuple[str, str]:
    import ctranslate2

    try:
        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda", "float16"
    except Exception:  # a broken CUDA install must not stop CPU transcription
        pass
    return "cpu", "int8"


@dataclass(frozen=True)
class ModelRef:
    """A model found on disk, not loaded yet. model_id keys caches (folder fingerprint and
    compute type: int8 and float16 may transcribe differently)."""

    folder: Path
    model_name: str
    model_id: str
    device: str
    compute_type: str


def find_model(
    spec: str | os.PathLike[str],
    *,
    allow_download: bool = False,
    device: str | None = None,
    progress: Progress | None = None,
) -> ModelRef:
    """The model `spec` names, downloaded first only with allow_download (see resolve_model).
    Raises ModelUnavailable."""
    folder = resolve_model(spec, allow_download=allow_download, progress=progress)
    chosen, compute_type = _device() if device is None else (device, "int8" if device == "cpu" else "float16")
    model_id = f"{folder.name}:{model_fingerprint(folder)}:{compute_type}"
    return ModelRef(folder, display_name(spec, folder), model_id, chosen, compute_type)


class FasterWhisperTranscriber(Transcriber):
    """Loads the model once (about 0.5 s for tiny.en); transcribe() may be called again."""

    def __init__(self, ref: ModelRef, *, cpu_threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        threads = cpu_threads or min(os.cpu_count() or 1, 4)
        try:
            self._model = WhisperModel(
                str(ref.folder), device=ref.device, compute_type=ref.compute_type, cpu_threads=threads
            )
        except (RuntimeError, ValueError, OSError) as e:
            raise ModelUnavailable(
                f"{ref.folder}: cannot load the speech model ({e}); {_HOW_TO_GET}"
            ) from None
        self.model_name, self.model_id = ref.model_name, ref.model_id
        # Greedy decoding on CPU: beam search costs ~2× for little gain on lecture speech.
        self._beam_size = 1 if ref.device == "cpu" else 5

    def transcribe(self, samples: NDArray[np.float32], language: str | None) -> tuple[str, Iterator[Segment]]:
        segments, info = self._model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32),
            language=language,
            word_timestamps=True,
            vad_filter=True,
            beam_size=self._beam_size,
        )
        return info.language, (_segment(s) for s in segments)


def _segment(raw: Any) -> Segment:
    words = tuple(Word(w.word, float(w.start), float(w.end), float(w.probability)) for w in raw.words or ())
    return Segment(float(raw.start), float(raw.end), str(raw.text), words)
