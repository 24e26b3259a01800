"""Is there an audio output device, at which rate, and which backend to play through."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtMultimedia import QMediaDevices

from ..media.cache import cache_dir
from .playback import AudioOutput

DEFAULT_SAMPLE_RATE = 48000


def has_output_device() -> bool:
    """True when QtMultimedia sees at least one audio output (needs a Qt application)."""
    return bool(QMediaDevices.audioOutputs())


def output_sample_rate() -> int:
    """The default output's preferred rate (what the copy is resampled to), else 48 kHz."""
    device = QMediaDevices.defaultAudioOutput()
    rate = device.preferredFormat().sampleRate() if not device.isNull() else 0
    return rate if 8000 <= rate <= 384000 else DEFAULT_SAMPLE_RATE


def playback_cache_dir() -> str:
    """Where playable copies go: the user's cache folder (media.cache), not /tmp, which is
    often a tmpfs: a copy there takes 350 MB of memory an hour."""
    return str(cache_dir("playback"))


def create_output(
    prefer_silent: bool = False, parent: QObject | None = None, cache_dir: str | None = None
) -> AudioOutput:
    """The Qt backend when an output device exists (and silence is not asked for), else
    the silent one: check `output.is_silent` to tell the user "no audio device".
    cache_dir: where the Qt backend writes its copies (default: playback_cache_dir())."""
    if not prefer_silent and has_output_device():
        from .qt_output import QtAudioOutput

        return QtAudioOutput(parent, cache_dir=cache_dir or playback_cache_dir())
    from .silent_output import SilentAudioOutput

    return SilentAudioOutput(parent)
