"""The STF format's canonical Huffman tables (packaged as stf_tables.json) and the lookup
tables the decoder indexes with the next bits of the stream."""

from __future__ import annotations

import functools
import importlib.resources
import json

FAST_BITS = 18  # 2 MB of table; 16 and 20 measured no faster


@functools.cache
def _table_specs() -> dict[str, list[tuple[int, list[int]]]]:
    text = importlib.resources.files(__package__).joinpath("stf_tables.json").read_text("utf-8")
    return {name: [(int(n), list(s)) for n, s in spec] for name, spec in json.loads(text)["tables"].items()}


@functools.cache
def canonical_code(name: str) -> dict[int, tuple[int, int]]:
    """symbol -> (code, bit length) of table `name`, built canonically: lengths ascending,
    symbols in code order, each length's first code = (previous first + count) << step."""
    codes: dict[int, tuple[int, int]] = {}
    code, previous = 0, None
    for length, symbols in _table_specs()[name]:
        if previous is not None:
            code <<= length - previous
        for symbol in symbols:
            codes[symbol] = (code, length)
            code += 1
        previous = length
    if sum(2.0**-length for _, length in codes.values()) != 1.0:
        raise RuntimeError(f"STF table {name} is not a complete prefix code")  # a packaging bug
    return codes


@functools.cache
def lookup(name: str) -> tuple[int, list[tuple[int, int]]]:
    """(peek width, table): the next `width` bits index a (symbol, code length) pair."""
    codes = canonical_code(name)
    width = max(length for _, length in codes.values())
    table: list[tuple[int, int]] = [(0, 0)] * (1 << width)
    for symbol, (code, length) in codes.items():
        lo = code << (width - length)
        table[lo : lo + (1 << (width - length))] = [(symbol, length)] * (1 << (width - length))
    return width, table


@functools.cache
def fast_table() -> list[tuple[int, int, int] | None]:
    """Next FAST_BITS bits -> (bit length, dx, dy) of a whole common point (HDR 0, gap 1,
    residual codes, force delta 0), or None when the point is anything else."""
    hdr_code, hdr_len = canonical_code("HDR")[0]
    gap_code, gap_len = canonical_code("TIME")[1]
    df_code, df_len = canonical_code("DFORCE")[0]
    head = (hdr_code << gap_len) | gap_code
    fixed = hdr_len + gap_len + df_len
    table: list[tuple[int, int, int] | None] = [None] * (1 << FAST_BITS)
    for dx, (dx_code, dx_len) in canonical_code("DX").items():
        for dy, (dy_code, dy_len) in canonical_code("DY").items():
            total = fixed + dx_len + dy_len
            if total > FAST_BITS:
                continue
            code = (((((head << dx_len) | dx_code) << dy_len) | dy_code) << df_len) | df_code
            spare = FAST_BITS - total
            table[code << spare : (code + 1) << spare] = [(total, dx, dy)] * (1 << spare)
    return table
