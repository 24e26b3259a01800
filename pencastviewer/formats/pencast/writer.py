"""Writing .pencast notebooks atomically: a temp file beside the target, fsync, rename."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import secrets
import stat
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ... import __version__
from ...media.codecs import PCM, codec_name
from ...model import AudioFile, AudioStore, Background, Notebook, Page, Recording, Stroke
from ..audio_source import audio_bytes
from ..errors import FormatError
from .extras import (
    EXTRAS_VERSION,
    bookmark_entries,
    level_entry,
    needs_extras,
    transcript_bytes,
    transcript_member,
)
from .layout import (
    AUDIO_STORES,
    BACKGROUND_KINDS,
    FORMAT_NAME,
    MANIFEST_MEMBER,
    MIMETYPE,
    MIMETYPE_MEMBER,
    STYLE_VERSION,
    audio_member,
    blob_member,
    image_ext,
    strokes_member,
)
from .schema import ManifestProblem
from .strokes import StrokeDataError, dash_table, encode_strokes, is_styled

Progress = Callable[[int, int], bool]
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same notebook always gives the same bytes
_UNCOMPRESSED_AUDIO = {"wav", "aif", "aiff", "au", "snd", "pcm", "raw"}
_COMPRESSED_IMAGES = {"png", "jpg", "gif"}
_KIND_NAMES = {kind: name for name, kind in BACKGROUND_KINDS.items()}
_STORE_NAMES = {store: name for name, store in AUDIO_STORES.items()}


class WriteCancelled(Exception):
    """The progress callback returned False; the target file was left as it was."""


@dataclass(frozen=True)
class _Member:
    name: str
    data: Callable[[], bytes]  # produced while writing, so big audio is held one file at a time
    compress: int
    level: int | None = None  # deflate level; None = zlib's default (6)


def write_pencast(notebook: Notebook, path: str | os.PathLike[str], progress: Progress | None = None) -> None:
    """Save `notebook` as a .pencast. Either the whole file is written or nothing changes.

    progress(done, total) is called before the first and after every member; returning
    False cancels (WriteCancelled). Problems raise FormatError.
    """
    path = Path(path)
    try:
        plan = _Plan(notebook, path)
        manifest = json.dumps(plan.manifest, allow_nan=False, indent=1).encode("ascii")
    except ValueError as e:  # NaN/inf in the manifest, a colour out of range
        raise FormatError(path, f"cannot save: {e}") from None
    except ManifestProblem as e:  # a transcript a reader would refuse
        raise FormatError(path, f"cannot save the transcript: {e}") from None
    members = [
        _Member(MIMETYPE_MEMBER, lambda: MIMETYPE.encode("ascii"), zipfile.ZIP_STORED),
        _Member(MANIFEST_MEMBER, lambda: manifest, zipfile.ZIP_DEFLATED),
        *plan.members,
    ]
    try:
        with _atomic_file(path) as f, zipfile.ZipFile(f, "w") as archive:
            _report(progress, 0, len(members))
            for done, member in enumerate(members, 1):
                _write_member(archive, member)
                _report(progress, done, len(members))
    except OSError as e:
        raise FormatError(path, f"cannot write: {e.strerror or e}") from None


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and not progress(done, total):
        raise WriteCancelled("saving was cancelled; the file was not changed")


def _write_member(archive: zipfile.ZipFile, member: _Member) -> None:
    info = zipfile.ZipInfo(member.name, date_time=_FIXED_TIME)
    info.compress_type = member.compress
    info.external_attr = 0o644 << 16
    archive.writestr(info, member.data(), compresslevel=member.level)


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A new file in the target's folder that replaces the target only on success."""
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent
    temp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    # 0o666 so the umask applies, as for any new file (mkstemp would force 0o600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))  # keep an existing file's mode
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Plan:
    """The manifest and the list of members to write, computed before writing starts."""

    def __init__(self, notebook: Notebook, path: Path):
        self.path = path
        self.members: list[_Member] = []
        self._names: set[str] = set()
        self._pdf_files: dict[str, bytes] = {}
        styled = any(is_styled(s) for page in notebook.pages for s in page.strokes)
        self.notebook = notebook
        # The oldest version that holds the notebook, so older readers open what they can.
        version = EXTRAS_VERSION if needs_extras(notebook) else STYLE_VERSION if styled else 1
        self.manifest: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": version,
            "generator": f"pencastviewer {__version__}",
            "title": notebook.title,
            "source_format": notebook.source_format,
            "created": _iso(notebook.created),
            "warnings": list(notebook.warnings),
            "recordings": [self._recording(r, rec) for r, rec in enumerate(notebook.recordings)],
            "pages": [self._page(i, page) for i, page in enumerate(notebook.pages)],
        }
        if notebook.bookmarks:
            self.manifest["bookmarks"] = bookmark_entries(notebook.bookmarks)

    def _add(self, name: str, data: Callable[[], bytes], compress: int, level: int | None = None) -> str:
        if name not in self._names:
            self._names.add(name)
            self.members.append(_Member(name, data, compress, level))
        return name

    def _blob(self, folder: str, data: bytes, ext: str) -> str:
        compress = zipfile.ZIP_STORED if ext in _COMPRESSED_IMAGES else zipfile.ZIP_DEFLATED
        return self._add(blob_member(folder, data, ext), lambda: data, compress)

    def _page(self, i: int, page: Page) -> dict[str, Any]:
        return {
            "width_mm": float(page.width_mm),
            "height_mm": float(page.height_mm),
            "label": page.label,
            "address": page.address,
            "background": self._background(page.background),
            "texts": [
                {
                    "text": t.text,
                    "x_mm": float(t.x_mm),
                    "y_mm": float(t.y_mm),
                    "font": t.font,
                    "size_pt": float(t.size_pt),
                    "color": _color(t.color),
                    "t_ms": _opt_float(t.t_ms),
                    "recording": None if t.recording is None else int(t.recording),
                }
                for t in page.texts
            ],
            "images": [
                {"member": self._blob("images", im.data, image_ext(im.data)), "rect_mm": _floats(im.rect_mm)}
                for im in page.images
            ],
            "strokes": self._strokes(i, page.strokes),
        }

    def _strokes(self, i: int, strokes: Sequence[Stroke]) -> dict[str, Any] | None:
        if not strokes:
            return None
        # Level 1: on pen data a third of the raw size, 6× faster to save than level 6 (~24 %).
        dashes = dash_table(strokes)
        encode = functools.partial(self._encode, i, strokes, dashes)
        name = self._add(strokes_member(i), encode, zipfile.ZIP_DEFLATED, level=1)
        entry: dict[str, Any] = {
            "member": name,
            "n_strokes": len(strokes),
            "n_points": sum(s.n_points for s in strokes),
            "has_widths": any(s.widths_mm is not None for s in strokes),
        }
        if dashes:
            entry["dashes"] = [list(pattern) for pattern in dashes]
        return entry

    def _encode(self, i: int, strokes: Sequence[Stroke], dashes: tuple[tuple[float, ...], ...]) -> bytes:
        try:
            return encode_strokes(strokes, dashes)
        except StrokeDataError as e:
            where = f"page {i + 1}, {e.where}" if e.where else f"page {i + 1}"
            raise FormatError(self.path, f"cannot save the ink: {e.problem}", where=where) from None

    def _background(self, bg: Background | None) -> dict[str, Any] | None:
        if bg is None:
            return None
        ruling = bg.ruling
        pdf = bg.pdf_data if bg.pdf_data or not bg.pdf_path else self._pdf_file(bg.pdf_path)
        return {
            "kind": _KIND_NAMES[bg.kind],
            "color": _color(bg.color),
            "ruling": None
            if ruling is None
            else {
                "style": ruling.style,
                "spacing_mm": float(ruling.spacing_mm),
                "line_color": _color(ruling.line_color),
                "margin_mm": float(ruling.margin_mm),
                "margin_color": _color(ruling.margin_color),
                "header_mm": float(ruling.header_mm),
                "line_width_mm": _opt_float(ruling.line_width_mm),
                "grid_margin_mm": float(ruling.grid_margin_mm),
                "round_to_grid": bool(ruling.round_to_grid),
                "footer_mm": float(ruling.footer_mm),
                "staff_gap_mm": float(ruling.staff_gap_mm),
                "staff_side_mm": float(ruling.staff_side_mm),
            },
            "image": None if bg.image is None else self._blob("backgrounds", bg.image, image_ext(bg.image)),
            "image_rect_mm": None if bg.image_rect_mm is None else _floats(bg.image_rect_mm),
            "pdf": None if pdf is None else self._blob("backgrounds", pdf, "pdf"),
            "pdf_page": int(bg.pdf_page),
        }

    def _pdf_file(self, pdf_path: str) -> bytes:
        """A PDF background on disk is embedded, so the .pencast is self-contained."""
        if pdf_path not in self._pdf_files:
            try:
                self._pdf_files[pdf_path] = Path(pdf_path).read_bytes()
            except OSError as e:
                raise FormatError(pdf_path, f"cannot read the background PDF: {e.strerror or e}") from None
        return self._pdf_files[pdf_path]

    def _recording(self, r: int, recording: Recording) -> dict[str, Any]:
        files = [self._audio(r, f, audio) for f, audio in enumerate(recording.files)]
        entry: dict[str, Any] = {"name": recording.name, "created": _iso(recording.created), "files": files}
        level, transcript = level_entry(recording), self.notebook.transcript(r)
        if level is not None:
            entry["level"] = level
        if transcript is not None:
            data = transcript_bytes(transcript)
            entry["transcript"] = self._add(transcript_member(r), lambda: data, zipfile.ZIP_DEFLATED)
        return entry

    def _audio(self, r: int, f: int, audio: AudioFile) -> dict[str, Any]:
        entry: dict[str, Any]
        if audio.store == AudioStore.MISSING:
            entry = {"store": _STORE_NAMES[AudioStore.MISSING], "name": audio.member}
        else:  # the encoded bytes, copied as they are: never decoded, never re-encoded
            ext = _audio_ext(audio)
            compress = zipfile.ZIP_DEFLATED if _is_pcm(audio, ext) else zipfile.ZIP_STORED
            name = self._add(audio_member(r, f, ext), functools.partial(audio_bytes, audio), compress)
            entry = {"store": _STORE_NAMES[AudioStore.ZIP], "member": name}
        entry.update(
            codec=audio.codec,
            sample_rate=int(audio.sample_rate),
            channels=int(audio.channels),
            n_frames=int(audio.n_frames),
            clock_start_ms=float(audio.clock_start_ms),
            clock_duration_ms=float(audio.clock_duration_ms),
        )
        return entry


