"""An article's front matter: the ``---`` block of ``key: value`` lines before the Markdown."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from .errors import ContentError
from .schema import show
from .yaml_load import key_line, load_yaml

log = logging.getLogger(__name__)

#: Front-matter keys and their types.
FRONT_MATTER = {
    "title": "str",
    "description": "str",
    "date": "date",
    "authors": "list",
    "thumbnail": "str",
    "draft": "bool",
    "slug": "str",
}


def split_front_matter(text: str, where: str) -> tuple[dict, str, int]:
    """(front matter, body, number of lines before the body)."""
    if not text.startswith("---"):
        raise ContentError(
            "has no front matter; start the file with '---', a 'title:' line and '---'", where=f"{where}:1"
        )
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        raise ContentError("front matter is not closed; add a line '---' after it", where=f"{where}:1")
    meta = load_yaml("".join(lines[1:end]), "front matter", lambda i: f"{where}:{min(i + 2, end)}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be 'key: value' lines", where=f"{where}:2")
    return meta, "".join(lines[end + 1 :]), end + 1


def _date(value: Any, where: str) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date):
        raise ContentError(f"'date' is {show(value)}; allowed: a date YYYY-MM-DD", where=where)
    return value


def validate_front_matter(
    meta: dict, text: str, where: str, *, strict: bool = False, warnings: list[str] | None = None
) -> dict:
    """Check types; fill defaults; return the cleaned front matter.

    An unknown key is an error under ``strict``, else a message appended to ``warnings`` (logged if None).
    """
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise ContentError(
            "front matter needs a 'title: …' (a non-empty string)", where=f"{where}:{key_line(text, 'title')}"
        )
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        line = key_line(text, key)
        kind = FRONT_MATTER.get(key)
        if kind is None:
            message = f"unknown front-matter key {show(key)} ignored (known: {', '.join(FRONT_MATTER)})"
            if strict:
                raise ContentError(
                    message.replace(" ignored", "") + " (an error under --strict)", where=f"{where}:{line}"
                )
            if warnings is None:
                log.warning("%s:%d: %s", where, line, message)
            else:
                warnings.append(f"{where}:{line}: {message}")
            continue
        if kind == "date":
            value = _date(value, f"{where}:{line}")
        elif kind == "list":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ContentError(
                    f"'authors' is {show(value)}; allowed: a name or a list of names", where=f"{where}:{line}"
                )
        elif kind == "bool" and not isinstance(value, bool):
            raise ContentError(f"'{key}' is {show(value)}; allowed: true or false", where=f"{where}:{line}")
        elif kind == "str" and not isinstance(value, str):
            raise ContentError(f"'{key}' is {show(value)}; allowed: a string", where=f"{where}:{line}")
        clean[key] = value
    clean.setdefault("description", "")
    clean.setdefault("authors", [])
    clean.setdefault("draft", False)
    return clean
