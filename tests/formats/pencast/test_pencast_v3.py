"""Version 3 of the .pencast: transcripts, bookmarks and a recording's stored level survive
a round trip exactly; older versions still read; hostile values are refused by name."""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pencastviewer.formats import FormatError
from pencastviewer.formats.pencast import read_pencast, write_pencast
from pencastviewer.formats.pencast.extras import MAX_BOOKMARKS
from pencastviewer.model import (
    AudioFile,
    AudioStore,
    Bookmark,
    Notebook,
    Page,
    Recording,
    Segment,
    StoredLevel,
    Stroke,
    Transcript,
    Word,
)


def lecture_notebook(folder: Path) -> Notebook:
    """Two recordings, a transcript of the second only, bookmarks in both, a level on one."""
    recordings = []
    for r in range(2):
        audio = folder / f"talk{r}.m4a"
        audio.write_bytes(b"\x00\x00\x00\x18ftypM4A " + bytes(100 + r))
        files = (AudioFile(AudioStore.FILE, str(audio), "aac", 16000, 1, 16000 * 60, 0.0, 60_000.0),)
        level = StoredLevel(gain_db=13.25, target_lufs=-16.0, voice_clarity=True) if r == 1 else None
        recordings.append(Recording(f"talk {r}", files, level=level))
    words = (Word(" Cellular", 1.25, 1.75, 0.875), Word(" respiration.", 1.75, 2.5, 0.5))
    transcript = Transcript(
        "en",
        "tiny.en",
        (Segment(1.25, 2.5, "Cellular respiration.", words), Segment(3.0, 4.5, "Ünïcode “quotes”", ())),
    )
    strokes = (Stroke([[1.0, 2.0], [3.0, 4.0]], [0.0, 5.0], recording=1),)
    return Notebook(
        (Page(210.0, 297.0, strokes),),
        tuple(recordings),
        transcripts=(None, transcript),
        bookmarks=(Bookmark(0, 0.1 + 0.2, "start"), Bookmark(1, 42.125, "the key point")),
    )


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "lecture.pencast"
    write_pencast(lecture_notebook(tmp_path), path)
    return path


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def rewrite(path: Path, edit: Callable[[dict[str, bytes]], None], name: str = "bad.pencast") -> Path:
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    edit(members)
    out = path.with_name(name)
    with zipfile.ZipFile(out, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data, zipfile.ZIP_STORED if n == "mimetype" else zipfile.ZIP_DEFLATED)
    return out


def edit_json(member: str, change: Callable[[dict], None]) -> Callable[[dict[str, bytes]], None]:
    def edit(members: dict[str, bytes]) -> None:
        doc = json.loads(members[member])
        change(doc)
        members[member] = json.dumps(doc).encode()

    return edit


def read_error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_pencast(path)
    assert str(info.value).startswith(f"{path}: ")
    return str(info.value)


def test_transcripts_bookmarks_and_level_round_trip(saved: Path, tmp_path: Path) -> None:
    want = lecture_notebook(tmp_path)
    got = read_pencast(saved)
    assert got.transcripts == want.transcripts
    assert got.bookmarks == want.bookmarks  # positions bit for bit (0.1 + 0.2 is not 0.3)
    assert [r.level for r in got.recordings] == [None, StoredLevel(13.25, -16.0, True)]
    assert got.transcript(0) is None and got.transcript(1) == want.transcripts[1]
    manifest = manifest_of(saved)
    assert manifest["version"] == 3
    member = manifest["recordings"][1]["transcript"]
    assert "transcript" not in manifest["recordings"][0]
    with zipfile.ZipFile(saved) as archive:  # the member is the `transcribe -o x.json` form
        assert json.loads(archive.read(member)) == want.transcripts[1].to_dict()
    again = tmp_path / "again.pencast"
    write_pencast(got, again)  # a re-save keeps them
    assert read_pencast(again).transcripts == want.transcripts
    assert read_pencast(again).bookmarks == want.bookmarks


