"""YAML as authors write it: front matter, ```figure and ```include blocks.

:func:`load_yaml` is ``yaml.safe_load`` that refuses a key given twice and keeps
a malformed date or number as its text, and turns every problem into one
:class:`~generator.errors.ContentError` naming the line. :func:`key_line` finds
the line a key is written on, for messages about one option.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import ContentError


class _Loader(yaml.SafeLoader):
    """yaml.safe_load that refuses duplicate keys and keeps a malformed date or number as its text.

    (PyYAML raises ValueError for ``2026-13-45`` or a 5000-digit integer; as text, the value then
    fails the option's own check, which says what is allowed.)
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key_node.value!r} is given twice", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _as_text_on_failure(construct):
    def constructor(loader, node):
        try:
            return construct(loader, node)
        except Exception:  # ValueError, OverflowError, AttributeError (an explicit !!timestamp "x")
            return loader.construct_scalar(node)

    return constructor


for _tag in ("int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_tag, _as_text_on_failure(yaml.SafeLoader.yaml_constructors[_tag]))


def load_yaml(text: str, what: str, where) -> Any:
    """Parse YAML; any problem is one ContentError at ``where(i)`` (i: 0-based line in ``text``)."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        raise ContentError(
            f"invalid YAML in {what}: the character {chr(exc.character)!r} is not allowed",
            where=where(text[: exc.position].count("\n")),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = (getattr(exc, "problem", None) or str(exc)).splitlines()[0]
        raise ContentError(f"invalid YAML in {what}: {problem}", where=where(mark.line if mark else 0)) from None
    except RecursionError:
        raise ContentError(f"invalid YAML in {what}: lists or mappings nest too deeply", where=where(0)) from None


def key_line(text: str, key: Any) -> int:
    """The 1-based line of ``text`` (first 200 lines) that sets ``key:``, else 1."""
    for number, line in enumerate(text.splitlines()[:200], 1):
        if re.match(rf"""["']?{re.escape(str(key))}["']?\s*:""", line):
            return number
    return 1
