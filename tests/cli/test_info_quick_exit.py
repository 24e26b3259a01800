"""`info` run as a program ends as soon as its output is out, without the interpreter's
teardown (tens of ms on a big notebook), and its output is still complete; run from
Python (main(argv)) it returns like any function."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pencastviewer.cli.main import main

# Loaded at start-up by a sitecustomize of the test's: the line is written at teardown only.
SITE = "import atexit, sys\natexit.register(lambda: sys.stderr.write('TEARDOWN\\n'))\n"


def _run(path: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sitecustomize.py").write_text(SITE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-m", "pencastviewer", *args, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_info_ends_without_teardown_and_writes_everything(
    xournalpp_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xournalpp_dir / "strokes.xopp"
    done = _run(path, tmp_path, "info", "--json")
    assert done.returncode == 0, done.stderr
    assert "TEARDOWN" not in done.stderr
    assert main(["info", "--json", str(path)]) == 0  # in-process: returns
    assert json.loads(done.stdout) == json.loads(capsys.readouterr().out)


def test_a_failing_info_and_other_commands_end_as_before(xournalpp_dir: Path, tmp_path: Path) -> None:
    missing = _run(tmp_path / "missing.xopp", tmp_path, "info")
    assert missing.returncode == 1 and "TEARDOWN" in missing.stderr
    locate = _run(xournalpp_dir / "strokes.xopp", tmp_path, "locate", "--page", "1", "--at", "1,1")
    assert "TEARDOWN" in locate.stderr


def test_info_into_a_closed_pipe_fails_as_before(xournalpp_dir: Path, tmp_path: Path) -> None:
    """The output waits in stdout's buffer and the flush fails: the interpreter's exit
    reports it (status 120), not a silent 0."""
    (tmp_path / "sitecustomize.py").write_text(SITE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    env.pop("PYTHONUNBUFFERED", None)
    read, write = os.pipe()
    os.close(read)
    done = subprocess.run(
        [sys.executable, "-m", "pencastviewer", "info", "--json", str(xournalpp_dir / "strokes.xopp")],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=120,
    )
    os.close(write)
    assert done.returncode == 120, done.stderr
    assert "TEARDOWN" in done.stderr
