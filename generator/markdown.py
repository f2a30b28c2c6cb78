"""Read articles: front matter, Markdown, figure blocks, includes, images, math.

``read_article`` parses and validates one ``content/<slug>.md`` completely
(before any stage runs), naming the file and line of every problem.
``render_body`` turns the same parse into HTML once figures and math are
ready. Markdown is markdown-it-py (CommonMark + tables, footnotes, heading
anchors, ``$…$``/``$$…$$`` math); code is highlighted with Pygments.

The parts of an article with rules of their own have modules of their own:
:mod:`generator.front_matter`, :mod:`generator.figure_block`,
:mod:`generator.include_block`, and :mod:`generator.yaml_load` for the YAML
they are written in; their public names are importable from here too.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .errors import ContentError
from .figure_block import FigureBlock, parse_figure
from .front_matter import FRONT_MATTER, split_front_matter, validate_front_matter
from .include_block import Include, find_definition, parse_include
from .schema import show
from .yaml_load import key_line, load_yaml

__all__ = [
    "FRONT_MATTER",
    "Article",
    "FigureBlock",
    "Include",
    "find_definition",
    "highlight",
    "load_yaml",
    "markdown_parser",
    "read_article",
    "read_articles",
    "render_body",
    "rewrite_link",
    "split_front_matter",
    "validate_front_matter",
]

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
DOLLAR = re.compile(r"(?<!\\)\$")


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
    md = MarkdownIt("commonmark", {"typographer": True, "html": html}).enable(
        ["table", "strikethrough", "replacements", "smartquotes"]
    )
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
            line = token.map[0] if token.map else 0
            ref = FOOTNOTE_REF.search(child.content)
            if ref:
                at = token.content.find(ref.group(0))
                message = f"footnote [^{ref.group(1)}] is not defined; add a line '[^{ref.group(1)}]: …'"
                found.append((line + token.content[: max(at, 0)].count("\n"), message))
            if "$" in child.content:
                at = DOLLAR.search(token.content)
                message = (
                    "a '$' opens inline math that is never closed; close it with '$' or write '\\$' for a dollar sign"
                )
                found.append((line + token.content[: at.start() if at else 0].count("\n"), message))


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
        raise ContentError(
            f"{what} {show(src, 200)} is outside the content folder; move it under {show(_rel(folder), 200)}",
            where=article.where(line),
        )
    if not found:
        raise ContentError(
            f"{what} {show(src, 200)} not found (looked for {show(_rel(file), 200)})", where=article.where(line)
        )
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
            raise ContentError(
                f"the id '{anchor}' of {what} is already used on line {seen[anchor]}; "
                "give the figure another 'id:' (ids must be unique on the page)",
                where=article.where(line),
            )
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
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ContentError("is not UTF-8 text; save it as UTF-8", where=f"{where}:{line}") from None
    except OSError as exc:
        raise ContentError(f"cannot be read: {exc.strerror or exc}", where=where) from None
    warnings: list[str] = []
    meta, body, offset = split_front_matter(text, where)
    meta = validate_front_matter(meta, text, where, strict=strict, warnings=warnings)
    article = Article(
        slug=meta.get("slug") or path.stem, path=path, text=text, meta=meta, offset=offset, tokens=[], warnings=warnings
    )
    slug_where = article.where(key_line(text, "slug") if meta.get("slug") else None)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", article.slug):
        raise ContentError(
            f"the slug {article.slug!r} becomes the URL: use lowercase letters, digits and '-' "
            "(name the file my-article.md or set 'slug: my-article')",
            where=slug_where,
        )
    if article.slug in RESERVED_SLUGS:
        raise ContentError(
            f"the slug '{article.slug}' is taken by a page or folder the site generates "
            f"({', '.join(sorted(RESERVED_SLUGS))}); rename the file or set another 'slug:'",
            where=slug_where,
        )
    env: dict = {}
    article.tokens = markdown_parser().parse(body, env)
    line = offset + 1
    for token in _walk(article.tokens):
        if token.map:
            line = offset + token.map[0] + 1
        if token.type == "fence" and token.info.strip() == "figure":
            token.meta["figure"] = len(article.figures)
            article.figures.append(parse_figure(token, len(article.figures), article))
        elif token.type == "fence" and token.info.strip() == "include":
            token.meta["include"] = len(article.includes)
            article.includes.append(parse_include(token, article, ROOT))
        elif token.type in ("math_inline", "math_block", "math_inline_double", "math_block_label"):
            token.meta["math"] = len(article.math)
            article.math.append(
                (token.content.strip(), token.type.startswith("math_block") or token.type == "math_inline_double", line)
            )
        elif token.type == "image":
            src = token.attrGet("src") or ""
            if not EXTERNAL.match(src) and not src.startswith("/"):
                article.images[src] = _local_file(article, src, line, "image")
    _check_ids(article)
    thumb = meta.get("thumbnail")
    if thumb:
        article.images[thumb] = _local_file(article, thumb, key_line(text, "thumbnail"), "thumbnail")
    for body_line, message in env.get("leftovers", []):
        if strict:
            raise ContentError(message + " (an error under --strict)", where=article.where(offset + body_line + 1))
        warnings.append(f"{article.where(offset + body_line + 1)}: {message}")
    return article


def read_articles(content_dir: Path, *, strict: bool = False) -> list[Article]:
    """Every article in ``content_dir``, validated; slugs must be unique. Warnings are logged once, here."""
    if not content_dir.is_dir():
        raise ContentError(
            "no content directory: create it and put one Markdown file per article in it", where=_rel(content_dir)
        )
    articles = [read_article(path, strict=strict) for path in sorted(content_dir.glob("*.md"))]
    if not articles:
        raise ContentError("holds no articles (*.md files)", where=_rel(content_dir))
    seen: dict[str, Article] = {}
    for article in articles:
        key = article.slug.lower()
        if key in seen:
            raise ContentError(
                f"two articles have the slug '{article.slug}': {seen[key].where()} and {article.where()}",
                where=article.where(),
            )
        seen[key] = article
        for message in article.warnings:
            log.warning("%s", message)
    return articles


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


def render_body(
    article: Article, figures: list[str], math: list[str], base_url: str, slugs: set[str]
) -> tuple[str, list[dict]]:
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
            return (
                f'<figure class="listing"><figcaption><code>{html.escape(inc.source)}</code>, '
                f"lines {inc.first_line}–{inc.last_line}: <code>{html.escape(inc.name)}</code></figcaption>"
                f"{code}</figure>\n"
            )
        language = token.info.strip().split()[0] if token.info.strip() else ""
        return highlight(token.content, language)

    def math_rule(renderer, tokens, idx, options, env):
        # A display equation wider than the column scrolls sideways; keyboard users must be able to reach it.
        return math[tokens[idx].meta["math"]].replace(
            '<span class="katex-display">', '<span class="katex-display" tabindex="0">', 1
        )

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
