"""Decoding audio on demand, in blocks: libsndfile (soundfile) where it can, PyAV (FFmpeg) otherwise.

Every decoder gives float32 frames shaped (n, channels) and is sample-exact: read(start, n)
returns the same samples as the same slice of one sequential decode, whatever the
container's seeking precision (MP3: libsndfile's last bit varies with read sizes, so
equal to float32 rounding). A decoder never holds a whole file decoded.
"""

from __future__ import annotations

import io
import os

import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from .codecs import soundfile_codec
from .decoder import AudioDecoder
from .source import AudioError, AudioSource, check_exists, check_figures, source_label, wants_ffmpeg

_CHECKED_SEEK_CODECS = frozenset({"vorbis"})  # see SoundFileDecoder
_NO_SEEK_CODECS = frozenset({"opus"})
CHECKPOINT_FRAMES = 1 << 17  # about 3 s at 44.1 kHz
FINGERPRINT_FRAMES = 64
SEEK_PREROLL_FRAMES = 8192
FORWARD_DECODE_FRAMES = 1 << 17  # closer than this ahead, decoding on beats seeking
OPUS_TAIL_FRAMES = 2 * 5760  # two of the longest Opus packets (120 ms at 48 kHz)
MP3_SEEK_PREROLL_FRAMES = 4 * 1152  # measured: 2 frames suffice, 0 or 1 leave errors up to 0.4


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
        self.codec = soundfile_codec(self._file.format, self._file.subtype)
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
        frames: NDArray[np.float32] = self._file.read(n_frames, dtype="float32", always_2d=True)
        return frames

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


def open_audio(source: AudioSource, *, name_hint: str = "") -> AudioDecoder:
    """A decoder for a file path or the file's bytes. name_hint: the file's name when
    `source` is bytes (its extension picks the decoder faster). Raises AudioError."""
    label = source_label(source, name_hint)
    decoder = _open(source, name_hint, label)
    try:
        check_figures(label, decoder.sample_rate, decoder.channels)
    except AudioError:
        decoder.close()
        raise
    return decoder


def _open(source: AudioSource, name_hint: str, label: str) -> AudioDecoder:
    check_exists(source, label)
    if not wants_ffmpeg(source, name_hint):
        try:
            return SoundFileDecoder(source, label)
        except (sf.LibsndfileError, RuntimeError, TypeError):
            pass  # not a format libsndfile knows: FFmpeg may
        except OSError as e:
            raise AudioError(f"{label}: cannot read ({e.strerror or e})") from None
    from .decode_av import FFmpegDecoder  # imported only when needed: FFmpeg is large

    return FFmpegDecoder(source, label)
