"""Check every internal link, anchor and asset reference of the generated site.

Resources (scripts, styles, images, modules, figure data, and the stylesheets a
stylesheet ``@import``s) must come from the site itself; a reference to another
host is an error. Plain ``<a href>`` links to other sites are allowed (they load
nothing).
"""

from __future__ import annotations

import difflib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import LinkError

RESOURCE_ATTRS = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
}
DATA_ATTRS = ("data-config", "data-module")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*(['"]?)([^'")\s]+)\1\s*\)|(['"])([^'"]+)\3)""", re.I)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def css_imports(text: str) -> list[str]:
    """The URLs a stylesheet ``@import``s, as written and in order (``@import`` in comments is skipped)."""
    return [m.group(2) or m.group(4) for m in CSS_IMPORT.finditer(CSS_COMMENT.sub("", text))]


class _Page(HTMLParser):
    """Collects ids and references (with their kind) from one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attr, url)
        self._importmap = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for attr in ("href", "src", "data", *DATA_ATTRS):
            value = attrs.get(attr)
            if value is not None:
                self.refs.append((tag, attr, value.strip()))
        if tag == "link" and attrs.get("rel") in ("canonical", "alternate") and "href" in attrs:
            self.refs[-1] = ("a", "href", attrs["href"].strip())  # navigational, not a load
        if tag == "meta" and attrs.get("property") == "og:url":
            pass
        self._importmap = tag == "script" and attrs.get("type") == "importmap"

    def handle_data(self, data):
        if self._importmap:
            for url in json.loads(data).get("imports", {}).values():
                self.refs.append(("script", "src", url))
            self._importmap = False


def _target(site: Path, base: str, page_url: str, url: str) -> tuple[Path | None, str]:
    """(file the URL names inside the site, fragment)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        path = page_url
    elif not path.startswith("/"):
        path = page_url.rsplit("/", 1)[0] + "/" + path
    segments = []
    for seg in path.split("/"):
        if seg == "..":
            if segments:
                segments.pop()
        elif seg not in (".",):
            segments.append(seg)
    path = "/".join(segments)
    if not path.startswith(base):
        return None, parts.fragment
    rel = path[len(base) :]
    file = site / rel
    if rel == "" or rel.endswith("/"):
        file = file / "index.html"
    elif file.is_dir():
        file = file / "index.html"
    return file, parts.fragment


def _source_line(source: str, url: str, base: str) -> int | None:
    """The first line of the article ``source`` that holds ``url`` as the author wrote it."""
    try:
        lines = Path(source).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return None
    parts = urlsplit(url)
    written = [url, unquote(url)]
    if parts.path.startswith(base):  # rewritten from '/x/' or 'x.md#y'
        rel = parts.path[len(base) :]
        written += [
            "/" + rel + (f"#{parts.fragment}" if parts.fragment else ""),
            rel.rstrip("/") + ".md" + (f"#{parts.fragment}" if parts.fragment else ""),
        ]
    for form in written:
        for number, line in enumerate(lines, 1):
            if form and form in line:
                return number
    return None


def _suggest(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_site(site: Path, base: str, sources: dict[str, str] | None = None) -> list[str]:
    """Every problem found, as 'where: link: reason' lines (empty when the site is sound).

    ``sources`` maps a page ('a/index.html') to the article it was made from ('content/a.md'); a
    problem on such a page names the article's line and suggests the closest existing target.
    """
    sources = sources or {}
    pages: dict[Path, _Page] = {}
    for file in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(file.read_text(encoding="utf-8"))
        pages[file.resolve()] = parser
    root = site.resolve()
    files = [f.relative_to(root).as_posix() for f in root.rglob("*") if f.is_file()]
    urls = [base + (f[: -len("index.html")] if f.endswith("index.html") else f) for f in files]
    articles = [f.split("/")[0] + ".md" for f in files if f.count("/") == 1 and f.endswith("/index.html")]
    problems = []
    for file, parser in pages.items():
        rel = file.relative_to(root).as_posix()
        page_url = base + rel

        def label(url: str, rel: str = rel) -> str:
            if rel not in sources:
                return rel
            line = _source_line(sources[rel], url, base)
            return f"{sources[rel]}:{line}" if line else f"{rel} (from {sources[rel]})"

        for tag, attr, url in parser.refs:
            if url.startswith(("mailto:", "tel:", "data:", "javascript:")):
                continue
            if EXTERNAL.match(url):
                if (tag, attr) in RESOURCE_ATTRS or attr in DATA_ATTRS:
                    problems.append(
                        f'{label(url)}: <{tag} {attr}="{url}"> loads from another host; serve it from the site'
                    )
                continue
            target, fragment = _target(site, base, page_url, url)
            if target is None:
                problems.append(f"{label(url)}: {url!r} is outside the site's base URL {base!r}")
                continue
            if not target.is_file():
                path = urlsplit(url).path
                hint = (
                    _suggest(Path(path).name, articles)
                    if path.endswith(".md")
                    else _suggest(path, urls)
                    if path.startswith("/")
                    else ""
                )
                problems.append(
                    f"{label(url)}: {url!r} points at nothing (no {target.relative_to(site).as_posix()}){hint}"
                )
                continue
            if fragment and target.suffix == ".html":
                ids = pages.get(target.resolve())
                if ids is not None and fragment not in ids.ids:
                    hint = _suggest(fragment, ids.ids).replace(" '", " '#", 1)
                    problems.append(f"{label(url)}: {url!r}: no element with id '{fragment}' on that page{hint}")
    return problems + _check_styles(site, base)


def _check_styles(site: Path, base: str) -> list[str]:
    """Problems with the ``@import``s of the site's stylesheets: another host, outside the base URL, or missing."""
    problems = []
    for file in sorted(site.rglob("*.css")):
        rel = file.relative_to(site).as_posix()
        for url in css_imports(file.read_text(encoding="utf-8", errors="replace")):
            if url.startswith("data:"):
                continue
            if EXTERNAL.match(url):
                problems.append(f"{rel}: @import {url!r} loads from another host; serve it from the site")
                continue
            target, _ = _target(site, base, base + rel, url)
            if target is None:
                problems.append(f"{rel}: @import {url!r} is outside the site's base URL {base!r}")
            elif not target.is_file():
                problems.append(f"{rel}: @import {url!r} points at nothing (no {target.relative_to(site).as_posix()})")
    return problems


def assert_links(site: Path, base: str, sources: dict[str, str] | None = None) -> None:
    """Raise one LinkError listing every broken reference."""
    problems = check_site(site, base, sources)
    if problems:
        shown = "\n  ".join(problems[:30]) + (f"\n  … and {len(problems) - 30} more" if len(problems) > 30 else "")
        raise LinkError(f"{len(problems)} broken link(s) in the generated site:\n  {shown}")
