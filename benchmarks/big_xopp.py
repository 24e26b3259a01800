"""The big Xournal++ notebook of issue 14: 20 pages, 10 000 strokes of 60 points with
pressure (600 000 points), every stroke linked to one recording that lies beside it (an
Ogg Opus file of speech-like sound, as long as the writing). Built once per set of
parameters into a cache folder and reused.

    python3 benchmarks/big_xopp.py [--strokes 10000] [--points 60]   # prints the path
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import sys
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_large_notebook import default_folder, speech_like

RECORDING = "2024-05-01_09-00-00.opus"  # Xournal++ names its recordings by date


@dataclasses.dataclass(frozen=True)
class BigXoppSpec:
    pages: int = 20
    strokes: int = 10_000
    points: int = 60
    stroke_ms: int = 120  # a stroke starts every … ms of the recording
    seed: int = 3

    @property
    def recording_s(self) -> float:
        return self.strokes * self.stroke_ms / 1000 + 5

    def key(self) -> str:
        return hashlib.sha256((repr(dataclasses.astuple(self)) + " v1").encode()).hexdigest()[:12]


def _page_xml(rng: np.random.Generator, first: int, count: int, spec: BigXoppSpec) -> str:
    parts = [
        '<page width="595.27559" height="841.88976">',
        '<background type="solid" color="#ffffffff" style="lined"/><layer>',
    ]
    per_line = max(1, int(np.sqrt(count * 0.7)))
    for k in range(count):
        row, col = divmod(k, per_line)
        start = np.array([40 + 515 * col / per_line, 60 + 740 * row / (count / per_line + 1)])
        steps = rng.normal(0, 0.9, (spec.points, 2)) + [0.3, 0]
        xy = start + np.cumsum(steps, axis=0)
        widths = " ".join(f"{w:.4f}" for w in rng.uniform(0.5, 1.6, spec.points - 1))
        coords = " ".join(f"{v:.4f}" for v in xy.ravel())
        color = ("#000000ff", "#3333ccff", "#ff0000ff")[(first + k) % 7 // 5]
        ts = (first + k) * spec.stroke_ms
        parts.append(
            f'<stroke tool="pen" ts="{ts}" fn="{RECORDING}" color="{color}" width="1.41 {widths}">'
            f"{coords}</stroke>"
        )
    parts.append("</layer></page>")
    return "".join(parts)


def build_xml(spec: BigXoppSpec) -> bytes:
    rng = np.random.default_rng(spec.seed)
    per_page = -(-spec.strokes // spec.pages)
    parts = ['<?xml version="1.0" standalone="no"?>\n<xournal creator="bench" fileversion="4">']
    for first in range(0, spec.strokes, per_page):
        parts.append(_page_xml(rng, first, min(per_page, spec.strokes - first), spec))
    parts.append("</xournal>")
    return "".join(parts).encode()


def _write_opus(path: Path, seconds: float) -> None:
    rate, block = 48000, 10 * 48000
    rng = np.random.default_rng(1)
    total = round(seconds * rate)
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate, layout="mono")
        stream.bit_rate = 32000
        stream.codec_context.options = {"compression_level": "3"}
        for start in range(0, total, block):
            samples = speech_like(start, min(block, total - start), rate, rng)
            frame = av.AudioFrame.from_ndarray(samples[np.newaxis, :], format="flt", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def big_xopp(spec: BigXoppSpec = BigXoppSpec(), folder: Path | None = None) -> Path:
    """The notebook's path (made when absent); its recording lies beside it."""
    folder = (folder or default_folder()) / f"big-xopp-{spec.key()}"
    path = folder / "big.xopp"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    _write_opus(folder / RECORDING, spec.recording_s)
    part = path.with_suffix(".part")
    part.write_bytes(gzip.compress(build_xml(spec), compresslevel=6))
    part.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strokes", type=int, default=BigXoppSpec.strokes)
    parser.add_argument("--points", type=int, default=BigXoppSpec.points)
    args = parser.parse_args()
    print(big_xopp(BigXoppSpec(strokes=args.strokes, points=args.points)))


if __name__ == "__main__":
    main()
