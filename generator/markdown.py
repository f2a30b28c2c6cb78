"""Read articles: front matter, Markdown, figure blocks, includes, images, math.

``read_article`` parses and validates one ``content/<slug>.md`` completely
(before any stage runs), naming the file and line of every problem.
``render_body`` turns the same parse into HTML once figures and math are
ready. Markdown is markdown-it-py (CommonMark + tables, footnotes, heading
anchors, ``$…$``/``$$…$$`` math); code is highlighted with Pygments.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .errors import ContentError
from .figures import COMMON_OPTIONS, kinds

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
FRONT_MATTER = {
    "title": "str",
    "description": "str",
    "date": "date",
    "authors": "list",
    "thumbnail": "str",
    "draft": "bool",
    "slug": "str",
}
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)


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


@dataclass
class Include:
    """A listing of a named function or class from the project's own source."""

    source: str
    name: str
    code: str
    first_line: int
    last_line: int


@dataclass
class Article:
    """One parsed, validated article."""

    slug: str
    path: Path
    text: str
    meta: dict[str, Any]
    offset: int  # lines before the Markdown body (front matter)
    tokens: list[Token]
    figures: list[FigureBlock] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    math: list[tuple[str, bool, int]] = field(default_factory=list)  # (tex, display, line)
    images: dict[str, Path] = field(default_factory=dict)  # src as written -> file

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def draft(self) -> bool:
        return bool(self.meta.get("draft", False))

    def where(self, line: int | None = None) -> str:
        rel = _rel(self.path)
        return f"{rel}:{line}" if line else rel


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def markdown_parser() -> MarkdownIt:
    """The one Markdown configuration every article uses."""
    md = MarkdownIt("commonmark", {"typographer": True}).enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(dollarmath_plugin, double_inline=True)
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, permalink=True, permalinkSymbol="#")
    return md


def split_front_matter(text: str, where: str) -> tuple[dict, str, int]:
    """(front matter, body, number of lines before the body)."""
    if not text.startswith("---"):
        raise ContentError("has no front matter; start the file with '---', a 'title:' line and '---'", where=f"{where}:1")
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        raise ContentError("front matter is not closed; add a line '---' after it", where=f"{where}:1")
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = min(mark.line + 2, end) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"invalid YAML in front matter: {problem}", where=f"{where}:{line}") from None
    if not isinstance(meta, dict):
        raise ContentError("front matter must be 'key: value' lines", where=f"{where}:2")
    return meta, "".join(lines[end + 1:]), end + 1


def _front_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines()[:200], 1):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return number
    return 1


def validate_front_matter(meta: dict, text: str, where: str) -> dict:
    """Check types; fill defaults; return the cleaned front matter."""
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise ContentError("front matter needs a 'title: …' (a non-empty string)", where=f"{where}:{_front_line(text, 'title')}")
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        line = _front_line(text, key)
        kind = FRONT_MATTER.get(key)
        if kind is None:
            log.warning("%s:%d: unknown front-matter key '%s' ignored (known: %s)", where, line, key, ", ".join(FRONT_MATTER))
            continue
        if kind == "date":
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    pass
            if not isinstance(value, dt.date):
                raise ContentError(f"'date' is {value!r}; allowed: a date YYYY-MM-DD", where=f"{where}:{line}")
        elif kind == "list":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ContentError(f"'authors' is {value!r}; allowed: a name or a list of names", where=f"{where}:{line}")
        elif kind == "bool" and not isinstance(value, bool):
            raise ContentError(f"'{key}' is {value!r}; allowed: true or false", where=f"{where}:{line}")
        elif kind == "str" and not isinstance(value, str):
            raise ContentError(f"'{key}' is {value!r}; allowed: a string", where=f"{where}:{line}")
        clean[key] = value
    clean.setdefault("description", "")
    clean.setdefault("authors", [])
    clean.setdefault("draft", False)
    return clean


