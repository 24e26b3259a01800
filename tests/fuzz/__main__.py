"""`python3 -m tests.fuzz`: mutate every fixture (and a .pencast made from each) through
the one read entry point, what `info`/`locate` do with the result and the hit index,
each input in a forked worker with an address-space limit and a timeout, and report
counts per reader and outcome. Not part of the default test run.

    python3 -m tests.fuzz -n 100000 --out /tmp/fuzz     # ~1 input per 10-50 ms on one core
    python3 -m tests.fuzz --replay /tmp/fuzz/crash-123.xopp

Exit status 1 when anything but 'ok' and 'FormatError' happened (a crash, a timeout, an
exception other than FormatError, a non-finite value, an input over the time or memory
limit); the failing inputs are kept in --out.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import json
import os
import random
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .mutate import mutate, splice

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
GOOD = ("ok", "FormatError")


@dataclass(frozen=True)
class Result:
    reader: str
    outcome: str
    seconds: float
    peak_mb: float
    detail: str = ""
    cpu_seconds: float = 0.0  # the worker's own CPU time: what the time limit applies to


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(path: Path, data: bytes, limit_mb: int, hard_s: float, fd: int) -> None:
    """Runs in the forked worker: never returns."""
    try:
        limit = _vm_bytes() + limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        faulthandler.disable()  # a crash is counted, not dumped over the table
        signal.alarm(int(hard_s) + 1)
        warnings.simplefilter("error")  # as in the test suite: an overflow warning is a finding
        path.write_bytes(data)
        start_rss = _rss_mb()
        from .target import run

        readers: list[str] = []
        try:
            outcome, detail = run(path, readers), ""
        except BaseException as e:  # everything counts: this is what the fuzzer looks for
            outcome, detail = type(e).__name__, traceback.format_exc(limit=-8)
        reader = readers[0] if readers else "?"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start_rss
        os.write(fd, json.dumps([reader, outcome, peak, detail]).encode())
        os.close(fd)
    finally:
        os._exit(0)


def run_one(path: Path, data: bytes, limit_mb: int, hard_s: float) -> Result:
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(path, data, limit_mb, hard_s, write_fd)
    os.close(write_fd)
    chunks: list[bytes] = []
    timed_out = False
    while True:
        left = hard_s - (time.monotonic() - started)
        ready, _, _ = select.select([read_fd], [], [], max(left, 0))
        if not ready:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    if timed_out:
        return Result("?", "timeout", seconds, usage.ru_maxrss / 1024, cpu_seconds=cpu)
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return Result("?", f"crash ({name})", seconds, usage.ru_maxrss / 1024, cpu_seconds=cpu)
    if not chunks:
        return Result("?", "crash (no result)", seconds, usage.ru_maxrss / 1024, cpu_seconds=cpu)
    reader, outcome, peak, detail = json.loads(b"".join(chunks))
    return Result(reader, outcome, seconds, peak, detail, cpu)


def _seeds(fixtures: Path, work: Path) -> list[tuple[Path, bytes]]:
    """(path in the work folder, original bytes): every fixture, copied with its folder so
    relative references (backgrounds, recordings) resolve, plus a .pencast of each."""
    from pencastviewer.formats import FormatError, read_notebook
    from pencastviewer.formats.pencast.writer import write_pencast

    shutil.copytree(fixtures, work / "fixtures")
    seeds = [
        (p, p.read_bytes())
        for p in sorted((work / "fixtures").rglob("*"))
        if p.is_file() and p.suffix != ".md"
    ]
    made = work / "pencast"
    made.mkdir()
    for path, _ in list(seeds):
        try:
            notebook = read_notebook(path)
        except FormatError:
            continue
        out = made / f"{path.stem}.pencast"
        write_pencast(notebook, out)
        seeds.append((out, out.read_bytes()))
    return seeds


def _recognised(path: Path) -> bool:
    from pencastviewer.formats import FormatError, detect

    try:
        detect(path)
    except FormatError:
        return False
    return True


def _warm_up(notebooks: list[tuple[Path, bytes]]) -> None:
    """Read every seed once here, so the forked workers inherit the modules the readers
    import lazily (PDF, audio probing, the CLI's info): otherwise every worker imported
    them again, and a Livescribe PDF input cost 0.77 s instead of ~20 ms."""
    from .target import run

    for path, _ in notebooks:
        with contextlib.suppress(Exception):  # a refused seed still imported what it needed
            run(path, [])


def _table(counts: Counter[tuple[str, str]], slow: Counter[str], big: Counter[str], n: int) -> str:
    outcomes = ["ok", "FormatError"] + sorted({o for _, o in counts} - set(GOOD))
    readers = sorted({r for r, _ in counts})
    header = ["reader", *outcomes, "> time limit", "> memory limit"]
    rows = [[r, *(str(counts[(r, o)]) for o in outcomes), str(slow[r]), str(big[r])] for r in readers]
    total = ["all", *(str(sum(counts[(r, o)] for r in readers)) for o in outcomes)]
    rows.append(total + [str(sum(slow.values())), str(sum(big.values()))])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return f"{n} inputs\n" + "\n".join(lines)


def fuzz(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="pencast-fuzz-"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        seeds = _seeds(Path(args.fixtures), work)
        notebooks = [s for s in seeds if _recognised(s[0])]  # the rest only feed splices
        _warm_up(notebooks)
        counts: Counter[tuple[str, str]] = Counter()
        slow: Counter[str] = Counter()
        big: Counter[str] = Counter()
        bad = 0
        deadline = time.monotonic() + args.seconds if args.seconds else None
        i = 0
        for i in range(args.n):
            if deadline is not None and time.monotonic() > deadline:
                break
            rng = random.Random(args.seed * 1_000_003 + i)
            path, original = rng.choice(notebooks)
            data = mutate(rng, original)
            if rng.random() < 0.05:
                data = splice(rng, data, rng.choice(seeds)[1])
            result = run_one(path, data, args.limit_mb, args.hard_s)
            path.write_bytes(original)  # neighbours of later inputs see the real file
            counts[(result.reader, result.outcome)] += 1
            over_time = result.cpu_seconds > args.limit_s or result.outcome == "timeout"
            over_memory = result.peak_mb > args.limit_mb or result.outcome == "MemoryError"
            slow[result.reader] += over_time
            big[result.reader] += over_memory
            if result.outcome not in GOOD or over_time or over_memory:
                bad += 1
                keep = out / f"{result.outcome.split()[0]}-{i}{path.suffix}"
                keep.write_bytes(data)
                keep.with_suffix(keep.suffix + ".txt").write_text(
                    f"seed {path.relative_to(work)}\n{result}\n{result.detail}"
                )
            if args.progress and (i + 1) % args.progress == 0:
                print(_table(counts, slow, big, i + 1), flush=True)
        n = sum(counts.values())
        table = _table(counts, slow, big, n)
        print(table)
        (out / "table.txt").write_text(table + "\n")
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def replay(path: Path, args: argparse.Namespace) -> int:
    """One saved input, in a worker like the fuzzer's; prints the outcome."""
    print(run_one(path.resolve(), path.read_bytes(), args.limit_mb, args.hard_s))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="number of inputs (default 1000)")
    parser.add_argument("--seconds", type=float, help="stop after this long")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="fuzz-out", help="folder for failing inputs and table.txt")
    parser.add_argument("--fixtures", default=str(FIXTURES))
    parser.add_argument(
        "--limit-s",
        type=float,
        default=5.0,
        help="CPU time limit per input (default 5 s; CPU time, so that a run at low priority on a "
        "busy machine counts what an input costs, not how long it waited)",
    )
    parser.add_argument("--limit-mb", type=int, default=1024, help="memory limit per input (default 1024 MB)")
    parser.add_argument(
        "--hard-s", type=float, default=30.0, help="kill an input after this long (wall time)"
    )
    parser.add_argument("--progress", type=int, default=0, help="print the table every N inputs")
    parser.add_argument("--replay", type=Path, help="run one saved input and print its outcome")
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if args.replay:
        return replay(args.replay, args)
    if not Path(args.fixtures).is_dir():
        print(f"no fixtures at {args.fixtures}", file=sys.stderr)
        return 2
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
