"""Decoding audio on demand, in blocks: libsndfile (soundfile) where it can, PyAV (FFmpeg) otherwise.

Every decoder gives float32 frames shaped (n, channels) and is sample-exact: read(start, n)
returns the same samples as the same slice of one sequential decode, whatever the
container's seeking precision (MP3: libsndfile's last bit varies with read sizes, so
equal to float32 rounding). A decoder never holds a whole file decoded.
"""

from __future__ import annotations

import abc
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import soundfile as sf
from numpy.typing import NDArray

AudioSource = str | os.PathLike[str] | bytes
# Containers libsndfile cannot read: go straight to FFmpeg.
FFMPEG_SUFFIXES = frozenset({".m4a", ".mp4", ".m4b", ".aac", ".adts", ".3gp", ".mov", ".webm", ".mka"})
_CHECKED_SEEK_CODECS = frozenset({"vorbis"})  # see SoundFileDecoder
_NO_SEEK_CODECS = frozenset({"opus"})
CHECKPOINT_FRAMES = 1 << 17  # about 3 s at 44.1 kHz
FINGERPRINT_FRAMES = 64
SEEK_PREROLL_FRAMES = 8192
FORWARD_DECODE_FRAMES = 1 << 17  # closer than this ahead, decoding on beats seeking
OPUS_TAIL_FRAMES = 2 * 5760  # two of the longest Opus packets (120 ms at 48 kHz)
MP3_SEEK_PREROLL_FRAMES = 4 * 1152  # measured: 2 frames suffice, 0 or 1 leave errors up to 0.4
_SF_CODECS = {"VORBIS": "vorbis", "OPUS": "opus", "MPEG_LAYER_III": "mp3", "ALAC_16": "alac"}


class AudioError(Exception):
    """The audio cannot be opened or decoded. `str(err)` is one line: '<source>: <problem>'."""


@dataclass(frozen=True)
class AudioInfo:
    """codec: short FFmpeg-style name ("aac", "vorbis", "flac", "pcm", ...); n_frames: the
    exact number of sample frames the decoder yields."""

    codec: str
    sample_rate: int
    channels: int
    n_frames: int

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.sample_rate if self.sample_rate else 0.0


