"""Video export (.mp4): the page with the ink appearing as it was written, H.264 + AAC, and
the transcript as a subtitle track when the recording has one.

Variable frame rate: a frame is sent only when the picture changes. Candidate frames lie on
a 1/FPS grid of the clip's clock; the frames where a stroke begins or ends or the page turns
are always sent, so the ink is seen within one frame of when it is heard; while the pen
only moves on inside a stroke, MOTION_FPS frames a second are enough to follow it. A still
page costs no frames at all: the encoder, not the painting, is what a video costs.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PySide6.QtCore import QRect

from ...render.video_frames import fit_frame_size, image_rgb32_array
from ..document import OpenedNotebook
from .clip_samples import ClipSamples
from .core import ClipSpec, ExportError, Progress, check_cancel
from .video_frames import ClipFramePainter, page_changes
from .video_subtitles import SubtitleTrack, clip_cues

FPS = 30  # the grid frames are placed on: the most frames a second, and the sync's precision
MOTION_FPS = 15  # while a stroke is being written and nothing else happens
TIME_BASE = Fraction(1, 90000)  # the MPEG clock: every 1/FPS is a whole number of ticks
CRF = 23  # x264's default quality: clean ink edges at 720p
PRESET = "veryfast"  # measured: several times real time at 720p with crisp ink
AAC_RATES = frozenset({96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000})
AUDIO_BIT_RATE_PER_CHANNEL = 64000
AUDIO_BLOCK_FRAMES = 4096
MIN_SIDE_PX, MAX_SIDE_PX = 16, 4096  # 4096: H.264 level 5.1, what players decode
FIT_LONG_MAX_PX = 1920  # a fitted frame's long side at most (a tall page gets a narrower frame)


def frame_size(document: OpenedNotebook, spec: ClipSpec) -> tuple[int, int]:
    """The frame's pixels: `spec.size`, or with `spec.fit_page` the shape of the pages the
    clip shows with min(size) pixels on its short side; even sides (4:2:0 chroma)."""
    size = spec.size
    if spec.fit_page:
        pages = document.notebook.pages
        shown = (
            sorted({page for _, page in page_changes(document, spec)}) if spec.recording is not None else []
        )
        width, height = fit_frame_size([pages[p] for p in shown] or pages, min(size), FIT_LONG_MAX_PX)
        size = max(width, MIN_SIDE_PX), max(height, MIN_SIDE_PX)  # a thin strip: bars
    width, height = (n - n % 2 for n in size)
    if not (MIN_SIDE_PX <= width <= MAX_SIDE_PX and MIN_SIDE_PX <= height <= MAX_SIDE_PX):
        raise ExportError(
            f"a video frame of {size[0]}×{size[1]} pixels is not possible "
            f"(each side {MIN_SIDE_PX}–{MAX_SIDE_PX})"
        )
    return width, height


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    if spec.recording is None:
        raise ExportError("this clip has no recording: choose a range of a recording to export")
    width, height = frame_size(document, spec)
    with ClipSamples(document, spec) as samples:
        frames = ClipFramePainter(document, spec, (width, height))
        cue_list, language = clip_cues(document, spec)
        try:
            with av.open(str(temp_path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
                video = VideoTrack(container, width, height)
                audio = _AudioTrack(container, samples)
                if cue_list:
                    SubtitleTrack(container, cue_list, language).write()
                _encode(video, audio, frames, spec, progress)
        except av.FFmpegError as e:
            raise ExportError(f"the video could not be encoded ({e})") from None


class VideoTrack:
    """H.264 frames at the times they are shown (pts on TIME_BASE), BT.709 as converted."""

    def __init__(self, container: av.container.OutputContainer, width: int, height: int) -> None:
        self._container = container
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = TIME_BASE
        stream.time_base = TIME_BASE
        stream.codec_context.colorspace = 1  # BT.709, as the frames are converted below
        stream.codec_context.color_primaries = 1
        stream.codec_context.color_trc = 1
        stream.options = {"crf": str(CRF), "preset": PRESET}
        # No B-frames: with frames seconds apart their reordering delays the decoding times
        # so far that an MP4 track would end before its last frame is shown.
        stream.codec_context.max_b_frames = 0
        self._stream = stream
        self.picture = Yuv420Picture(width, height)
        self.sent = 0  # frames handed to the encoder

    def send(self, at_s: float) -> None:
        """The picture as it is now, shown from `at_s` seconds into the clip."""
        self.picture.frame.pts = round(at_s * TIME_BASE.denominator)
        self.picture.frame.time_base = TIME_BASE
        self.picture.frame.duration = TIME_BASE.denominator // FPS  # the last one's: the clip's end
        self._container.mux(self._stream.encode(self.picture.frame))
        self.sent += 1

    def finish(self) -> None:
        self._container.mux(self._stream.encode(None))


def _encode(
    video: VideoTrack, audio: _AudioTrack, frames: ClipFramePainter, spec: ClipSpec, progress: Progress
) -> None:
    """Paint the clip on the FPS grid and send the frames that show something new (see the
    module's docstring); the last frame is sent again at the end, so a still page lasts
    until the clip ends."""
    n_ticks = max(1, round(spec.duration_s * FPS))
    motion_ticks = max(1, round(FPS / MOTION_FPS))
    pending, last_sent = False, -motion_ticks
    for k in range(n_ticks):
        check_cancel(progress, k / n_ticks)
        changed = frames.frame_at(spec.start_s + k / FPS)
        pending |= video.picture.update(image_rgb32_array(frames.image), changed)
        if k == 0 or (pending and (frames.ink_event or k - last_sent >= motion_ticks)):
            video.send(k / FPS)
            pending, last_sent = False, k
        audio.write_until((k + 1) / FPS)  # interleaved: the muxer never holds much
    if last_sent < n_ticks - 1:
        video.send((n_ticks - 1) / FPS)
    video.finish()
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

    def update(self, bgrx: np.ndarray, rect: QRect) -> bool:
        """Convert `rect` of `bgrx`; True when that changed the frame."""
        if rect.isEmpty():
            return False
        # Chroma is per 2×2 block: widen the rectangle to even edges.
        x0, y0 = rect.left() & ~1, rect.top() & ~1
        x1 = min((rect.right() + 2) & ~1, bgrx.shape[1])
        y1 = min((rect.bottom() + 2) & ~1, bgrx.shape[0])
        bgr = bgrx[y0:y1, x0:x1, :3].astype(np.float32)
        luma = (bgr @ self._LUMA + 16.5).astype(np.uint8)  # + 0.5: rounded when stored
        h, w = (y1 - y0) // 2, (x1 - x0) // 2
        quads = bgr.reshape(h, 2, w, 2, 3).mean(axis=(1, 3))
        chroma = (quads @ self._CHROMA + 128.5).astype(np.uint8)
        new = (luma, chroma[..., 0], chroma[..., 1])
        areas = (self._planes[0][y0:y1, x0:x1],) + tuple(
            plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] for plane in self._planes[1:]
        )
        changed = any(not np.array_equal(area, values) for area, values in zip(areas, new, strict=True))
        for area, values in zip(areas, new, strict=True):
            area[...] = values
        return changed


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
