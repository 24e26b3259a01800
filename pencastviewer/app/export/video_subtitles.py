"""The clip's transcript as a soft subtitle track of the MP4 (mov_text, 3GPP timed text):
players offer it as subtitles that can be turned on and off, and the words stay text."""

from __future__ import annotations

from fractions import Fraction

import av

from ...transcript.subtitles import cues
from ..document import OpenedNotebook
from .clip_transcript import clip_transcript
from .core import ClipSpec

TIME_BASE = Fraction(1, 1000)
# FFmpeg's mov_text encoder builds the track's sample description (font, colours) from an
# ASS header; without one it refuses to open. White text on the video's bottom edge.
ASS_HEADER = (
    b"[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
    b"[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    b"BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
    b"Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    b"Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    b"[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)
# ISO 639-1 (what Whisper reports) -> ISO 639-2/T (what an MP4 track's language is)
LANGUAGES = {
    "en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "nl": "nld", "pt": "por",
    "ru": "rus", "ja": "jpn", "zh": "zho", "ko": "kor", "pl": "pol", "sv": "swe", "da": "dan",
    "no": "nor", "fi": "fin", "cs": "ces", "tr": "tur", "ar": "ara", "he": "heb", "uk": "ukr",
}  # fmt: skip


class SubtitleTrack:
    """Cues (start_s, end_s, text) on the clip's clock as a mov_text stream of `container`
    (added before anything is muxed; the packets go in with write())."""

    def __init__(
        self, container: av.container.OutputContainer, cue_list: list[tuple[float, float, str]], language: str
    ) -> None:
        self._container, self._cues = container, cue_list
        self._stream = container.add_stream("mov_text")
        self._stream.codec_context.subtitle_header = ASS_HEADER
        self._stream.time_base = TIME_BASE
        if language in LANGUAGES:
            self._stream.metadata["language"] = LANGUAGES[language]

    def write(self) -> None:
        """Every cue as one sample: a 16-bit big-endian length and the UTF-8 text (the
        muxer fills the gaps between cues with empty samples)."""
        last_ms = 0
        for start_s, end_s, text in self._cues:
            start_ms = max(round(start_s * 1000), last_ms)
            end_ms = max(round(end_s * 1000), start_ms + 1)
            raw = text.encode("utf-8")[:0xFFFF]
            packet = av.Packet(len(raw).to_bytes(2, "big") + raw)
            packet.stream, packet.time_base = self._stream, TIME_BASE
            packet.pts = packet.dts = start_ms
            packet.duration = end_ms - start_ms
            self._container.mux(packet)
            last_ms = end_ms


def clip_cues(document: OpenedNotebook, spec: ClipSpec) -> tuple[list[tuple[float, float, str]], str]:
    """The cues of the clip's transcript (clip_transcript: cut to the clip and timed from
    its start, as a .vtt export of the same clip) and its language; ([], "") when the
    recording has none."""
    transcript = clip_transcript(document, spec)
    if transcript is None:
        return [], ""
    return list(cues(transcript)), transcript.language
