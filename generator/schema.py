"""Typed option declarations shared by site.toml and figure blocks.

Each :class:`Field` knows its type, default, allowed values and meaning;
``check(value)`` returns an error message naming what is allowed, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    """One configuration key: its type, default, allowed values and meaning."""

    kind: str  # str | int | float | bool | ints | strs | url-path
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
            return f"a list of {n}integers from {self.min:g} to {self.max:g}"
        if self.kind in ("int", "float") and self.min is not None:
            noun = "an integer" if self.kind == "int" else "a number"
            return f"{noun} from {self.min:g} to {self.max:g}"
        if self.kind == "url-path":
            return "a path that starts and ends with '/', e.g. '/' or '/my-repo/'"
        return {"str": "a string", "bool": "true or false"}.get(self.kind, self.kind)

    def check(self, value: Any) -> str | None:
        """Return an error message, or None when the value is allowed."""
        ok = {
            "str": isinstance(value, str),
            "url-path": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "strs": isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
            and (not self.choices or all(v in self.choices for v in value)) and len(set(value)) == len(value),
            "ints": isinstance(value, list)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value),
        }[self.kind]
        if ok and self.choices and self.kind != "strs" and value not in self.choices:
            ok = False
        if ok and self.kind == "url-path":
            ok = value.startswith("/") and value.endswith("/")
        if ok and self.kind in ("int", "float") and self.min is not None:
            ok = self.min <= value <= self.max
        if ok and self.kind == "ints":
            ok = (self.length is None or len(value) == self.length) and bool(value)
            ok = ok and all(self.min <= v <= self.max for v in value)
        return None if ok else f"is {value!r}; allowed: {self.allowed()}"
