"""What each page weighs, and the build report (build-report.json + a summary table).

A page's weight is everything it loads with every figure mounted: the HTML,
its styles and scripts, images, the JavaScript modules reachable from the
runtime and each figure's module (static and literal dynamic imports, bare
names resolved through the import map), fonts its styles use, and every file
of each figure's payload directory.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from .linkcheck import _target

IMPORT = re.compile(r"""(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)""")
SHARED = re.compile(r"artifacts/([\w.-]+)/")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.files: list[str] = []
        self.modules: list[str] = []
        self.payloads: list[str] = []
        self.imports: dict[str, str] = {}
        self._importmap = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") in ("stylesheet", "icon", "modulepreload") and a.get("href"):
            self.files.append(a["href"])
        if tag == "script" and a.get("src"):
            (self.modules if a.get("type") == "module" else self.files).append(a["src"])
        if tag == "img" and a.get("src"):
            self.files.append(a["src"])
        if a.get("data-module"):
            self.modules.append(a["data-module"])
        if a.get("data-config"):
            self.payloads.append(a["data-config"])
        self._importmap = tag == "script" and a.get("type") == "importmap"

    def handle_data(self, data):
        if self._importmap:
            self.imports.update(json.loads(data).get("imports", {}))
            self._importmap = False


class Weigher:
    """Measures pages of one built site; gzip sizes are memoised per file."""

    def __init__(self, site: Path, base: str):
        self.site, self.base = site, base
        self._gzip: dict[Path, tuple[int, int]] = {}

    def size(self, file: Path) -> tuple[int, int]:
        if file not in self._gzip:
            data = file.read_bytes()
            self._gzip[file] = (len(data), len(gzip.compress(data, 6, mtime=0)))
        return self._gzip[file]

    def _resolve(self, page_url: str, url: str) -> Path | None:
        target, _ = _target(self.site, self.base, page_url, url)
        return target if target is not None and target.is_file() else None

    def page_files(self, page: Path) -> set[Path]:
        """Every file the page loads once all its figures are mounted."""
        parser = _Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        page_url = self.base + page.relative_to(self.site).as_posix()
        files = {page}
        for url in parser.files:
            file = self._resolve(page_url, url)
            if file:
                files.add(file)
                if file.suffix == ".css":
                    css_url = self.base + file.relative_to(self.site).as_posix()
                    for font in CSS_URL.findall(file.read_text(encoding="utf-8")):
                        if font.endswith(".woff2"):
                            found = self._resolve(css_url, font)
                            if found:
                                files.add(found)
        queue = [(page_url, url) for url in parser.modules]
        while queue:
            origin, url = queue.pop()
            url = parser.imports.get(url, url)
            file = self._resolve(origin, url)
            if file is None or file in files:
                continue
            files.add(file)
            module_url = self.base + file.relative_to(self.site).as_posix()
            for static, dynamic in IMPORT.findall(file.read_text(encoding="utf-8", errors="replace")):
                queue.append((module_url, static or dynamic))
        for url in parser.payloads:
            config = self._resolve(page_url, url)
            if config:
                files.update(p for p in config.parent.rglob("*") if p.is_file())
                for folder in set(SHARED.findall(config.read_text(encoding="utf-8"))):
                    shared = self.site / "artifacts" / folder
                    files.update(p for p in shared.rglob("*") if p.is_file())
        return files

    def weigh(self, page: Path) -> dict:
        files = self.page_files(page)
        raw = sum(self.size(f)[0] for f in files)
        packed = sum(self.size(f)[1] for f in files)
        return {"path": page.relative_to(self.site).as_posix(), "bytes": raw, "gzip_bytes": packed, "files": len(files)}


def summary_table(records, pages: list[dict], seconds: float) -> str:
    """The table printed at the end of a build."""
    lines = [f"{'stage':<44} {'status':<7} {'seconds':>8} {'bytes':>12}"]
    for r in records:
        lines.append(f"{r.name[:44]:<44} {'cached' if r.cached else 'ran':<7} {r.seconds:>8.1f} {r.bytes:>12,}")
    ran = sum(1 for r in records if not r.cached)
    lines.append(f"{len(records)} stages: {ran} ran, {len(records) - ran} cached; build took {seconds:.1f} s")
    for p in pages:
        lines.append(f"  page {p['path']:<36} {p['bytes']:>12,} B  {p['gzip_bytes']:>10,} B gzip  ({p['files']} files)")
    return "\n".join(lines)


def print_table(text: str) -> None:
    print(text, file=sys.stderr)
