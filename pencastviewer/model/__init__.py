"""The notebook model: pure data (stdlib + numpy), immutable after load, no Qt."""

from .bookmark import Bookmark
from .hittest import Hit, PageHitIndex
from .ink import BLACK, CAPS, Color, Stroke, Tool
from .layout import RecordingLayout
from .notebook import Notebook
from .page import Background, BackgroundKind, Page, PageImage, PageText, Ruling
from .page_ink import PageInk
from .recording import AudioFile, AudioStore, Recording, StoredLevel
from .timeline import RevealState, Timeline
from .transcript import Segment, Transcript, Word
from .writing_order import WritingOrder

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
