"""An MP4 of a recording with a transcript carries it as a soft subtitle track (mov_text):
the words heard in the clip, timed from the clip's start, read back with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from support.beeps import notebook_with_beeps

from pencastviewer.app.export.core import ClipSpec
from pencastviewer.app.export.registry import export_clip
from pencastviewer.app.transcripts import recording_spans, transcripts_cache
from pencastviewer.transcript.cache import audio_key
from pencastviewer.transcript.document import Segment, Transcript, Word

SAID = (  # (word, start_s, end_s) in the recording
    (" Rivers", 0.4, 0.8),
    (" carry", 0.8, 1.1),
    (" water", 1.1, 1.5),
    (" Clouds", 2.2, 2.6),
    (" bring", 2.6, 2.9),
    (" rain", 2.9, 3.4),
    (" Später", 4.6, 5.2),
)


def subtitle_cues(path: Path) -> tuple[av.subtitles.stream.SubtitleStream, list[tuple[float, float, str]]]:
    """The subtitle stream and its non-empty samples as (start_s, end_s, text)."""
    with av.open(str(path)) as container:
        stream = container.streams.subtitles[0]
        found = []
        for packet in container.demux(stream):
            data = bytes(packet)
            if packet.pts is None or len(data) <= 2:
                continue  # the muxer's empty samples between cues
            length = int.from_bytes(data[:2], "big")
            start = float(packet.pts * stream.time_base)
            end = start + float(packet.duration * stream.time_base)
            found.append((start, end, data[2 : 2 + length].decode()))
        return stream, found


@pytest.fixture
def transcribed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A notebook whose recording has a transcript in a private cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    document = notebook_with_beeps(tmp_path, [(0.5, 1.0), (2.3, 3.0)], [], seconds=6.0)
    words = tuple(Word(w, a, b) for w, a, b in SAID)
    segments = (
        Segment(0.4, 1.5, "Rivers carry water", words[:3]),
        Segment(2.2, 3.4, "Clouds bring rain", words[3:6]),
        Segment(4.6, 5.2, "Später", words[6:]),
    )
    spans = recording_spans(document.notebook, document.timeline, 0)
    key = audio_key([(s.content_key, s.played_duration_s) for s in spans])
    transcripts_cache().store("test-transcript", Transcript("de", "hand-made", segments), audio=key)
    return document


def test_the_transcript_is_a_subtitle_track_of_the_clip(transcribed, tmp_path: Path) -> None:
    out = tmp_path / "subtitled.mp4"
    export_clip(transcribed, ClipSpec(0, 1.0, 5.5, size=(320, 240)), out)
    stream, cues = subtitle_cues(out)
    assert stream.codec_context.name == "mov_text"
    assert stream.language == "deu"
    texts = " ".join(text for _, _, text in cues)
    assert "Rivers" not in texts  # said before the clip
    assert "water" in texts and "Clouds bring rain" in texts and "Später" in texts
    starts = {text: start for start, _, text in cues}
    assert starts["Clouds bring rain"] == pytest.approx(2.2 - 1.0, abs=0.002)  # timed from the clip's start
    end = max(end for _, end, text in cues if text == "Clouds bring rain")
    assert end == pytest.approx(3.4 - 1.0, abs=0.002)
    with av.open(str(out)) as container:  # the picture and the sound are still there
        assert [s.type for s in container.streams] == ["video", "audio", "subtitle"]


def test_without_a_transcript_there_is_no_subtitle_track(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    document = notebook_with_beeps(tmp_path, [(0.5, 1.0)], [], seconds=2.0)
    out = tmp_path / "plain.mp4"
    export_clip(document, ClipSpec(0, 0.0, 2.0, size=(320, 240)), out)
    with av.open(str(out)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
