"""Video export cost: the variable-frame-rate MP4 against a constant-rate encode of the same
picture sequence, side by side in one run (issue 14: ≥ 3× fewer encoder-seconds).

For each notebook the same clip is painted on the 1/30 s grid three ways, interleaved, in
rounds: painted only (the painter and the YUV conversion, no encoder), every frame sent to
the encoder (constant rate, as the export did before), and the export's own variable-rate
loop. Encoder-seconds are the process's CPU seconds (x264's threads included) beyond the
painting-only pass; medians of the rounds. The whole export (sound, muxing, the default
frame of the page's shape) is timed once too. FFmpeg's command line is not used: the
anchor is the very same libx264 inside PyAV fed the very same pictures, which is what a
constant-rate ffmpeg encode of them would cost.

Run: python3 benchmarks/bench_export_video.py [--pdf ../shared/fixtures/livescribe/2-pages.pdf]
     [--rounds 3] [--seconds S (clip length, default: the whole recording)]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from pencastviewer.app.document import OpenedNotebook, open_notebook  # noqa: E402
from pencastviewer.app.export import video  # noqa: E402
from pencastviewer.app.export.core import ClipSpec, no_progress  # noqa: E402
from pencastviewer.app.export.registry import export_clip  # noqa: E402
from pencastviewer.app.export.request import ClipRange, ClipRequest, build_clip  # noqa: E402
from pencastviewer.app.export.video_frames import ClipFramePainter  # noqa: E402
from pencastviewer.render.video_frames import image_rgb32_array  # noqa: E402

DEFAULT_PDF = ROOT.parent / "shared" / "fixtures" / "livescribe" / "2-pages.pdf"
SIZE = (1280, 720)  # the frame the constant-rate export used


class _NoSound:
    """Stands in for the audio track: the comparison is of the picture's encoder."""

    def write_until(self, position_s: float) -> None:
        pass

    def finish(self) -> None:
        pass


def encode_pass(document: OpenedNotebook, spec: ClipSpec, mode: str, out: Path) -> tuple[float, float, int]:
    """(CPU s, wall s, frames encoded) of one pass: "paint", "cfr", "vfr" or "vfr30" (the
    variable rate without slowing to MOTION_FPS while the pen moves: every changed frame)."""
    frames = ClipFramePainter(document, spec, SIZE)
    with av.open(str(out), "w", format="mp4") as container:
        track = video.VideoTrack(container, *SIZE)
        cpu, wall = time.process_time(), time.perf_counter()
        if mode.startswith("vfr"):
            motion_fps, video.MOTION_FPS = (
                video.MOTION_FPS,
                (video.FPS if mode == "vfr30" else video.MOTION_FPS),
            )
            try:
                video._encode(track, _NoSound(), frames, spec, no_progress)  # type: ignore[arg-type]
            finally:
                video.MOTION_FPS = motion_fps
        else:
            for k in range(max(1, round(spec.duration_s * video.FPS))):
                changed = frames.frame_at(spec.start_s + k / video.FPS)
                track.picture.update(image_rgb32_array(frames.image), changed)
                if mode == "cfr":
                    track.send(k / video.FPS)
            if mode == "cfr":
                track.finish()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu, wall, track.sent


def compare(name: str, document: OpenedNotebook, spec: ClipSpec, rounds: int, folder: Path) -> float:
    runs: dict[str, list[tuple[float, float, int]]] = {"paint": [], "cfr": [], "vfr": [], "vfr30": []}
    for _ in range(rounds):
        for mode in runs:
            runs[mode].append(encode_pass(document, spec, mode, folder / f"{mode}.mp4"))
    cpu = {mode: statistics.median(r[0] for r in found) for mode, found in runs.items()}
    wall = {mode: statistics.median(r[1] for r in found) for mode, found in runs.items()}
    sent = {mode: found[0][2] for mode, found in runs.items()}
    encoder = {mode: cpu[mode] - cpu["paint"] for mode in ("cfr", "vfr", "vfr30")}
    print(f"{name}: {spec.duration_s:.1f} s clip at {SIZE[0]}×{SIZE[1]}, medians of {rounds} rounds")
    print(f"  painting only      : CPU {cpu['paint']:6.2f} s, wall {wall['paint']:6.2f} s")
    labels = {"cfr": "constant 30 fps    ", "vfr30": "changed frames only", "vfr": "variable (export)  "}
    for mode, label in labels.items():
        print(
            f"  {label}: {sent[mode]:5d} frames, CPU {cpu[mode]:6.2f} s, wall {wall[mode]:6.2f} s, "
            f"encoder {encoder[mode]:6.2f} s ({encoder[mode] / max(sent[mode], 1) * 1e3:.2f} ms/frame), "
            f"{(folder / f'{mode}.mp4').stat().st_size / 1e3:.0f} kB"
        )
    print(f"  CFR / changed frames only at up to 30 fps: {encoder['cfr'] / max(encoder['vfr30'], 1e-9):.2f}")
    return encoder["cfr"] / max(encoder["vfr"], 1e-9)


def whole_export(name: str, document: OpenedNotebook, folder: Path, seconds: float | None) -> None:
    """The export as the command line makes it by default (the page's shape), sound included."""
    request = ClipRequest(ClipRange.RECORDING, end_s=seconds)
    spec = build_clip(document, request)
    out = folder / "export.mp4"
    start = time.perf_counter()
    export_clip(document, spec, out)
    elapsed = time.perf_counter() - start
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        n_frames = sum(1 for _ in container.demux(stream)) - 1
        size = stream.codec_context.width, stream.codec_context.height
    print(
        f"{name}: whole export (default frame {size[0]}×{size[1]}, AAC): {elapsed:.1f} s = "
        f"{spec.duration_s / elapsed:.1f}× real time, {n_frames} frames, {out.stat().st_size / 1e3:.0f} kB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    app = QGuiApplication.instance() or QGuiApplication(["bench"])  # noqa: F841 (painting needs it)
    print(
        f"{os.cpu_count()} CPUs, PyAV {av.__version__}, MOTION_FPS {video.MOTION_FPS}, preset {video.PRESET}"
    )
    inputs = [("bundled demo", ROOT / "pencastviewer" / "resources" / "demo.pencast")]
    if args.pdf.exists():
        inputs.insert(0, (args.pdf.name, args.pdf))
    else:
        print(f"{args.pdf} not found (the shared fixtures): the real lecture is left out")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, path in inputs:
            document = open_notebook(path)
            length = document.notebook.recordings[0].duration_s
            spec = ClipSpec(0, 0.0, min(length, args.seconds or length), size=SIZE)
            ratio = compare(name, document, spec, args.rounds, folder)
            goal = ">= 3" if path == args.pdf else "report: writing nearly all the time"
            print(f"RATIO video encoder-seconds CFR / VFR, {name}: {ratio:.2f} ({goal})")
            whole_export(name, document, folder, args.seconds)


if __name__ == "__main__":
    main()
