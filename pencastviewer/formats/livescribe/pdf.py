"""Livescribe Pencast PDFs ("PDF Plus"): ink, page backgrounds and embedded audio, read with pikepdf."""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...media.probe import probe
from ...media.source import AudioError
from ...model import AudioFile, AudioStore, Notebook, Recording
from ..errors import CorruptFileError, FormatError, NotAPencastError, TooLargeError
from ..limits import unix_ms_datetime
from ..registry import FormatSpec, ReadOptions
from .inkml import AudioSession, SessionFile, parse_inkml, to_pages

if TYPE_CHECKING:  # imported where used: readers of other formats should not pay for pikepdf
    import pikepdf

NOT_A_PENCAST = "this PDF was not written by Livescribe: it has no pencast data"
MAX_INKML_BYTES = 256 * 1024**2
MAX_IMAGE_BYTES = 64 * 1024**2
MAX_AUDIO_BYTES = 2 * 1024**3
# What Livescribe pens record (docs/formats.md); assumed only for an embedded file that
# cannot be probed, and then the reader says so in a warning.
LIVESCRIBE_SAMPLE_RATE = 16000
LIVESCRIBE_AAC_FRAME = 1024


def _sniff(head: bytes, path: Path) -> bool:
    return head.startswith(b"%PDF")


@contextmanager
def _open_pdf(path: Path) -> Iterator[pikepdf.Pdf]:
    """The open PDF; pikepdf errors, at opening or later while objects load lazily,
    become FormatErrors."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise FormatError(path, "the PDF is password-protected") from None
    except (pikepdf.PdfError, RuntimeError) as e:  # QPDF also raises RuntimeErrors (the fuzzer found one)
        raise CorruptFileError(path, f"not a readable PDF ({_first_line(e)})") from None
    except OSError as e:
        raise FormatError(path, f"cannot read: {e.strerror or e}") from None
    try:
        with pdf:
            yield pdf
    except (pikepdf.PdfError, RuntimeError) as e:  # QPDF reports damage found late as these
        raise CorruptFileError(path, f"damaged PDF ({_first_line(e)})") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _stream_bytes(obj: object, path: Path, what: str, limit: int) -> bytes:
    """The decoded bytes of a stream object, refusing more than `limit` bytes."""
    import pikepdf

    if not isinstance(obj, pikepdf.Stream):
        raise CorruptFileError(path, f"{what} is missing or not a stream")
    filters = obj.stream_dict.get("/Filter")
    if isinstance(filters, pikepdf.Array) and len(filters) == 1:
        filters = filters[0]
    if filters is None or (isinstance(filters, pikepdf.Array) and len(filters) == 0):
        data = obj.read_raw_bytes()  # unfiltered: no bigger than the file itself
    elif filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in obj.stream_dict:
        data = _inflate(obj.read_raw_bytes(), limit, path, what)
    elif filters == pikepdf.Name.FlateDecode:
        # A predictor (DecodeParms) never makes the data longer than the inflated bytes:
        # measuring those first keeps QPDF from inflating a bomb in memory.
        if _inflated_size(obj.read_raw_bytes(), limit, path, what) > limit:
            raise TooLargeError(path, f"{what} is larger than {limit} bytes")
        data = obj.read_bytes()
    else:
        data = obj.read_bytes()
    if len(data) > limit:
        raise TooLargeError(path, f"{what} is larger than {limit} bytes")
    return data


def _inflated_size(raw: bytes, limit: int, path: Path, what: str) -> int:
    """How many bytes `raw` inflates to, counted in 1 MiB pieces up to just past `limit`."""
    inflater, size, pending = zlib.decompressobj(), 0, raw
    try:
        while size <= limit:
            piece = inflater.decompress(pending, 1 << 20)
            size += len(piece)
            pending = inflater.unconsumed_tail
            if not piece and not pending:
                break
    except zlib.error as e:
        raise CorruptFileError(path, f"{what} is damaged ({e})") from None
    return size


def _inflate(raw: bytes, limit: int, path: Path, what: str) -> bytes:
    """Bounded inflate. A missing end of stream is tolerated here: what the bytes must be
    (XML, PNG) is checked by their reader."""
    try:
        return zlib.decompressobj().decompress(raw, limit + 1)
    except zlib.error as e:
        raise CorruptFileError(path, f"{what} is damaged ({e})") from None


def _metadata(pdf: pikepdf.Pdf, path: Path) -> pikepdf.Dictionary:
    import pikepdf

    root = pdf.trailer.get("/Root")
    if not isinstance(root, pikepdf.Dictionary):
        raise CorruptFileError(path, "the PDF has no document catalog")
    metadata = root.get("/Livescribe_Metadata")
    if metadata is None:
        raise NotAPencastError(path, NOT_A_PENCAST)
    if not isinstance(metadata, pikepdf.Dictionary):
        raise CorruptFileError(path, "Livescribe_Metadata is not a dictionary")
    return metadata


def _embedded_files(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Stream]:
    """Embedded file streams by name (Root /Names /EmbeddedFiles, a name tree)."""
    import pikepdf

    names = pdf.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    if not isinstance(tree, pikepdf.Dictionary):
        return {}
    files = {}
    for name, spec in pikepdf.NameTree(tree).items():
        ef = spec.get("/EF") if isinstance(spec, pikepdf.Dictionary) else None
        stream = ef.get("/F", ef.get("/UF")) if isinstance(ef, pikepdf.Dictionary) else None
        if isinstance(stream, pikepdf.Stream):
            files[str(name)] = stream
    return files


def embedded_file_bytes(pdf_path: str | os.PathLike[str], name: str) -> bytes:
    """The bytes of the PDF's embedded file `name` (e.g. "Livescribe_Audio0.m4a")."""
    path = Path(pdf_path)
    with _open_pdf(path) as pdf:
        stream = _embedded_files(pdf).get(name)
        if stream is None:
            raise CorruptFileError(path, f"the PDF has no embedded file {name!r}")
        return _stream_bytes(stream, path, f"embedded file {name!r}", MAX_AUDIO_BYTES)


