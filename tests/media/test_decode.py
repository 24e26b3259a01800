"""Audio decoding: exact lengths, sample-exact random access, streaming blocks, the AAC priming rule."""

from __future__ import annotations

import shutil
import subprocess
import tracemalloc
from pathlib import Path

import av
import numpy as np
import pikepdf
import pytest
import soundfile as sf
from support.xcorr import locate

from pencastviewer.media.decode import open_audio
from pencastviewer.media.probe import probe
from pencastviewer.media.source import AudioError

# Livescribe fixtures: (file, decoded samples at 16 kHz, audio_file end − start in ms).
LIVESCRIBE_AUDIO = [
    ("3-dots.pdf", 119_808, 7_488),
    ("corners-page.pdf", 333_824, 20_864),
    ("2-pages.pdf", 2_013_184, 125_824),
]
AAC_FRAME = 1024


# ---- factories ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, int]:
    """Stereo speech (espeak-ng when installed, else a chirp over noise); right = left / 2."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        wav = tmp_path_factory.mktemp("speech") / "speech.wav"
        text = "Decoding test: seven words spoken, then seven more for a longer recording."
        subprocess.run([espeak, "-w", str(wav), text], check=True, capture_output=True)
        mono, rate = sf.read(wav, dtype="float32")
    else:
        rate = 22050
        t = np.arange(5 * rate) / rate
        noise = np.random.default_rng(0).normal(0, 0.05, len(t))
        mono = (0.4 * np.sin(2 * np.pi * (200 + 300 * t) * t) + noise).astype(np.float32)
    return np.stack([mono, mono / 2], axis=1).astype(np.float32), rate


def write_aac(path: Path, signal: np.ndarray, rate: int, container_format: str) -> Path:
    """AAC in MP4 (which FFmpeg marks with an edit list for the priming) or raw ADTS (no
    way to mark it). PNS is off: FFmpeg's decoder fills PNS bands from a running random
    generator, so two decodes of such a file differ there whatever the seeking."""
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream("aac", rate=rate, layout="stereo" if signal.shape[1] == 2 else "mono")
        stream.codec_context.options = {"aac_pns": "0"}
        for start in range(0, len(signal), AAC_FRAME):
            chunk = np.ascontiguousarray(signal[start : start + AAC_FRAME].T)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=stream.layout.name)
            frame.sample_rate, frame.pts = rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def write_sf(path: Path, signal: np.ndarray, rate: int, **kwargs: str) -> Path:
    """In one-second pieces: libsndfile 1.2 crashes writing a long Ogg Vorbis in one call."""
    with sf.SoundFile(path, "w", rate, signal.shape[1], **kwargs) as out:
        for start in range(0, len(signal), rate):
            out.write(signal[start : start + rate])
    return path


@pytest.fixture(scope="module")
def encoded(speech: tuple[np.ndarray, int], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The speech as WAV, FLAC, Ogg Vorbis, MP3, M4A and ADTS; Opus at 48 kHz (all it takes)."""
    signal, rate = speech
    folder = tmp_path_factory.mktemp("encoded")
    write_sf(folder / "s.wav", signal, rate, subtype="PCM_16")
    write_sf(folder / "s.flac", signal, rate)
    write_sf(folder / "s.ogg", signal, rate, format="OGG", subtype="VORBIS")
    write_sf(folder / "s.mp3", signal, rate, format="MP3")
    at_48k = signal[np.arange(len(signal) * 48000 // rate) * rate // 48000]
    write_sf(folder / "s.opus", at_48k, 48000, format="OGG", subtype="OPUS")
    write_aac(folder / "s.m4a", signal, rate, "mp4")
    write_aac(folder / "s.aac", signal, rate, "adts")
    return {p.suffix[1:]: p for p in folder.iterdir()}


def livescribe_audio(pdf_path: Path) -> bytes:
    with pikepdf.open(pdf_path) as pdf:
        return pdf.attachments["Livescribe_Audio0.m4a"].get_file().read_bytes()


def sequential(path_or_bytes: Path | bytes, **kwargs: str) -> np.ndarray:
    with open_audio(path_or_bytes, **kwargs) as decoder:
        return np.concatenate(list(decoder.blocks(4096)))


def assert_reads_match(source: Path | bytes, full: np.ndarray, starts: list[int], n: int = 3000) -> None:
    """A fresh decoder, read at `starts` in the given (non-monotonic) order, gives exactly
    the slices of one sequential decode."""
    with open_audio(source, name_hint="x.m4a" if isinstance(source, bytes) else "") as decoder:
        for start in starts:
            got = decoder.read(start, n)
            assert np.array_equal(got, full[start : start + n]), f"read({start}, {n}) differs"


def spread_starts(n_frames: int) -> list[int]:
    """Far jumps both ways, codec-frame boundaries ±1, a step back, the very end."""
    return [
        n_frames // 2,
        5,
        n_frames // 3 * 2 + 1,
        AAC_FRAME * 40 - 1,
        AAC_FRAME * 40,
        AAC_FRAME * 40 + 1,
        n_frames // 2 - 7000,
        3 * AAC_FRAME + 17,
        n_frames - 100,
        0,
        n_frames // 4,
    ]


# ---- our own files: WAV, FLAC, Ogg Vorbis, M4A, ADTS ---------------------------------------------


@pytest.mark.parametrize("kind", ["wav", "flac", "ogg", "opus", "m4a", "aac"])
def test_read_at_any_start_equals_the_sequential_decode(encoded: dict[str, Path], kind: str) -> None:
    full = sequential(encoded[kind])
    assert full.dtype == np.float32 and full.shape[1] == 2
    assert_reads_match(encoded[kind], full, spread_starts(len(full)))


def test_ogg_seeks_after_a_full_pass_are_exact(speech: tuple[np.ndarray, int], tmp_path: Path) -> None:
    """After one sequential pass (as the waveform view makes) an Ogg decoder seeks through
    libsndfile, checked against what it remembered; the result is still exact."""
    signal, rate = speech
    path = write_sf(tmp_path / "long.ogg", np.tile(signal, (8, 1)), rate, format="OGG", subtype="VORBIS")
    full = sequential(path)
    rng = np.random.default_rng(3)
    with open_audio(path) as decoder:
        assert sum(len(block) for block in decoder.blocks()) == len(full)
        for start in [int(s) for s in rng.integers(0, len(full), 60)] + [131072 + 64, 262144 + 1]:
            assert np.array_equal(decoder.read(start, 2000), full[start : start + 2000]), start


def test_mp3_reads_land_on_the_right_sample(encoded: dict[str, Path]) -> None:
    """libsndfile's MP3 output differs in the last bit with the read sizes, so equal to
    float32 rounding rather than bit for bit; a misplaced read would differ by ~0.1."""
    full = sequential(encoded["mp3"])
    with open_audio(encoded["mp3"]) as decoder:
        for start in spread_starts(len(full)):
            np.testing.assert_allclose(decoder.read(start, 3000), full[start : start + 3000], atol=1e-6)


@pytest.mark.parametrize("kind", ["wav", "flac", "ogg", "mp3", "m4a", "aac"])
def test_length_probe_and_decode_agree(
    encoded: dict[str, Path], speech: tuple[np.ndarray, int], kind: str
) -> None:
    signal, rate = speech
    info = probe(encoded[kind])
    full = sequential(encoded[kind])
    assert (info.sample_rate, info.channels) == (rate, 2)
    assert info.n_frames == len(full)
    if kind in ("wav", "flac", "ogg", "mp3"):
        assert info.n_frames == len(signal)
    else:  # AAC rounds up to whole 1024-sample frames, plus the priming frame in raw ADTS
        assert abs(info.n_frames - len(signal)) <= 2 * AAC_FRAME


@pytest.mark.parametrize("kind", ["wav", "flac", "ogg", "opus", "mp3", "m4a", "aac"])
def test_channels_keep_their_order(encoded: dict[str, Path], kind: str) -> None:
    full = sequential(encoded[kind])
    rms = np.sqrt(np.mean(full.astype(np.float64) ** 2, axis=0))
    assert rms[1] / rms[0] == pytest.approx(0.5, abs=0.05)


def test_codec_names(encoded: dict[str, Path]) -> None:
    codecs = {kind: probe(path).codec for kind, path in encoded.items()}
    assert codecs == {
        "wav": "pcm",
        "flac": "flac",
        "ogg": "vorbis",
        "opus": "opus",
        "mp3": "mp3",
        "m4a": "aac",
        "aac": "aac",
    }


def test_priming_dropped_only_when_the_container_says_so(
    encoded: dict[str, Path], speech: tuple[np.ndarray, int]
) -> None:
    """The MP4 carries an edit list (FFmpeg drops the priming: decoded sample k = source
    sample k); raw ADTS cannot say, so the priming frame stays and the sound starts 1024
    samples in."""
    source = speech[0][:, 0]
    for kind, expected_lag in (("m4a", 0), ("aac", AAC_FRAME)):
        decoded = sequential(encoded[kind])[:, 0]
        snippet = decoded[20_000 + expected_lag : 30_000 + expected_lag]
        found = locate(snippet, source, 20_000 - 3 * AAC_FRAME, 20_000 + 3 * AAC_FRAME)
        assert abs(found - 20_000) <= 2, kind


def test_blocks_cover_the_range_in_order(encoded: dict[str, Path]) -> None:
    full = sequential(encoded["m4a"])
    with open_audio(encoded["m4a"]) as decoder:
        blocks = list(decoder.blocks(1000, start_frame=500, end_frame=10_500))
    assert [len(b) for b in blocks] == [1000] * 10
    assert np.array_equal(np.concatenate(blocks), full[500:10_500])


@pytest.mark.parametrize("kind", ["wav", "m4a"])
def test_reads_are_clipped_to_the_file(encoded: dict[str, Path], kind: str) -> None:
    full = sequential(encoded[kind])
    with open_audio(encoded[kind]) as decoder:
        assert np.array_equal(decoder.read(decoder.n_frames - 10, 100), full[-10:])
        assert np.array_equal(decoder.read(-5, 10), full[:5])
        assert decoder.read(decoder.n_frames + 5, 10).shape == (0, 2)


@pytest.mark.parametrize("kind", ["wav", "ogg", "m4a"])
def test_bytes_decode_like_the_file(encoded: dict[str, Path], kind: str) -> None:
    data = encoded[kind].read_bytes()
    full = sequential(encoded[kind])
    assert np.array_equal(sequential(data, name_hint=encoded[kind].name), full)
    assert np.array_equal(sequential(data), full)  # no hint: recognised from the bytes
    assert probe(data).n_frames == len(full)


def test_unreadable_input_raises_audio_error(encoded: dict[str, Path], tmp_path: Path) -> None:
    truncated = tmp_path / "cut.m4a"
    truncated.write_bytes(encoded["m4a"].read_bytes()[:5000])  # the MP4 index is at the end
    for source in (tmp_path / "absent.wav", b"", b"not audio at all" * 100, truncated):
        with pytest.raises(AudioError):
            open_audio(source)
        with pytest.raises(AudioError):
            probe(source)


# ---- the Livescribe recordings -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "samples", "span_ms"), LIVESCRIBE_AUDIO)
def test_livescribe_audio_length_matches_the_pen_clock(
    livescribe_dir: Path, name: str, samples: int, span_ms: int
) -> None:
    data = livescribe_audio(livescribe_dir / name)
    stsd_channels = int.from_bytes(data[data.index(b"mp4a") + 20 : data.index(b"mp4a") + 22], "big")
    info = probe(data, name_hint="Livescribe_Audio0.m4a")
    decoded = sequential(data, name_hint="Livescribe_Audio0.m4a")
    assert stsd_channels == 2  # the header's claim ...
    assert (info.codec, info.sample_rate, info.channels) == ("aac", 16000, 1)  # ... and the truth
    assert info.n_frames == len(decoded) == samples
    assert samples % AAC_FRAME == 0  # every AAC frame decoded: the priming frame is kept
    assert abs(len(decoded) - span_ms * 16) <= AAC_FRAME


def test_livescribe_aac_reads_are_sample_exact(livescribe_dir: Path) -> None:
    data = livescribe_audio(livescribe_dir / "2-pages.pdf")
    full = sequential(data, name_hint="a.m4a")
    rng = np.random.default_rng(7)
    starts = spread_starts(len(full)) + [int(s) for s in rng.integers(0, len(full), 20)]
    assert_reads_match(data, full, starts)


def test_blocks_stream_without_holding_the_recording(livescribe_dir: Path) -> None:
    """126 s of audio is 8 MB as float32; iterating blocks must hold about one block."""
    data = livescribe_audio(livescribe_dir / "2-pages.pdf")
    with open_audio(data, name_hint="a.m4a") as decoder:
        tracemalloc.start()
        total, longest = 0, 0
        for block in decoder.blocks(65536):
            total += len(block)
            longest = max(longest, len(block))
        _, peak_bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert total == 2_013_184 and longest == 65536
    assert peak_bytes < 2 * 1024**2
