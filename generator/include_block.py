"""An ```include block of an article: the listing of a named function or class of the project's source."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markdown_it.token import Token

from .errors import ContentError
from .schema import show
from .yaml_load import key_line, load_yaml

if TYPE_CHECKING:
    from .markdown import Article

DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass
class Include:
    """A listing of a named function or class from the project's own source."""

    source: str
    name: str
    code: str
    first_line: int
    last_line: int


def find_definition(source: str, name: str) -> tuple[int, int]:
    """First and last line of function/class ``name`` (``Class.method`` allowed)."""
    tree = ast.parse(source)
    nodes: list[ast.AST] = [tree]
    found = None
    for part in name.split("."):
        found = None
        for node in nodes:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child.name == part:
                    found = child
        if found is None:
            raise KeyError(name)
        nodes = [found]
    first = min([found.lineno] + [d.lineno for d in getattr(found, "decorator_list", [])])
    return first, found.end_lineno


def _read_source(root: Path, rel: str) -> str | None:
    """The text of ``rel`` if it is a readable .py file inside ``root`` (not under a dot folder or node_modules)."""
    try:
        path = (root / rel).resolve()
        inside = root in path.parents and not any(
            p.startswith(".") or p == "node_modules" for p in path.relative_to(root).parts
        )
        return path.read_text(encoding="utf-8") if inside and path.suffix == ".py" and path.is_file() else None
    except (OSError, ValueError):  # unreadable, not UTF-8, a name too long or holding a NUL
        return None


def parse_include(token: Token, article: Article, root: Path) -> Include:
    """The include block ``token`` of ``article``, its listing read from the project at ``root``."""
    line = article.offset + token.map[0] + 1
    where = article.where(line)
    spec = load_yaml(token.content, "include block", lambda i: article.where(line + 1 + i))
    usage = "an include block holds 'source: <a .py file of the project>' and 'name: <function or class>'"
    if not isinstance(spec, dict):
        raise ContentError(usage, where=where)
    for key, value in spec.items():
        key_where = article.where(line + key_line(token.content, key))
        if key not in ("source", "name"):
            raise ContentError(f"unknown key {show(key)}; {usage}", where=key_where)
        if not isinstance(value, str):
            raise ContentError(f"'{key}' is {show(value)}; {usage}", where=key_where)
    if "source" not in spec or "name" not in spec:
        raise ContentError(usage, where=where)
    rel, name = spec["source"], spec["name"]
    source = _read_source(root, rel)
    if source is None:
        raise ContentError(f"include source {show(rel)} is not a readable .py file of this project", where=where)
    if not DOTTED_NAME.fullmatch(name):
        raise ContentError(
            f"include name {show(name)} is not a function or class name such as 'build' or 'Pipeline.get'", where=where
        )
    try:
        first, last = find_definition(source, name)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise ContentError(f"include source {rel} is not valid Python: {exc}", where=where) from None
    except KeyError:
        raise ContentError(f"{rel} defines no function or class {name!r}", where=where) from None
    code = "".join(source.splitlines(keepends=True)[first - 1 : last])
    return Include(rel, name, code, first, last)
