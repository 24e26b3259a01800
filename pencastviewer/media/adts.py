"""Raw ADTS AAC (Livescribe Paper Replay audio): its length and format from the frame
headers alone, and where the frames stop making sense in a damaged file."""

from __future__ import annotations

from dataclasses import dataclass

AAC_FRAME_SAMPLES = 1024
ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


@dataclass(frozen=True)
class AdtsProbe:
    """What the ADTS frame headers say: n_frames counts samples (1024 per AAC frame);
    `problem` describes where the frames stop making sense, if they do."""

    sample_rate: int
    channels: int
    n_frames: int
    problem: str | None = None


def probe_adts(data: bytes) -> AdtsProbe:
    """Walk the ADTS frame headers (no decoding). Raises ValueError when the data does not
    start with an ADTS frame."""
    if len(data) < 7 or data[0] != 0xFF or data[1] & 0xF6 != 0xF0:
        raise ValueError("not ADTS AAC (no frame sync at byte 0)")
    rate_index, channels = (data[2] >> 2) & 0xF, ((data[2] & 1) << 2) | (data[3] >> 6)
    if rate_index >= len(ADTS_RATES):
        raise ValueError(f"ADTS sample rate index {rate_index} is reserved")
    pos, blocks, problem = 0, 0, None
    while pos < len(data):
        if pos + 7 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xF6 != 0xF0:
            problem = f"no ADTS frame at byte {pos}"
            break
        frame_bytes = ((data[pos + 3] & 3) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        if frame_bytes < (7 if data[pos + 1] & 1 else 9) or pos + frame_bytes > len(data):
            problem = f"ADTS frame at byte {pos} is cut off or malformed"
            break
        blocks += (data[pos + 6] & 3) + 1
        pos += frame_bytes
    return AdtsProbe(ADTS_RATES[rate_index], channels, blocks * AAC_FRAME_SAMPLES, problem)