def _figure(token: Token, index: int, article: Article) -> FigureBlock:
    line = article.offset + token.map[0] + 1
    where = article.where(line)
    try:
        options = yaml.safe_load(token.content) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"invalid YAML in figure block: {problem}",
                           where=article.where(line + 1 + (mark.line if mark else 0))) from None
    if not isinstance(options, dict):
        raise ContentError("a figure block holds 'option: value' lines, starting with 'kind: …'", where=where)
    available = kinds()
    kind = options.get("kind")
    if kind not in available:
        raise ContentError(f"unknown figure kind {kind!r}; valid kinds: {', '.join(sorted(available))}", where=where)
    module = available[kind]
    schema = {**COMMON_OPTIONS, **module.OPTIONS}
    values = {name: spec.default for name, spec in module.OPTIONS.items()}
    for name, value in options.items():
        option_line = line + 1 + next((i for i, l in enumerate(token.content.splitlines()) if l.startswith(f"{name}:")), 0)
        spec = schema.get(name)
        if spec is None:
            raise ContentError(f"figure kind '{kind}' has no option '{name}'; valid options: {', '.join(schema)}",
                               where=article.where(option_line))
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
    return FigureBlock(index=index, kind=kind, options=values, line=line, caption=options.get("caption", ""),
                       alt=options.get("alt", ""), anchor=options.get("id") or f"fig-{index + 1}")


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


def _include(token: Token, article: Article) -> Include:
    line = article.offset + token.map[0] + 1
    where = article.where(line)
    try:
        spec = yaml.safe_load(token.content) or {}
    except yaml.YAMLError:
        spec = None
    if not isinstance(spec, dict) or not isinstance(spec.get("source"), str) or not isinstance(spec.get("name"), str):
        raise ContentError("an include block needs 'source: <path in the project>' and 'name: <function or class>'",
                           where=where)
    path = (ROOT / spec["source"]).resolve()
    if ROOT not in path.parents or not path.is_file():
        raise ContentError(f"include source {spec['source']!r} is not a file of this project", where=where)
    source = path.read_text(encoding="utf-8")
    try:
        first, last = find_definition(source, spec["name"])
    except KeyError:
        raise ContentError(f"{spec['source']} defines no function or class {spec['name']!r}", where=where) from None
    code = "".join(source.splitlines(keepends=True)[first - 1:last])
    return Include(spec["source"], spec["name"], code, first, last)


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def read_article(path: Path) -> Article:
    """Parse and validate one article file completely."""
    where = _rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError("is not UTF-8 text", where=where) from None
    meta, body, offset = split_front_matter(text, where)
    meta = validate_front_matter(meta, text, where)
    article = Article(slug=meta.get("slug") or path.stem, path=path, text=text, meta=meta, offset=offset, tokens=[])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", article.slug):
        raise ContentError(f"the slug {article.slug!r} becomes the URL: use lowercase letters, digits and '-' "
                           "(name the file my-article.md or set 'slug: my-article')", where=where)
    article.tokens = markdown_parser().parse(body)
    line = offset + 1
    for token in _walk(article.tokens):
        if token.map:
            line = offset + token.map[0] + 1
        if token.type == "fence" and token.info.strip() == "figure":
            token.meta["figure"] = len(article.figures)
            article.figures.append(_figure(token, len(article.figures), article))
        elif token.type == "fence" and token.info.strip() == "include":
            token.meta["include"] = len(article.includes)
            article.includes.append(_include(token, article))
        elif token.type in ("math_inline", "math_block", "math_inline_double", "math_block_label"):
            token.meta["math"] = len(article.math)
            article.math.append((token.content.strip(), token.type.startswith("math_block") or token.type == "math_inline_double", line))
        elif token.type == "image":
            src = token.attrGet("src") or ""
            if not EXTERNAL.match(src) and not src.startswith("/"):
                file = (path.parent / src.split("#")[0]).resolve()
                if not file.is_file():
                    raise ContentError(f"image '{src}' not found (looked for {_rel(file)})", where=article.where(line))
                article.images[src] = file
    thumb = meta.get("thumbnail")
    if thumb:
        file = (path.parent / thumb).resolve()
        if not file.is_file():
            raise ContentError(f"thumbnail '{thumb}' not found (looked for {_rel(file)})",
                               where=article.where(_front_line(text, "thumbnail")))
        article.images[thumb] = file
    return article


