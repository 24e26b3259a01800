"""Audio tests play through a private PulseAudio daemon (tests/support/pulse.py)."""

from __future__ import annotations

import pytest
from support.pulse import pulse_sink, start_if_selected, stop_sink  # noqa: F401


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # QtMultimedia binds to a PulseAudio server once per process: start ours before any test runs.
    start_if_selected(items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_sink()
