"""Build the bundled demo notebook pencastviewer/resources/demo.pencast (CloudCamp Paris notes).

Generation-time tools only (the program never needs them): the Hershey-Fonts package
(`python3 -m pip install Hershey-Fonts`, single-stroke script font for the handwriting)
and espeak-ng (the spoken recording). Run from the project root:

    python3 scripts/make_demo.py [--output path.pencast]

Everything is seeded: two runs give the same strokes and the same audio bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from HersheyFonts import HersheyFonts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pencastviewer.model import (  # noqa: E402
    AudioFile,
    AudioStore,
    Background,
    Notebook,
    Page,
    Recording,
    Ruling,
    Stroke,
)
from pencastviewer.model.units import MM_PER_ANOTO  # noqa: E402

DEFAULT_OUTPUT = ROOT / "pencastviewer" / "resources" / "demo.pencast"
SEED = 20090611
CREATED = dt.datetime(2009, 6, 11, 19, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
CLOCK_START_MS = CREATED.timestamp() * 1000.0  # the notebook clock is Unix ms here

PAGE_W_MM, PAGE_H_MM = 4963 * MM_PER_ANOTO, 6278 * MM_PER_ANOTO  # Livescribe A5 page
RULING = Ruling(
    style="lined",
    spacing_mm=7.0,
    line_color=(150, 190, 230, 255),
    margin_mm=24.0,
    margin_color=(230, 130, 150, 255),
    header_mm=24.0,
)
TEXT_X_MM = RULING.margin_mm + 3.0
RIGHT_LIMIT_MM = PAGE_W_MM - 12.0
BOTTOM_LIMIT_MM = PAGE_H_MM - 12.0
INK = (22, 38, 120, 255)
PEN_MM = 0.4
SAMPLE_MS = 1000.0 / 75.0  # Livescribe pens sample at 75 Hz
CAP_MM = {"title": 6.2, "heading": 5.2}
BODY_CAP_MM = 4.3
PRINT_CAPS = "AFGIJQSTZ"  # script capitals that today's readers misread: printed, as many people do
SPEED_RANGE_MM_S = (30.0, 60.0)  # average pen-down speed of a line after fitting its phrase

# (kind, written note, what is said while writing it); "page" starts a new page.
NOTES: list[tuple[str, str, str]] = [
    (
        "title",
        "CloudCamp Paris",
        "Good evening. Here are my notes from CloudCamp Paris, the unconference "
        "about cloud computing, held tonight right here in Paris, with free pizza and drinks.",
    ),
    (
        "text",
        "11 June 2009 - room full",
        "It is Thursday, the eleventh of June, two thousand and nine, and "
        "the room is completely full: people are even standing at the back, near the door.",
    ),
    (
        "heading",
        "Lightning talks",
        "First, six lightning talks by the sponsors, five minutes each, "
        "and not one second more: a bell rings at five minutes.",
    ),
    (
        "bullet",
        "Sun: open cloud platform",
        "Sun presented its open cloud platform, with a public A P I "
        "that anyone is free to implement, for computing and for storage.",
    ),
    (
        "bullet",
        "Aserver: servers in France",
        "Aserver talked about renting virtual servers, hosted in their own data centres here in France.",
    ),
    (
        "bullet",
        "RunMyProcess: workflow SaaS",
        "RunMyProcess showed how to build business workflows "
        "that run entirely as a service, designed in the web browser, with nothing at all to install on your "
        "own servers.",
    ),
    (
        "bullet",
        "RightScale: manage EC2",
        "RightScale explained how they deploy and manage whole "
        "farms of servers on Amazon E C 2, using server templates.",
    ),
    (
        "bullet",
        "Orange: telco cloud",
        "Orange explained why a telecom operator wants to become a "
        "cloud provider for businesses, on its own network.",
    ),
    (
        "bullet",
        "Zeus: load balancing",
        "Zeus showed their traffic manager: software load balancing "
        "that follows the virtual machines wherever they move.",
    ),
    (
        "arrow",
        "pay per use",
        "The common message of all six talks: you pay only for what you use, by the hour.",
    ),
    ("page", "", ""),
    (
        "heading",
        "The unpanel",
        "Then came the unpanel: the audience asks the questions, and the "
        "experts are picked from the audience too.",
    ),
    (
        "bullet",
        "security? where is data",
        "The first question was, of course, about security, and "
        "about the country where the data is really stored, because of European privacy law.",
    ),
    (
        "bullet",
        "lock-in: open standards",
        "Many people are afraid of vendor lock in, and they ask "
        "for open standards, so that they can move their applications from one cloud to another.",
    ),
    (
        "bullet",
        "private vs public cloud",
        "A long debate followed about private clouds inside the "
        "company, versus public clouds on the internet.",
    ),
    (
        "heading",
        "Architecture breakout",
        "After the coffee break, the room split into small groups around "
        "the tables, and I joined the breakout session about application architecture for the cloud.",
    ),
    (
        "bullet",
        "design for failure",
        "Rule number one: design for failure, because any server can disappear at any moment.",
    ),
    (
        "bullet",
        "stateless web tier",
        "Keep the web servers stateless, so that you can scale out simply by adding more machines.",
    ),
    (
        "bullet",
        "queues between tiers",
        "Put message queues between the tiers, to absorb the peaks of load without losing requests.",
    ),
    (
        "box",
        "To do: try EC2",
        "And one thing to do for me next week: try Amazon E C 2 to host the "
        "demo of our next product, instead of buying servers.",
    ),
]


# ---- handwriting geometry: polylines in mm, page coordinates, y downwards ----------------


class Hand:
    """A seeded hand writing Hershey 'scripts' glyphs with slight human irregularity."""

    JOIN_UNITS = 4.5  # stroke ends this close to the next start: the pen did not lift
    MARK_UNITS = 7.0  # strokes shorter than this (i dots, t bars) are added after the word

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.font, self.print_font = HersheyFonts(), HersheyFonts()
        self.font.load_default_font("scripts")
        self.print_font.load_default_font("futural")

    def glyph(self, ch: str):  # -> (HersheyFonts glyph, extra slant, x scale, y scale)
        """The glyph for `ch` and how to fit it to the script."""
        if ch in PRINT_CAPS:
            return _first_glyph(self.print_font, ch), 0.22, 0.9, 0.95
        return _first_glyph(self.font, ch), 0.0, (0.5 if ch == "-" else 1.0), 1.0

    def text(self, text: str, x_mm: float, base_mm: float, cap_mm: float) -> tuple[list[np.ndarray], float]:
        """Strokes of one written line in pen order, and the x where the writing ended."""
        unit_mm = cap_mm / 21.0  # Hershey cap line -12 .. base line 9
        slant = self.rng.normal(0.0, 0.04)
        slope = self.rng.normal(0.0, 0.004)
        wobble_mm, size = 0.0, 1.0
        strokes: list[np.ndarray] = []
        x = x_mm
        for number, word in enumerate(text.split(" ")):
            if number:
                x += self.glyph(" ")[0].char_width * unit_mm * self.rng.uniform(0.75, 1.1)
            pieces: list[np.ndarray] = []
            for ch in word:
                glyph, shear, sx, sy = self.glyph(ch)
                # Correlated drift from letter to letter, so joins between letters still meet.
                wobble_mm = 0.6 * wobble_mm + self.rng.normal(0.0, 0.08)
                size = 1.0 + 0.6 * (size - 1.0) + self.rng.normal(0.0, 0.025)
                scale = unit_mm * size
                for poly in glyph.strokes:
                    pts = np.asarray(poly, dtype=float)
                    dx = (pts[:, 0] - glyph.left_offset) * scale * sx
                    dy = (pts[:, 1] - 9.0) * scale * sy
                    px = x + dx - dy * (slant + shear)
                    py = base_mm + dy + wobble_mm + (px - x_mm) * slope
                    pieces.append(np.column_stack([px, py]))
                x += glyph.char_width * scale * sx
            strokes += self._pen_order(pieces, unit_mm)
        return strokes, x

    def _pen_order(self, pieces: list[np.ndarray], unit_mm: float) -> list[np.ndarray]:
        """Join touching glyph strokes into one pen-down trace; small marks come last."""
        joined: list[np.ndarray] = []
        marks: list[np.ndarray] = []
        for piece in pieces:
            if _length(piece) < self.MARK_UNITS * unit_mm:
                marks.append(piece)
            elif joined and np.hypot(*(joined[-1][-1] - piece[0])) < self.JOIN_UNITS * unit_mm:
                joined[-1] = np.vstack([joined[-1], piece])
            else:
                joined.append(piece)
        return joined + marks

    def line(
        self, start: tuple[float, float], end: tuple[float, float], wobble_mm: float = 0.15
    ) -> np.ndarray:
        """A hand-drawn straight line: a slight bow and tremor."""
        a, b = np.asarray(start, float), np.asarray(end, float)
        u = np.linspace(0.0, 1.0, max(int(np.hypot(*(b - a)) / 0.5), 5))
        normal = np.array([-(b - a)[1], (b - a)[0]]) / max(np.hypot(*(b - a)), 1e-9)
        bow = self.rng.normal(0.0, wobble_mm) * np.sin(np.pi * u)
        tremor = _smooth(self.rng.normal(0.0, wobble_mm / 3, len(u)))
        return a + np.outer(u, b - a) + np.outer(bow + tremor, normal)

    def cloud(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """A little cloud doodle in one stroke: scalloped on top, flatter underneath."""
        theta = np.linspace(np.pi, 3.1 * np.pi, 160)  # from the left end, over the top, round again
        bumps = 1.0 + 0.3 * np.abs(np.sin(3.5 * theta)) + self.rng.normal(0.0, 0.01, len(theta))
        dx, dy = np.cos(theta) * bumps, np.sin(theta) * bumps
        dy = np.where(dy > 0, dy * 0.55, dy)  # y grows downwards: squash the bottom half
        return np.column_stack([(x0 + x1) / 2 + dx * (x1 - x0) / 2.5, (y0 + y1) / 2 + dy * (y1 - y0) / 2.0])

    def box(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """A rectangle drawn in one go from the top-left corner, overshooting at the close."""
        corners = [(x0, y0), (x1, y0 + 0.3), (x1 - 0.2, y1), (x0 + 0.2, y1 - 0.2), (x0 - 0.1, y0 - 0.6)]
        sides = [self.line(corners[i], corners[i + 1], 0.2) for i in range(4)]
        return np.vstack(sides)


def _first_glyph(font: HersheyFonts, ch: str):  # -> a HersheyFonts glyph
    found = list(font.glyphs_for_text(ch))
    if not found:
        raise ValueError(f"no glyph for {ch!r}")
    return found[0]


def _smooth(values: np.ndarray, width: int = 5) -> np.ndarray:
    """Moving average keeping the length."""
    width = min(width, len(values))
    return np.convolve(values, np.ones(width) / width, mode="same")


def _length(xy: np.ndarray) -> float:
    return float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0


def draw_note(hand: Hand, kind: str, text: str, base_mm: float) -> list[np.ndarray]:
    """All strokes of one note line, in the order the pen draws them."""
    cap = CAP_MM.get(kind, BODY_CAP_MM)
    x = TEXT_X_MM + hand.rng.normal(0.0, 0.4)
    mid = base_mm - 0.35 * cap
    lead: list[np.ndarray] = []
    if kind == "bullet":
        lead = [hand.line((x, mid), (x + 2.6, mid - 0.1), 0.05)]
        x += 5.5
    elif kind == "box":
        x += 3.0  # room for the box inside the margin
    elif kind == "arrow":
        lead = [
            hand.line((x, mid), (x + 7.0, mid - 0.15), 0.1),
            np.vstack(
                [
                    hand.line((x + 5.2, mid - 1.5), (x + 7.2, mid - 0.15), 0.05),
                    hand.line((x + 7.2, mid - 0.15), (x + 5.2, mid + 1.3), 0.05),
                ]
            ),
        ]
        x += 10.0
    strokes, x_end = hand.text(text, x, base_mm, cap)
    if x_end > RIGHT_LIMIT_MM:
        raise ValueError(f"note {text!r} runs past the right margin ({x_end:.1f} mm)")
    tail: list[np.ndarray] = []
    if kind in CAP_MM:
        tail = [hand.line((x - 1.0, base_mm + 1.6), (x_end + 1.5, base_mm + 1.3), 0.25)]
    if kind == "title":
        tail.append(hand.cloud(x_end + 8.0, base_mm - cap - 2.5, x_end + 28.0, base_mm + 0.5))
    elif kind == "box":
        tail = [hand.box(x - 2.5, base_mm - cap - 2.2, x_end + 3.0, base_mm + 3.0)]
    return [_on_anoto_grid(s) for s in lead + strokes + tail]


def _on_anoto_grid(xy: np.ndarray) -> np.ndarray:
    """Positions as a Livescribe pen reports them: whole Anoto units."""
    return np.round(xy / MM_PER_ANOTO) * MM_PER_ANOTO


def layout(hand: Hand) -> list[list[tuple[list[np.ndarray], int]]]:
    """Per page, (strokes, index into NOTES) for each note line, placed on the ruled lines."""
    pages: list[list[tuple[list[np.ndarray], int]]] = [[]]
    row = 1
    for index, (kind, text, _) in enumerate(NOTES):
        if kind == "page":
            pages.append([])
            row = 1
            continue
        if pages[-1] and kind in ("heading", "box", "arrow"):
            row += 1  # a blank line before sections and call-outs
        base = RULING.header_mm + row * RULING.spacing_mm
        if base > BOTTOM_LIMIT_MM:
            raise ValueError(f"note {text!r} falls off the bottom of the page")
        pages[-1].append((draw_note(hand, kind, text, base), index))
        row += 2 if kind in CAP_MM else 1  # titles and headings stand clear of what follows
    return pages


# ---- timing: when each point was written ------------------------------------------------


def _densify(xy: np.ndarray, step_mm: float = 0.2) -> np.ndarray:
    keep = np.concatenate([[True], np.hypot(*np.diff(xy, axis=0).T) > 1e-9])
    xy = xy[keep]
    if len(xy) < 2:
        return np.vstack([xy, xy])
    s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    grid = np.linspace(0.0, s[-1], max(int(np.ceil(s[-1] / step_mm)), 1) + 1)
    return np.column_stack([np.interp(grid, s, xy[:, 0]), np.interp(grid, s, xy[:, 1])])


def _unit_speed_profile(xy: np.ndarray) -> np.ndarray:
    """Time in ms at each vertex at a nominal 1 mm/s: slower where the path turns sharply
    and at the start and end of the trace (the pen speeds up and slows down)."""
    seg = np.hypot(*np.diff(xy, axis=0).T)
    total = seg.sum()
    if total <= 0:
        return np.zeros(len(xy))
    along = np.cumsum(seg) - seg / 2
    ramp = min(1.2, total / 3)
    ends = 0.35 + 0.65 * np.clip(np.minimum(along, total - along) / ramp, 0.0, 1.0)
    heading = np.unwrap(np.arctan2(np.diff(xy[:, 1]), np.diff(xy[:, 0])))
    turn = np.abs(np.diff(heading)) / np.maximum((seg[1:] + seg[:-1]) / 2, 1e-6)  # rad/mm
    curvature = _smooth(np.concatenate([[0.0], turn]) + np.concatenate([turn, [0.0]])) / 2
    speed = ends / (1.0 + 0.3 * curvature)
    return np.concatenate([[0.0], np.cumsum(seg / speed * 1000.0)])


def _sample(xy: np.ndarray, profile_ms: np.ndarray, start_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every 1/75 s along the trace, from pen-down to pen-up."""
    n = max(int(np.ceil(profile_ms[-1] / SAMPLE_MS)), 1)
    at_ms = np.minimum(np.arange(n + 1) * SAMPLE_MS, profile_ms[-1])
    pts = np.column_stack([np.interp(at_ms, profile_ms, xy[:, 0]), np.interp(at_ms, profile_ms, xy[:, 1])])
    return _on_anoto_grid(pts), start_ms + np.arange(n + 1) * SAMPLE_MS


