"""pencastviewer's own notebook format: a ZIP with a JSON manifest, binary ink and the audio."""

from __future__ import annotations

from ..registry import FormatSpec
from .reader import read_pencast, sniff_pencast
from .writer import WriteCancelled, write_pencast

FORMAT = FormatSpec(
    name="pencast",
    description="pencastviewer notebook",
    extensions=(".pencast",),
    sniff=sniff_pencast,
    read=read_pencast,
    write=write_pencast,
)

__all__ = ["FORMAT", "WriteCancelled", "read_pencast", "sniff_pencast", "write_pencast"]
