"""How ink looks during playback (ink reveal) — shared by canvas and exports."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Color


@dataclass(frozen=True)
class InkStyle:
    """written strokes keep their colour; the stroke being written is drawn point by point
    in `writing_color`; strokes still to come are `ghost_alpha` of their colour (or hidden
    when show_ghosts is False); strokes no recording covers use `no_audio_color` while a
    reveal is shown, so they stand apart from what can be played."""

    ghost_alpha: float = 0.16
    show_ghosts: bool = True
    writing_color: Color = (230, 90, 0, 255)
    writing_width_factor: float = 1.6
    no_audio_color: Color = (110, 110, 110, 255)
