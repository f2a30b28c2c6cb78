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
from .schema import show

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
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
DOLLAR = re.compile(r"(?<!\\)\$")
DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


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
                    raise yaml.constructor.ConstructorError(None, None, f"the key {key_node.value!r} is given twice",
                                                            key_node.start_mark)
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
        raise ContentError(f"invalid YAML in {what}: the character {chr(exc.character)!r} is not allowed",
                           where=where(text[:exc.position].count("\n"))) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = (getattr(exc, "problem", None) or str(exc)).splitlines()[0]
        raise ContentError(f"invalid YAML in {what}: {problem}", where=where(mark.line if mark else 0)) from None
    except RecursionError:
        raise ContentError(f"invalid YAML in {what}: lists or mappings nest too deeply", where=where(0)) from None


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
    warnings: list[str] = field(default_factory=list)  # 'file:line: message' (errors under --strict)

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


def markdown_parser(html: bool = True) -> MarkdownIt:
    """The one Markdown configuration every article uses (``html=False``: raw HTML is shown as text)."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": html}).enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(dollarmath_plugin, double_inline=True)
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, permalink=True, permalinkSymbol="#")
    md.core.ruler.before("text_join", "leftovers", _leftovers)
    return md


def _leftovers(state) -> None:
    """Note text that looks like an undefined footnote reference or an unclosed ``$`` in ``env['leftovers']``.

    Runs before text_join, so escaped characters (``\\$``) are still separate tokens and are not reported.
    """
    found = state.env.setdefault("leftovers", []) if isinstance(state.env, dict) else []
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type != "text":
                continue
            line = (token.map[0] if token.map else 0)
            ref = FOOTNOTE_REF.search(child.content)
            if ref:
                at = token.content.find(ref.group(0))
                found.append((line + token.content[:max(at, 0)].count("\n"),
                              f"footnote [^{ref.group(1)}] is not defined; add a line '[^{ref.group(1)}]: …'"))
            if "$" in child.content:
                at = DOLLAR.search(token.content)
                found.append((line + token.content[:at.start() if at else 0].count("\n"),
                              "a '$' opens inline math that is never closed; close it with '$' "
                              "or write '\\$' for a dollar sign"))


def split_front_matter(text: str, where: str) -> tuple[dict, str, int]:
    """(front matter, body, number of lines before the body)."""
    if not text.startswith("---"):
        raise ContentError("has no front matter; start the file with '---', a 'title:' line and '---'", where=f"{where}:1")
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        raise ContentError("front matter is not closed; add a line '---' after it", where=f"{where}:1")
    meta = load_yaml("".join(lines[1:end]), "front matter", lambda i: f"{where}:{min(i + 2, end)}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be 'key: value' lines", where=f"{where}:2")
    return meta, "".join(lines[end + 1:]), end + 1


def _front_line(text: str, key: Any) -> int:
    for number, line in enumerate(text.splitlines()[:200], 1):
        if re.match(rf"""["']?{re.escape(str(key))}["']?\s*:""", line):
            return number
    return 1


def validate_front_matter(meta: dict, text: str, where: str, *, strict: bool = False,
                          warnings: list[str] | None = None) -> dict:
    """Check types; fill defaults; return the cleaned front matter.

    An unknown key is an error under ``strict``, else a message appended to ``warnings`` (logged if None).
    """
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise ContentError("front matter needs a 'title: …' (a non-empty string)", where=f"{where}:{_front_line(text, 'title')}")
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        line = _front_line(text, key)
        kind = FRONT_MATTER.get(key)
        if kind is None:
            message = f"unknown front-matter key {show(key)} ignored (known: {', '.join(FRONT_MATTER)})"
            if strict:
                raise ContentError(message.replace(" ignored", "") + " (an error under --strict)", where=f"{where}:{line}")
            if warnings is None:
                log.warning("%s:%d: %s", where, line, message)
            else:
                warnings.append(f"{where}:{line}: {message}")
            continue
        if kind == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    pass
            if not isinstance(value, dt.date):
                raise ContentError(f"'date' is {show(value)}; allowed: a date YYYY-MM-DD", where=f"{where}:{line}")
        elif kind == "list":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ContentError(f"'authors' is {show(value)}; allowed: a name or a list of names", where=f"{where}:{line}")
        elif kind == "bool" and not isinstance(value, bool):
            raise ContentError(f"'{key}' is {show(value)}; allowed: true or false", where=f"{where}:{line}")
        elif kind == "str" and not isinstance(value, str):
            raise ContentError(f"'{key}' is {show(value)}; allowed: a string", where=f"{where}:{line}")
        clean[key] = value
    clean.setdefault("description", "")
    clean.setdefault("authors", [])
    clean.setdefault("draft", False)
    return clean


def _figure(token: Token, index: int, article: Article) -> FigureBlock:
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
        option_line = line + _front_line(token.content, name)
        spec = schema.get(name)
        if spec is None:
            raise ContentError(f"figure kind '{kind}' has no option {show(name)}; valid options: {', '.join(schema)}",
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
    spec = load_yaml(token.content, "include block", lambda i: article.where(line + 1 + i))
    usage = "an include block holds 'source: <a .py file of the project>' and 'name: <function or class>'"
    if not isinstance(spec, dict):
        raise ContentError(usage, where=where)
    for key, value in spec.items():
        key_where = article.where(line + _front_line(token.content, key))
        if key not in ("source", "name"):
            raise ContentError(f"unknown key {show(key)}; {usage}", where=key_where)
        if not isinstance(value, str):
            raise ContentError(f"'{key}' is {show(value)}; {usage}", where=key_where)
    if "source" not in spec or "name" not in spec:
        raise ContentError(usage, where=where)
    rel, name = spec["source"], spec["name"]
    try:
        path = (ROOT / rel).resolve()
        inside = ROOT in path.parents and not any(p.startswith(".") or p == "node_modules"
                                                  for p in path.relative_to(ROOT).parts)
        source = path.read_text(encoding="utf-8") if inside and path.suffix == ".py" and path.is_file() else None
    except (OSError, ValueError):  # unreadable, not UTF-8, a name too long or holding a NUL
        source = None
    if source is None:
        raise ContentError(f"include source {show(rel)} is not a readable .py file of this project", where=where)
    if not DOTTED_NAME.fullmatch(name):
        raise ContentError(f"include name {show(name)} is not a function or class name such as 'build' or "
                           "'Pipeline.get'", where=where)
    try:
        first, last = find_definition(source, name)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise ContentError(f"include source {rel} is not valid Python: {exc}", where=where) from None
    except KeyError:
        raise ContentError(f"{rel} defines no function or class {name!r}", where=where) from None
    code = "".join(source.splitlines(keepends=True)[first - 1:last])
    return Include(rel, name, code, first, last)


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _local_file(article: Article, src: str, line: int, what: str) -> Path:
    """The file an image or thumbnail path names, next to the article (an error if missing or outside)."""
    folder = article.path.parent.resolve()
    try:
        file = (folder / src.split("#")[0]).resolve()
        found = file.is_file()
    except (OSError, ValueError):  # a name too long, or holding a NUL
        file, found = folder / src, False
    if found and folder not in file.parents:
        raise ContentError(f"{what} {show(src, 200)} is outside the content folder; move it under {show(_rel(folder), 200)}",
                           where=article.where(line))
    if not found:
        raise ContentError(f"{what} {show(src, 200)} not found (looked for {show(_rel(file), 200)})", where=article.where(line))
    return file


def _check_ids(article: Article) -> None:
    """Figure ids and heading anchors share one namespace on the page: each must be unique."""
    seen: dict[str, int] = {}
    line = article.offset + 1
    heading_ids = []
    for token in article.tokens:
        if token.map:
            line = article.offset + token.map[0] + 1
        if token.type == "heading_open" and token.attrGet("id"):
            heading_ids.append((str(token.attrGet("id")), line, "a heading"))
    figure_ids = [(block.anchor, block.line, "a figure") for block in article.figures]
    for anchor, line, what in sorted(heading_ids + figure_ids, key=lambda item: item[1]):
        if anchor in seen:
            raise ContentError(f"the id '{anchor}' of {what} is already used on line {seen[anchor]}; "
                               "give the figure another 'id:' (ids must be unique on the page)",
                               where=article.where(line))
        seen[anchor] = line


def read_article(path: Path, *, strict: bool = False) -> Article:
    """Parse and validate one article file completely.

    Problems that do not stop the build (unknown front-matter keys, undefined footnotes, an unclosed
    ``$``) are listed in ``article.warnings``; under ``strict`` the first of them is a ContentError.
    """
    from .render import RESERVED_SLUGS  # render imports this module

    where = _rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ContentError("is not UTF-8 text; save it as UTF-8", where=f"{where}:{line}") from None
    except OSError as exc:
        raise ContentError(f"cannot be read: {exc.strerror or exc}", where=where) from None
    warnings: list[str] = []
    meta, body, offset = split_front_matter(text, where)
    meta = validate_front_matter(meta, text, where, strict=strict, warnings=warnings)
    article = Article(slug=meta.get("slug") or path.stem, path=path, text=text, meta=meta, offset=offset, tokens=[],
                      warnings=warnings)
    slug_where = article.where(_front_line(text, "slug") if meta.get("slug") else None)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", article.slug):
        raise ContentError(f"the slug {article.slug!r} becomes the URL: use lowercase letters, digits and '-' "
                           "(name the file my-article.md or set 'slug: my-article')", where=slug_where)
    if article.slug in RESERVED_SLUGS:
        raise ContentError(f"the slug '{article.slug}' is taken by a page or folder the site generates "
                           f"({', '.join(sorted(RESERVED_SLUGS))}); rename the file or set another 'slug:'",
                           where=slug_where)
    env: dict = {}
    article.tokens = markdown_parser().parse(body, env)
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
                article.images[src] = _local_file(article, src, line, "image")
    _check_ids(article)
    thumb = meta.get("thumbnail")
    if thumb:
        article.images[thumb] = _local_file(article, thumb, _front_line(text, "thumbnail"), "thumbnail")
    for body_line, message in env.get("leftovers", []):
        if strict:
            raise ContentError(message + " (an error under --strict)", where=article.where(offset + body_line + 1))
        warnings.append(f"{article.where(offset + body_line + 1)}: {message}")
    return article


def read_articles(content_dir: Path, *, strict: bool = False) -> list[Article]:
    """Every article in ``content_dir``, validated; slugs must be unique. Warnings are logged once, here."""
    if not content_dir.is_dir():
        raise ContentError("no content directory: create it and put one Markdown file per article in it",
                           where=_rel(content_dir))
    articles = [read_article(path, strict=strict) for path in sorted(content_dir.glob("*.md"))]
    if not articles:
        raise ContentError("holds no articles (*.md files)", where=_rel(content_dir))
    seen: dict[str, Article] = {}
    for article in articles:
        key = article.slug.lower()
        if key in seen:
            raise ContentError(f"two articles have the slug '{article.slug}': {seen[key].where()} and {article.where()}",
                               where=article.where())
        seen[key] = article
        for message in article.warnings:
            log.warning("%s", message)
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
