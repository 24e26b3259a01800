"""Reading .pencast notebooks as untrusted input: every problem is a FormatError naming the
file and the member or manifest field at fault."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...model import (
    AudioFile,
    AudioStore,
    Background,
    BackgroundKind,
    Notebook,
    Page,
    PageImage,
    PageText,
    Recording,
    Ruling,
    Stroke,
)
from ..errors import CorruptFileError, FormatError, NotAPencastError, TooLargeError
from ..safezip import SafeZip, is_safe_member_name
from .extras import (
    EXTRAS_VERSION,
    MAX_TOTAL_TRANSCRIPT_BYTES,
    MAX_TOTAL_WORDS,
    MAX_TRANSCRIPT_BYTES,
    MAX_WORDS,
    parse_json,
    read_bookmarks,
    read_level,
    read_transcript,
)
from .layout import (
    AUDIO_STORES,
    BACKGROUND_KINDS,
    FORMAT_NAME,
    MANIFEST_MEMBER,
    MAX_COUNT,
    MAX_MANIFEST_BYTES,
    MIMETYPE,
    MIMETYPE_MEMBER,
    STYLE_VERSION,
    VERSION,
    strokes_size,
)
from .schema import REQUIRED, ManifestProblem, Obj
from .strokes import StrokeDataError, decode_strokes

_MIMETYPE_BYTES = MIMETYPE.encode("ascii")
DEFAULT_RULING = Ruling()
MAX_INDEX = 2**31 - 1


def sniff_pencast(head: bytes, path: Path) -> bool:
    """A ZIP whose first member is the stored `mimetype` (like ODF/EPUB); failing that, a
    ZIP whose manifest.json says format "pencast" (e.g. re-zipped by another tool)."""
    if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
        return False
    flags, method = struct.unpack_from("<HH", head, 6)
    size = struct.unpack_from("<I", head, 18)[0]
    name_len, extra_len = struct.unpack_from("<HH", head, 26)
    if head[30 : 30 + name_len] == MIMETYPE_MEMBER.encode("ascii"):
        start = 30 + name_len + extra_len
        sized = size == len(_MIMETYPE_BYTES) or bool(flags & 0x08)  # bit 3: sizes come later
        return method == 0 and sized and head[start : start + len(_MIMETYPE_BYTES)] == _MIMETYPE_BYTES
    try:
        with SafeZip(path) as archive:
            if not archive.has(MANIFEST_MEMBER) or archive.size(MANIFEST_MEMBER) > MAX_MANIFEST_BYTES:
                return False
            manifest = json.loads(archive.read(MANIFEST_MEMBER))
    except (FormatError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT_NAME


def read_pencast(path: str | Path, options: object = None) -> Notebook:
    """The notebook in the .pencast at `path`; `options` is unused (everything is inside)."""
    path = Path(path)
    with SafeZip(path) as archive:
        return _Reader(path, archive).notebook()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class _Reader:
    def __init__(self, path: Path, archive: SafeZip):
        self.path = path
        self.archive = archive
        self._blobs: dict[str, bytes] = {}  # shared members (a PDF used by many pages) read once
        self.version = VERSION
        self._transcript_bytes = self._transcript_words = 0  # over all the recordings

    def notebook(self) -> Notebook:
        root = self._manifest()
        try:
            return self._notebook(root)
        except ManifestProblem as e:
            raise CorruptFileError(
                self.path, f"manifest field {e.field} {e.problem}", where=MANIFEST_MEMBER
            ) from None

    def _manifest(self) -> Obj:
        if not self.archive.has(MANIFEST_MEMBER):
            raise NotAPencastError(self.path, f"no {MANIFEST_MEMBER} in the archive: not a .pencast notebook")
        raw = self.archive.read(MANIFEST_MEMBER, MAX_MANIFEST_BYTES)
        try:
            value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except json.JSONDecodeError as e:
            where = f"{MANIFEST_MEMBER} line {e.lineno}, column {e.colno}"
            raise CorruptFileError(self.path, f"manifest is not valid JSON: {e.msg}", where=where) from None
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise CorruptFileError(
                self.path, f"manifest is not valid JSON: {e}", where=MANIFEST_MEMBER
            ) from None
        if not isinstance(value, dict) or value.get("format") != FORMAT_NAME:
            raise NotAPencastError(self.path, f'{MANIFEST_MEMBER} does not say "format": "{FORMAT_NAME}"')
        version = value.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise CorruptFileError(
                self.path, f"manifest version {version!r} is not a positive integer", where=MANIFEST_MEMBER
            )
        if version > VERSION:
            raise FormatError(
                self.path,
                f"written by a newer pencastviewer (version {version}); this one reads "
                f"version {VERSION}: please update pencastviewer",
            )
        self.version = version
        return Obj(value, "")

    def _notebook(self, root: Obj) -> Notebook:
        entries = root.objects("recordings", [])
        recordings = tuple(self._recording(r) for r in entries)
        pages = tuple(self._page(p, len(recordings)) for p in root.objects("pages"))
        # Version 3 keys; in older versions they are unknown keys, ignored.
        extras = self.version >= EXTRAS_VERSION
        return Notebook(
            pages=pages,
            recordings=recordings,
            title=root.text("title", ""),
            # The notebook's origin when it was converted; a notebook made here says "pencast".
            source_format=root.text("source_format", "") or FORMAT_NAME,
            created=root.timestamp("created"),
            warnings=root.strings("warnings", []),
            transcripts=tuple(self._transcript(r) for r in entries) if extras else (),
            bookmarks=read_bookmarks(root, len(recordings)) if extras else (),
        )

    def _transcript(self, obj: Obj) -> Any:
        """The recording's transcript member (version 3), read within its size limit."""
        member = self._member(obj, "transcript", nullable=True)
        if member is None:
            return None
        self._transcript_bytes += self.archive.size(member)
        if self._transcript_bytes > MAX_TOTAL_TRANSCRIPT_BYTES:  # checked before reading
            raise TooLargeError(
                self.path, f"the transcripts take more than {MAX_TOTAL_TRANSCRIPT_BYTES} bytes"
            )
        try:
            words_left = min(MAX_WORDS, MAX_TOTAL_WORDS - self._transcript_words)
            value = parse_json(self.archive.read(member, MAX_TRANSCRIPT_BYTES))
            transcript = read_transcript(value, words_left)
            self._transcript_words += sum(len(s.words) for s in transcript.segments)
            return transcript
        except ManifestProblem as e:
            raise CorruptFileError(
                self.path, f"transcript field {e.field} {e.problem}", where=member
            ) from None
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise CorruptFileError(self.path, f"transcript is not valid JSON: {e}", where=member) from None

    def _member(self, obj: Obj, key: str, *, nullable: bool = False) -> Any:
        """A manifest reference to an archive entry, which must exist."""
        name = obj.text(key, None if nullable else REQUIRED, nullable=nullable)
        if name is None:
            return None
        if not is_safe_member_name(name):
            raise ManifestProblem(obj.field(key), f"names {name!r}, which points outside the archive")
        if not self.archive.has(name):
            raise ManifestProblem(obj.field(key), f"names {name!r}, which is not in the archive")
        return name

    def _blob(self, name: str) -> bytes:
        if name not in self._blobs:
            self._blobs[name] = self.archive.read(name)
        return self._blobs[name]

    def _page(self, obj: Obj, n_recordings: int) -> Page:
        return Page(
            width_mm=obj.number("width_mm", positive=True),
            height_mm=obj.number("height_mm", positive=True),
            strokes=self._strokes(obj.child("strokes", None, nullable=True), n_recordings),
            label=obj.text("label", ""),
            background=self._background(obj.child("background", None, nullable=True)),
            texts=tuple(self._text(t, n_recordings) for t in obj.objects("texts", [])),
            images=tuple(
                PageImage(self._blob(self._member(i, "member")), i.rect("rect_mm"))
                for i in obj.objects("images", [])
            ),
            address=obj.text("address", ""),
        )

    def _strokes(self, obj: Obj | None, n_recordings: int) -> Sequence[Stroke]:
        if obj is None:
            return ()
        member = self._member(obj, "member")
        n_strokes = obj.integer("n_strokes", hi=MAX_COUNT)
        n_points = obj.integer("n_points", hi=MAX_COUNT)
        has_widths = obj.flag("has_widths", False)
        expected = strokes_size(n_strokes, n_points, has_widths)
        actual = self.archive.size(member)
        if actual != expected:  # checked before reading, so a lying count allocates nothing
            widths = "with" if has_widths else "without"
            raise CorruptFileError(
                self.path,
                f"stroke data is {actual} bytes, but {n_strokes} strokes and "
                f"{n_points} points {widths} widths take {expected}",
                where=member,
            )
        # Version 1 knows no dashes: a "dashes" key there is an unknown key, ignored.
        styled = self.version >= STYLE_VERSION
        dashes = obj.number_lists("dashes", [], lo=0.0) if styled else ()
        try:
            data = self.archive.read(member)
            return decode_strokes(data, n_strokes, n_points, has_widths, n_recordings, dashes, self.version)
        except StrokeDataError as e:
            where = f"{member}, {e.where}" if e.where else member
            raise CorruptFileError(self.path, f"stroke data: {e.problem}", where=where) from None

    def _background(self, obj: Obj | None) -> Background | None:
        if obj is None:
            return None
        kind_name = obj.text("kind")
        if kind_name not in BACKGROUND_KINDS:
            raise ManifestProblem(
                obj.field("kind"), f"is {kind_name!r}, not one of {', '.join(BACKGROUND_KINDS)}"
            )
        kind = BACKGROUND_KINDS[kind_name]
        image_member = self._member(obj, "image", nullable=True)
        pdf_member = self._member(obj, "pdf", nullable=True)
        image = self._blob(image_member) if image_member else None
        pdf_data = self._blob(pdf_member) if pdf_member else None
        if kind == BackgroundKind.IMAGE and not image:
            raise ManifestProblem(obj.field("image"), "must name a non-empty image for an image background")
        if kind == BackgroundKind.PDF and not pdf_data:
            raise ManifestProblem(obj.field("pdf"), "must name a non-empty PDF for a pdf background")
        return Background(
            kind=kind,
            color=obj.color("color"),
            ruling=self._ruling(obj.child("ruling", None, nullable=True)),
            image=image,
            image_rect_mm=obj.rect("image_rect_mm", None, nullable=True),
            pdf_data=pdf_data,
            pdf_page=obj.integer("pdf_page", 0, hi=MAX_INDEX),
        )

    @staticmethod
    def _ruling(obj: Obj | None) -> Ruling | None:
        if obj is None:
            return None
        return Ruling(
            style=obj.text("style"),
            spacing_mm=obj.number("spacing_mm"),
            line_color=obj.color("line_color"),
            margin_mm=obj.number("margin_mm"),
            margin_color=obj.color("margin_color"),
            header_mm=obj.number("header_mm"),
            line_width_mm=obj.number("line_width_mm", None, nullable=True),
            grid_margin_mm=obj.number("grid_margin_mm", 0.0),
            round_to_grid=obj.flag("round_to_grid", False),
            footer_mm=obj.number("footer_mm", 0.0),
            staff_gap_mm=obj.number("staff_gap_mm", DEFAULT_RULING.staff_gap_mm),
            staff_side_mm=obj.number("staff_side_mm", 0.0),
        )

    @staticmethod
    def _text(obj: Obj, n_recordings: int) -> PageText:
        return PageText(
            text=obj.text("text"),
            x_mm=obj.number("x_mm"),
            y_mm=obj.number("y_mm"),
            font=obj.text("font"),
            size_pt=obj.number("size_pt"),
            color=obj.color("color"),
            t_ms=obj.number("t_ms", None, nullable=True),
            recording=_recording_index(obj, n_recordings),
        )

    def _recording(self, obj: Obj) -> Recording:
        files = obj.objects("files")
        if not files:
            raise ManifestProblem(obj.field("files"), "must list at least one audio file")
        return Recording(
            name=obj.text("name"),
            files=tuple(self._audio(f) for f in files),
            created=obj.timestamp("created"),
            level=read_level(obj) if self.version >= EXTRAS_VERSION else None,
        )

    def _audio(self, obj: Obj) -> AudioFile:
        store_name = obj.text("store")
        if store_name not in AUDIO_STORES:
            raise ManifestProblem(
                obj.field("store"), f"is {store_name!r}, not one of {', '.join(AUDIO_STORES)}"
            )
        store = AUDIO_STORES[store_name]
        in_zip = store == AudioStore.ZIP
        return AudioFile(
            store=store,
            member=self._member(obj, "member") if in_zip else obj.text("name"),
            codec=obj.text("codec"),
            sample_rate=obj.integer("sample_rate", hi=MAX_INDEX),
            channels=obj.integer("channels", hi=MAX_INDEX),
            n_frames=obj.integer("n_frames"),
            clock_start_ms=obj.number("clock_start_ms"),
            clock_duration_ms=obj.number("clock_duration_ms", lo=0.0),
            container=str(self.path.absolute()) if in_zip else None,
        )


def _recording_index(obj: Obj, n_recordings: int) -> int | None:
    index: int | None = obj.integer("recording", None, hi=MAX_INDEX, nullable=True)
    if index is not None and index >= n_recordings:
        raise ManifestProblem(
            obj.field("recording"), f"is {index}, but the notebook has {n_recordings} recordings"
        )
    return None if index is None else int(index)