def _place(
    dense: list[np.ndarray], unit: list[np.ndarray], gaps_ms: list[float], start_ms: float, speed: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sample the traces one after the other from start_ms at `speed` times the unit pace."""
    timed, t = [], float(round(start_ms))
    for d, u, gap in zip(dense, unit, gaps_ms, strict=True):
        xy, t_ms = _sample(d, u / speed, t)
        timed.append((xy, t_ms))
        t = float(round(t_ms[-1] + gap))
    return timed


def time_line(
    strokes: list[np.ndarray], start_ms: float, end_ms: float, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Give the strokes of one note line times between start_ms and end_ms, at a pace that
    fills the window within a plausible average writing speed (SPEED_RANGE_MM_S)."""
    dense = [_densify(s) for s in strokes]
    unit = [_unit_speed_profile(d) for d in dense]
    travel = [float(np.hypot(*(b[0] - a[-1]))) for a, b in itertools.pairwise(dense)]
    gaps_ms = [50.0 + 6.0 * d + rng.uniform(0.0, 40.0) for d in travel] + [0.0]
    down_ms = sum(u[-1] for u in unit)  # pen-down time at the unit pace
    mm_s_per_unit = sum(_length(d) for d in dense) / (down_ms / 1000.0)
    low, high = (v / mm_s_per_unit for v in SPEED_RANGE_MM_S)
    speed = float(np.clip(down_ms / max(end_ms - start_ms - sum(gaps_ms), 1.0), low, high))
    timed = _place(dense, unit, gaps_ms, start_ms, speed)
    # Sampling rounds each trace up to whole 1/75 s: speed up a little until the line fits.
    while timed[-1][1][-1] > end_ms and speed < high:
        speed = min(speed * 1.02, high)
        timed = _place(dense, unit, gaps_ms, start_ms, speed)
    if timed[-1][1][-1] > end_ms:
        raise ValueError(
            f"a note line needs {timed[-1][1][-1] - start_ms:.0f} ms to write but its "
            f"phrase leaves {end_ms - start_ms:.0f} ms: shorten the note or lengthen the phrase"
        )
    return timed


# ---- the spoken recording ---------------------------------------------------------------

SAMPLE_RATE = 22050  # espeak-ng's own rate


def speak(text: str, wav_path: Path) -> np.ndarray:
    """One phrase from espeak-ng, with its leading and trailing silence cut."""
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav_path), text], check=True)
    data, rate = sf.read(wav_path, dtype="float32")
    if rate != SAMPLE_RATE:
        raise RuntimeError(f"espeak-ng wrote {rate} Hz, expected {SAMPLE_RATE}")
    voiced = np.flatnonzero(np.abs(data) > 0.01)
    return data[max(voiced[0] - SAMPLE_RATE // 40, 0) : voiced[-1] + SAMPLE_RATE // 20]


def record(workdir: Path, rng: np.random.Generator) -> tuple[np.ndarray, dict[int, tuple[float, float]]]:
    """The whole recording, and where (seconds) each note's phrase is heard."""
    parts = [np.zeros(SAMPLE_RATE, dtype=np.float32)]
    spans: dict[int, tuple[float, float]] = {}
    position_s = 1.0
    for index, (kind, _, spoken) in enumerate(NOTES):
        if kind == "page":
            continue
        speech = speak(spoken, workdir / f"phrase{index:02d}.wav")
        spans[index] = (position_s, position_s + len(speech) / SAMPLE_RATE)
        pause = np.zeros(int(rng.uniform(0.45, 0.9) * SAMPLE_RATE), dtype=np.float32)
        parts += [speech, pause]
        position_s += (len(speech) + len(pause)) / SAMPLE_RATE
    parts.append(np.zeros(SAMPLE_RATE // 2, dtype=np.float32))
    samples = np.concatenate(parts)
    return samples * (0.8 / np.abs(samples).max()), spans


def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return table


def with_fixed_ogg_serial(ogg: bytes, serial: int = 0x44454D4F) -> bytes:
    """libsndfile picks a random Ogg stream serial number; fix it (and the page CRCs) so
    the demo is byte-for-byte reproducible."""
    table, out, pos = _ogg_crc_table(), bytearray(ogg), 0
    while pos < len(out):
        if out[pos : pos + 4] != b"OggS":
            raise ValueError(f"not an Ogg page at byte {pos}")
        n_segments = out[pos + 26]
        end = pos + 27 + n_segments + sum(out[pos + 27 : pos + 27 + n_segments])
        out[pos + 14 : pos + 18] = serial.to_bytes(4, "little")
        out[pos + 22 : pos + 26] = bytes(4)
        crc = 0
        for byte in out[pos:end]:
            crc = ((crc << 8) & 0xFFFFFFFF) ^ table[((crc >> 24) ^ byte) & 0xFF]
        out[pos + 22 : pos + 26] = crc.to_bytes(4, "little")
        pos = end
    return bytes(out)


def write_ogg(samples: np.ndarray, path: Path) -> int:
    """Encode mono Ogg Vorbis at SAMPLE_RATE; return the decoded length in frames."""
    # In blocks: libsndfile 1.2 crashes when handed a long Vorbis buffer in one call.
    with sf.SoundFile(path, "w", SAMPLE_RATE, 1, format="OGG", subtype="VORBIS") as out:
        for start in range(0, len(samples), 16384):
            out.write(samples[start : start + 16384])
    path.write_bytes(with_fixed_ogg_serial(path.read_bytes()))
    return sf.info(str(path)).frames


# ---- the notebook -----------------------------------------------------------------------


def build_notebook(workdir: Path) -> Notebook:
    """The demo notebook; its recording is an Ogg file written into `workdir`."""
    rng = np.random.default_rng(SEED)
    pages_lines = layout(Hand(rng))
    samples, spans = record(workdir, rng)
    ogg = workdir / "cloudcamp-paris.ogg"
    n_frames = write_ogg(samples, ogg)
    audio = AudioFile(
        store=AudioStore.FILE,
        member=str(ogg),
        codec="vorbis",
        sample_rate=SAMPLE_RATE,
        channels=1,
        n_frames=n_frames,
        clock_start_ms=CLOCK_START_MS,
        clock_duration_ms=n_frames / SAMPLE_RATE * 1000.0,
    )
    pages = []
    for number, lines in enumerate(pages_lines, start=1):
        strokes = []
        for line, index in lines:
            start_s, end_s = spans[index]
            begin_ms = CLOCK_START_MS + (start_s + rng.uniform(0.25, 0.55)) * 1000.0
            for xy, t_ms in time_line(line, begin_ms, CLOCK_START_MS + (end_s - 0.15) * 1000.0, rng):
                strokes.append(Stroke(xy, t_ms, width_mm=PEN_MM, color=INK, recording=0))
        pages.append(
            Page(PAGE_W_MM, PAGE_H_MM, strokes, label=str(number), background=Background(ruling=RULING))
        )
    recording = Recording(name="CloudCamp Paris", files=(audio,), created=CREATED)
    return Notebook(
        pages=pages,
        recordings=(recording,),
        title="CloudCamp Paris — notes",
        source_format="pencast",
        created=CREATED,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .pencast")
    args = parser.parse_args(argv)
    from pencastviewer.formats.pencast import write_pencast

    with tempfile.TemporaryDirectory() as tmp:
        notebook = build_notebook(Path(tmp))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_pencast(notebook, args.output)
    recording = notebook.recordings[0]
    print(
        f"{args.output}: {args.output.stat().st_size} bytes, {len(notebook.pages)} pages, "
        f"{notebook.n_strokes} strokes, {notebook.n_points} points, "
        f"recording {recording.duration_s:.1f} s at {recording.sample_rate} Hz"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
