"""Web page export (.html): one self-contained file that plays the clip in a browser, the
ink appearing as it was written; tapping the ink plays what was said as it was written.
When the recording was transcribed, the clip's words are shown beside the page: the word
being heard highlighted, a click on a word plays from it.

Everything is inside the file (audio as base64 Ogg Opus, page backgrounds as PNG, ink as
JSON, the player script) and a Content-Security-Policy forbids fetching anything else, so
it works offline and leaks no request when opened.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from string import Template
from typing import Any

import av
import numpy as np

from ...model import Stroke, Tool, Transcript
from ...model.units import format_hms
from ...render.ink_style import InkStyle
from ...render.page_files import background_png
from ..document import OpenedNotebook
from .clip_samples import ClipSamples
from .clip_transcript import clip_transcript
from .core import ClipSpec, ExportError, Progress, check_cancel
from .video_frames import page_changes

WEB_DIR = Path(__file__).parent / "web"
OPUS_RATE = 48000  # Opus runs at 48 kHz; Chromium and Firefox play Ogg Opus
OPUS_BIT_RATE_PER_CHANNEL = 32000  # clear speech; a minute costs about 240 kB
BACKGROUND_WIDTH_PX = 1400
BLOCK_FRAMES = 1 << 15


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    check_cancel(progress, 0.0)
    with ClipSamples(document, spec) as samples:
        audio = encode_ogg_opus(samples, lambda fraction: check_cancel(progress, 0.8 * fraction))
        duration_s = samples.duration_s
    data = player_data(document, spec, duration_s)
    check_cancel(progress, 0.95)
    temp_path.write_text(page_html(document, spec, data, audio), encoding="utf-8")
    check_cancel(progress, 1.0)


def encode_ogg_opus(samples: ClipSamples, step: Callable[[float], None]) -> bytes:
    """The clip as Ogg Opus; `step(fraction)` is called between blocks (it may raise)."""
    out = io.BytesIO()
    try:
        with av.open(out, "w", format="ogg") as container:
            stream = container.add_stream("libopus", rate=OPUS_RATE)
            stream.layout = samples.layout
            stream.bit_rate = OPUS_BIT_RATE_PER_CHANNEL * samples.channels
            resampler = av.AudioResampler(format="flt", layout=samples.layout, rate=OPUS_RATE)
            for frame in samples.av_frames(BLOCK_FRAMES):
                step((frame.pts or 0) / max(samples.n_frames, 1))
                for resampled in resampler.resample(frame):
                    container.mux(stream.encode(resampled))
            for resampled in resampler.resample(None):
                container.mux(stream.encode(resampled))
            container.mux(stream.encode(None))
    except av.FFmpegError as e:
        raise ExportError(f"the audio could not be encoded for the web page ({e})") from None
    return out.getvalue()


def player_data(document: OpenedNotebook, spec: ClipSpec, duration_s: float) -> dict[str, Any]:
    """What the player script reads: pages (with their strokes) in the order the clip
    shows them, when it turns to each, and the program's reveal style."""
    changes = page_changes(document, spec)
    order = list(dict.fromkeys(page for _, page in changes))
    slot = {page: i for i, page in enumerate(order)}
    style = InkStyle()
    return {
        "duration": duration_s,
        "pages": [_page_data(document, spec, p, duration_s, style) for p in order],
        "pageTimes": [[round(at_s, 3), slot[page]] for at_s, page in changes],
        "style": {
            "ghost_alpha": style.ghost_alpha,
            "show_ghosts": style.show_ghosts,
            "writing_color": list(style.writing_color),
            "writing_width_factor": style.writing_width_factor,
        },
        "transcript": transcript_data(clip_transcript(document, spec)),
    }


def transcript_data(transcript: Transcript | None) -> list[dict[str, Any]] | None:
    """Paragraphs of [word, start s, end s] on the clip's clock, for the player's panel."""
    if transcript is None or not transcript.segments:
        return None
    return [
        {
            "start": round(segment.start_s, 3),
            "words": [[w.word, round(w.start_s, 3), round(w.end_s, 3)] for w in segment.words],
        }
        for segment in transcript.segments
    ]


def _page_data(
    document: OpenedNotebook, spec: ClipSpec, index: int, duration_s: float, style: InkStyle
) -> dict[str, Any]:
    page = document.notebook.pages[index]
    clip_times = _ClipTimes(document, spec, duration_s)
    return {
        "index": index,
        "label": page.label or str(index + 1),
        "width_mm": page.width_mm,
        "height_mm": page.height_mm,
        "background": _background_png(document, index),
        "strokes": [_stroke_data(s, clip_times, spec.recording, style) for s in page.strokes],
    }


class _ClipTimes:
    """Notebook-clock ms -> seconds into the clip. Ink written after the clip's end gets a
    time past its end, so it stays unwritten (a ghost) throughout."""

    def __init__(self, document: OpenedNotebook, spec: ClipSpec, duration_s: float) -> None:
        assert spec.recording is not None
        self._timeline, self._recording, self._start_s = document.timeline, spec.recording, spec.start_s
        self._last_ms = document.timeline.ink_time_ms(spec.recording, spec.end_s)
        self._never_s = duration_s + 1.0

    def __call__(self, t_ms: np.ndarray) -> list[float]:
        position = self._timeline.position_s
        return [
            self._never_s if t > self._last_ms else round(position(self._recording, t) - self._start_s, 3)
            for t in t_ms.tolist()
        ]


def _stroke_data(
    stroke: Stroke, clip_times: _ClipTimes, recording: int | None, style: InkStyle
) -> dict[str, Any]:
    color = style.no_audio_color if stroke.recording is None else stroke.color
    data = {
        "xy": np.round(stroke.xy_mm, 2).ravel().tolist(),
        "t": clip_times(stroke.t_ms),
        "width": stroke.width_mm,
        "color": list(color),
        "highlighter": stroke.tool == Tool.HIGHLIGHTER,
        "play": stroke.recording == recording,
    }
    if stroke.widths_mm is not None:
        data["widths"] = np.round(stroke.widths_mm, 3).tolist()
    if stroke.cap != "round":
        data["cap"] = stroke.cap
    if stroke.dash_mm:
        data["dash"] = list(stroke.dash_mm)
    if stroke.fill_alpha is not None:
        data["fill_alpha"] = stroke.fill_alpha
    return data


def _background_png(document: OpenedNotebook, index: int) -> str:
    """The page without its strokes (paper, ruling, images, text) as a PNG data URL."""
    png = background_png(document.notebook.pages[index], BACKGROUND_WIDTH_PX)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _script_json(value: object) -> str:
    """JSON that cannot end its <script> element early, whatever the notebook's text."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_html(document: OpenedNotebook, spec: ClipSpec, data: dict[str, Any], ogg_opus: bytes) -> str:
    title = document.notebook.title or document.path.stem
    title += f" — {format_hms(spec.start_s)}–{format_hms(spec.end_s)}"
    template = Template((WEB_DIR / "web_player.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=html.escape(title),
        audio_mime="audio/ogg",
        audio_base64=base64.b64encode(ogg_opus).decode("ascii"),
        data_json=_script_json(data),
        player_script=(WEB_DIR / "web_player.js").read_text(encoding="utf-8"),
    )
