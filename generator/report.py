"""What each page weighs, and the build report (build-report.json + a summary table).

A page's weight is everything it loads with every figure mounted: the HTML,
its styles (each ``<link rel="stylesheet">``, every file it ``@import``s,
followed recursively, and the ``.woff2`` fonts they name) and scripts, images,
the JavaScript modules reachable from the runtime and each figure's module
(static and literal dynamic imports, bare names resolved through the import
map), and every file of each figure's payload directory.

Tools (``bench/page.py``) use the public parts: :func:`page_loads` (what a page
names), :class:`Weigher` (``resolve``, ``module_files``, ``style_files``,
``payload_files``, ``page_files``, ``size``, ``weigh``) and the :data:`IMPORT`
and :data:`SHARED` patterns.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .linkcheck import _target, css_imports

#: A static ``import``/``export … from`` or a literal dynamic ``import()`` in a JavaScript module.
IMPORT = re.compile(
    r"""(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)"""
    # a worker or other module named relative to the importing one, and a bare name resolved for a worker
    r"""|\bnew\s+URL\(\s*["']([^"']+\.m?js)["']\s*,\s*import\.meta\.url\s*\)"""
    r"""|\bimport\.meta\.resolve\(\s*["']([^"']+)["']\s*\)"""
)
#: A figure config's reference to a payload folder shared between figures (``artifacts/<folder>/``).
SHARED = re.compile(r"artifacts/([\w.-]+)/")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@dataclass
class PageLoads:
    """What one HTML page names: the URLs as written, and its import map."""

    files: list[str] = field(default_factory=list)  # stylesheets, icons, preloads, classic scripts, images
    modules: list[str] = field(default_factory=list)  # module scripts and figure modules (data-module)
    payloads: list[str] = field(default_factory=list)  # figure configs (data-config)
    imports: dict[str, str] = field(default_factory=dict)  # the import map: bare name -> URL
    figures: list[dict] = field(default_factory=list)  # the attributes of each element with data-figure and data-config


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads = PageLoads()
        self._importmap = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        loads = self.loads
        if tag == "link" and a.get("rel") in ("stylesheet", "icon", "modulepreload") and a.get("href"):
            loads.files.append(a["href"])
        if tag == "script" and a.get("src"):
            (loads.modules if a.get("type") == "module" else loads.files).append(a["src"])
        if tag == "img" and a.get("src"):
            loads.files.append(a["src"])
        if a.get("data-module"):
            loads.modules.append(a["data-module"])
        if a.get("data-config"):
            loads.payloads.append(a["data-config"])
            if a.get("data-figure"):
                loads.figures.append(a)
        self._importmap = tag == "script" and a.get("type") == "importmap"

    def handle_data(self, data):
        if self._importmap:
            self.loads.imports.update(json.loads(data).get("imports", {}))
            self._importmap = False


def page_loads(page: Path) -> PageLoads:
    """The URLs the HTML file ``page`` names (as written) and its import map."""
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.loads


class Weigher:
    """Measures pages of one built site (served under ``base``); gzip sizes are memoised per file."""

    def __init__(self, site: Path, base: str):
        self.site, self.base = site, base
        self._gzip: dict[Path, tuple[int, int]] = {}

    def size(self, file: Path) -> tuple[int, int]:
        """(bytes, gzip bytes) of one file."""
        if file not in self._gzip:
            data = file.read_bytes()
            self._gzip[file] = (len(data), len(gzip.compress(data, 6, mtime=0)))
        return self._gzip[file]

    def resolve(self, origin_url: str, url: str) -> Path | None:
        """The site file ``url`` names, relative to the URL ``origin_url``; None if outside the site or missing."""
        target, _ = _target(self.site, self.base, origin_url, url)
        return target if target is not None and target.is_file() else None

    def url(self, file: Path) -> str:
        """The URL a site file is served at."""
        return self.base + file.relative_to(self.site).as_posix()

    def module_files(self, origin_url: str, url: str, imports: dict[str, str] | None = None) -> set[Path]:
        """The module ``url`` and every module it imports, directly or not (bare names through ``imports``)."""
        imports = imports or {}
        found: set[Path] = set()
        queue = [(origin_url, url)]
        while queue:
            origin, url = queue.pop()
            file = self.resolve(origin, imports.get(url, url))
            if file is None or file in found:
                continue
            found.add(file)
            for names in IMPORT.findall(file.read_text(encoding="utf-8", errors="replace")):
                queue.append((self.url(file), next(name for name in names if name)))
        return found

    def style_files(self, origin_url: str, url: str) -> set[Path]:
        """The stylesheet ``url``, every stylesheet it ``@import``s (recursively, once each) and their .woff2 fonts."""
        found: set[Path] = set()
        queue = [(origin_url, url)]
        while queue:
            origin, url = queue.pop()
            file = self.resolve(origin, url)
            if file is None or file in found:
                continue
            found.add(file)
            text, here = file.read_text(encoding="utf-8"), self.url(file)
            for font in CSS_URL.findall(text):
                if font.endswith(".woff2"):
                    font_file = self.resolve(here, font)
                    if font_file:
                        found.add(font_file)
            queue.extend((here, imported) for imported in css_imports(text))
        return found

    def payload_files(self, page_url: str, config_url: str) -> set[Path]:
        """Every file of a figure's payload folder and of the shared folders its config names."""
        config = self.resolve(page_url, config_url)
        if config is None:
            return set()
        files = {p for p in config.parent.rglob("*") if p.is_file()}
        for folder in set(SHARED.findall(config.read_text(encoding="utf-8"))):
            files.update(p for p in (self.site / "artifacts" / folder).rglob("*") if p.is_file())
        return files

    def page_files(self, page: Path) -> set[Path]:
        """Every file the page loads once all its figures are mounted."""
        loads = page_loads(page)
        page_url = self.url(page)
        files = {page}
        for url in loads.files:
            file = self.resolve(page_url, url)
            if file and file.suffix == ".css":
                files |= self.style_files(page_url, url)
            elif file:
                files.add(file)
        for url in loads.modules:
            files |= self.module_files(page_url, url, loads.imports)
        for url in loads.payloads:
            files |= self.payload_files(page_url, url)
        return files

    def weigh(self, page: Path) -> dict:
        """``{"path", "bytes", "gzip_bytes", "files"}`` for one page."""
        files = self.page_files(page)
        raw = sum(self.size(f)[0] for f in files)
        packed = sum(self.size(f)[1] for f in files)
        return {"path": page.relative_to(self.site).as_posix(), "bytes": raw, "gzip_bytes": packed, "files": len(files)}


