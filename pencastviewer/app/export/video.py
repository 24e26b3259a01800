"""Video export (.mp4): the page with the ink appearing as it was written, H.264 + AAC."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PySide6.QtCore import QRect

from ...render.video_frames import image_rgb32_array
from ..document import OpenedNotebook
from .clip_samples import ClipSamples
from .core import ClipSpec, ExportError, Progress, check_cancel
from .video_frames import ClipFramePainter

FPS = 30
CRF = 23  # x264's default quality: clean ink edges at 720p
PRESET = "veryfast"  # measured: several times real time at 720p with crisp ink
AAC_RATES = frozenset({96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000})
AUDIO_BIT_RATE_PER_CHANNEL = 64000
AUDIO_BLOCK_FRAMES = 4096
MIN_SIDE_PX, MAX_SIDE_PX = 16, 4096  # 4096: H.264 level 5.1, what players decode


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    width, height = (n - n % 2 for n in spec.size)  # 4:2:0 chroma needs even sizes
    if not (MIN_SIDE_PX <= width <= MAX_SIDE_PX and MIN_SIDE_PX <= height <= MAX_SIDE_PX):
        raise ExportError(
            f"a video frame of {spec.size[0]}×{spec.size[1]} pixels is not possible "
            f"(each side {MIN_SIDE_PX}–{MAX_SIDE_PX})"
        )
    with ClipSamples(document, spec) as samples:
        frames = ClipFramePainter(document, spec, (width, height))
        try:
            with av.open(str(temp_path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
                video = _video_stream(container, width, height)
                audio = _AudioTrack(container, samples)
                _encode(container, video, audio, frames, spec, progress)
        except av.FFmpegError as e:
            raise ExportError(f"the video could not be encoded ({e})") from None


def _video_stream(container: av.container.OutputContainer, width: int, height: int) -> av.VideoStream:
    stream = container.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.codec_context.time_base = Fraction(1, FPS)
    stream.codec_context.colorspace = 1  # BT.709, as the frames are converted below
    stream.codec_context.color_primaries = 1
    stream.codec_context.color_trc = 1
    stream.options = {"crf": str(CRF), "preset": PRESET}
    return stream


def _encode(
    container: av.container.OutputContainer,
    video: av.VideoStream,
    audio: _AudioTrack,
    frames: ClipFramePainter,
    spec: ClipSpec,
    progress: Progress,
) -> None:
    n_frames = max(1, round(spec.duration_s * FPS))
    picture = Yuv420Picture(frames.image.width(), frames.image.height())
    for k in range(n_frames):
        check_cancel(progress, k / n_frames)
        changed = frames.frame_at(spec.start_s + k / FPS)
        picture.update(image_rgb32_array(frames.image), changed)
        picture.frame.pts = k
        container.mux(video.encode(picture.frame))
        audio.write_until((k + 1) / FPS)  # interleaved: the muxer never holds much
    container.mux(video.encode(None))
    audio.finish()
    check_cancel(progress, 1.0)


class Yuv420Picture:
    """A yuv420p frame kept in step with an RGB32 image by converting only the rectangle
    that changed (BT.709, limited range, as the stream is tagged). libx264 copies each
    frame when it is sent, so the planes may be rewritten after encode() returns."""

    # BT.709 rows for B, G, R (the byte order of RGB32 in memory) scaled to 8-bit studio range.
    _KR, _KB = 0.2126, 0.0722
    _LUMA = (np.array([_KB, 1 - _KR - _KB, _KR]) * 219 / 255).astype(np.float32)
    _U = np.array([1 - _KB, -(1 - _KR - _KB), -_KR]) / (2 * (1 - _KB)) * 224 / 255
    _V = np.array([-_KB, -(1 - _KR - _KB), 1 - _KR]) / (2 * (1 - _KR)) * 224 / 255
    _CHROMA = np.stack([_U, _V], axis=1).astype(np.float32)

    def __init__(self, width: int, height: int) -> None:
        self.frame = av.VideoFrame(width, height, "yuv420p")
        self.frame.colorspace = 1  # BT.709
        self.frame.color_range = 1  # limited ("tv")
        self._planes = [
            np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)[
                :, : plane.width
            ]
            for plane in self.frame.planes
        ]

    def update(self, bgrx: np.ndarray, rect: QRect) -> None:
        if rect.isEmpty():
            return
        # Chroma is per 2×2 block: widen the rectangle to even edges.
        x0, y0 = rect.left() & ~1, rect.top() & ~1
        x1 = min((rect.right() + 2) & ~1, bgrx.shape[1])
        y1 = min((rect.bottom() + 2) & ~1, bgrx.shape[0])
        bgr = bgrx[y0:y1, x0:x1, :3].astype(np.float32)
        self._planes[0][y0:y1, x0:x1] = bgr @ self._LUMA + 16.5  # + 0.5: rounded when stored
        h, w = (y1 - y0) // 2, (x1 - x0) // 2
        quads = bgr.reshape(h, 2, w, 2, 3).mean(axis=(1, 3))
        chroma = quads @ self._CHROMA + 128.5
        self._planes[1][y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = chroma[..., 0]
        self._planes[2][y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = chroma[..., 1]


class _AudioTrack:
    """The clip's samples as AAC, encoded in step with the video."""

    def __init__(self, container: av.container.OutputContainer, samples: ClipSamples) -> None:
        self._container, self._samples = container, samples
        rate = samples.sample_rate if samples.sample_rate in AAC_RATES else 48000
        self._stream = container.add_stream("aac", rate=rate)
        self._stream.layout = samples.layout
        self._stream.bit_rate = AUDIO_BIT_RATE_PER_CHANNEL * samples.channels
        self._resampler = av.AudioResampler(format="fltp", layout=samples.layout, rate=rate)
        self._frames: Iterator[av.AudioFrame] = samples.av_frames(AUDIO_BLOCK_FRAMES)
        self._sent = 0  # frames of the clip handed to the encoder

    def write_until(self, position_s: float) -> None:
        target = min(round(position_s * self._samples.sample_rate), self._samples.n_frames)
        while self._sent < target:
            frame = next(self._frames, None)
            if frame is None:
                break
            self._write(frame)

    def _write(self, frame: av.AudioFrame | None) -> None:
        if frame is not None:
            self._sent += frame.samples
        for resampled in self._resampler.resample(frame):
            self._container.mux(self._stream.encode(resampled))

    def finish(self) -> None:
        for frame in self._frames:
            self._write(frame)
        self._write(None)  # flush the resampler
        self._container.mux(self._stream.encode(None))
