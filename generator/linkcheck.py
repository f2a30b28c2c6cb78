"""Check every internal link, anchor and asset reference of the generated site.

Resources (scripts, styles, images, modules, figure data) must come from the
site itself; a reference to another host is an error. Plain ``<a href>`` links
to other sites are allowed (they load nothing).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import LinkError

RESOURCE_ATTRS = {("script", "src"), ("link", "href"), ("img", "src"), ("source", "src"), ("video", "src"),
                  ("audio", "src"), ("iframe", "src"), ("embed", "src"), ("object", "data")}
DATA_ATTRS = ("data-config", "data-module")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)


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
    rel = path[len(base):]
    file = site / rel
    if rel == "" or rel.endswith("/"):
        file = file / "index.html"
    elif file.is_dir():
        file = file / "index.html"
    return file, parts.fragment


def check_site(site: Path, base: str, sources: dict[str, str] | None = None) -> list[str]:
    """Every problem found, as 'page: link: reason' lines (empty when the site is sound)."""
    sources = sources or {}
    pages: dict[Path, _Page] = {}
    for file in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(file.read_text(encoding="utf-8"))
        pages[file.resolve()] = parser
    problems = []
    for file, parser in pages.items():
        rel = file.relative_to(site.resolve()).as_posix()
        page_url = base + rel
        label = rel + (f" (from {sources[rel]})" if rel in sources else "")
        for tag, attr, url in parser.refs:
            if url.startswith(("mailto:", "tel:", "data:", "javascript:")):
                continue
            if EXTERNAL.match(url):
                if (tag, attr) in RESOURCE_ATTRS or attr in DATA_ATTRS:
                    problems.append(f"{label}: <{tag} {attr}=\"{url}\"> loads from another host; serve it from the site")
                continue
            target, fragment = _target(site, base, page_url, url)
            if target is None:
                problems.append(f"{label}: {url!r} is outside the site's base URL {base!r}")
                continue
            if not target.is_file():
                problems.append(f"{label}: {url!r} points at nothing (no {target.relative_to(site).as_posix()})")
                continue
            if fragment and target.suffix == ".html":
                ids = pages.get(target.resolve())
                if ids is not None and fragment not in ids.ids:
                    problems.append(f"{label}: {url!r}: no element with id '{fragment}' on that page")
    return problems


def assert_links(site: Path, base: str, sources: dict[str, str] | None = None) -> None:
    """Raise one LinkError listing every broken reference."""
    problems = check_site(site, base, sources)
    if problems:
        shown = "\n  ".join(problems[:30]) + (f"\n  … and {len(problems) - 30} more" if len(problems) > 30 else "")
        raise LinkError(f"{len(problems)} broken link(s) in the generated site:\n  {shown}")
