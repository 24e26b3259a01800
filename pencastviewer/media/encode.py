"""Encoding audio blocks to a file: libsndfile for WAV, FLAC, Ogg Vorbis and Opus; FFmpeg for M4A and MP3."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Protocol

import av
import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from .probe import probe
from .source import AudioError


class EncodeError(Exception):
    """A clear, one-line reason the audio could not be encoded."""


class Tags(Protocol):
    """Metadata an encoder writes: title and date (ISO 8601); empty ones are left out."""

    @property
    def title(self) -> str: ...

    @property
    def date(self) -> str: ...


class _NoTags:
    title = ""
    date = ""


# libsndfile 1.2.2 crashes when one sf.write hands its Vorbis encoder a long buffer:
# every write goes in pieces of at most this many frames.
MAX_WRITE_FRAMES = 16384
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
OPUS_FALLBACK_RATE = 48000  # Opus's own rate, for recordings at a rate it cannot keep
BIT_RATE_PER_CHANNEL = 64000  # AAC and MP3: ample for speech, a tenth of the FLAC's size

# extension -> (libsndfile container, subtype; None: chosen from the source's precision)
_SOUNDFILE_FORMATS: dict[str, tuple[str, str | None]] = {
    ".wav": ("WAV", None),
    ".flac": ("FLAC", None),
    ".ogg": ("OGG", "VORBIS"),
    ".opus": ("OGG", "OPUS"),
}
_FFMPEG_FORMATS = {".m4a": ("ipod", "aac"), ".mp3": ("mp3", "libmp3lame")}  # container, codec
_WAV_SUBTYPES = {16: "PCM_16", 24: "PCM_24", 32: "PCM_32", 0: "FLOAT"}
_FLAC_SUBTYPES = {16: "PCM_16", 24: "PCM_24", 32: "PCM_24", 0: "PCM_24"}


def source_bits(source: str | os.PathLike[str] | bytes) -> int:
    """The precision of the source's samples: 16, 24, 32 (integer) or 0 (floating point).
    Lossy and unknown sources count as 16 bits."""
    try:
        bits = probe(source).bits
    except AudioError:
        return 16
    return 16 if 0 < bits < 16 else bits  # 8-bit sources are written as 16-bit


def quantized(block: NDArray[np.float32], bits: int) -> NDArray[np.int16] | NDArray[np.int32]:
    """The nearest `bits`-bit integers (clipped), as int16 or left-aligned int32. Done here
    rather than by libsndfile, whose WAV and FLAC writers round differently: a float that
    came from an integer sample gives that sample back exactly."""
    full_scale = np.float32(1 << (bits - 1))
    values = block * full_scale  # float32 holds every 16- and 24-bit value exactly
    np.rint(values, out=values)
    np.clip(values, -full_scale, full_scale - 1, out=values)
    if bits == 16:
        return values.astype(np.int16)
    return values.astype(np.int32) << (32 - bits)


class Encoder:
    """Writes float32 blocks shaped (n, channels). A context manager: the file is
    complete once it is closed. `sample_rate` is the rate written (the input's, except
    Opus at rates it does not support)."""

    sample_rate: int

    def write(self, block: NDArray[np.float32]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Encoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SoundFileEncoder(Encoder):
    def __init__(self, path: Path, container: str, subtype: str, sample_rate: int, channels: int, tags: Tags):
        self.sample_rate = sample_rate
        self._file = sf.SoundFile(
            os.fspath(path), "w", samplerate=sample_rate, channels=channels, format=container, subtype=subtype
        )
        if tags.title:
            self._file.title = tags.title
        if tags.date:
            self._file.date = tags.date
        self._integer_bits = {"PCM_16": 16, "PCM_24": 24}.get(subtype)

    def write(self, block: NDArray[np.float32]) -> None:
        data: NDArray[np.float32] | NDArray[np.int16] | NDArray[np.int32] = block
        if self._integer_bits is not None:
            data = quantized(block, self._integer_bits)
        for first in range(0, len(data), MAX_WRITE_FRAMES):
            self._file.write(data[first : first + MAX_WRITE_FRAMES])

    def close(self) -> None:
        self._file.close()


class ResamplingEncoder(Encoder):
    """Resamples (FFmpeg's resampler) before handing blocks to `inner`."""

    def __init__(self, inner: Encoder, in_rate: int, channels: int):
        self.sample_rate = inner.sample_rate
        self._inner, self._in_rate, self._layout = inner, in_rate, _layout(channels)
        self._resampler = av.AudioResampler(format="flt", layout=self._layout, rate=inner.sample_rate)

    def write(self, block: NDArray[np.float32]) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout=self._layout)
        frame.sample_rate = self._in_rate
        self._push(self._resampler.resample(frame))

    def _push(self, frames: list[av.AudioFrame]) -> None:
        for out in frames:
            self._inner.write(np.asarray(out.to_ndarray(), np.float32).reshape(-1, out.layout.nb_channels))

    def close(self) -> None:
        try:
            self._push(self._resampler.resample(None))
        finally:
            self._inner.close()


