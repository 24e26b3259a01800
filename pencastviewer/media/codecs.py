"""The one codec vocabulary: FFmpeg's short codec names, except that every PCM variant is
"pcm" (the sample format is the decoder's business, not the notebook's)."""

from __future__ import annotations

PCM = "pcm"
# libsndfile subtypes that name a codec of their own (others: their lower-case name)
_SOUNDFILE_SUBTYPES = {"VORBIS": "vorbis", "OPUS": "opus", "MPEG_LAYER_III": "mp3", "ALAC_16": "alac"}
_EXTENSIONS = {"aac": ".m4a", "vorbis": ".ogg", "opus": ".opus", "flac": ".flac", "mp3": ".mp3", PCM: ".wav"}
_LOSSLESS = frozenset({PCM, "flac", "alac"})


def codec_name(name: str) -> str:
    """`name` (FFmpeg's, or as an older file wrote it: "pcm_s16le", "PCM") in this vocabulary."""
    name = name.strip().lower()
    return PCM if name == PCM or name.startswith("pcm_") else name


def soundfile_codec(container: str, subtype: str) -> str:
    """The codec of a file libsndfile describes as (format, subtype)."""
    if container == "FLAC":
        return "flac"
    if subtype.startswith(("PCM_", "FLOAT", "DOUBLE")):
        return PCM
    return _SOUNDFILE_SUBTYPES.get(subtype, subtype.lower())


def extension_for(codec: str) -> str:
    """The usual file extension for a lone file of `codec` (".bin" when there is none)."""
    return _EXTENSIONS.get(codec_name(codec), ".bin")


def is_lossless(codec: str) -> bool:
    return codec_name(codec) in _LOSSLESS