def read_articles(content_dir: Path) -> list[Article]:
    """Every article in ``content_dir``, validated; slugs must be unique."""
    if not content_dir.is_dir():
        raise ContentError("no content directory: create it and put one Markdown file per article in it",
                           where=_rel(content_dir))
    articles = [read_article(path) for path in sorted(content_dir.glob("*.md"))]
    if not articles:
        raise ContentError("holds no articles (*.md files)", where=_rel(content_dir))
    seen: dict[str, Article] = {}
    for article in articles:
        key = article.slug.lower()
        if key in seen:
            raise ContentError(f"two articles have the slug '{article.slug}': {seen[key].where()} and {article.where()}",
                               where=article.where())
        seen[key] = article
    return articles


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- rendering --------------------------------------------------------------


def highlight(code: str, language: str) -> str:
    """Pygments HTML for a code block (plain escaped text for unknown languages)."""
    from pygments import highlight as pyg
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    html_code = pyg(code, lexer, HtmlFormatter(cssclass="highlight"))
    # long lines scroll sideways: keyboard users must be able to reach and scroll them
    return html_code.replace("<pre>", '<pre tabindex="0">', 1)


def render_body(article: Article, figures: list[str], math: list[str], base_url: str, slugs: set[str]) -> tuple[str, list[dict]]:
    """(HTML of the article body, table of contents) from the validated parse."""
    md = markdown_parser()
    rules = md.add_render_rule

    def fence(renderer, tokens, idx, options, env):
        token = tokens[idx]
        if "figure" in token.meta:
            return figures[token.meta["figure"]]
        if "include" in token.meta:
            inc = article.includes[token.meta["include"]]
            code = highlight(inc.code, "python")
            return (f'<figure class="listing"><figcaption><code>{html.escape(inc.source)}</code>, '
                    f"lines {inc.first_line}–{inc.last_line}: <code>{html.escape(inc.name)}</code></figcaption>"
                    f"{code}</figure>\n")
        language = token.info.strip().split()[0] if token.info.strip() else ""
        return highlight(token.content, language)

    def math_rule(renderer, tokens, idx, options, env):
        # A display equation wider than the column scrolls sideways; keyboard users must be able to reach it.
        return math[tokens[idx].meta["math"]].replace('<span class="katex-display">', '<span class="katex-display" tabindex="0">', 1)

    def link_open(renderer, tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        token.attrSet("href", rewrite_link(href, base_url, slugs))
        if EXTERNAL.match(href):
            token.attrSet("rel", "noopener")
        return renderer.renderToken(tokens, idx, options, env)

    def image(renderer, tokens, idx, options, env):
        token = tokens[idx]
        alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
        src = rewrite_link(token.attrGet("src") or "", base_url, slugs)
        title = token.attrGet("title")
        title_attr = f' title="{html.escape(title)}"' if title else ""
        return f'<img src="{html.escape(src)}" alt="{alt}"{title_attr} loading="lazy">'

    rules("fence", fence)
    for kind in ("math_inline", "math_block", "math_inline_double", "math_block_label"):
        rules(kind, math_rule)
    rules("link_open", link_open)
    rules("image", image)
    body = md.renderer.render(article.tokens, md.options, {})
    toc = []
    tokens = article.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3") and token.attrGet("id"):
            text = "".join(c.content for c in tokens[i + 1].children or [] if c.type in ("text", "code_inline"))
            toc.append({"id": token.attrGet("id"), "text": text.strip(), "level": int(token.tag[1])})
    return body, toc


def rewrite_link(href: str, base_url: str, slugs: set[str]) -> str:
    """Site-root links get the base URL; ``other.md#x`` becomes ``<base>other/#x``."""
    if not href or EXTERNAL.match(href) or href.startswith("#"):
        return href
    target, _, anchor = href.partition("#")
    anchor = f"#{anchor}" if anchor else ""
    name = Path(target).name
    if target.endswith(".md") and "/" not in target.strip("./") and name[:-3] in slugs:
        return f"{base_url}{name[:-3]}/{anchor}"
    if target.startswith("/"):
        return base_url + target.lstrip("/") + anchor
    return href
