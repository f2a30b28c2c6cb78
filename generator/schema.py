"""Typed option declarations shared by site.toml and figure blocks.

Each :class:`Field` knows its type, default, allowed values and meaning;
``check(value)`` returns an error message naming what is allowed, or None.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# '/' or '/a/b/': segments of unreserved URL characters, none of them '.' or '..'
URL_PATH = re.compile(r"/(?:(?!\.\.?/)[A-Za-z0-9._~-]+/)*")
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/?")
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def show(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (never raises)."""
    try:
        text = repr(value)
    except Exception:  # a 5000-digit int, a recursive structure
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _number(value: Any) -> bool:
    """An int, or a finite float (never nan or inf)."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and math.isfinite(value)
    )


@dataclass(frozen=True)
class Field:
    """One configuration key: its type, default, allowed values and meaning."""

    kind: str  # str | int | float | bool | ints | strs | url-path | url | id
    default: Any
    doc: str
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    length: int | None = None

    def allowed(self) -> str:
        if self.kind == "strs":
            names = ", ".join(repr(c) for c in self.choices or ())
            return f"a list of distinct values from {names}" if names else "a non-empty list of strings"
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "ints":
            n = f"{self.length} " if self.length else ""
            return f"a list of {n}integers from {_bound(self.min)} to {_bound(self.max)}"
        if self.kind in ("int", "float") and self.min is not None:
            noun = "an integer" if self.kind == "int" else "a number"
            return f"{noun} from {_bound(self.min)} to {_bound(self.max)}"
        if self.kind == "url-path":
            return (
                "a path that starts and ends with '/' whose parts use only letters, digits and '.', '_', '~', '-', "
                "e.g. '/' or '/my-repo/'"
            )
        if self.kind == "url":
            return "'' or an absolute http(s) origin such as 'https://user.github.io'"
        if self.kind == "id":
            return "a letter followed by letters, digits, '_' or '-'"
        return {"str": "a string", "bool": "true or false"}.get(self.kind, self.kind)

    def _within(self, number: float) -> bool:
        return (self.min is None or self.min <= number) and (self.max is None or number <= self.max)

    def check(self, value: Any) -> str | None:
        """Return an error message, or None when the value is allowed (never raises, whatever the value)."""
        if self.kind in ("str", "url-path", "url", "id"):
            ok = isinstance(value, str)
        elif self.kind == "bool":
            ok = isinstance(value, bool)
        elif self.kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.kind == "float":
            ok = _number(value)
        elif self.kind == "strs":
            ok = (
                isinstance(value, list)
                and bool(value)
                and all(isinstance(v, str) for v in value)
                and (not self.choices or all(v in self.choices for v in value))
                and len(set(value)) == len(value)
            )
        elif self.kind == "ints":
            ok = (
                isinstance(value, list)
                and bool(value)
                and (self.length is None or len(value) == self.length)
                and all(isinstance(v, int) and not isinstance(v, bool) and self._within(v) for v in value)
            )
        else:
            raise ValueError(f"unknown field kind {self.kind!r}")
        if ok and self.choices and self.kind != "strs":
            ok = any(type(value) is type(c) and value == c for c in self.choices)
        if ok and self.kind in ("int", "float"):
            ok = self._within(value)
        if ok and self.kind == "url-path":
            ok = URL_PATH.fullmatch(value) is not None
        if ok and self.kind == "url":
            ok = value == "" or ORIGIN.fullmatch(value) is not None
        if ok and self.kind == "id":
            ok = IDENTIFIER.fullmatch(value) is not None
        return None if ok else f"is {show(value)}; allowed: {self.allowed()}"
