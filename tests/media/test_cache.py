"""The one cache folder: ~/.cache/pencastviewer (XDG_CACHE_HOME honoured), used by every
part that keeps files there (recording copies, peaks, playback copies)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pencastviewer.media.cache import cache_dir, cache_root


def test_the_cache_is_pencastviewer_under_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "pencastviewer"
    assert cache_dir("peaks") == tmp_path / "xdg" / "pencastviewer" / "peaks"


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_without_a_usable_xdg_cache_home_it_is_dot_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdg: str | None
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)  # the XDG spec ignores relative paths
    assert cache_root() == tmp_path / ".cache" / "pencastviewer"  # not .../pencastviewer/pencastviewer


def test_every_cache_user_is_inside_the_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pencastviewer.app import peaks_job
    from pencastviewer.app.audio_files import playable_path
    from pencastviewer.app.transcripts import transcripts_cache
    from pencastviewer.audio.devices import playback_cache_dir
    from pencastviewer.model import AudioFile, AudioStore

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    root = tmp_path / "pencastviewer"
    assert peaks_job.peaks_cache_dir() == root / "peaks"
    assert Path(playback_cache_dir()) == root / "playback"
    assert transcripts_cache().directory == root / "transcripts"
    pencast = tmp_path / "talk.pencast"
    with zipfile.ZipFile(pencast, "w") as z:
        z.writestr("audio/0.wav", b"RIFF....WAVE")
    stored = AudioFile(AudioStore.ZIP, "audio/0.wav", "pcm", 8000, 1, 0, 0.0, 0.0, str(pencast))
    copy = playable_path(stored)  # a recording inside a container is copied to the cache
    assert copy.parent == root / "audio" and copy.read_bytes() == b"RIFF....WAVE"
