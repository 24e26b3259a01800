"""GUI tests: settings and caches in temporary folders (never the user's), the player window
on the bundled demo with the silent backend, and the private PulseAudio daemon for the
one test that listens to real audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from support.pulse import pulse_sink, start_if_selected, stop_sink  # noqa: F401

from pencastviewer.app.preferences import Preferences
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # QtMultimedia binds to a PulseAudio server once per process: start ours before any test runs.
    start_if_selected(items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_sink()


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the whole run: the demo's audio is copied and its peaks built once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """QSettings (INI files) and the desktop's recent files under the test's own folder;
    caches in the run's folder; programs started by a test inherit the same (XDG variables)."""
    settings = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(settings))
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the desktop's recent files
    return settings


@pytest.fixture
def preferences() -> Preferences:
    return Preferences()


@pytest.fixture
def open_window(qtbot, preferences):
    """open_window(path) -> a shown MainWindow (silent backend) that has opened `path`."""
    from pencastviewer.gui.main_window import MainWindow

    def make(path: Path, size: tuple[int, int] = (1000, 800)):
        session = Session(SilentAudioOutput())
        window = MainWindow(session, preferences)
        session.setParent(window)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(session.opened, timeout=20000):
            window.open_file(path)
        # The waveform's progress bar hides when its peaks are ready, which re-lays the window
        # out: tests start once that is over, whatever an earlier test left in the thread pool.
        qtbot.waitUntil(lambda: not window.peaks.running, timeout=30000)
        qtbot.wait(50)  # the first paint
        return window

    return make
