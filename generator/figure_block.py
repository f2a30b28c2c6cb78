"""A ```figure block of an article: its kind and options, checked against the kind's schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from .errors import ContentError
from .figures import COMMON_OPTIONS, kinds
from .schema import show
from .yaml_load import key_line, load_yaml

if TYPE_CHECKING:
    from .markdown import Article


@dataclass
class FigureBlock:
    """A validated ```figure block: its kind, options and source line."""

    index: int
    kind: str
    options: dict[str, Any]
    line: int
    caption: str = ""
    alt: str = ""
    anchor: str = ""


def parse_figure(token: Token, index: int, article: Article) -> FigureBlock:
    """The figure block ``token`` (the ``index``-th of ``article``), validated; a ContentError names the line."""
    line = article.offset + token.map[0] + 1
    where = article.where(line)
    options = load_yaml(token.content, "figure block", lambda i: article.where(line + 1 + i))
    if not isinstance(options, dict):
        raise ContentError("a figure block holds 'option: value' lines, starting with 'kind: …'", where=where)
    available = kinds()
    kind = options.get("kind")
    if not isinstance(kind, str) or kind not in available:
        problem = "a figure block needs 'kind: …'" if kind is None else f"unknown figure kind {show(kind)}"
        raise ContentError(f"{problem}; valid kinds: {', '.join(sorted(available))}", where=where)
    module = available[kind]
    schema = {**COMMON_OPTIONS, **module.OPTIONS}
    values = {name: spec.default for name, spec in module.OPTIONS.items()}
    for name, value in options.items():
        option_line = line + key_line(token.content, name)
        spec = schema.get(name)
        if spec is None:
            raise ContentError(
                f"figure kind '{kind}' has no option {show(name)}; valid options: {', '.join(schema)}",
                where=article.where(option_line),
            )
        problem = spec.check(value)
        if problem:
            raise ContentError(f"figure option '{name}' {problem}", where=article.where(option_line))
        if name in module.OPTIONS:
            values[name] = value
    missing = [name for name, spec in module.OPTIONS.items() if values[name] is None]
    if missing:
        raise ContentError(f"figure kind '{kind}' needs option(s): {', '.join(missing)}", where=where)
    check = getattr(module, "check", None)
    if check:
        problem = check(values)
        if problem:
            raise ContentError(f"figure '{kind}': {problem}", where=where)
    return FigureBlock(
        index=index,
        kind=kind,
        options=values,
        line=line,
        caption=options.get("caption", ""),
        alt=options.get("alt", ""),
        anchor=options.get("id") or f"fig-{index + 1}",
    )