def test_without_extras_the_oldest_version_is_written(tmp_path: Path) -> None:
    plain = dataclasses.replace(lecture_notebook(tmp_path), transcripts=(), bookmarks=())
    plain = dataclasses.replace(
        plain, recordings=tuple(dataclasses.replace(r, level=None) for r in plain.recordings)
    )
    write_pencast(plain, tmp_path / "plain.pencast")
    assert manifest_of(tmp_path / "plain.pencast")["version"] == 1  # older readers open it


def test_version_2_files_ignore_the_version_3_keys(saved: Path) -> None:
    """A version 2 file with these keys (another writer's additions) reads without them."""
    path = rewrite(saved, edit_json("manifest.json", lambda m: m.update(version=2)))
    notebook = read_pencast(path)
    assert notebook.transcripts == () and notebook.bookmarks == ()
    assert all(r.level is None for r in notebook.recordings)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda m: m["bookmarks"][1].update(recording=2),
            "bookmarks[1].recording is 2, but the notebook has 2",
        ),
        (
            lambda m: m["bookmarks"][0].update(position_s=-1),
            "bookmarks[0].position_s is -1.0, must be at least 0",
        ),
        (
            lambda m: m["bookmarks"][0].update(position_s=1e300),
            "bookmarks[0].position_s is 1e+300, must be at most",
        ),
        (lambda m: m["bookmarks"][0].update(name=7), "bookmarks[0].name must be a string"),
        (lambda m: m["bookmarks"][0].update(name="x" * 501), "bookmarks[0].name is 501 characters long"),
        (
            lambda m: m.update(
                bookmarks=[{"recording": 0, "position_s": 1.0, "name": ""}] * (MAX_BOOKMARKS + 1)
            ),
            f"lists {MAX_BOOKMARKS + 1} bookmarks",
        ),
        (
            lambda m: m["recordings"][1]["level"].update(gain_db=1e6),
            "recordings[1].level.gain_db is 1000000.0",
        ),
        (
            lambda m: m["recordings"][1]["level"].update(voice_clarity=1),
            "level.voice_clarity must be true or false",
        ),
        (lambda m: m["recordings"][1].update(transcript="../x.json"), "points outside the archive"),
        (lambda m: m["recordings"][0].update(transcript="nothing.json"), "which is not in the archive"),
    ],
)
def test_bad_manifest_values_are_named(saved: Path, change: Callable[[dict], None], problem: str) -> None:
    assert problem in read_error(rewrite(saved, edit_json("manifest.json", change)))


def test_non_finite_numbers_are_refused(saved: Path) -> None:
    def nan_gain(members: dict[str, bytes]) -> None:
        members["manifest.json"] = members["manifest.json"].replace(b'"gain_db": 13.25', b'"gain_db": NaN')

    assert "NaN is not a JSON number" in read_error(rewrite(saved, nan_gain))
    member = manifest_of(saved)["recordings"][1]["transcript"]

    def inf_time(members: dict[str, bytes]) -> None:
        members[member] = members[member].replace(b'"start_s": 1.25', b'"start_s": Infinity', 1)

    assert "transcript is not valid JSON: Infinity" in read_error(rewrite(saved, inf_time, "inf.pencast"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["segments"][0].update(end_s=1.0), "segments[0].end_s is 1.0, before start_s (1.25)"),
        (lambda d: d["segments"][0]["words"][0].update(start_s=-0.5), "words[0].start_s is -0.5"),
        (
            lambda d: d["segments"][0]["words"][1].update(probability=2),
            "words[1].probability is 2.0, must be at most 1",
        ),
        (lambda d: d["segments"][1].update(text=None), "segments[1].text must be a string"),
        (lambda d: d.update(segments={}), "segments must be a list"),
        (lambda d: d.pop("language"), "language is missing"),
        (lambda d: d["segments"].append("a segment"), "segments[2] must be an object"),
    ],
)
def test_bad_transcripts_are_named(saved: Path, change: Callable[[dict], None], problem: str) -> None:
    member = manifest_of(saved)["recordings"][1]["transcript"]
    message = read_error(rewrite(saved, edit_json(member, change)))
    assert problem in message and member in message


