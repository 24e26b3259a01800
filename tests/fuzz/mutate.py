"""Mutating notebook files: raw byte damage plus structure-aware changes inside the
containers (ZIP members, gzip payloads, PDF streams) so mutations reach the parsers
behind the checksums, and text-aware changes (numbers, strings, nesting) that aim at
the values readers convert."""

from __future__ import annotations

import gzip
import io
import random
import re
import zipfile
from collections.abc import Callable

# Values that broke readers before (issue 10) and their relatives.
INTERESTING_NUMBERS = (
    b"0",
    b"-0",
    b"-1",
    b"1e308",
    b"-1e308",
    b"1e-320",
    b"5e-324",
    b"1e20",
    b"-1e20",
    b"nan",
    b"inf",
    b"-inf",
    b"NaN",
    b"Infinity",
    b"4294967296",
    b"-2147483649",
    b"9223372036854775808",
    b"4503599627370496",
    b"78901",
    b"9" * 400,
    b"1" * 5000,
    b"0x7f",
    b"1e1000000",
    b"",
)
INTERESTING_STRINGS = (
    b"/etc/passwd",
    b"../../../../etc/hostname",
    b"x" * 300,
    b"",
    b"\xff\xfe",
    b"file:///etc/passwd",
    b"a.png",
    b"/dev/zero",
    b"/proc/self/mem",
    b"2026-13-45T99:99:99",
    b"78901-01-01",
)
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_QUOTED = re.compile(rb'"([^"\n]{0,200})"')
_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)[^<>]{0,400}>")


def _span(rng: random.Random, n: int, max_len: int = 64) -> tuple[int, int]:
    start = rng.randrange(n + 1)
    return start, min(n, start + rng.randint(1, max_len))


def flip_bits(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_bytes(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x3C, 0x22, rng.randrange(256)))
    return bytes(out)


def delete_range(rng: random.Random, data: bytes) -> bytes:
    a, b = _span(rng, len(data), 256)
    return data[:a] + data[b:]


def duplicate_range(rng: random.Random, data: bytes) -> bytes:
    a, b = _span(rng, len(data), 512)
    return data[:b] + data[a:b] * rng.choice((1, 2, 16, 200)) + data[b:]


def insert_random(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.randbytes(rng.randint(1, 64)) + data[i:]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _replace_match(
    rng: random.Random, data: bytes, pattern: re.Pattern[bytes], values: tuple[bytes, ...]
) -> bytes:
    matches = list(pattern.finditer(data, 0, 2_000_000))
    if not matches:
        return set_bytes(rng, data)
    for m in rng.sample(matches, min(len(matches), rng.randint(1, 3))):
        group = 1 if pattern.groups else 0
        a, b = m.span(group)
        data = data[:a] + rng.choice(values) + data[b:]
        break  # later spans moved; one replacement per pass keeps positions right
    return data


def replace_number(rng: random.Random, data: bytes) -> bytes:
    return _replace_match(rng, data, _NUMBER, INTERESTING_NUMBERS)


def replace_string(rng: random.Random, data: bytes) -> bytes:
    return _replace_match(rng, data, _QUOTED, INTERESTING_STRINGS)


def nest_tag(rng: random.Random, data: bytes) -> bytes:
    """An element opened thousands of times (deep nesting), closed or not."""
    tags = list(_TAG.finditer(data, 0, 2_000_000))
    if not tags:
        return duplicate_range(rng, data)
    m = rng.choice(tags)
    depth = rng.choice((100, 3000, 20000))
    opener = b"<" + m.group(1) + b">"
    closer = b"</" + m.group(1) + b">" if rng.random() < 0.5 else b""
    return data[: m.end()] + opener * depth + closer * depth + data[m.end() :]


def change_encoding(rng: random.Random, data: bytes) -> bytes:
    """An XML declaration naming an unknown or a wide encoding, or a UTF-16 document."""
    body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    choice = rng.randrange(4)
    if choice == 0:
        return b'<?xml version="1.0" encoding="x-no-such-enc"?>' + body
    if choice == 1:
        text = body.decode("utf-8", "replace")
        return ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")
    if choice == 2:  # a DTD in UTF-16 (the byte regex misses it)
        text = body.decode("utf-8", "replace")
        dtd = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>'
        return ('<?xml version="1.0" encoding="UTF-16"?>' + dtd + text).encode("utf-16")
    return b'<?xml version="1.0" encoding="latin-1"?>' + body


def splice(rng: random.Random, data: bytes, other: bytes) -> bytes:
    a = rng.randrange(len(data) + 1)
    b = rng.randrange(len(other) + 1)
    return data[:a] + other[b:]


RAW: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    flip_bits,
    set_bytes,
    delete_range,
    duplicate_range,
    insert_random,
    truncate,
)
TEXT: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    replace_number,
    replace_number,
    replace_number,
    replace_string,
    nest_tag,
    change_encoding,
    duplicate_range,
    delete_range,
)


def mutate_payload(rng: random.Random, data: bytes) -> bytes:
    """1-4 mutations; text-aware ones for text payloads."""
    is_text = data[:1] in (b"<", b"{", b" ", b"\n", b"\xef") or data[:5] == b"<?xml"
    for _ in range(rng.randint(1, 4)):
        pool = TEXT if is_text and rng.random() < 0.8 else RAW
        data = rng.choice(pool)(rng, data)
    return data


def _mutate_zip(rng: random.Random, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        members = {i.filename: src.read(i) for i in infos}
    target = rng.choice(infos).filename
    members[target] = mutate(rng, members[target])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in infos:  # each member as it was stored (a .pencast's mimetype stays first, stored)
            dst.writestr(
                zipfile.ZipInfo(info.filename, info.date_time), members[info.filename], info.compress_type
            )
    return out.getvalue()


def _mutate_pdf(rng: random.Random, data: bytes) -> bytes:
    """Mutate the decoded bytes of one stream (ink InkML, images, audio) and save."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)]
        if not streams:
            return mutate_payload(rng, data)
        stream = rng.choice(streams)
        try:
            payload = stream.read_bytes()
        except pikepdf.PdfError:
            return mutate_payload(rng, data)
        stream.write(mutate(rng, payload), filter=pikepdf.Name.FlateDecode)
        if rng.random() < 0.3:  # the Flate + DecodeParms path of issue 10
            stream.stream_dict.DecodeParms = pikepdf.Dictionary(Predictor=1)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def mutate(rng: random.Random, data: bytes) -> bytes:
    """A mutated copy of `data`, structure-aware for ZIP, gzip and PDF most of the time."""
    structured = rng.random() < 0.75
    try:
        if structured and data.startswith(b"PK\x03\x04"):
            return _mutate_zip(rng, data)
        if structured and data.startswith(b"\x1f\x8b"):
            inner = mutate(rng, gzip.decompress(data))
            return gzip.compress(inner, compresslevel=1)
        if structured and data.startswith(b"%PDF"):
            return _mutate_pdf(rng, data)
    except Exception:  # the seed itself was already damaged by an earlier pass
        pass
    return mutate_payload(rng, data)
