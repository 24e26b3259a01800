"""How the Qt output's copy (pcm_copy), made in a worker thread, reaches the GUI thread:
signals queued to the output, which may be deleted meanwhile."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from .pcm_copy import PcmCopy


class CopyRelay(QObject):
    """Carries the copy's progress from the worker thread to the GUI thread (queued)."""

    started = Signal(int, object)  # generation, PlayableAudio: the player may open it
    advanced = Signal(int)  # generation: more of the copy is written (while asked for)
    finished = Signal(int, str)  # generation, error message ("" when the copy is complete)

    def advance(self, generation: int) -> None:
        emit(self.advanced, generation)


def abandon(cancel: threading.Event, copy: PcmCopy, in_background: bool = False) -> None:
    cancel.set()
    copy.release(in_background=in_background)


def emit(signal: SignalInstance, *args: Any) -> bool:
    try:
        signal.emit(*args)
        return True
    except RuntimeError:  # the output was deleted meanwhile
        return False
