"""The playable copy: files decoded, resampled and joined, trimmed or padded to the
durations asked; a WAV already fit to play is used as it is."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.pulse import warm_decoding_child

from pencastviewer.audio import decode_process
from pencastviewer.audio.pcm_copy import CHUNK_FRAMES, Cancelled, PcmCopy, make_playable, remove_stale_copies
from pencastviewer.audio.pcm_runs import Run, Segment
from pencastviewer.media.dynamics import Processing
from pencastviewer.media.source import AudioError


def tone_file(path: Path, seconds: float, rate: int, hz: float = 440.0, channels: int = 1) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    tone = (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    sf.write(path, np.repeat(tone[:, None], channels, axis=1) if channels > 1 else tone, rate)
    return path


def test_files_are_joined_trimmed_and_padded_to_their_durations(tmp_path):
    first = tone_file(tmp_path / "a.flac", 1.0, 16000)
    second = tone_file(tmp_path / "b.ogg", 0.5, 48000, hz=880.0)
    playable = make_playable([(str(first), 0.8), (str(second), 0.7)], 48000, str(tmp_path))
    try:
        assert playable.temporary
        assert playable.durations_s == pytest.approx((0.8, 0.7))
        samples, rate = sf.read(playable.path, dtype="float32")
        assert rate == 48000 and samples.ndim == 1
        assert len(samples) == round(1.5 * 48000)
        assert np.max(np.abs(samples[round(0.75 * 48000) : round(0.8 * 48000)])) > 0.3  # trimmed tone
        assert np.max(np.abs(samples[round(0.85 * 48000) : round(1.25 * 48000)])) > 0.3  # second file
        assert np.max(np.abs(samples[round(1.31 * 48000) :])) == 0.0  # padded with silence
    finally:
        Path(playable.path).unlink()


def test_stereo_when_any_file_is_stereo_and_lengths_by_decoding(tmp_path):
    mono = tone_file(tmp_path / "m.wav", 0.25, 22050)
    stereo = tone_file(tmp_path / "s.flac", 0.5, 44100, channels=2)
    playable = make_playable([(str(mono), None), (str(stereo), None)], 44100, str(tmp_path))
    try:
        info = sf.info(playable.path)
        assert info.channels == 2 and info.samplerate == 44100
        assert playable.durations_s == (round(0.25 * 22050) / 22050, 0.5)  # exact, through resampling
    finally:
        Path(playable.path).unlink()


def test_a_wav_fit_to_play_is_used_as_it_is(tmp_path):
    wav = tmp_path / "ready.wav"
    sf.write(wav, np.zeros(4800, np.float32), 48000, subtype="PCM_16")
    playable = make_playable([(str(wav), None)], 48000, str(tmp_path))
    assert playable.path == str(wav) and not playable.temporary
    assert make_playable([(str(wav), None)], 44100, str(tmp_path)).temporary  # wrong rate: copied


def test_cancel_and_errors_leave_no_file(tmp_path):
    good = tone_file(tmp_path / "a.wav", 0.5, 16000)
    bad = tmp_path / "bad.ogg"
    bad.write_bytes(b"OggS but not really" * 10)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        make_playable([(str(good), None)], 48000, str(tmp_path), cancel)
    with pytest.raises(AudioError, match=r"bad\.ogg"):
        make_playable([(str(good), None), (str(bad), None)], 48000, str(tmp_path))
    assert not list(tmp_path.glob("pencastviewer-play-*"))


# --- the copy made progressively: what is asked for first --------------------------------
def chirp(t_s: np.ndarray) -> np.ndarray:
    """A rising tone (every moment differs; a lossy codec codes it without noise filling)."""
    return (0.4 * np.sin(2 * np.pi * (200 * t_s + 20 * t_s * t_s))).astype(np.float32)


def chirp_file(path: Path, seconds: float, rate: int, **write_options) -> Path:
    sf.write(path, chirp(np.arange(round(seconds * rate)) / rate), rate, **write_options)
    return path


@pytest.mark.parametrize("in_child", [False, True], ids=["in-thread", "in-child"])
def test_a_copy_made_in_any_order_equals_the_one_made_in_order(tmp_path, in_child):
    """Runs of chunks started anywhere (resampled from 16 and 44.1 kHz, decoded from FLAC,
    WAV and Ogg Vorbis, which is sought with FFmpeg) join into the same samples as one pass,
    written in the copy's thread or in a child process (decode_process), chunk by chunk or
    what a request waits for in one piece."""
    files = [
        (str(chirp_file(tmp_path / "a.flac", 9.0, 16000)), 8.5),
        (str(chirp_file(tmp_path / "b.wav", 7.0, 44100, subtype="PCM_16")), None),
        (str(chirp_file(tmp_path / "c.ogg", 8.0, 48000, format="OGG", subtype="VORBIS")), 9.0),
    ]
    in_order = make_playable(files, 48000, str(tmp_path))
    if in_child:
        wait_for_spare_child()
    copy = PcmCopy(files, 48000, str(tmp_path), in_child=in_child)
    targets = iter(np.random.default_rng(0).uniform(0.0, 24.5, 12).tolist())
    waits = iter(np.random.default_rng(1).choice([0.0, 0.5, 2.0], 12).tolist())
    copy.notify = True

    def jump_elsewhere() -> None:
        assert decode_process._spare is None or not in_child  # the copy has the child
        target = next(targets, None)
        if target is not None:
            copy.request(target, wanted_s=next(waits))

    copy.request(20.0)
    copy.run(threading.Event(), advanced=jump_elsewhere)
    try:
        expected, _ = sf.read(in_order.path, dtype="int16")
        made, rate = sf.read(copy.path, dtype="int16")
        assert rate == 48000 and copy.durations_s == pytest.approx(in_order.durations_s)
        assert len(made) == len(expected) == round(24.5 * 48000)
        assert np.max(np.abs(made.astype(int) - expected)) <= 1  # Vorbis: FFmpeg vs libsndfile rounding
        at_48k = chirp(np.arange(48000, 96000) / 48000)  # b.wav's second second, made from 44.1 kHz
        assert np.max(np.abs(made[round(9.5 * 48000) : round(10.5 * 48000)] / 32768 - at_48k)) < 0.003
    finally:
        copy.release()
        Path(in_order.path).unlink()
    assert not Path(copy.path).exists()


def wait_for_spare_child() -> None:
    """A child process ready to decode (decode_process.warm starts one, as the output does)."""
    warm_decoding_child()
    assert decode_process._spare is not None and decode_process._spare.ready()


def test_the_player_gets_the_file_at_once_then_the_requested_place_is_written_first(tmp_path):
    """The header alone is written before the player is given the file (it loads it while
    the audio is decoded); a place requested far ahead comes first, all it waits for before
    any other audio, the start included."""
    source = chirp_file(tmp_path / "long.flac", 60.0, 48000)
    copy = PcmCopy([(str(source), None)], 48000, str(tmp_path), processing=Processing(gain_db=6.0))
    copy.request(40.0, wanted_s=5.5)
    seen: dict[str, object] = {}
    order: list[str] = []

    def started() -> None:
        seen["frames"] = sf.info(copy.path).frames  # the header says the final length at once
        seen["anything"] = any(copy.covers(t, t + 0.3) for t in range(60))

    def advanced() -> None:  # after each chunk: the first time each place is in
        for name, start_s, end_s in (("wanted", 40.0, 45.5), ("start", 0.0, 0.3), ("after", 50.0, 50.3)):
            if name not in seen and copy.covers(start_s, end_s):
                seen[name] = len(order)
        order.append("chunk")

    copy.notify = True
    copy.run(threading.Event(), started, advanced)
    try:
        assert seen["frames"] == 60 * 48000 and seen["anything"] is False
        chunk_s = CHUNK_FRAMES / 48000
        assert seen["wanted"] <= 5.5 / chunk_s + 1  # nothing but the wanted place before it...
        assert seen["wanted"] < seen["after"] < seen["start"]  # ...then on from there, then the rest
        assert copy.complete and copy.covers(0.0, 60.0)
    finally:
        copy.release()


def test_a_run_decodes_what_a_tap_waits_for_in_one_block(tmp_path):
    """A run started for a tap decodes and processes the LEAD it waits for at once, not
    in 1.4 s blocks with one more block of look-ahead: after its first chunk, the rest of
    what is wanted is already decoded (Run._pending, read only here), and the samples are
    those of a run made without the wish."""
    source = chirp_file(tmp_path / "long.flac", 30.0, 16000)
    segment = Segment(str(source), 0, 30 * 48000)
    heard = Processing(gain_db=12.0)
    eager = Run(segment, 10 * 48000 + 123, 48000, 1, heard, wanted_frames=round(5.5 * 48000))
    plain = Run(segment, 10 * 48000 + 123, 48000, 1, heard)
    try:
        first = eager.read(CHUNK_FRAMES)
        assert len(eager._pending) >= round(5.5 * 48000) - CHUNK_FRAMES
        np.testing.assert_array_equal(first, plain.read(CHUNK_FRAMES))
        np.testing.assert_array_equal(eager.read(5 * 48000), plain.read(5 * 48000))
    finally:
        eager.close()
        plain.close()


def test_only_a_run_starting_in_the_waited_for_span_decodes_it_at_once():
    """A run started where the copy wraps round to (the start, after a request near the
    end) is not sized by the request: it would decode the whole file as one block."""
    from pencastviewer.audio.pcm_runs import wanted_of as _wanted_of

    segment = Segment("a.flac", 1000, 10 * CHUNK_FRAMES)
    span = (1000 + 6 * CHUNK_FRAMES + 5, 1000 + 9 * CHUNK_FRAMES)
    assert _wanted_of(1000 + 6 * CHUNK_FRAMES, span, segment) == 3 * CHUNK_FRAMES
    assert _wanted_of(1000 + 8 * CHUNK_FRAMES, span, segment) == CHUNK_FRAMES
    assert _wanted_of(1000, span, segment) == 0
    assert _wanted_of(1000 + 9 * CHUNK_FRAMES, span, segment) == 0
    past_the_end = (1000 + 9 * CHUNK_FRAMES, 1000 + 12 * CHUNK_FRAMES)
    assert _wanted_of(1000 + 9 * CHUNK_FRAMES, past_the_end, segment) == CHUNK_FRAMES


def test_a_copy_released_before_it_is_made_is_never_made(tmp_path):
    copy = PcmCopy([(str(tone_file(tmp_path / "a.wav", 0.5, 16000)), None)], 48000, str(tmp_path / "copies"))
    copy.release()
    with pytest.raises(Cancelled):
        copy.run(threading.Event())
    assert not list((tmp_path / "copies").glob("*"))


def _aged(path: Path, seconds: float) -> Path:
    when = time.time() - seconds
    os.utime(path, (when, when))
    return path


def test_stale_copies_are_removed_but_not_one_in_use_or_just_made(tmp_path):
    """A crashed run leaves its copy unlocked: removed. A copy some viewer plays holds a
    shared lock: kept, however old. One a minute old may not be locked yet: kept."""
    in_use = PcmCopy([(str(tone_file(tmp_path / "a.wav", 0.5, 16000)), None)], 48000, str(tmp_path))
    in_use.run(threading.Event())
    _aged(Path(in_use.path), 3 * 24 * 3600)
    ages_s = {"pencastviewer-play-crashed.wav": 3600, "pencastviewer-play-new.wav": 5, "notes.wav": 3 * 86400}
    for name, age_s in ages_s.items():
        (tmp_path / name).write_bytes(b"RIFF")
        _aged(tmp_path / name, age_s)
    crashed, just_made, other = (tmp_path / name for name in ages_s)
    try:
        assert remove_stale_copies(str(tmp_path)) == 1
        assert not crashed.exists()
        assert Path(in_use.path).exists() and just_made.exists() and other.exists()
    finally:
        in_use.release()
    assert not Path(in_use.path).exists()


def test_a_processed_copy_is_heard_the_same_in_any_order_and_after_a_change(tmp_path):
    """Loudness processing (gain, voice clarity, the −1 dBTP limiter) is applied to the copy:
    runs started anywhere give the samples of one pass, and a copy completed plain and then
    reprocessed (resumed in its own pass) ends up equal to one made processed from the start."""
    files = [
        (str(chirp_file(tmp_path / "a.flac", 6.0, 16000)), 5.5),
        (str(chirp_file(tmp_path / "b.wav", 5.0, 44100, subtype="PCM_16")), None),
    ]
    loud = Processing(gain_db=12.0, voice_clarity=True)  # 0.4 × 4: far over the ceiling
    in_order = make_playable(files, 48000, str(tmp_path), processing=loud)
    plain = make_playable(files, 48000, str(tmp_path))
    copy = PcmCopy(files, 48000, str(tmp_path))
    copy.run(threading.Event())
    assert copy.complete
    targets = iter(np.random.default_rng(1).uniform(0.0, 10.0, 8).tolist())
    copy.notify = True

    def jump_elsewhere() -> None:
        target = next(targets, None)
        if target is not None:
            copy.request(target)

    assert copy.reprocess(loud, 7.0)  # completed: the caller resumes it
    assert not copy.complete and not copy.covers(7.0, 7.1)
    copy.resume(threading.Event(), advanced=jump_elsewhere)
    try:
        assert copy.complete
        expected, _ = sf.read(in_order.path, dtype="int16")
        made, _ = sf.read(copy.path, dtype="int16")
        unprocessed, _ = sf.read(plain.path, dtype="int16")
        assert len(made) == len(expected) == len(unprocessed)
        assert np.max(np.abs(made.astype(int) - expected)) <= 2
        ceiling = 10 ** (-1.0 / 20) * 32768
        assert np.max(np.abs(made)) <= ceiling  # the limiter holds the −1 dBTP ceiling
        assert np.sqrt(np.mean((made / 32768.0) ** 2)) > 1.25 * np.sqrt(np.mean((unprocessed / 32768.0) ** 2))
    finally:
        copy.release()
        for path in (in_order.path, plain.path):
            Path(path).unlink()


def test_the_chunk_holding_the_requested_place_is_not_background_work():
    """The first chunk of a request starts before the requested frame; it is urgent all the
    same: the copy does not rest after it (it rested 3× its work, 40-100 ms, before writing
    the rest of what the tap waits for). PcmCopy._is_urgent, asked directly."""
    copy = PcmCopy([("a.flac", None)], 48000)
    copy.request(40.3, wanted_s=5.5)
    first = round(40.3 * 48000) // CHUNK_FRAMES * CHUNK_FRAMES
    assert copy._is_urgent(first, first + CHUNK_FRAMES)
    assert copy._is_urgent(first + CHUNK_FRAMES, first + 2 * CHUNK_FRAMES)
    assert not copy._is_urgent(first - CHUNK_FRAMES, first)  # before it: background
    assert not copy._is_urgent(first + 100 * 48000, first + 100 * 48000 + CHUNK_FRAMES)


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("pencastviewer-kept-*.wav"))


def test_a_finished_copy_is_kept_and_used_again_without_decoding(tmp_path):
    """Opened again, the same files heard the same way play from the kept copy: the same
    file (inode), nothing decoded (no chunk written, its time untouched by writing)."""
    source = chirp_file(tmp_path / "a.flac", 20.0, 16000)
    files = [(str(source), None)]
    heard = Processing(gain_db=6.0)
    first = PcmCopy(files, 48000, str(tmp_path), processing=heard, kept=True)
    first.run(threading.Event())
    (kept,) = _kept(tmp_path)
    made, _ = sf.read(first.path, dtype="int16")
    first.release()
    assert not Path(first.path).exists() and kept.exists()  # its own name went, the kept one stays
    inode, size = kept.stat().st_ino, kept.stat().st_size
    again = PcmCopy(files, 48000, str(tmp_path), processing=heard, kept=True)
    advanced: list[int] = []
    assert again.prepare()
    again.run(threading.Event(), advanced=lambda: advanced.append(1))
    try:
        assert again.kept and again.complete and again.path == str(kept) and advanced == []
        assert kept.stat().st_ino == inode and kept.stat().st_size == size
        assert again.durations_s == pytest.approx((20.0,))
        np.testing.assert_array_equal(sf.read(again.path, dtype="int16")[0], made)
        assert again.reprocess(Processing(gain_db=3.0), 1.0) is None  # never written again
    finally:
        again.release()
    assert _kept(tmp_path) == [kept]


def test_a_changed_file_or_other_processing_is_not_taken_from_the_kept_copies(tmp_path):
    source = chirp_file(tmp_path / "a.flac", 5.0, 16000)
    files = [(str(source), None)]
    copy = PcmCopy(files, 48000, str(tmp_path), processing=Processing(gain_db=6.0), kept=True)
    copy.run(threading.Event())
    copy.release()
    other = PcmCopy(files, 48000, str(tmp_path), processing=Processing(gain_db=9.0), kept=True)
    assert other.prepare() and not other.kept
    other.release()
    sf.write(source, np.zeros(5 * 16000, np.float32), 16000)  # the recording was replaced
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    changed = PcmCopy(files, 48000, str(tmp_path), processing=Processing(gain_db=6.0), kept=True)
    changed.run(threading.Event())
    try:
        assert not Path(changed.path).name.startswith("pencastviewer-kept-")
        assert not np.any(sf.read(changed.path, dtype="int16")[0])  # the new file's silence
        assert len(_kept(tmp_path)) == 2  # the old one (for the old file) and the new one
    finally:
        changed.release()


def test_the_kept_copies_are_bounded_least_recently_used_first_never_one_in_use(tmp_path):
    from pencastviewer.audio.kept_copies import limit_store, open_kept

    names = []
    for age_s, key in ((300, "a" * 40), (200, "b" * 40), (100, "c" * 40)):
        path = tmp_path / f"pencastviewer-kept-{key}.wav"
        path.write_bytes(bytes(1 << 20))
        _aged(path, age_s)
        names.append(path)
    oldest, middle, newest = names
    held = open_kept(str(tmp_path), "a" * 40)  # a viewer plays the oldest (and it is now the newest)
    assert held is not None
    _aged(oldest, 300)
    try:
        assert limit_store(str(tmp_path), 2 << 20) == 1  # 2 MiB: the one in use and one more
        assert oldest.exists() and not middle.exists() and newest.exists()
    finally:
        os.close(held[1])
    assert limit_store(str(tmp_path), 1 << 20) == 1 and not oldest.exists() and newest.exists()