def _audio_file(
    entry: SessionFile, embedded: dict[str, pikepdf.Stream], path: Path, warnings: list[str]
) -> AudioFile:
    span_ms = entry.end_ms - entry.start_ms
    placement: dict[str, Any] = {
        "member": entry.key,
        "clock_start_ms": entry.start_ms,
        "clock_duration_ms": span_ms,
        "container": str(path),
    }
    stream = embedded.get(entry.key)
    if stream is None:
        warnings.append(f"audio file {entry.key!r} is named but not embedded in the PDF")
        return AudioFile(
            store=AudioStore.MISSING, codec="aac", sample_rate=0, channels=0, n_frames=0, **placement
        )
    data = _stream_bytes(stream, path, f"embedded file {entry.key!r}", MAX_AUDIO_BYTES)
    try:
        # n_frames: the MP4 sample tables' length. Livescribe files have no edit list, so it
        # counts every sample the AAC decoder outputs, priming frame included (3-dots.pdf:
        # 117 AAC frames × 1024 = 119 808 samples = end − start = 7 488 ms).
        info = probe(data, name_hint=entry.key)
        codec, sample_rate, channels, n_frames = info.codec, info.sample_rate, info.channels, info.n_frames
    except AudioError as e:
        warnings.append(f"audio file {entry.key!r} is damaged and may not play ({_first_line(e)})")
        return AudioFile(
            store=AudioStore.PDF_EMBEDDED,
            codec="aac",
            sample_rate=LIVESCRIBE_SAMPLE_RATE,
            channels=1,
            n_frames=0,
            **placement,
        )
    if abs(n_frames / sample_rate * 1000.0 - span_ms) > LIVESCRIBE_AAC_FRAME / sample_rate * 1000.0:
        warnings.append(
            f"audio file {entry.key!r} lasts {n_frames / sample_rate:.3f} s but spans "
            f"{span_ms / 1000:.3f} s on the pen clock; ink may drift from the sound"
        )
    return AudioFile(
        store=AudioStore.PDF_EMBEDDED,
        codec=codec,
        sample_rate=sample_rate,
        channels=channels,
        n_frames=n_frames,
        **placement,
    )


def _created(unix_ms: float | None) -> dt.datetime | None:
    return None if unix_ms is None else unix_ms_datetime(unix_ms)


def _recordings(
    sessions: Sequence[AudioSession], embedded: dict[str, pikepdf.Stream], path: Path, warnings: list[str]
) -> tuple[list[Recording], list[int | None]]:
    """One Recording per session with audio files, and each session's recording index."""
    recordings: list[Recording] = []
    indices: list[int | None] = []
    for session in sessions:
        if not session.files:
            warnings.append(f"audio session {session.name!r} names no audio file; its ink has no sound")
            indices.append(None)
            continue
        files = tuple(_audio_file(entry, embedded, path, warnings) for entry in session.files)
        indices.append(len(recordings))
        recordings.append(Recording(session.name, files, created=_created(session.created_ms)))
    return recordings, indices


def _background_images(
    metadata: pikepdf.Dictionary, keys: set[str], path: Path, warnings: list[str]
) -> dict[str, bytes]:
    images = {}
    for key in sorted(keys):
        try:
            images[key] = _stream_bytes(metadata.get("/" + key), path, f"background {key!r}", MAX_IMAGE_BYTES)
        except (CorruptFileError, ValueError) as e:  # the ink is still worth showing
            warnings.append(str(e.problem if isinstance(e, FormatError) else e))
    return images


def _damage(pdf: pikepdf.Pdf, path: Path) -> str | None:
    """What QPDF had to repair, without the file name it prefixes; None for a sound file."""
    found = [str(w).removeprefix(str(path)).lstrip(":, ") for w in pdf.get_warnings()]
    return "; ".join(found[:2])[:200] if found else None


def read_pencast_pdf(path: Path, options: ReadOptions) -> Notebook:
    warnings: list[str] = []
    with _open_pdf(path) as pdf:
        try:
            metadata = _metadata(pdf, path)
        except NotAPencastError:
            if damage := _damage(pdf, path):  # a truncated pencast loses its catalog first
                raise CorruptFileError(
                    path, f"the PDF is damaged ({damage}); no pencast data found"
                ) from None
            raise
        inkml = _stream_bytes(
            metadata.get("/Livescribe_InkML"), path, "the Livescribe_InkML stream", MAX_INKML_BYTES
        )
        ink = parse_inkml(inkml, path)
        images = _background_images(metadata, set(ink.backgrounds.values()), path, warnings)
        recordings, session_recordings = _recordings(ink.sessions, _embedded_files(pdf), path, warnings)
        if damage := _damage(pdf, path):
            warnings.insert(0, f"the PDF is damaged and was repaired on reading: {damage}")
    if not ink.pages:
        raise CorruptFileError(path, "the pencast data holds no notebook page")
    pages, page_warnings = to_pages(ink, backgrounds=images, session_recordings=session_recordings)
    created = min((r.created for r in recordings if r.created is not None), default=None)
    return Notebook(
        pages=tuple(pages),
        recordings=tuple(recordings),
        source_format=FORMAT.name,
        created=created,
        warnings=(*ink.warnings, *warnings, *page_warnings),
    )


FORMAT = FormatSpec(
    name="livescribe-pdf",
    description="Livescribe Pencast PDF",
    extensions=(".pdf",),
    sniff=_sniff,
    read=read_pencast_pdf,
)