def _audio_ext(audio: AudioFile) -> str:
    suffix = PurePosixPath(audio.member.replace("\\", "/")).suffix.lower().lstrip(".")
    if 1 <= len(suffix) <= 5 and suffix.isascii() and suffix.isalnum():
        return suffix
    codec = audio.codec.lower()
    return codec if 1 <= len(codec) <= 5 and codec.isascii() and codec.isalnum() else "bin"


def _is_pcm(audio: AudioFile, ext: str) -> bool:
    return ext in _UNCOMPRESSED_AUDIO or codec_name(audio.codec) == PCM


def _iso(moment: dt.datetime | None) -> str | None:
    """ISO-8601; an offset that is not whole minutes (not valid ISO-8601) becomes UTC, same instant."""
    if moment is None:
        return None
    offset = moment.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        moment = moment.astimezone(dt.UTC)
    return moment.isoformat()


def _color(color: tuple[int, ...]) -> list[int]:
    values = [int(c) for c in color]
    if len(values) != 4 or not all(0 <= c <= 255 for c in values):
        raise ValueError(f"colour {tuple(color)} is not RGBA with components 0..255")
    return values


def _floats(values: tuple[float, ...]) -> list[float]:
    return [float(v) for v in values]


def _opt_float(value: float | None) -> float | None:
    return None if value is None else float(value)
