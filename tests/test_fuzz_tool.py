"""The fuzzing command (python3 -m tests.fuzz) itself: its worker catches what escapes,
crashes and memory blow-ups, so a long run's table can be trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.__main__ import main, run_one


def test_a_short_run_reports_a_table(fixtures_dir: Path, tmp_path: Path) -> None:
    status = main(["-n", "12", "--out", str(tmp_path), "--fixtures", str(fixtures_dir)])
    table = (tmp_path / "table.txt").read_text()
    assert table.startswith("12 inputs")
    assert "FormatError" in table and "> memory limit" in table
    assert status in (0, 1)


def test_the_worker_reports_a_format_error_by_reader(tmp_path: Path) -> None:
    path = tmp_path / "broken.inkml"
    truncated = b'<?xml version="1.0"?><ink xmlns="http://www.w3.org/2003/InkML"><trace>1 2, 3'
    result = run_one(path, truncated, 1024, 30.0)
    assert (result.reader, result.outcome) == ("inkml", "FormatError")


def test_the_worker_counts_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.fuzz.target as target

    def segfault(_path: Path, _reader: list[str]) -> str:
        import ctypes

        ctypes.string_at(0)  # reads address 0: SIGSEGV in the worker only
        return "ok"

    monkeypatch.setattr(target, "run", segfault)  # the forked worker imports it from the module
    result = run_one(tmp_path / "x.inkml", b"<ink/>", 1024, 30.0)
    assert result.outcome == "crash (SIGSEGV)"


def test_the_time_limit_counts_the_workers_cpu_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a shared machine at low priority an input may wait far longer than it works: the
    worker's own CPU time is what is measured against --limit-s."""
    import resource

    import tests.fuzz.target as target

    def busy(_path: Path, reader: list[str]) -> str:
        reader.append("inkml")
        start = resource.getrusage(resource.RUSAGE_SELF)
        while resource.getrusage(resource.RUSAGE_SELF).ru_utime - start.ru_utime < 0.3:
            pass  # CPU work until 0.3 s of it is done, however long that takes
        return "ok"

    monkeypatch.setattr(target, "run", busy)
    result = run_one(tmp_path / "x.inkml", b"<ink/>", 1024, 120.0)
    assert result.outcome == "ok" and result.cpu_seconds >= 0.3
