"""A private PulseAudio daemon with a null sink, so tests play real audio and record it back.

QtMultimedia picks its PulseAudio server once, when the first QMediaDevices/QMediaPlayer
of the process is created, and never reconnects. So the daemon must be up and
PULSE_SERVER set before any test touches QtMultimedia: `start_if_selected` (called from
tests/audio/conftest.py's collection hook) starts it as soon as collection shows a test
that wants `pulse_sink`, before the first test of the session runs.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

SINK_NAME = "pvtest"
SAMPLE_RATE = 48000
_REQUIRED_TOOLS = ("pulseaudio", "pactl", "parec")


def _dies_with_us(command: list[str]) -> list[str]:
    """The command, made to get SIGTERM if this process dies (a killed test run must not
    leave daemons behind); as it is where util-linux's setpriv is missing."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


@dataclass(frozen=True)
class SinkRecording:
    """What the sink played: mono float32 samples at SAMPLE_RATE, and the monotonic
    time at which sample 0 was played (estimated from the earliest chunk arrival)."""

    samples: np.ndarray
    start_monotonic: float

    def index_at(self, t_monotonic: float) -> int:
        return round((t_monotonic - self.start_monotonic) * SAMPLE_RATE)


def underrun_ms(played: np.ndarray) -> float:
    """Silence the sink inserted into `played` (runs of ≥ 8 exact zeros, so for sources
    that are never digitally silent). On a loaded machine Qt's stream now and then
    underruns: PulseAudio plays silence and may drop what comes late, so such a take
    measures the machine, not the player; take it again. An underrun right at the start
    shows as a late start instead (sound normally begins ~15 ms after play())."""
    zero = np.concatenate(([0], (played == 0).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(zero))
    runs = edges[1::2] - edges[0::2]
    return float(runs[runs >= 8].sum()) / SAMPLE_RATE * 1000


class MonitorReader:
    """`parec` on the null sink's monitor for the whole session, read by a thread, in
    10 ms fragments so that each chunk's arrival time bounds when the sink played it.

    It also keeps the sink running in small blocks, as a real device plays: with no
    low-latency client the null sink consumes its input in bursts of up to 2 s and
    QMediaPlayer then starts 1-2 s late (measured)."""

    def __init__(self, env: dict[str, str]) -> None:
        command = [
            "parec",
            "-d",
            f"{SINK_NAME}.monitor",
            "--format=s16le",
            f"--rate={SAMPLE_RATE}",
            "--channels=1",
            "--raw",
            "--latency-msec=10",
        ]
        self._process = subprocess.Popen(_dies_with_us(command), stdout=subprocess.PIPE, env=env, bufsize=0)
        self._lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._ends: list[int] = []  # sample count after each chunk
        self._offsets: list[float] = []  # arrival time − stream time of the chunk's end
        self._forgotten_end = 0  # sample count after the last chunk forget_before() dropped
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        pending = b""
        while block := os.read(fd, 1 << 16):
            arrived = time.monotonic()
            pending += block
            n_bytes = len(pending) // 2 * 2
            chunk = np.frombuffer(pending[:n_bytes], dtype="<i2")
            pending = pending[n_bytes:]
            with self._lock:
                end = self.n_samples + len(chunk)
                self._chunks.append(chunk)
                self._ends.append(end)
                self._offsets.append(arrived - end / SAMPLE_RATE)

    @property
    def n_samples(self) -> int:
        return self._ends[-1] if self._ends else self._forgotten_end

    def forget_before(self, index: int) -> None:
        """Drop the samples before `index` (the monitor is read all along: a long session,
        such as the soak test, would otherwise keep every sample played, 6 MB a minute)."""
        with self._lock:
            k = int(np.searchsorted(self._ends, index, side="right"))
            if k:
                self._forgotten_end = self._ends[k - 1]
                del self._chunks[:k], self._ends[:k], self._offsets[:k]

    def wait_flowing(self, timeout_s: float = 10.0) -> None:
        """Block until parec delivers samples (it takes ~0.5 s to connect)."""
        deadline = time.monotonic() + timeout_s
        while self.n_samples < SAMPLE_RATE // 10:
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError("parec delivered no samples from the null sink")
            time.sleep(0.005)

    def since(self, start_index: int) -> SinkRecording:
        """Everything played from sample `start_index` on."""
        with self._lock:
            first = int(np.searchsorted(self._ends, start_index, side="right"))
            chunks, offsets = self._chunks[first:], self._offsets[first:]
            chunk_start = self._ends[first - 1] if first else self._forgotten_end
        if not chunks:
            raise RuntimeError("the null sink played nothing since the recording started")
        samples = np.concatenate(chunks)[start_index - chunk_start :].astype(np.float32) / 32768.0
        # the stream clock of this take alone, so that an earlier glitch cannot skew it
        return SinkRecording(samples, min(offsets) + start_index / SAMPLE_RATE)

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._thread.join(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()


class SinkTake:
    """One recording: what the sink plays from its creation until stop()."""

    def __init__(self, reader: MonitorReader) -> None:
        self._reader = reader
        self._start = reader.n_samples

    @property
    def n_samples(self) -> int:
        """Samples recorded so far in this take."""
        return self._reader.n_samples - self._start

    def stop(self) -> SinkRecording:
        time.sleep(0.03)  # let the last fragments arrive
        return self._reader.since(self._start)


class PulseSink:
    """The daemon (own HOME and XDG_RUNTIME_DIR in a temporary folder) with one null sink."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pv-pulse-"))
        self.socket = self.root / "native"
        self.server = f"unix:{self.socket}"
        self._daemon: subprocess.Popen[bytes] | None = None
        self._reader: MonitorReader | None = None
        self._saved_server: str | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "DBUS_"))}
        runtime = self.root / "run"
        env.update(
            HOME=str(self.root / "home"),
            XDG_RUNTIME_DIR=str(runtime),
            XDG_CONFIG_HOME=str(self.root / "config"),
            PULSE_SERVER=self.server,
        )
        return env

    def start(self, timeout_s: float = 15.0) -> None:
        for sub in ("home", "config", "run"):
            (self.root / sub).mkdir(mode=0o700, exist_ok=True)
        command = [
            "pulseaudio",
            "--daemon=no",
            "-n",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--log-target=stderr",
            f"--load=module-null-sink sink_name={SINK_NAME} rate={SAMPLE_RATE} channels=2",
            f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
        ]
        log = (self.root / "pulse.log").open("wb")
        self._daemon = subprocess.Popen(
            _dies_with_us(command), env=self._env(), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while not self._answers():
            if self._daemon.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pulseaudio did not start: {self.log_tail()}")
            time.sleep(0.05)
        self._reader = MonitorReader(self._env())
        try:
            self._reader.wait_flowing()
        except RuntimeError:
            self.stop()
            raise
        self._saved_server = os.environ.get("PULSE_SERVER")
        os.environ["PULSE_SERVER"] = self.server  # read by QtMultimedia when it first starts

    def _answers(self) -> bool:
        done = subprocess.run(["pactl", "info"], env=self._env(), capture_output=True, timeout=10)
        return done.returncode == 0

    def log_tail(self) -> str:
        path = self.root / "pulse.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else "(no log)"

    @property
    def running(self) -> bool:
        return self._daemon is not None and self._daemon.poll() is None

    def start_recording(self) -> SinkTake:
        """Record what the sink plays from now on (the monitor is read all along)."""
        if self._reader is None:
            raise RuntimeError("the PulseAudio daemon is not running")
        return SinkTake(self._reader)

    def forget_played(self) -> None:
        """Drop what the sink played so far (takes started earlier cannot be stopped then)."""
        if self._reader is not None:
            self._reader.forget_before(self._reader.n_samples)

    def record(self, seconds: float) -> np.ndarray:
        """What the sink plays during the next `seconds` (blocks this thread)."""
        take = self.start_recording()
        time.sleep(seconds)
        return take.stop().samples

    def stop(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._daemon is not None and self._daemon.poll() is None:
            self._daemon.terminate()
            try:
                self._daemon.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._daemon.kill()
                self._daemon.wait()
        self._daemon = None
        if os.environ.get("PULSE_SERVER") == self.server:
            if self._saved_server is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = self._saved_server
        shutil.rmtree(self.root, ignore_errors=True)


_SINK: PulseSink | None = None
_START_ERROR: str | None = None


def missing_tools() -> list[str]:
    return [tool for tool in _REQUIRED_TOOLS if shutil.which(tool) is None]


def _start_once() -> PulseSink | None:
    """The session's daemon, started on first call; None (with _START_ERROR) if it cannot."""
    global _SINK, _START_ERROR
    if _SINK is None and _START_ERROR is None:
        if missing := missing_tools():
            _START_ERROR = f"{', '.join(missing)} not installed (Debian: pulseaudio pulseaudio-utils)"
            return None
        sink = PulseSink()
        try:
            sink.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            _START_ERROR = str(e)
            return None
        _SINK = sink
        atexit.register(stop_sink)
    return _SINK


def start_if_selected(items: list[pytest.Item]) -> None:
    """Collection hook helper: start the daemon now if any selected test uses `pulse_sink`."""
    if any("pulse_sink" in getattr(item, "fixturenames", ()) for item in items):
        _start_once()


def stop_sink() -> None:
    global _SINK
    if _SINK is not None:
        _SINK.stop()
        _SINK = None


@pytest.fixture(scope="session")
def pulse_sink(qapp: object) -> Iterator[PulseSink]:
    """The private PulseAudio daemon; QtMultimedia in this process plays into its null sink."""
    sink = _start_once()
    if sink is None:
        pytest.skip(f"no private PulseAudio daemon: {_START_ERROR}")
    from PySide6.QtMultimedia import QMediaDevices

    if not QMediaDevices.audioOutputs():
        pytest.fail(
            "QtMultimedia sees no audio output although the private PulseAudio daemon runs: "
            "something created a Qt multimedia object before PULSE_SERVER was set"
        )
    warm_decoding_child()
    yield sink
    stop_sink()


def warm_decoding_child(timeout_s: float = 30.0) -> None:
    """Have the child process that decodes playable copies (audio.decode_process) started
    and ready: its start (~0.4 s of CPU, once in the program's life) is not what a test's take
    measures, and on a loaded machine it made the sink underrun."""
    from pencastviewer.audio import decode_process

    decode_process.warm()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        spare = decode_process._spare
        if spare is None or spare.ready():
            return
        time.sleep(0.01)
