"""The notebook model: pure data (stdlib + numpy), immutable after load, no Qt.

What only playing and showing a notebook use (hit testing, the timeline, the writing order,
the recordings' layout) loads on first use of its names: `info` and the readers need the
data classes alone (those modules cost ~20 ms of a 0.6 s command).
"""

from typing import TYPE_CHECKING, Any

from .bookmark import Bookmark
from .ink import BLACK, CAPS, Color, Stroke, Tool
from .notebook import Notebook
from .page import Background, BackgroundKind, Page, PageImage, PageText, Ruling
from .page_ink import PageInk
from .recording import AudioFile, AudioStore, Recording, StoredLevel
from .transcript import Segment, Transcript, Word

if TYPE_CHECKING:
    from .hittest import Hit, PageHitIndex
    from .layout import RecordingLayout
    from .timeline import RevealState, Timeline
    from .writing_order import WritingOrder

_LATER = {
    "Hit": "hittest",
    "PageHitIndex": "hittest",
    "RecordingLayout": "layout",
    "RevealState": "timeline",
    "Timeline": "timeline",
    "WritingOrder": "writing_order",
}


def __getattr__(name: str) -> Any:
    if name in _LATER:
        import importlib

        return getattr(importlib.import_module(f".{_LATER[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BLACK",
    "CAPS",
    "AudioFile",
    "AudioStore",
    "Background",
    "BackgroundKind",
    "Bookmark",
    "Color",
    "Hit",
    "Notebook",
    "Page",
    "PageHitIndex",
    "PageImage",
    "PageInk",
    "PageText",
    "Recording",
    "RecordingLayout",
    "RevealState",
    "Ruling",
    "Segment",
    "StoredLevel",
    "Stroke",
    "Timeline",
    "Tool",
    "Transcript",
    "Word",
    "WritingOrder",
]
