"""`export --normalize`: a quiet lecture (−38 LUFS) with 0 dBFS pen clicks comes out at
the loudness target, under the −1 dBTP ceiling, with the speech's own envelope."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from support.quiet_speech import RATE, lecture_notebook, quiet_lecture

from pencastviewer.media.loudness import measure


@pytest.fixture(scope="module")
def lecture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    folder = tmp_path_factory.mktemp("quiet")
    samples, clean, spans = quiet_lecture(folder)
    return lecture_notebook(folder, samples, spans), samples, clean


def _export(notebook: Path, out: Path, *options: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pencastviewer", "export", str(notebook), "-o", str(out), *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def _envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS per 50 ms, in dB: the shape of the speech over time."""
    n = len(samples) // (rate // 20) * (rate // 20)
    power = np.square(samples[:n].reshape(-1, rate // 20)).mean(axis=1)
    return 10 * np.log10(np.maximum(power, 1e-10))


def test_the_source_is_as_quiet_as_described(lecture):
    _, samples, clean = lecture
    assert measure(clean, RATE).integrated_lufs == pytest.approx(-38.0, abs=0.2)
    assert measure(samples, RATE).sample_peak_dbfs > -0.5  # the clicks


@pytest.mark.parametrize(
    "options", [("--normalize",), ("--normalize", "-20"), ("--normalize", "--voice-clarity")]
)
def test_normalized_export_reaches_the_target_under_the_ceiling(tmp_path, lecture, options):
    notebook, _, clean = lecture
    out = tmp_path / "heard.flac"
    _export(notebook, out, *options)
    heard, rate = sf.read(out, dtype="float32")
    target = float(options[1]) if len(options) > 1 and options[1] != "--voice-clarity" else -16.0
    result = measure(heard, rate)
    assert result.integrated_lufs == pytest.approx(target, abs=1.0)
    assert result.sample_peak_dbfs <= -1.0
    assert result.true_peak_dbtp <= -0.9
    if "--voice-clarity" not in options:  # plain normalisation keeps the speech's shape
        speech, heard_envelope = _envelope(clean, rate), _envelope(heard, rate)
        speaking = speech > -70
        correlation = np.corrcoef(speech[speaking], heard_envelope[speaking])[0, 1]
        assert correlation >= 0.95


@pytest.mark.parametrize("target", [-23.0, -20.0, -16.0, -12.0])
def test_with_voice_clarity_the_export_reaches_every_target(tmp_path, lecture, target):
    """The gain is solved through voice clarity's compressor, not beside it: solved without
    it, this lecture came out at −24.1 for −23 and −21.9 for −20 LUFS. At −12 LUFS its
    speech (17 dB from its peaks to its loudness) cannot get there under −1 dBTP at any
    gain (+42 dB reached −12.6 without voice clarity): the gain is then the most allowed,
    and the loudness what the model of the compressor and limiter says it is."""
    from pencastviewer.media.dynamics import MAX_GAIN_DB
    from pencastviewer.media.normalize import heard_lufs, normalization_gain_db

    notebook, samples, _ = lecture
    out = tmp_path / "clear.flac"
    _export(notebook, out, "--normalize", f"{target:g}", "--voice-clarity")
    heard, rate = sf.read(out, dtype="float32")
    result = measure(heard, rate)
    print(f"\nvoice clarity, {target:g} LUFS asked: {result.integrated_lufs:.2f} heard")
    assert result.true_peak_dbtp <= -0.9
    source = measure(samples, RATE)
    gain_db = normalization_gain_db(source, target, voice_clarity=True)
    if gain_db < MAX_GAIN_DB:
        assert result.integrated_lufs == pytest.approx(target, abs=1.0)
    else:
        loudest = heard_lufs(source, MAX_GAIN_DB, clarity_reference_db=target)
        assert target - 3.0 < loudest < target - 1.0  # (the fixture still cannot reach it)
        assert result.integrated_lufs == pytest.approx(loudest, abs=1.0)


def test_without_normalize_the_export_is_the_recording_unchanged(tmp_path, lecture):
    notebook, _, _ = lecture
    out = tmp_path / "as-recorded.wav"
    _export(notebook, out, "--fade", "0")
    heard, _ = sf.read(out, dtype="int16")
    recorded, _ = sf.read(notebook.parent / "lecture.wav", dtype="int16")
    np.testing.assert_array_equal(heard, recorded)


def test_a_target_outside_the_range_is_refused(tmp_path, lecture):
    notebook, _, _ = lecture
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pencastviewer",
            "export",
            str(notebook),
            "-o",
            str(tmp_path / "x.wav"),
            "--normalize",
            "-5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "-23" in result.stderr and "-12" in result.stderr
    assert not (tmp_path / "x.wav").exists()


def _decoded(path: Path) -> tuple[np.ndarray, int]:
    """The first audio track of a file (an MP4, an Ogg), decoded with PyAV, mono float."""
    if path.suffix == ".flac":
        return sf.read(path, dtype="float32")
    with av.open(str(path)) as container:
        frames = [f for f in container.decode(audio=0)]
    rate = frames[0].sample_rate
    return np.concatenate([f.to_ndarray().reshape(f.layout.nb_channels, -1)[0] for f in frames]), rate


def _web_audio(page: Path, folder: Path) -> Path:
    found = re.search(r'src="data:audio/ogg;base64,([A-Za-z0-9+/=]+)"', page.read_text(encoding="utf-8"))
    assert found is not None
    ogg = folder / "from-page.ogg"
    ogg.write_bytes(base64.b64decode(found.group(1)))
    return ogg


@pytest.mark.parametrize("ext", [".mp4", ".html"])
def test_video_and_web_exports_are_processed_as_audio_exports_are(tmp_path, lecture, ext):
    """--normalize and --voice-clarity make the sound of an MP4 and of a web page what they
    make an audio export's: an MP4's track is the .m4a export's AAC sample for sample; the
    web page's Opus has the FLAC export's loudness and envelope; both reach the target
    under the ceiling. Without them the sound keeps the recording's own quiet level."""
    notebook, samples, _ = lecture
    for options in (("--normalize", "-20"), ("--normalize", "--voice-clarity")):
        reference = tmp_path / ("reference.m4a" if ext == ".mp4" else "reference.flac")
        _export(notebook, reference, *options)
        expected, rate = _decoded(reference)
        out = tmp_path / f"heard{ext}"
        _export(notebook, out, *options)
        heard, heard_rate = _decoded(out if ext == ".mp4" else _web_audio(out, tmp_path))
        result = measure(heard, heard_rate)
        if ext == ".mp4":
            n = len(expected)
            assert heard_rate == rate and abs(len(heard) - n) < 2048
            np.testing.assert_allclose(heard[:n], expected[: len(heard)], atol=1e-6)
        else:  # Opus at 32 kbit/s drops the espeak voice's top octave: 0.7 LU
            assert result.integrated_lufs == pytest.approx(measure(expected, rate).integrated_lufs, abs=0.9)
            envelope, reference_envelope = _envelope(heard, rate), _envelope(expected, rate)
            n = min(len(envelope), len(reference_envelope))
            assert np.corrcoef(envelope[:n], reference_envelope[:n])[0, 1] >= 0.98
        assert result.integrated_lufs == pytest.approx(-20.0 if "-20" in options else -16.0, abs=1.0)
        # lossy: limited at −2 dBTP, so the codec's overshoot (AAC: up to 0.9 dB) stays under
        # −1 dBTP; not limited, the 0 dBFS clicks would come out 20 dB above full scale
        assert result.true_peak_dbtp <= -1.0
    out = tmp_path / f"as-recorded{ext}"
    _export(notebook, out)
    heard, heard_rate = _decoded(out if ext == ".mp4" else _web_audio(out, tmp_path))
    source_lufs = measure(samples, RATE).integrated_lufs
    assert measure(heard, heard_rate).integrated_lufs == pytest.approx(source_lufs, abs=0.5)


@pytest.mark.parametrize("ext", [".m4a", ".mp3", ".opus"])
def test_a_lossy_export_stays_under_the_ceiling_once_decoded(tmp_path, lecture, ext):
    """The limiter leaves a lossy codec headroom (−2 dBTP): decoded, the normalised lecture's
    true peak is under −1 dBTP (at −1 dBTP, AAC came back at −0.1) and it is at the target."""
    notebook, _, _ = lecture
    out = tmp_path / f"heard{ext}"
    _export(notebook, out, "--normalize")
    heard, rate = _decoded(out)
    result = measure(heard, rate)
    assert result.true_peak_dbtp <= -1.0
    assert result.integrated_lufs == pytest.approx(-16.0, abs=1.0)
