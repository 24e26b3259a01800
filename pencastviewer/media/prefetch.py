"""Decode ahead in a second thread: the next blocks are decoded while this thread reduces
the current one (both release the GIL), so a pass over a recording runs at the decoder's
own pace."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator

import numpy as np
from numpy.typing import NDArray

from .priority import wait_while_urgent


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


_END = object()


def prefetched(
    blocks: Iterator[NDArray[np.float32]], depth: int = 2
) -> Generator[NDArray[np.float32], None, None]:
    """Decode the next blocks in a second thread while this one reduces the current one (both
    release the GIL), so the build runs at the decoder's own pace. At most `depth` blocks wait."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            while True:
                wait_while_urgent()  # before decoding each block (media.priority)
                block = next(blocks, None)
                if block is None:
                    break
                if not put(block):
                    return
        except BaseException as e:  # handed to the consuming thread, which raises it
            put(_Failed(e))
            return
        put(_END)

    thread = threading.Thread(target=produce, name="peaks-decode", daemon=True)
    thread.start()
    try:
        while (item := waiting.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
