"""`pencastviewer export`: the same exporters as the dialog, times in seconds or h:mm:ss.mmm,
one line for what it wrote or why it could not, a non-zero status on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtGui import QImage

from pencastviewer.app.document import open_notebook
from pencastviewer.cli.main import main

ROOT = Path(__file__).resolve().parent.parent.parent


def run_cli(capsys, *args: object) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_audio_clip_with_times_in_both_notations(capsys, tmp_path, demo_path):
    out = tmp_path / "clip.wav"
    status, stdout, stderr = run_cli(
        capsys, "export", demo_path, "-o", out, "--from", "12.5", "--to", "0:00:30.000"
    )
    assert status == 0 and stderr == ""
    assert stdout.startswith(f"wrote {out} (") and "0:12.500–0:30.000 (17.500 s)" in stdout
    assert len(stdout.splitlines()) == 1
    info = sf.info(out)
    assert (info.frames, info.samplerate) == (385875, 22050)


def test_the_end_as_info_prints_it_is_the_recordings_end(capsys, tmp_path, demo_path):
    out = tmp_path / "tail.flac"
    status, stdout, _ = run_cli(capsys, "export", demo_path, "-o", out, "--from", "2:30", "--to", "2:40.590")
    assert status == 0, stdout
    assert sf.info(out).frames == 3541002 - 150 * 22050  # up to the last sample, no further


def test_strokes_of_a_page_give_their_span_plus_lead_in_and_out(capsys, tmp_path, demo_path):
    out = tmp_path / "strokes.flac"
    status, stdout, _ = run_cli(
        capsys,
        "export",
        demo_path,
        "-o",
        out,
        "--page",
        "1",
        "--strokes",
        "2-9",
        "--lead-in",
        "0.25",
        "--lead-out",
        "0.75",
    )
    assert status == 0 and "page 1 strokes 2–9" in stdout  # 0-based, as `locate` numbers them
    document = open_notebook(demo_path)
    strokes = document.notebook.pages[0].strokes[2:10]
    start_s = document.timeline.position_s(0, strokes[0].start_ms) - 0.25
    end_s = document.timeline.position_s(0, strokes[-1].end_ms) + 0.75
    assert sf.info(out).frames == round(end_s * 22050) - round(start_s * 22050)


def test_png_width_from_size_or_dpi(qapp, capsys, tmp_path, demo_path):
    # qapp first: in-process, the CLI would otherwise make a QGuiApplication that later
    # widget tests cannot use (the CLI makes one only when no application exists)
    sized, dpi = tmp_path / "sized.png", tmp_path / "dpi.png"
    assert run_cli(capsys, "export", demo_path, "-o", sized, "--page", "2", "--size", "800x600")[0] == 0
    assert run_cli(capsys, "export", demo_path, "-o", dpi, "--page", "1", "--dpi", "150")[0] == 0
    assert QImage(str(sized)).width() == 800
    assert QImage(str(dpi)).width() == round(186.112 / 25.4 * 150)


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--from", "150", "--to", "170"], 1, "lies outside the recording"),
        (["--from", "30", "--to", "12.5"], 1, "the range is empty"),
        (["--strokes", "1-3"], 1, "--strokes needs --page"),
        (["--page", "9"], 1, "page 9 does not exist"),
        (["--page", "1", "--strokes", "170-190"], 1, "the selection names others"),
        (["--recording", "4"], 1, "recording 4 does not exist"),
        (["--from", "1:xx"], 2, "not a time"),
        (["--size", "big"], 2, "expected WxH"),
        (["--fade", "-3"], 2, "expected a number >= 0"),
    ],
)
def test_errors_are_one_line_and_a_non_zero_status(capsys, tmp_path, demo_path, args, status, message):
    result = run_cli(capsys, "export", demo_path, "-o", tmp_path / "clip.wav", *args)
    assert result[0] == status and result[1] == ""
    assert len(result[2].splitlines()) == 1 and message in result[2]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("clip.xyz", "cannot export to '.xyz'"),
        ("no/such/folder/clip.wav", "no such folder"),
    ],
)
def test_unknown_formats_and_missing_folders_are_refused(capsys, tmp_path, demo_path, out, message):
    status, stdout, stderr = run_cli(capsys, "export", demo_path, "-o", tmp_path / out)
    assert status == 1 and stdout == "" and len(stderr.splitlines()) == 1 and message in stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_notebook_is_a_one_line_error(capsys, tmp_path):
    broken = tmp_path / "broken.pencast"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    status, _, stderr = run_cli(capsys, "export", broken, "-o", tmp_path / "clip.wav")
    assert status == 1 and len(stderr.splitlines()) == 1 and "broken.pencast" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.pencast"]


def _run_in_fresh_process(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )


def test_audio_export_loads_no_qt(tmp_path, demo_path):
    code = (
        "import sys\n"
        "from pencastviewer.cli.main import main\n"
        f"status = main(['export', {str(demo_path)!r}, '-o', {str(tmp_path / 'a.ogg')!r}, '--to', '5'])\n"
        "qt = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(status, qt)\n"
    )
    result = _run_in_fresh_process(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 []"


def test_image_export_needs_no_display(tmp_path, demo_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    out = tmp_path / "page.svg"
    code = (
        f"from pencastviewer.cli.main import main; raise SystemExit(main(['export', {str(demo_path)!r}, "
        f"'-o', {str(out)!r}, '--page', '1']))"
    )
    result = _run_in_fresh_process(code, env)
    assert result.returncode == 0, result.stderr
    assert "<path" in out.read_text("utf-8")
