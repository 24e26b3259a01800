"""The child process that decodes the playable copy (audio.decode_process): it writes the
same copy as the copy's own thread (tests/audio/test_pcm_copy.py), lets go of a copy's file
when the copy is done, dies with the program however it ends, is replaced by the thread if
it dies, and never more than MAX_CHILDREN of them exist."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_pcm_copy import chirp_file, wait_for_spare_child

from pencastviewer.audio import decode_process
from pencastviewer.audio.pcm_copy import PcmCopy, make_playable


def _alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _open_files(pid: int) -> set[str]:
    folder = Path(f"/proc/{pid}/fd")
    found = set()
    for fd in folder.iterdir():
        with contextlib.suppress(OSError):
            found.add(os.readlink(fd))
    return found


def _children() -> list[int]:
    with decode_process._lock:
        return [child.pid for child in decode_process._children]


def test_the_child_holds_the_copy_while_making_it_and_lets_go_when_done(tmp_path):
    files = [(str(chirp_file(tmp_path / "a.flac", 12.0, 44100)), None)]
    wait_for_spare_child()
    spare = decode_process._spare
    assert spare is not None
    copy = PcmCopy(files, 48000, str(tmp_path), in_child=True)
    held = []
    copy.notify = True
    copy.request(6.0, wanted_s=2.0)
    copy.run(threading.Event(), advanced=lambda: held.append(copy.path in _open_files(spare.pid)))
    try:
        assert held and all(held)  # written by the child, not by this process
        assert copy.path not in _open_files(spare.pid)
        assert decode_process._spare is spare and _alive(spare.pid)  # kept for the next copy
    finally:
        copy.release()


def test_a_child_that_dies_leaves_the_rest_of_the_copy_to_the_thread(tmp_path):
    files = [(str(chirp_file(tmp_path / "a.flac", 12.0, 44100)), None)]
    in_order = make_playable(files, 48000, str(tmp_path))
    wait_for_spare_child()
    spare = decode_process._spare
    assert spare is not None
    copy = PcmCopy(files, 48000, str(tmp_path), in_child=True)
    copy.notify = True
    copy.request(3.0, wanted_s=1.0)

    def kill_it_once() -> None:
        if _alive(spare.pid):
            os.kill(spare.pid, signal.SIGKILL)

    copy.run(threading.Event(), advanced=kill_it_once)
    try:
        expected, _ = sf.read(in_order.path, dtype="int16")
        made, _ = sf.read(copy.path, dtype="int16")
        assert np.array_equal(made, expected)
        assert spare.pid not in _children()
    finally:
        copy.release()
        Path(in_order.path).unlink()


def test_never_more_than_max_children_and_none_left_after_close_all():
    for _ in range(5):
        decode_process.warm()
        taken = decode_process.take()
        assert len(_children()) <= decode_process.MAX_CHILDREN
        if taken is not None:
            decode_process.give_back(taken)
    pids = _children()
    assert pids
    decode_process.close_all()
    assert not _children() and not any(_alive(pid) for pid in pids)
    wait_for_spare_child()  # (for the tests after this one)


DIES_WITH_SCRIPT = """
import sys, time
from pencastviewer.audio import decode_process
decode_process.warm()
while not decode_process._spare.ready():
    time.sleep(0.01)
print(decode_process._spare.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_child_dies_with_the_program(how):
    """However the program ends (SIGKILL runs no exit handler), its child ends too."""
    program = subprocess.Popen(
        [sys.executable, "-c", DIES_WITH_SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert program.stdout is not None
        child = int(program.stdout.readline())
        assert _alive(child)
        program.send_signal(how)
        program.wait(10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _alive(child)
    finally:
        program.kill()
        program.wait()
        if program.stdout is not None:
            program.stdout.close()


def test_commands_cross_the_pipe_as_json_with_their_values_exact():
    """No pickle on the pipe (nothing that can run code crosses it); a processing's gain goes
    to the last bit (the child's copy must equal the thread's, sample for sample)."""
    from pencastviewer.audio.decode_process import _decode, _encode
    from pencastviewer.audio.pcm_runs import Segment
    from pencastviewer.media.dynamics import Processing

    command = ("write", "/tmp/a copy.wav", 48000, 2, Segment("/x/é.flac", 7, 99), 3, 16384)
    command += (Processing(gain_db=1 / 3, volume_db=-0.1, voice_clarity=True), 5)
    line = _encode(command)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and b"pickle" not in line
    assert tuple(_decode(line)) == command
    with pytest.raises(EOFError):
        _decode(b"")
    with pytest.raises(ValueError):
        _decode(b"cos\nsystem\n(S'true'\ntR.")  # a pickle is not a message


def test_a_spare_taken_is_replaced_so_that_the_next_copy_finds_one_ready(monkeypatch):
    """A notebook opened again while its copy is made: the new copy takes a child while the
    old copy's is still finishing its command. One must be ready then (without, the tap's
    audio was decoded in the copy's thread, beside the first paint: 150-500 ms)."""
    monkeypatch.setattr(decode_process, "SPARE_AFTER_S", 0.0, raising=False)
    wait_for_spare_child()
    first = decode_process.take()
    assert first is not None
    try:
        deadline = time.monotonic() + 15.0
        while not (decode_process._spare is not None and decode_process._spare.ready()):
            assert time.monotonic() < deadline, "no spare child was started after one was taken"
            time.sleep(0.02)
        second = decode_process.take()
        assert second is not None and second is not first
        decode_process.give_back(second)
    finally:
        decode_process.give_back(first)
    assert len(_children()) <= decode_process.MAX_CHILDREN


def test_a_child_whose_program_quit_while_it_replied_ends_without_a_traceback():
    """The program quitting closes the pipe while the child writes its reply (seen at quit
    while peaks were built: a BrokenPipeError traceback on the terminal)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "pencastviewer.audio.decode_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(decode_process.__file__).resolve().parents[2])},
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline() == b"ready\n"
    child.stdout.close()  # nobody reads the replies any more
    child.stdin.write(b'["finish"]\n' * 50)  # (each reply written into the closed pipe)
    child.stdin.close()
    child.wait(30)
    assert child.stderr is not None
    with child.stderr:
        errors = child.stderr.read()
    assert child.returncode == 0 and b"Traceback" not in errors and b"Error" not in errors, errors.decode()