def summary_table(records, pages: list[dict], seconds: float, remote: dict | None = None) -> str:
    """The table printed at the end of a build (``remote``: the report's ``remote_cache`` part, when one is set)."""
    lines = [f"{'stage':<44} {'status':<7} {'seconds':>8} {'bytes':>12}"]
    for r in records:
        lines.append(f"{r.name[:44]:<44} {r.status:<7} {r.seconds:>8.1f} {r.bytes:>12,}")
    ran = sum(1 for r in records if not r.cached)
    pulled = sum(1 for r in records if r.pulled)
    counts = f"{ran} ran, {len(records) - ran - pulled} cached" + (f", {pulled} pulled" if remote or pulled else "")
    lines.append(f"{len(records)} stages: {counts}; build took {seconds:.1f} s")
    if remote:
        lines.append(
            f"  remote cache {remote['url']}{' (read-only)' if remote['read_only'] else ''}: "
            f"{remote['pulled']} pulled ({remote['pulled_bytes']:,} B), {remote['pushed']} pushed "
            f"({remote['pushed_bytes']:,} B)"
            + (f", {remote['rejected']} rejected" if remote["rejected"] else "")
            + (", failed during the build" if remote["failed"] else "")
        )
    for p in pages:
        lines.append(f"  page {p['path']:<36} {p['bytes']:>12,} B  {p['gzip_bytes']:>10,} B gzip  ({p['files']} files)")
    return "\n".join(lines)


def print_table(text: str) -> None:
    print(text, file=sys.stderr)