def test_a_transcript_member_past_its_limit_is_refused_before_reading(saved: Path, monkeypatch) -> None:
    from pencastviewer.formats.pencast import reader

    monkeypatch.setattr(reader, "MAX_TRANSCRIPT_BYTES", 100)
    assert "(limit 100)" in read_error(saved)


def test_a_transcript_a_reader_would_refuse_is_not_written(tmp_path: Path) -> None:
    bad = Transcript("en", "m", (Segment(0.0, math.nan, "x", ()),))
    notebook = dataclasses.replace(lecture_notebook(tmp_path), transcripts=(None, bad))
    with pytest.raises(FormatError, match="cannot save the transcript"):
        write_pencast(notebook, tmp_path / "out.pencast")
    assert not (tmp_path / "out.pencast").exists()


def test_a_bookmark_of_a_recording_that_does_not_exist_is_no_notebook(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="names recording 1"):
        Notebook((Page(1.0, 1.0),), bookmarks=(Bookmark(1, 0.0, "x"),))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=8,
)


def json_paths(value: object, path: tuple = ()) -> list[tuple]:
    places = [path]
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    )
    for key, child in children:
        places += json_paths(child, (*path, key))
    return places


@settings(max_examples=200, deadline=None)
@given(data=st.data(), member=st.sampled_from(["manifest.json", "transcripts/1.json"]))
def test_any_value_replaced_gives_a_format_error_or_a_notebook(data: st.DataObject, member: str) -> None:
    """Untrusted manifest and transcript values: a notebook or one FormatError, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.pencast"
        write_pencast(lecture_notebook(Path(tmp)), good)
        with zipfile.ZipFile(good) as archive:
            doc = json.loads(archive.read(member))
        place = data.draw(st.sampled_from([p for p in json_paths(doc) if p]))
        parent = doc
        for key in place[:-1]:
            parent = parent[key]
        parent[place[-1]] = data.draw(json_values)
        bad = rewrite(good, lambda m: m.update({member: json.dumps(doc).encode()}))
        try:
            notebook = read_pencast(bad)
        except FormatError as e:
            assert str(e).startswith(f"{bad}: ")
        else:
            for transcript in notebook.transcripts:
                for word in transcript.words() if transcript else ():
                    assert 0 <= word.start_s <= word.end_s and math.isfinite(word.end_s)


def test_all_transcripts_together_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file cannot multiply the per-transcript limits by its number of recordings."""
    from pencastviewer.formats.pencast import reader

    notebook = lecture_notebook(tmp_path)
    both = dataclasses.replace(notebook, transcripts=(notebook.transcripts[1], notebook.transcripts[1]))
    path = tmp_path / "both.pencast"
    write_pencast(both, path)
    assert read_pencast(path).transcripts == both.transcripts
    monkeypatch.setattr(reader, "MAX_TOTAL_WORDS", 3)  # 2 words each
    assert "transcript field segments hold more than 1 words" in read_error(path)
    monkeypatch.setattr(reader, "MAX_TOTAL_WORDS", 4)
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("transcripts/0.json").file_size
    monkeypatch.setattr(reader, "MAX_TOTAL_TRANSCRIPT_BYTES", 2 * size - 1)
    assert f"the transcripts take more than {2 * size - 1} bytes" in read_error(path)


def test_a_transcript_past_the_member_limit_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pencastviewer.formats.pencast import extras

    monkeypatch.setattr(extras, "MAX_TRANSCRIPT_BYTES", 100)
    with pytest.raises(
        FormatError, match=r"cannot save the transcript: transcript takes \d+ bytes \(at most 100\)"
    ):
        write_pencast(lecture_notebook(tmp_path), tmp_path / "out.pencast")
    assert not (tmp_path / "out.pencast").exists()
