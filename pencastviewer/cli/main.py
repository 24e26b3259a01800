"""The command line: a table of subcommands; the GUI is imported only when asked for."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..formats.errors import FormatError

# (Only light modules above: `info` starts reading its file before numpy and the readers
# load, see cli.info.run. The transcription engine's errors are looked up when raised.)
ENGINE = "pencastviewer.transcript.engine"

# name -> (module, its add-arguments function, its run function); run returns the exit
# status. A module is imported only for its own command (`info` never loads what exports need).
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "info": ("info", "add_arguments", "run"),
    "locate": ("locate", "add_arguments", "run"),
    "convert": ("convert", "add_arguments", "run"),
    "export": ("export", "add_arguments", "run"),
    "install-desktop": ("desktop_install", "add_install_arguments", "run_install"),
    "uninstall-desktop": ("desktop_install", "add_arguments", "run_uninstall"),
    "transcribe": ("transcribe", "add_arguments", "run"),
    "search": ("search", "add_arguments", "run"),
}


def _command(
    name: str,
) -> tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]:
    module_name, add, run = SUBCOMMANDS[name]
    module = importlib.import_module(f"{__package__}.{module_name}")
    return getattr(module, add), getattr(module, run)


USAGE = """usage: pencastviewer [FILE] [--new-instance]
                                            open the viewer (the bundled demo without FILE);
                                            FILE goes to the window already open, if any
       pencastviewer info FILE [--json]     pages, strokes, recordings of a notebook
       pencastviewer locate FILE --page N --at X,Y [--radius MM] [--json]
                                            what a tap at (X, Y) mm would play
       pencastviewer export FILE -o OUT [--from T] [--to T] [--page N] [--pages LIST]
                            [--strokes I-J] [--fade MS] [--size WxH|fit]
                                            a clip: audio, page image, video, web page or .pencast;
                                            .pdf holds every page; page-{n}.png one file a page
       pencastviewer convert IN OUT.pencast  the program's own format, audio copied as is
       pencastviewer transcribe FILE [-o OUT.vtt|.srt|.json|.txt] [--model NAME|DIR]
                            [--language xx] [--recording N] [--download]
                                            word-timed transcripts of the recordings
       pencastviewer search FILE QUERY [--model NAME|DIR] [--json]
                                            where words were said (or typed)
       pencastviewer install-desktop [--user | --prefix DIR]
                                            menu entry, file types and icon (uninstall-desktop removes them)
       pencastviewer --version"""


# Commands whose process ends as soon as their output is out: `info` on a big notebook
# leaves ~100 MB of arrays and thousands of modules, which the interpreter's teardown frees
# one by one (20-30 ms, 5% of the command) just before the kernel drops them all anyway.
QUICK_EXIT = frozenset({"info"})


def _exit_now(status: int) -> None:
    """End the process with `status` once stdout and stderr are flushed, skipping the
    interpreter's teardown (and atexit handlers: the commands in QUICK_EXIT register none
    they need). Returns instead when a flush fails (a closed pipe: Python's own exit
    reports it as usual) or another thread still runs (it might be writing)."""
    import threading  # (loaded already: the reading thread's)

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    os._exit(status)


class CliError(Exception):
    """A usage or input problem: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message}")


def _subcommand_parser(name: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"pencastviewer {name}")
    _command(name)[0](parser)
    return parser


def _gui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pencastviewer", usage=USAGE.removeprefix("usage: "))
    parser.add_argument("file", nargs="?", help="notebook to open (default: the bundled demo)")
    parser.add_argument("--audio", action="append", default=[], help="an audio file recorded with the ink")
    parser.add_argument(
        "--new-instance", action="store_true", help="a window of its own, even when one is open already"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in SUBCOMMANDS:
            ns = _subcommand_parser(args[0]).parse_args(args[1:])
            status = _command(args[0])[1](ns)
            if argv is None and args[0] in QUICK_EXIT:  # (the process's own command line)
                _exit_now(status)
            return status
        if args and args[0] in ("-h", "--help"):
            print(USAGE)
            return 0
        if args and args[0] in ("-V", "--version"):
            print(f"pencastviewer {__version__}")
            return 0
        ns = _gui_parser().parse_args(args)
    except CliError as e:
        print(e, file=sys.stderr)
        return 2
    except FormatError as e:
        print(f"pencastviewer: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug, not bad input: still one line; the env var shows the traceback
        engine = sys.modules.get(ENGINE)  # (only a command that imported it can raise its errors)
        if engine is not None and isinstance(e, engine.ModelUnavailable):
            print(f"pencastviewer: {e}", file=sys.stderr)
            return 1
        if engine is not None and isinstance(e, engine.TranscriptionCancelled):
            return 130
        if os.environ.get("PENCASTVIEWER_DEBUG"):
            raise
        print(
            f"pencastviewer: internal error: {type(e).__name__}: {e} (set PENCASTVIEWER_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 3
    from .display_check import display_problem

    problem = display_problem()  # before Qt, which would abort (exit 134) instead
    if problem is not None:
        print(f"pencastviewer: {problem}", file=sys.stderr)
        return 2
    from ..gui.launch import run_gui  # Qt widgets load only for the window

    return run_gui(ns.file, audio=ns.audio, new_instance=ns.new_instance)


if __name__ == "__main__":
    sys.exit(main())
