"""Typed, range-checked access to the untrusted manifest JSON, naming the field at fault."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ...model import Color

REQUIRED: Any = object()
MAX_INT = 2**53  # JSON numbers other languages can hold exactly


class ManifestProblem(Exception):
    """A manifest field is missing, of the wrong type or out of range."""

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field} {problem}")


class Obj:
    """A JSON object of the manifest plus its path (e.g. 'pages[3].background')."""

    def __init__(self, value: object, where: str):
        if not isinstance(value, dict):
            raise ManifestProblem(where, f"must be an object, not {_kind(value)}")
        self.value = value
        self.where = where

    def field(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str, default: Any) -> Any:
        if key in self.value:
            return self.value[key]
        if default is REQUIRED:
            raise ManifestProblem(self.field(key), "is missing")
        return default

    def text(self, key: str, default: Any = REQUIRED, *, nullable: bool = False) -> Any:
        value = self._get(key, default)
        if isinstance(value, str) or (nullable and value is None):
            return value
        raise ManifestProblem(self.field(key), f"must be a string, not {_kind(value)}")

    def integer(
        self, key: str, default: Any = REQUIRED, *, lo: int = 0, hi: int = MAX_INT, nullable: bool = False
    ) -> Any:
        value = self._get(key, default)
        if nullable and value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ManifestProblem(self.field(key), f"must be an integer, not {_kind(value)}")
        if not lo <= value <= hi:
            raise ManifestProblem(self.field(key), f"is {value}, outside {lo}..{hi}")
        return value

    def number(
        self,
        key: str,
        default: Any = REQUIRED,
        *,
        lo: float = -math.inf,
        positive: bool = False,
        nullable: bool = False,
    ) -> Any:
        value = self._get(key, default)
        if nullable and value is None:
            return None
        return _number(value, self.field(key), lo=lo, positive=positive)

    def flag(self, key: str, default: Any = REQUIRED) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise ManifestProblem(self.field(key), f"must be true or false, not {_kind(value)}")
        return value

    def color(self, key: str, default: Any = REQUIRED) -> Color:
        value = self._get(key, default)
        where = self.field(key)
        if not isinstance(value, list | tuple) or len(value) != 4:
            raise ManifestProblem(where, "must be a list of 4 integers 0..255 (R, G, B, A)")
        for c in value:
            if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c <= 255:
                raise ManifestProblem(where, f"has {c!r}; colour components are integers 0..255")
        return tuple(value)

    def rect(self, key: str, default: Any = REQUIRED, *, nullable: bool = False) -> Any:
        """[x, y, w, h] in mm as a tuple of 4 floats."""
        value = self._get(key, default)
        if nullable and value is None:
            return None
        where = self.field(key)
        if not isinstance(value, list) or len(value) != 4:
            raise ManifestProblem(where, "must be a list of 4 numbers [x, y, w, h] in mm")
        return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))

    def timestamp(self, key: str, default: Any = None) -> dt.datetime | None:
        value = self.text(key, default, nullable=True)
        if value is None:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ManifestProblem(
                self.field(key), f"is not an ISO-8601 date and time: {value[:40]!r}"
            ) from None

    def child(self, key: str, default: Any = REQUIRED, *, nullable: bool = False) -> Obj | None:
        value = self._get(key, default)
        if nullable and value is None:
            return None
        return Obj(value, self.field(key))

    def items(self, key: str, default: Any = REQUIRED) -> list[tuple[object, str]]:
        """The elements of a list with their paths."""
        value = self._get(key, default)
        if not isinstance(value, list):
            raise ManifestProblem(self.field(key), f"must be a list, not {_kind(value)}")
        return [(v, f"{self.field(key)}[{i}]") for i, v in enumerate(value)]

    def objects(self, key: str, default: Any = REQUIRED) -> list[Obj]:
        return [Obj(v, where) for v, where in self.items(key, default)]

    def number_lists(
        self, key: str, default: Any = REQUIRED, *, lo: float = -math.inf
    ) -> tuple[tuple[float, ...], ...]:
        """A list of lists of finite numbers (e.g. a page's dash patterns)."""
        out = []
        for value, where in self.items(key, default):
            if not isinstance(value, list):
                raise ManifestProblem(where, f"must be a list of numbers, not {_kind(value)}")
            out.append(tuple(_number(v, f"{where}[{i}]", lo=lo) for i, v in enumerate(value)))
        return tuple(out)

    def strings(self, key: str, default: Any = REQUIRED) -> tuple[str, ...]:
        out = []
        for v, where in self.items(key, default):
            if not isinstance(v, str):
                raise ManifestProblem(where, f"must be a string, not {_kind(v)}")
            out.append(v)
        return tuple(out)


def _number(value: object, where: str, *, lo: float = -math.inf, positive: bool = False) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ManifestProblem(where, f"must be a number, not {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ManifestProblem(where, "is too large") from None
    if not math.isfinite(number):
        raise ManifestProblem(where, "must be finite")
    if positive and not number > 0:
        raise ManifestProblem(where, f"is {number}, must be positive")
    if number < lo:
        raise ManifestProblem(where, f"is {number}, must be at least {lo}")
    return number


def _kind(value: object) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
