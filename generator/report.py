"""What each page weighs, and the build report (build-report.json + a summary table).

A page's files are everything it loads with every figure mounted and explored:
the HTML, its styles (each ``<link rel="stylesheet">``, every file it
``@import``s, followed recursively, and the ``.woff2`` fonts they name) and
scripts, images, the JavaScript modules reachable from the runtime and each
figure's module (static and literal dynamic imports, bare names resolved
through the import map), and every file of each figure's payload directory and
of the shared ``artifacts/<folder>/`` folders its config names.

They fall in two stages of reading. A figure's config.json may list
``"explore": [url, ...]`` (URLs relative to the config's folder: a file, or a
folder ending in ``/``): what the figure fetches only when the reader explores
(zooms in, switches layout, moves a probe), never at mount. A page's
*first-mount* files are everything but those, figure by figure (a file one
figure loads at mount and another only by exploring is first-mount); the rest
are *explored*. The page budget (``[build] page_budget_kb``) applies to the
first mount.

Tools (``bench/page.py``) use the public parts: :func:`page_loads` (what a page
names), :class:`Weigher` (``resolve``, ``module_files``, ``style_files``,
``payload_files``, ``explore_files``, ``page_files``, ``mount_files``, ``size``,
``weigh``), :func:`over_budget`, :func:`budget_message` and the :data:`IMPORT`
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
from urllib.parse import unquote, urljoin, urlsplit

from .errors import BuildError
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

    def explore_files(self, page_url: str, config_url: str) -> set[Path]:
        """The files under the URLs a figure's config lists as ``"explore"`` (fetched only when the reader
        explores): each URL, relative to the config's folder, names a file or (ending in ``/``) a folder. A URL
        that names nothing in the site adds nothing; an ``"explore"`` that is not a list of relative URLs is a
        :class:`BuildError` naming the config."""
        config = self.resolve(page_url, config_url)
        if config is None:
            return set()
        urls = json.loads(config.read_text(encoding="utf-8")).get("explore", [])
        where = config.relative_to(self.site).as_posix()
        if not isinstance(urls, list) or not all(isinstance(u, str) and u for u in urls):
            raise BuildError(f'{where}: "explore" must be a list of URLs (strings), got {json.dumps(urls)[:80]}')
        files: set[Path] = set()
        here = self.url(config)
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("/"):
                raise BuildError(
                    f'{where}: "explore" URL {url!r} must be relative to the config\'s folder '
                    '(a file such as "tsne.u16", or a folder ending in "/" such as "tiles/")'
                )
            path = unquote(urlsplit(urljoin(here, url)).path)
            if not path.startswith(self.base):
                raise BuildError(f'{where}: "explore" URL {url!r} leads outside the site')
            target = self.site / path[len(self.base) :]
            if path.endswith("/"):
                files.update(p for p in target.rglob("*") if p.is_file())
            elif target.is_file():
                files.add(target)
        return files

    def _shell_files(self, page: Path, loads: PageLoads) -> set[Path]:
        """The page, its stylesheets (with imports and fonts), images, scripts and module graphs."""
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
        return files

    def _stages(self, page: Path) -> tuple[set[Path], set[Path]]:
        """(first-mount files, every file) of the page, from one reading of it: each figure's payload and shared
        folders minus its own ``"explore"`` files, the union over figures, plus the page's HTML, styles, fonts,
        images and modules; and all of them, explored too."""
        loads = page_loads(page)
        page_url = self.url(page)
        mount = self._shell_files(page, loads)
        every = set(mount)
        for url in loads.payloads:
            payload = self.payload_files(page_url, url)
            every |= payload
            mount |= payload - self.explore_files(page_url, url)
        return mount, every

    def page_files(self, page: Path) -> set[Path]:
        """Every file the page loads once all its figures are mounted and explored."""
        return self._stages(page)[1]

    def mount_files(self, page: Path) -> set[Path]:
        """The files the page loads at first mount: every figure mounted, nothing explored."""
        return self._stages(page)[0]

    def weigh(self, page: Path) -> dict:
        """One page's weight: ``"bytes"``, ``"gzip_bytes"`` and ``"files"`` at first mount (what the budget
        counts), ``"explored_bytes"``, ``"explored_gzip_bytes"`` and ``"explored_files"`` for the files loaded
        only by exploring, and its ``"path"``."""
        mount, every = self._stages(page)
        explored = every - mount
        return {
            "path": page.relative_to(self.site).as_posix(),
            "bytes": sum(self.size(f)[0] for f in mount),
            "gzip_bytes": sum(self.size(f)[1] for f in mount),
            "files": len(mount),
            "explored_bytes": sum(self.size(f)[0] for f in explored),
            "explored_gzip_bytes": sum(self.size(f)[1] for f in explored),
            "explored_files": len(explored),
        }


def over_budget(weights: list[dict], budget: int) -> list[dict]:
    """The pages (:meth:`Weigher.weigh` records) whose first mount loads more than ``budget`` gzip bytes."""
    return [w for w in weights if w["gzip_bytes"] > budget]


def budget_message(weight: dict, budget: int) -> str:
    """What to say about a page over ``budget`` gzip bytes at first mount."""
    explored = weight.get("explored_gzip_bytes", 0)
    return (
        f"{weight['path']} loads {weight['gzip_bytes']:,} gzip bytes at first mount (every figure mounted, "
        f"nothing explored), over the budget of {budget:,} ([build] page_budget_kb = {budget // 1024:,})"
        + (f"; the {explored:,} gzip bytes loaded only by exploring do not count" if explored else "")
        + ". Lighten a figure's first view, or move what only exploring needs into its config's \"explore\" list"
    )


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
        lines.append(
            f"  page {p['path']:<36} {p['gzip_bytes']:>10,} B gzip at first mount, "
            f"+ {p.get('explored_gzip_bytes', 0):,} B gzip by exploring "
            f"({p['bytes']:,} B, {p['files']} files + {p.get('explored_bytes', 0):,} B, "
            f"{p.get('explored_files', 0)} files)"
        )
    return "\n".join(lines)


def print_table(text: str) -> None:
    print(text, file=sys.stderr)