class FFmpegEncoder(Encoder):
    """AAC in M4A (MP4) and MP3 through FFmpeg. The muxers record the encoder's priming
    and padding (MP4 edit list, LAME header), so decoders give back exactly the frames
    written; tags are written as UTF-8 (libsndfile's ID3 writer mislabels them Latin-1)."""

    def __init__(self, path: Path, container: str, codec: str, sample_rate: int, channels: int, tags: Tags):
        self.sample_rate = sample_rate
        self._container = av.open(os.fspath(path), "w", format=container)
        if tags.title:
            self._container.metadata["title"] = tags.title
        if tags.date:
            self._container.metadata["date"] = tags.date
        self._layout = _layout(channels)
        stream = self._container.add_stream(codec, rate=sample_rate, layout=self._layout)
        if not isinstance(stream, av.AudioStream):  # (PyAV types add_stream for any kind)
            raise EncodeError(f"{codec} is not an audio codec")
        self._stream = stream
        self._stream.bit_rate = BIT_RATE_PER_CHANNEL * channels
        self._pts = 0
        self._failed = False

    def write(self, block: NDArray[np.float32]) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout=self._layout)
        frame.sample_rate, frame.pts = self.sample_rate, self._pts
        self._pts += len(block)
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except BaseException:
            self._failed = True
            raise

    def close(self) -> None:
        try:
            # After a failed write (a full disk) FFmpeg's muxer is half-initialised: muxing
            # the encoder's last packets into it crashes the process (PyAV 18, SIGSEGV).
            if not self._failed:
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
        finally:
            self._container.close()


def _layout(channels: int) -> str:
    if channels == 1:
        return "mono"
    if channels == 2:
        return "stereo"
    raise EncodeError(f"cannot encode {channels} channels to this format (mono or stereo only)")


def open_encoder(
    path: Path, ext: str, sample_rate: int, channels: int, *, bits: int = 16, tags: Tags | None = None
) -> Encoder:
    """An encoder writing `path` in the format of `ext` (".wav", ".m4a", ...). `bits`:
    the source's precision (see source_bits), kept by WAV and FLAC."""
    tags = tags or _NoTags()
    try:
        if ext in _FFMPEG_FORMATS:
            return FFmpegEncoder(path, *_FFMPEG_FORMATS[ext], sample_rate, channels, tags)
        if ext not in _SOUNDFILE_FORMATS:
            raise EncodeError(f"{path.name}: not an audio format: {ext}")
        container, subtype = _SOUNDFILE_FORMATS[ext]
        if subtype is None:
            subtype = (_WAV_SUBTYPES if ext == ".wav" else _FLAC_SUBTYPES)[bits]
        if ext == ".opus" and sample_rate not in OPUS_RATES:
            inner = SoundFileEncoder(path, container, subtype, OPUS_FALLBACK_RATE, channels, tags)
            return ResamplingEncoder(inner, sample_rate, channels)
        return SoundFileEncoder(path, container, subtype, sample_rate, channels, tags)
    except (sf.LibsndfileError, av.FFmpegError, ValueError, TypeError) as e:
        raise EncodeError(f"cannot encode {ext} at {sample_rate} Hz, {channels} channel(s): {e}") from None
