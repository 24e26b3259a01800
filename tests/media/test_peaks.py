"""The peak pyramid: exact min/max at every level, level choice, cache file, cancel, the job."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app import peaks_job
from pencastviewer.app.peaks_job import PeaksJob, load_or_build
from pencastviewer.media import cache, peaks
from pencastviewer.media.peaks import (
    BIN_FRAMES,
    PeakBuilder,
    PeakPyramid,
    PeaksCancelled,
    PeaksFileError,
    build_pyramid,
    cache_key,
)

# ---- factories ----------------------------------------------------------------------------------


def random_signal(n_frames: int, channels: int = 1, seed: int = 0) -> np.ndarray:
    """Noise whose loudness varies block to block, clipped a little beyond full scale."""
    rng = np.random.default_rng(seed)
    gain = np.repeat(rng.uniform(0.01, 1.3, n_frames // 1000 + 1), 1000)[:n_frames, None]
    return (rng.standard_normal((n_frames, channels)) * 0.5 * gain).astype(np.float32)


def write_wav(path: Path, signal: np.ndarray, rate: int) -> Path:
    sf.write(path, signal, rate, subtype="FLOAT")
    return path


def quantized(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values.astype(np.float64) * 32767), -32768, 32767).astype(np.int16)


def brute_force_level(signal: np.ndarray, level: int) -> np.ndarray:
    """(min, max) over every channel of each run of BIN_FRAMES * 2**level frames, one by one."""
    size = BIN_FRAMES * 2**level
    rows = [(signal[i : i + size].min(), signal[i : i + size].max()) for i in range(0, len(signal), size)]
    return quantized(np.array(rows, dtype=np.float32).reshape(-1, 2))


def assert_matches_brute_force(pyramid: PeakPyramid, signal: np.ndarray) -> None:
    assert pyramid.n_frames == len(signal)
    sizes = [len(bins) for bins in pyramid.levels]
    assert sizes[-1] <= peaks.TOP_LEVEL_BINS < min(sizes[:-1], default=peaks.TOP_LEVEL_BINS + 1)
    for level, bins in enumerate(pyramid.levels):
        np.testing.assert_array_equal(bins, brute_force_level(signal, level), err_msg=f"level {level}")


# ---- building -----------------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [1, 2])
def test_every_level_equals_brute_force_on_random_blocks(channels: int) -> None:
    signal = random_signal(300_001, channels)
    rng = np.random.default_rng(1)
    builder, start = PeakBuilder(48000), 0
    while start < len(signal):  # ragged blocks: bins straddle block boundaries
        n = int(rng.integers(1, 3000))
        builder.feed(signal[start : start + n])
        start += n
    assert_matches_brute_force(builder.finish(), signal)


def test_files_back_to_back_are_one_pyramid_cut_or_padded_to_their_seconds(tmp_path: Path) -> None:
    rate = 8000
    a = random_signal(10_000, 2, seed=2)  # stereo, 1.25 s, played as 1.0 s (cut)
    b = random_signal(7_000, 1, seed=3)  # mono, 0.875 s, played as 1.0 s (padded with silence)
    c = random_signal(4_321, 1, seed=4)  # its own length
    files = [
        (write_wav(tmp_path / "a.wav", a, rate), 1.0),
        (write_wav(tmp_path / "b.wav", b, rate), 1.0),
        (write_wav(tmp_path / "c.wav", c, rate), None),
    ]
    pyramid = build_pyramid(files)
    assert pyramid.n_frames == rate + rate + len(c) and pyramid.sample_rate == rate
    # brute force over the concatenation; mono files doubled to two identical channels
    padded_b = np.concatenate([b, np.zeros((rate - len(b), 1), np.float32)])
    frames = [a[:rate], np.repeat(padded_b, 2, axis=1), np.repeat(c, 2, axis=1)]
    assert_matches_brute_force(pyramid, np.concatenate(frames))


def test_a_file_at_another_rate_is_brought_to_the_first_files_rate(tmp_path: Path) -> None:
    first = random_signal(16_000, seed=5)
    half_rate = random_signal(8_000, seed=6)
    files = [
        (write_wav(tmp_path / "a.wav", first, 16000), None),
        (write_wav(tmp_path / "b.wav", half_rate, 8000), None),
    ]
    pyramid = build_pyramid(files)
    assert pyramid.sample_rate == 16000
    assert_matches_brute_force(pyramid, np.concatenate([first, np.repeat(half_rate, 2, axis=0)]))


def test_an_empty_recording_has_an_empty_pyramid(tmp_path: Path) -> None:
    pyramid = build_pyramid([(write_wav(tmp_path / "empty.wav", np.zeros((0, 1), np.float32), 8000), None)])
    assert pyramid.n_frames == 0 and len(pyramid.levels[0]) == 0
    times, mins, maxs = pyramid.query(0.0, 10.0, 100)
    assert len(times) == len(mins) == len(maxs) == 0


# ---- query --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_pyramid() -> PeakPyramid:
    """One hour at 48 kHz: level-0 bins made up directly (the builder is tested above)."""
    rate, n_frames = 48000, 3600 * 48000
    n_bins = -(-n_frames // BIN_FRAMES)
    values = np.random.default_rng(7).integers(0, 30000, n_bins).astype(np.int16)
    return PeakPyramid(rate, n_frames, np.stack([-values, values], axis=1))


@pytest.mark.parametrize(
    ("start_s", "end_s", "n_bins"),
    [(0, 3600, 1000), (100, 160, 800), (1000, 1003, 800), (5, 6, 2000), (0, 3600, 3), (3590, 3700, 640)],
)
def test_query_takes_the_coarsest_level_with_enough_bins(
    long_pyramid: PeakPyramid, start_s: float, end_s: float, n_bins: int
) -> None:
    p = long_pyramid
    times, mins, maxs = p.query(start_s, end_s, n_bins)
    step_s = times[1] - times[0]
    level = round(np.log2(step_s * p.sample_rate / BIN_FRAMES))
    visible_s = min(end_s, p.duration_s) - start_s
    bins_in_range = visible_s * p.sample_rate / p.bin_frames(level)
    coarser_bins = bins_in_range / 2
    if level > 0:
        assert bins_in_range >= n_bins, "the level chosen is too coarse"
    assert level == len(p.levels) - 1 or coarser_bins < n_bins, "a coarser level had enough bins"
    assert times[0] <= start_s < times[0] + step_s
    assert times[-1] < min(end_s, p.duration_s) <= times[-1] + step_s
    first = round(times[0] / step_s)
    expected = p.levels[level][first : first + len(times)] / 32767
    np.testing.assert_allclose(mins, expected[:, 0], rtol=1e-6)
    np.testing.assert_allclose(maxs, expected[:, 1], rtol=1e-6)


def test_query_below_level_zero_resolution_returns_level_zero(long_pyramid: PeakPyramid) -> None:
    times, _, _ = long_pyramid.query(10.0, 10.5, 1000)  # 94 level-0 bins for 1000 pixels
    assert times[1] - times[0] == pytest.approx(BIN_FRAMES / 48000)
    assert 93 <= len(times) <= 95


# ---- cache --------------------------------------------------------------------------------------


def test_cache_file_round_trip_is_equal_and_checks_its_key(tmp_path: Path, long_pyramid: PeakPyramid) -> None:
    path = tmp_path / "p.peaks"
    long_pyramid.save(path, key="abc")
    loaded = PeakPyramid.load(path, key="abc")
    assert (loaded.sample_rate, loaded.n_frames) == (long_pyramid.sample_rate, long_pyramid.n_frames)
    assert len(loaded.levels) == len(long_pyramid.levels)
    for mine, theirs in zip(loaded.levels, long_pyramid.levels, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    with pytest.raises(PeaksFileError, match="other audio"):
        PeakPyramid.load(path, key="another")


def test_damaged_cache_files_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.peaks"
    PeakPyramid(8000, 1000, np.zeros((4, 2), np.int16)).save(good)
    data = good.read_bytes()
    header_end = data.index(b"}") + 1
    lying = data[:header_end].replace(b'"n_bins": 4', b'"n_bins": 4000000000') + data[header_end:]
    cases = {
        "truncated": data[:-3],
        "not ours": b"RIFF" + data[4:],
        "no header": data[:10],
        "header lies": lying,
    }
    for name, damaged in cases.items():
        path = tmp_path / f"{name}.peaks"
        path.write_bytes(damaged)
        with pytest.raises(PeaksFileError):
            PeakPyramid.load(path)


def test_a_changed_file_misses_the_cache(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "a.wav", random_signal(20_000, seed=8), 8000)
    files = [(audio, None)]
    first = load_or_build(files, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.peaks"))) == 1
    louder = random_signal(20_000, seed=8) * 0  # same size, other samples: silence
    write_wav(audio, louder, 8000)
    second = load_or_build(files, tmp_path / "cache")
    assert first.levels[0][:, 1].max() > 1000
    assert second.levels[0].max() == 0 == second.levels[0].min()


def test_a_cached_pyramid_is_loaded_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [(write_wav(tmp_path / "a.wav", random_signal(20_000, seed=9), 8000), None)]
    built = load_or_build(files, tmp_path)
    monkeypatch.setattr(peaks_job, "build_pyramid", lambda *a: pytest.fail("rebuilt despite the cache"))
    np.testing.assert_array_equal(load_or_build(files, tmp_path).levels[0], built.levels[0])


def test_quick_key_of_large_files_sees_size_head_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "FULL_HASH_BYTES", 1000)
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(3 << 20))
    files = [(path, None)]
    keys = {cache_key(files)}
    with open(path, "r+b") as f:
        f.write(b"\x01")  # same size, first byte changed
    os.utime(path, ns=(1, 1))
    keys.add(cache_key(files))
    os.utime(path, ns=(2, 2))  # only the mtime changed
    keys.add(cache_key(files))
    assert len(keys) == 3
    assert cache_key(files) != cache_key([(path, 1.0)]), "the seconds each file spans are part of the key"


# ---- cancel -------------------------------------------------------------------------------------


def test_cancel_stops_the_build_and_its_decoding_thread(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "a.wav", random_signal(peaks.READ_FRAMES * 8, seed=10), 48000)
    calls: list[float] = []

    def cancel_after_two(fraction: float) -> bool:
        calls.append(fraction)
        return len(calls) >= 2

    with pytest.raises(PeaksCancelled):
        build_pyramid([(audio, None)], cancel_after_two)
    assert len(calls) == 2 and calls[1] <= 0.25
    assert not [t for t in threading.enumerate() if t.name == "peaks-decode"]


def test_job_reports_progress_and_result_then_cancel_writes_nothing(tmp_path: Path, qtbot) -> None:
    audio = write_wav(tmp_path / "a.wav", random_signal(peaks.READ_FRAMES * 4, seed=11), 48000)
    job = PeaksJob([(str(audio), 0.0)], directory=tmp_path / "cache")
    fractions: list[float] = []
    job.progressed.connect(fractions.append)
    with qtbot.waitSignal(job.finished, timeout=20000) as result:
        job.start()
    assert isinstance(result.args[0], PeakPyramid) and result.args[0].n_frames == peaks.READ_FRAMES * 4
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    cancelled = PeaksJob([(str(audio), 0.0)], directory=tmp_path / "other")
    cancelled.cancel()
    with qtbot.waitSignal(cancelled.cancelled, timeout=20000):
        cancelled.start()
    assert not (tmp_path / "other").exists() or not list((tmp_path / "other").glob("*.peaks"))


def test_job_reports_an_unreadable_file(tmp_path: Path, qtbot) -> None:
    job = PeaksJob([(str(tmp_path / "missing.wav"), 1.0)], directory=tmp_path)
    with qtbot.waitSignal(job.failed, timeout=20000) as failed:
        job.start()
    assert "missing.wav" in failed.args[0]


def test_the_peaks_pass_pauses_while_a_tap_s_audio_is_decoded(tmp_path):
    """While the playable copy decodes what a tap waits for (media.priority.urgent), the
    waveform's pass feeds no block; it goes on once that is done."""
    import time

    from pencastviewer.media.priority import urgent

    path = tmp_path / "a.flac"
    sf.write(path, random_signal(10 * 48000), 48000)
    done: list[float] = []
    pyramids: list[PeakPyramid] = []

    def build() -> None:
        pyramids.append(build_pyramid([(str(path), None)], progress=lambda f: bool(done.append(f))))

    with urgent():
        worker = threading.Thread(target=build)
        worker.start()
        time.sleep(0.5)  # (less than the longest pause, 2 s): not a frame fed meanwhile
        assert done == []
    worker.join(30)
    assert done[-1] == 1.0 and pyramids[0].n_frames == 10 * 48000
