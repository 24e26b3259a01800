"""Web page export: one self-contained .html (ink as data, Opus audio, the player script)
that plays offline in headless Chromium without a console error, lasts the clip, reveals
the ink, and seeks to a stroke's time when the stroke is clicked."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from support.chromium_cdp import Chromium, find_chromium

from pencastviewer.app.document import OpenedNotebook, open_notebook
from pencastviewer.app.export.core import ClipSpec, ExportCancelled, ExportError
from pencastviewer.app.export.registry import export_clip
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline, Tool

CLIP = (70.0, 100.0)  # the demo turns from its first page to its second at 88.4 s
OPUS_FRAME_S = 0.020  # Chromium counts the Opus pre-skip (6.5 ms) in the duration


def embedded(html: str) -> tuple[dict, bytes]:
    """The player data and the audio bytes inside an exported page."""
    data = re.search(r'<script type="application/json" id="pencast-data">(.*?)</script>', html, re.S)
    audio = re.search(r'<audio id="audio" preload="auto" src="data:audio/ogg;base64,([A-Za-z0-9+/=]+)"', html)
    assert data and audio
    return json.loads(data.group(1)), base64.b64decode(audio.group(1))


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> OpenedNotebook:
    return open_notebook(demo_path)


@pytest.fixture(scope="module")
def clip_html(demo: OpenedNotebook, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("web") / "clip.html"
    export_clip(demo, ClipSpec(0, *CLIP), out)
    return out


def titled_notebook(folder: Path, title: str) -> OpenedNotebook:
    """One stroke over a 2-second recording (a WAV of noise), with `title`."""
    wav = folder / "talk.wav"
    sf.write(wav, np.random.default_rng(5).normal(0, 0.1, 32000).astype(np.float32), 16000)
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", 16000, 1, 32000, 0.0, 2000.0)
    stroke = Stroke(np.array([[10.0, 10.0], [50.0, 12.0]]), np.array([500.0, 900.0]), recording=0)
    notebook = Notebook((Page(100.0, 140.0, (stroke,)),), (Recording("talk", (audio,)),), title=title)
    return OpenedNotebook(wav, "test", notebook, Timeline(notebook))


# ---- the file --------------------------------------------------------------------------------


def test_page_is_one_file_that_fetches_nothing(clip_html: Path) -> None:
    html = clip_html.read_text(encoding="utf-8")
    assert "default-src 'none'" in html  # a CSP: the browser may not fetch anything else
    assert not re.search(r'(src|href)\s*=\s*"(?!data:)', html)  # every resource is inline
    assert not re.search(r"https?://", html)
    data, _ = embedded(html)
    assert all(page["background"].startswith("data:image/png;base64,") for page in data["pages"])


def test_embedded_audio_is_opus_lasting_the_clip(clip_html: Path) -> None:
    _, audio = embedded(clip_html.read_text(encoding="utf-8"))
    with av.open(io.BytesIO(audio)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus"
        n_samples = sum(frame.samples for frame in container.decode(stream))
    assert n_samples / 48000 == pytest.approx(CLIP[1] - CLIP[0], abs=0.001)


def test_ink_data_times_are_the_clip_positions_of_every_point(demo: OpenedNotebook, clip_html: Path) -> None:
    data, _ = embedded(clip_html.read_text(encoding="utf-8"))
    assert data["duration"] == pytest.approx(30.0, abs=1e-3)
    assert [page["index"] for page in data["pages"]] == [0, 1]
    assert data["pageTimes"][0] == [0, 0]
    turn_s = demo.timeline.position_s(0, demo.notebook.pages[1].strokes[0].start_ms) - CLIP[0]
    assert data["pageTimes"][1] == [pytest.approx(turn_s, abs=0.001), 1]
    for slot, page in enumerate(demo.notebook.pages):
        strokes = data["pages"][slot]["strokes"]
        assert len(strokes) == len(page.strokes)
        for stroke, exported in zip(page.strokes[::20], strokes[::20], strict=True):
            assert np.allclose(np.reshape(exported["xy"], (-1, 2)), stroke.xy_mm, atol=0.005)
            expected = [demo.timeline.position_s(0, t) - CLIP[0] for t in stroke.t_ms]
            last_ms = demo.timeline.ink_time_ms(0, CLIP[1])
            expected = [e if t <= last_ms else None for e, t in zip(expected, stroke.t_ms, strict=True)]
            for got, want in zip(exported["t"], expected, strict=True):
                assert got > 30.0 if want is None else got == pytest.approx(want, abs=0.001)


def test_a_page_clip_shows_only_its_page(demo: OpenedNotebook, tmp_path: Path) -> None:
    first_s = demo.timeline.position_s(0, demo.notebook.pages[1].strokes[0].start_ms)
    out = tmp_path / "page2.html"
    export_clip(demo, ClipSpec(0, first_s - 0.5, first_s + 5.0, page=1), out)
    data, _ = embedded(out.read_text(encoding="utf-8"))
    assert [page["index"] for page in data["pages"]] == [1] and data["pageTimes"] == [[0, 0]]


def test_notebook_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    document = titled_notebook(tmp_path, "</script><script>alert(1)</script> & <b>")
    out = tmp_path / "t.html"
    export_clip(document, ClipSpec(0, 0.0, 2.0), out)
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<b>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # shown, escaped


def test_cancelled_export_leaves_the_folder_as_it_was(demo: OpenedNotebook, tmp_path: Path) -> None:
    (tmp_path / "clip.html").write_text("an older export")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = []

    def progress(fraction: float) -> bool:
        calls.append(fraction)
        return len(calls) < 5

    with pytest.raises(ExportCancelled):
        export_clip(demo, ClipSpec(0, *CLIP), tmp_path / "clip.html", progress)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_clip_without_a_recording_is_refused(demo: OpenedNotebook, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no recording"):
        export_clip(demo, ClipSpec(None, 0.0, 0.0), tmp_path / "clip.html")
    assert list(tmp_path.iterdir()) == []


# ---- in a browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(clip_html: Path, tmp_path_factory: pytest.TempPathFactory):
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    with Chromium(executable, tmp_path_factory.mktemp("chromium-profile")) as chromium:
        for domain in ("Runtime", "Log", "Page", "Network"):
            chromium.call(f"{domain}.enable", page=True)
        chromium.call("Page.navigate", {"url": clip_html.as_uri()}, page=True)
        chromium.wait_event("Page.loadEventFired")
        yield chromium


def media_duration(browser: Chromium) -> float:
    return browser.evaluate("""new Promise(resolve => {
        const audio = window.pencastPlayer.audio;
        if (audio.readyState >= 1) resolve(audio.duration);
        else audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
    })""")


def darkest_near(browser: Chromium, time_s: float, client: dict) -> float:
    """Pause at `time_s`; the lowest luma of the canvas's 3×3 pixels around client point
    `client` (a stroke about a pixel wide covers the centre one only partly)."""
    return browser.evaluate(f"""new Promise(resolve => {{
        const audio = window.pencastPlayer.audio;
        audio.pause();
        audio.addEventListener("seeked", () => {{
            const canvas = document.getElementById("ink"), rect = canvas.getBoundingClientRect();
            const dpr = canvas.width / rect.width;
            const x = Math.floor(({client["x"]} - rect.left) * dpr);
            const y = Math.floor(({client["y"]} - rect.top) * dpr);
            const rgba = canvas.getContext("2d").getImageData(x - 1, y - 1, 3, 3).data;
            let darkest = 255;
            for (let i = 0; i < rgba.length; i += 4) {{
                darkest = Math.min(darkest, 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
            }}
            resolve(darkest);
        }}, {{once: true}});
        audio.currentTime = {time_s};
    }})""")


def isolated_point(demo: OpenedNotebook) -> tuple[int, int]:
    """(stroke, point) on page 1, written inside the clip before the page turn, at least
    5 mm from every other stroke: a click there can only mean that stroke."""
    page = demo.notebook.pages[0]
    others = np.vstack([s.xy_mm for s in page.strokes])
    owner = np.repeat(np.arange(len(page.strokes)), [s.n_points for s in page.strokes])
    for i, stroke in enumerate(page.strokes):
        start_s = demo.timeline.position_s(0, stroke.start_ms)
        if not CLIP[0] + 2 < start_s < 86.0 or stroke.n_points < 10:
            continue
        point = stroke.n_points // 2
        distance = np.hypot(*(others - stroke.xy_mm[point]).T)
        if distance[owner != i].min() > 5.0:
            return i, point
    raise AssertionError("the demo has no isolated stroke in the clip")


def test_page_loads_offline_without_console_errors(browser: Chromium, clip_html: Path) -> None:
    assert browser.evaluate("window.pencastPlayer.data.pages.length") == 2
    assert browser.evaluate("window.pencastPlayer.shownPage()") == 0
    media_duration(browser)  # the audio has been parsed too
    assert browser.console_errors() == []
    requests = [e for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    requested = [e["params"]["request"]["url"] for e in requests]
    assert requested and all(url.startswith(("data:", clip_html.as_uri())) for url in requested)


def test_audio_element_lasts_the_clip(browser: Chromium) -> None:
    assert media_duration(browser) == pytest.approx(CLIP[1] - CLIP[0], abs=OPUS_FRAME_S)


def test_clicking_a_stroke_seeks_to_when_it_was_written(browser: Chromium, demo: OpenedNotebook) -> None:
    stroke, point = isolated_point(demo)
    x_mm, y_mm = demo.notebook.pages[0].strokes[stroke].xy_mm[point]
    client = browser.evaluate(f"window.pencastPlayer.pageToClient({x_mm}, {y_mm})")
    x, y = round(client["x"]), round(client["y"])  # where a real pointer would land
    at_mm = browser.evaluate(f"window.pencastPlayer.clientToPage({x}, {y})")
    hit = demo.hit_index(0).hit(at_mm["x"], at_mm["y"], 3.0)
    assert hit is not None and hit.stroke == stroke
    expected_s = demo.timeline.position_s(0, hit.t_ms) - CLIP[0]
    browser.evaluate("""window.seekTarget = null;
        window.pencastPlayer.audio.addEventListener("seeking",
            () => { window.seekTarget = window.pencastPlayer.audio.currentTime; }, {once: true}); 0""")
    browser.click(x, y)
    # the click's "seeking" event arrives asynchronously: wait for it (at most 5 s)
    deadline = time.monotonic() + 5.0
    while browser.evaluate("window.seekTarget") is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert browser.evaluate("window.seekTarget") == pytest.approx(expected_s, abs=0.01)
    assert browser.evaluate("window.pencastPlayer.audio.currentTime") == pytest.approx(expected_s, abs=0.5)
    assert browser.console_errors() == []


def test_the_finished_page_shows_until_playback_starts(
    browser: Chromium, demo: OpenedNotebook, clip_html: Path
) -> None:
    """Freshly loaded, at 0:00, a stroke written late in the clip is drawn in full, as the
    window shows a stopped notebook (not a faint ghost: that would look like nothing)."""
    browser.call("Page.navigate", {"url": clip_html.as_uri()}, page=True)
    browser.wait_event("Page.loadEventFired")
    deadline = time.monotonic() + 30  # a load event left by an earlier page may come first
    while not browser.evaluate("window.pencastPlayer !== undefined") and time.monotonic() < deadline:
        time.sleep(0.05)
    stroke_index, point = isolated_point(demo)
    x_mm, y_mm = demo.notebook.pages[0].strokes[stroke_index].xy_mm[point]
    client = browser.evaluate(f"window.pencastPlayer.pageToClient({x_mm}, {y_mm})")
    darkest = browser.evaluate(f"""(() => {{
        const canvas = document.getElementById("ink"), rect = canvas.getBoundingClientRect();
        const dpr = canvas.width / rect.width;
        const x = Math.floor(({client["x"]} - rect.left) * dpr);
        const y = Math.floor(({client["y"]} - rect.top) * dpr);
        const rgba = canvas.getContext("2d").getImageData(x - 1, y - 1, 3, 3).data;
        let darkest = 255;
        for (let i = 0; i < rgba.length; i += 4) {{
            darkest = Math.min(darkest, 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
        }}
        return darkest;
    }})()""")
    assert browser.evaluate("window.pencastPlayer.audio.currentTime") == 0
    assert darkest < 100  # the ink's dark blue, not a ghost


def test_ink_is_revealed_as_the_audio_plays(browser: Chromium, demo: OpenedNotebook) -> None:
    stroke_index, point = isolated_point(demo)
    stroke = demo.notebook.pages[0].strokes[stroke_index]
    x_mm, y_mm = stroke.xy_mm[point]
    client = browser.evaluate(f"window.pencastPlayer.pageToClient({x_mm}, {y_mm})")
    written_s = demo.timeline.position_s(0, stroke.end_ms) - CLIP[0] + 0.5
    before_s = demo.timeline.position_s(0, stroke.start_ms) - CLIP[0] - 0.5

    assert darkest_near(browser, written_s, client) < 100  # written: the ink's dark blue
    assert darkest_near(browser, before_s, client) > 190  # still to come: a faint ghost
    assert browser.console_errors() == []


def styled_notebook(folder: Path) -> OpenedNotebook:
    """Every way a stroke can look (Xournal++): pen, translucent highlighter with flat caps,
    pressure widths, dashes, a fill, ink without audio; written one after another in 2 s."""
    document = titled_notebook(folder, "styles")
    recording = document.notebook.recordings

    def line(y_mm: float, start_s: float, end_s: float, **style: object) -> Stroke:
        xy = np.column_stack([np.linspace(10, 60, 20), y_mm + 3 * np.sin(np.linspace(0, 3, 20))])
        return Stroke(xy, np.linspace(start_s * 1000, end_s * 1000, 20), **{"recording": 0, **style})

    strokes = (
        line(15, 0.1, 0.3, width_mm=0.5),
        line(30, 0.3, 0.5, width_mm=5.0, color=(255, 220, 0, 128), tool=Tool.HIGHLIGHTER, cap="butt"),
        line(45, 0.5, 0.7, widths_mm=np.linspace(0.3, 2.0, 20)),
        line(60, 0.7, 0.9, width_mm=0.8, dash_mm=(2.0, 1.0)),
        line(75, 0.9, 1.1, width_mm=0.6, fill_alpha=120, color=(200, 0, 0, 255)),
        line(90, 1.1, 1.3, width_mm=0.6, recording=None),
    )
    notebook = Notebook((Page(100.0, 140.0, strokes),), recording, title="styles")
    return OpenedNotebook(document.path, "test", notebook, Timeline(notebook))


def test_every_stroke_style_is_drawn_without_errors(tmp_path: Path) -> None:
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    document = styled_notebook(tmp_path)
    out = tmp_path / "styles.html"
    export_clip(document, ClipSpec(0, 0.0, 2.0), out)
    with Chromium(executable, tmp_path / "profile") as browser:
        for domain in ("Runtime", "Log", "Page"):
            browser.call(f"{domain}.enable", page=True)
        browser.call("Page.navigate", {"url": out.as_uri()}, page=True)
        browser.wait_event("Page.loadEventFired")
        media_duration(browser)
        page = document.notebook.pages[0]
        for stroke in page.strokes:
            client = browser.evaluate("window.pencastPlayer.pageToClient({}, {})".format(*stroke.xy_mm[10]))
            ghost, written = darkest_near(browser, 0.0, client), darkest_near(browser, 1.9, client)
            assert written < 235 and written < ghost - 15  # each kind drawn, and revealed when written
        assert browser.console_errors() == []
