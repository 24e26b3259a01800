"""The web page export shows the clip's transcript beside the page: a click on a word plays
from it, and the word being heard is highlighted while the page plays (real Chromium)."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
from support.chromium_cdp import Chromium, find_chromium

from pencastviewer.app.document import open_notebook
from pencastviewer.app.export.core import ClipSpec
from pencastviewer.app.export.registry import export_clip
from pencastviewer.formats.pencast import read_pencast, write_pencast
from pencastviewer.model import Segment, Transcript, Word

CLIP = (70.0, 100.0)


def words_every_second(n: int) -> Transcript:
    """Word k ("w<k>") said from k + 0.25 s to k + 0.75 s, ten words a segment."""
    words = [Word(f" w{k}", k + 0.25, k + 0.75) for k in range(n)]
    parts = [tuple(words[k : k + 10]) for k in range(0, n, 10)]
    return Transcript("en", "test", tuple(Segment(p[0].start_s, p[-1].end_s, "", p) for p in parts))


@pytest.fixture(scope="module")
def page_html(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-words")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder / "cache"))  # only the file's transcript
        demo = read_pencast(demo_path)
        n = int(demo.recordings[0].duration_s) - 1
        source = folder / "with-words.pencast"
        write_pencast(dataclasses.replace(demo, transcripts=(words_every_second(n),)), source)
        return export_clip(open_notebook(source), ClipSpec(0, *CLIP), folder / "clip.html")


@pytest.fixture(scope="module")
def browser(page_html: Path, tmp_path_factory: pytest.TempPathFactory):
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    with Chromium(executable, tmp_path_factory.mktemp("chromium-profile")) as chromium:
        for domain in ("Runtime", "Log", "Page"):
            chromium.call(f"{domain}.enable", page=True)
        chromium.call("Page.navigate", {"url": page_html.as_uri()}, page=True)
        chromium.wait_event("Page.loadEventFired")
        deadline = time.monotonic() + 30
        while not browser_ready(chromium) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield chromium


def browser_ready(chromium: Chromium) -> bool:
    return bool(chromium.evaluate("window.pencastPlayer !== undefined"))


def expected_word(position_s: float) -> int:
    """Index in the clip of the word heard at `position_s` (the last one begun)."""
    return int(position_s + CLIP[0] - 0.25) - int(CLIP[0])


def test_the_clip_words_are_in_the_page_data(page_html: Path) -> None:
    html = page_html.read_text(encoding="utf-8")
    assert '<div id="transcript" hidden' in html  # shown by the script when there are words
    data = re.search(r'"transcript":(\[.*?\]\]\})', html)
    assert data and '["w70",0.25,0.75]' not in data.group(1)  # words keep their leading space
    assert '[" w70",0.25,0.75]' in html and '[" w99",29.25,29.75]' in html and '" w100"' not in html


def test_the_panel_lists_the_words_of_the_clip(browser: Chromium) -> None:
    words = browser.evaluate("window.pencastPlayer.wordSpans.map(s => s.textContent)")
    assert words == [f" w{k}" for k in range(70, 100)]
    assert browser.evaluate("document.getElementById('transcript').hidden") is False
    assert browser.evaluate("document.getElementById('transcript').getBoundingClientRect().width") > 100
    assert browser.console_errors() == []


def test_clicking_a_word_plays_from_it(browser: Chromium) -> None:
    browser.evaluate("window.pencastPlayer.wordSpans[12].scrollIntoView({block: 'center'}); 0")
    box = browser.evaluate("""(() => { const r = window.pencastPlayer.wordSpans[12].getBoundingClientRect();
        return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()""")
    browser.evaluate("""window.seekTarget = null;
        window.pencastPlayer.audio.addEventListener("seeking",
            () => { window.seekTarget = window.pencastPlayer.audio.currentTime; }, {once: true}); 0""")
    browser.click(round(box["x"]), round(box["y"]))
    deadline = time.monotonic() + 5.0  # the click's "seeking" event arrives asynchronously
    while browser.evaluate("window.seekTarget") is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert browser.evaluate("window.seekTarget") == pytest.approx(12.25, abs=0.01)  # w82 said at 82.25 s
    assert browser.evaluate("window.pencastPlayer.audio.paused") is False
    assert browser.console_errors() == []


def test_the_word_being_heard_is_highlighted_while_playing(browser: Chromium) -> None:
    seen = browser.evaluate("""new Promise(resolve => {
        const player = window.pencastPlayer, audio = player.audio, seen = [];
        audio.currentTime = 3.0;
        audio.play();
        const sample = () => {
            if (!audio.paused && audio.currentTime > 3.1) {
                const current = document.querySelectorAll("#transcript .word.current");
                const text = current.length ? current[0].textContent : null;
                seen.push([audio.currentTime, player.currentWord(), current.length, text]);
            }
            if (seen.length < 5000 && !(audio.currentTime > 5.5)) requestAnimationFrame(sample);
            else { audio.pause(); resolve(seen); }
        };
        requestAnimationFrame(sample);
    })""")
    assert {k for _, k, _, _ in seen} >= {3, 4}  # the highlight moved on with the sound (w73, w74)
    for position_s, k, n_highlighted, text in seen:
        # drawn in this frame or the one before: the word heard then or just before
        assert k in (expected_word(position_s), expected_word(position_s - 0.3))
        assert n_highlighted == 1 and text == f" w{70 + k}"
    browser.evaluate("""new Promise(resolve => { const audio = window.pencastPlayer.audio;
        audio.addEventListener("seeked", () => resolve(0), {once: true}); audio.currentTime = 20.5; })""")
    assert browser.evaluate("window.pencastPlayer.currentWord()") == 20  # w90, 20.25–20.75
    assert browser.console_errors() == []


def test_words_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    from pencastviewer.app.document import OpenedNotebook
    from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

    wav = tmp_path / "talk.wav"
    sf.write(wav, np.random.default_rng(5).normal(0, 0.1, 32000).astype(np.float32), 16000)
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", 16000, 1, 32000, 0.0, 2000.0)
    stroke = Stroke(np.array([[10.0, 10.0], [50.0, 12.0]]), np.array([500.0, 900.0]), recording=0)
    hostile = Word(" </script><script>alert(1)</script>&amp;", 0.5, 1.0)
    transcript = Transcript("en", "m", (Segment(0.5, 1.0, hostile.word, (hostile,)),))
    notebook = Notebook(
        (Page(100.0, 140.0, (stroke,)),), (Recording("talk", (audio,)),), transcripts=(transcript,)
    )
    out = export_clip(
        OpenedNotebook(wav, "test", notebook, Timeline(notebook)), ClipSpec(0, 0.0, 2.0), tmp_path / "t.html"
    )
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html