class AudioDecoder(abc.ABC):
    """One open audio file. Not thread-safe: give each thread its own decoder.

    sample_rate (Hz), channels, n_frames (exact decoded length), codec. Reads outside
    [0, n_frames) are clipped, so read() may return fewer frames than asked."""

    sample_rate: int
    channels: int
    n_frames: int
    codec: str
    lost_frames: int = 0  # damaged or missing frames given as silence so far

    @abc.abstractmethod
    def _read_range(self, start_frame: int, end_frame: int) -> NDArray[np.float32]:
        """Frames [start, end), 0 <= start <= end <= n_frames, as float32 (n, channels)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def read(self, start_frame: int, n_frames: int) -> NDArray[np.float32]:
        """Frames [start_frame, start_frame + n_frames) that exist, float32 (n, channels)."""
        start = min(max(int(start_frame), 0), self.n_frames)
        end = min(max(int(start_frame) + int(n_frames), start), self.n_frames)
        return self._read_range(start, end)

    def blocks(
        self, block_frames: int = 65536, start_frame: int = 0, end_frame: int | None = None
    ) -> Iterator[NDArray[np.float32]]:
        """Consecutive blocks of `block_frames` frames (the last may be shorter) from
        `start_frame` to `end_frame` (default: the end), decoded as they are asked for."""
        if block_frames <= 0:
            raise ValueError(f"block_frames must be positive, got {block_frames}")
        end = self.n_frames if end_frame is None else min(max(int(end_frame), 0), self.n_frames)
        position = min(max(int(start_frame), 0), end)
        while position < end:
            block = self._read_range(position, min(position + block_frames, end))
            position += len(block)
            yield block

    def info(self) -> AudioInfo:
        return AudioInfo(self.codec, self.sample_rate, self.channels, self.n_frames)

    def __enter__(self) -> AudioDecoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SoundFileDecoder(AudioDecoder):
    """WAV, FLAC, Ogg Vorbis/Opus, MP3, AIFF... through libsndfile.

    libsndfile 1.2 can land an Ogg Vorbis seek a lapped-window size (128-2048 frames) off
    (libsndfile issue #885; measured here on about one seek in five), while its
    sequential decode is exact. So for Vorbis a seek is trusted only when the frames
    right after it match a fingerprint remembered from an earlier sequential pass (one
    every CHECKPOINT_FRAMES); otherwise decoding goes on from where it is, or restarts.
    Opus never seeks (going back restarts from the beginning), and a read reaching its
    last OPUS_TAIL_FRAMES runs on to the end in the same libsndfile call: libsndfile
    decodes the last packet differently when a read starts inside it (measured)."""

    def __init__(self, source: AudioSource, label: str) -> None:
        self._source, self._label = source, label
        self._file = self._open()
        self.sample_rate = self._file.samplerate
        self.channels = self._file.channels
        self.n_frames = self._file.frames
        self.codec = _sf_codec(self._file.format, self._file.subtype)
        self._trust_seeks = self.codec not in _CHECKED_SEEK_CODECS | _NO_SEEK_CODECS
        self._may_seek = self.codec not in _NO_SEEK_CODECS
        self._preroll = MP3_SEEK_PREROLL_FRAMES if self.codec == "mp3" else 0
        self._pos = 0  # where libsndfile's next read starts (when seeks are not trusted)
        self._fingerprints: dict[int, NDArray[np.float32]] = {}
        self._surplus: NDArray[np.float32] | None = None  # Opus: decoded past _pos already

    def _open(self) -> sf.SoundFile:
        source = self._source
        return sf.SoundFile(io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source))

    def _read(self, n_frames: int) -> NDArray[np.float32]:
        return self._file.read(n_frames, dtype="float32", always_2d=True)

    def _read_range(self, start_frame: int, end_frame: int) -> NDArray[np.float32]:
        try:
            if self._trust_seeks:
                # MP3 needs a couple of frames decoded before the target (bit reservoir, overlap).
                before = max(0, start_frame - self._preroll)
                self._file.seek(before)
                frames = self._read(end_frame - before)[start_frame - before :]
            else:
                frames = self._read_checked(start_frame, end_frame)
        except (sf.LibsndfileError, RuntimeError) as e:
            return self._salvaged(start_frame, end_frame, e)
        if len(frames) < end_frame - start_frame:  # a truncated file: keep the promised length
            self.lost_frames += end_frame - start_frame - len(frames)
            frames = np.vstack(
                [frames, np.zeros((end_frame - start_frame - len(frames), self.channels), np.float32)]
            )
        return frames

    def _salvaged(self, start_frame: int, end_frame: int, error: Exception) -> NDArray[np.float32]:
        """libsndfile gives up on a damaged frame (FLAC: at the first bad frame, for the
        whole rest): FFmpeg decodes on, each bad packet as silence, so from here on it
        reads for this decoder, as it does for the codecs it opens itself."""
        from .decode_av import FFmpegDecoder

        try:
            fallback = FFmpegDecoder(self._source, self._label)
        except AudioError:
            raise AudioError(f"{self._label}: cannot decode at frame {start_frame} ({error})") from None
        self._file.close()
        self._fallback = fallback
        self._read_range = self._read_fallback  # type: ignore[method-assign]
        return self._read_fallback(start_frame, end_frame)

    def _read_fallback(self, start_frame: int, end_frame: int) -> NDArray[np.float32]:
        frames = self._fallback.read(start_frame, end_frame - start_frame)
        self.lost_frames = self._fallback.lost_frames
        if len(frames) < end_frame - start_frame:
            self.lost_frames += end_frame - start_frame - len(frames)
            frames = np.vstack(
                [frames, np.zeros((end_frame - start_frame - len(frames), self.channels), np.float32)]
            )
        return frames

    def _read_checked(self, start: int, end: int) -> NDArray[np.float32]:
        if not self._pos <= start <= self._pos + FORWARD_DECODE_FRAMES:
            self._reposition(start)
        while self._pos < start:  # decode on to `start` in bounded steps, keeping only fingerprints
            if len(self._read_remembering(min(start - self._pos, FORWARD_DECODE_FRAMES))) == 0:
                return np.zeros((0, self.channels), np.float32)  # the file ended early
        return self._read_remembering(end - start)

    def _read_remembering(self, n_frames: int) -> NDArray[np.float32]:
        """Read on from the trusted position, remembering the fingerprints passed."""
        first = self._pos
        frames = self._read_on(n_frames)
        for q in range(
            -(-first // CHECKPOINT_FRAMES) * CHECKPOINT_FRAMES,
            first + len(frames) - FINGERPRINT_FRAMES + 1,
            CHECKPOINT_FRAMES,
        ):
            self._fingerprints[q] = frames[q - first : q - first + FINGERPRINT_FRAMES].copy()
        self._pos = first + len(frames)
        return frames

    def _read_on(self, n_frames: int) -> NDArray[np.float32]:
        if self._surplus is not None:
            frames, rest = self._surplus[:n_frames], self._surplus[n_frames:]
            self._surplus = rest if len(rest) else None
            return frames
        if not self._may_seek and self._pos + n_frames > self.n_frames - OPUS_TAIL_FRAMES:
            frames = self._read(max(n_frames, self.n_frames - self._pos + 1))
            self._surplus = frames[n_frames:] if len(frames) > n_frames else None
            return frames[:n_frames]
        return self._read(n_frames)

    def _reposition(self, start: int) -> None:
        """Move libsndfile to a trusted position at or before `start`."""
        restart = self._pos > start
        base = 0 if restart else self._pos
        usable = (
            q for q in self._fingerprints if self._may_seek and base < q and q + FINGERPRINT_FRAMES <= start
        )
        for q in sorted(usable, reverse=True)[:2]:
            if self._seek_verified(q):
                return
            restart = True  # the failed seek left libsndfile somewhere unknown
        if restart:
            self._file.close()
            self._file, self._pos, self._surplus = self._open(), 0, None

    def _seek_verified(self, checkpoint: int) -> bool:
        before = max(0, checkpoint - SEEK_PREROLL_FRAMES)
        self._file.seek(before)
        frames = self._read(checkpoint - before + FINGERPRINT_FRAMES)
        if np.array_equal(frames[checkpoint - before :], self._fingerprints[checkpoint]):
            self._pos = checkpoint + FINGERPRINT_FRAMES
            return True
        return False

    def close(self) -> None:
        self._file.close()
        fallback = getattr(self, "_fallback", None)
        if fallback is not None:
            fallback.close()


def _sf_codec(container: str, subtype: str) -> str:
    if container == "FLAC":
        return "flac"
    if subtype.startswith(("PCM_", "FLOAT", "DOUBLE")):
        return "pcm"
    return _SF_CODECS.get(subtype, subtype.lower())


def _label(source: AudioSource, name_hint: str) -> str:
    if isinstance(source, bytes):
        return name_hint or f"<{len(source)} bytes of audio>"
    return os.fspath(source)


def _wants_ffmpeg(source: AudioSource, name_hint: str) -> bool:
    """MP4/M4A and raw AAC, which libsndfile refuses anyway: skip asking it."""
    name = name_hint or ("" if isinstance(source, bytes) else os.fspath(source))
    if Path(name).suffix.lower() in FFMPEG_SUFFIXES:
        return True
    if isinstance(source, bytes):
        head = source[:8]
        is_mp4 = head[4:8] == b"ftyp"
        is_adts = len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0
        return is_mp4 or is_adts
    return False


def open_audio(source: AudioSource, *, name_hint: str = "") -> AudioDecoder:
    """A decoder for a file path or the file's bytes. name_hint: the file's name when
    `source` is bytes (its extension picks the decoder faster). Raises AudioError."""
    label = _label(source, name_hint)
    if not isinstance(source, bytes) and not Path(source).is_file():
        raise AudioError(f"{label}: no such audio file")
    if not _wants_ffmpeg(source, name_hint):
        try:
            return SoundFileDecoder(source, label)
        except (sf.LibsndfileError, RuntimeError, TypeError):
            pass  # not a format libsndfile knows: FFmpeg may
        except OSError as e:
            raise AudioError(f"{label}: cannot read ({e.strerror or e})") from None
    from .decode_av import FFmpegDecoder  # imported only when needed: FFmpeg is large

    return FFmpegDecoder(source, label)


def probe(source: AudioSource, name_hint: str = "") -> AudioInfo:
    """Codec, rate, channels and exact length, without decoding the whole file."""
    label = _label(source, name_hint)
    if not isinstance(source, bytes) and not Path(source).is_file():
        raise AudioError(f"{label}: no such audio file")
    if not _wants_ffmpeg(source, name_hint):
        try:
            raw = sf.info(io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source))
            return AudioInfo(_sf_codec(raw.format, raw.subtype), raw.samplerate, raw.channels, raw.frames)
        except (sf.LibsndfileError, RuntimeError, TypeError):
            pass
    from .decode_av import ffmpeg_probe

    return ffmpeg_probe(source, label)
