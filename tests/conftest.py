"""Shared test set-up: offscreen Qt, the real fixture files, and shared fixtures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The run's own cache folder (peaks, loudness, playable copies), also for the processes
# tests start: a cache left by an earlier run or by the user's own use (~/.cache) could
# answer for a measurement the code under test no longer makes the same way.
_CACHE = tempfile.TemporaryDirectory(prefix="pencastviewer-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE.name

# No wall-clock limits in tests: a busy 2-core CI machine must not turn into failures.
settings.register_profile("pencastviewer", deadline=None)
settings.load_profile("pencastviewer")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures"
DEMO = PROJECT_ROOT / "pencastviewer" / "resources" / "demo.pencast"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Bundle tests build the PyInstaller bundle (minutes): only when `-m bundle` asks."""
    if "bundle" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="builds the bundle: run `python3 -m pytest -m bundle`")
    for item in items:
        if "bundle" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """../shared/fixtures (real files from Livescribe and Xournal++); skip without it."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"real fixture files not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def livescribe_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "livescribe"


@pytest.fixture(scope="session")
def xournalpp_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "xournalpp"


@pytest.fixture(scope="session")
def demo_path() -> Path:
    if not DEMO.is_file():
        pytest.fail(f"the bundled demo {DEMO} is missing: run scripts/make_demo.py")
    return DEMO
