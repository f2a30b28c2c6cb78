"""Part (a) of bench/page.py: the gzip bytes of one built page and of each of its figures.

Measured as the build's report measures pages (``generator.report``'s public
:func:`~generator.report.page_loads` and :class:`~generator.report.Weigher`): a
figure's files are its payload, the modules its module imports that the
runtime does not, and its kind's stylesheet (with what that ``@import``s).
Bytes are at first mount (every figure mounted, nothing explored: what the
budget counts); ``explore_gzip`` and the page's ``explored_*`` are the files a
reader loads only by exploring (the URLs a config lists as ``"explore"``).
"""

from __future__ import annotations

import json
from pathlib import Path


def weigh(site: Path, article: str) -> dict:
    """gzip bytes of the page and of each figure, measured as the build's report measures pages."""
    from generator.report import Weigher, page_loads

    report = json.loads((site / "build-report.json").read_text())
    base = report.get("base_url", "/")
    page = site / article / "index.html"
    weigher = Weigher(site, base)
    page_url = weigher.url(page)
    loads = page_loads(page)

    def gz(files) -> int:
        return sum(weigher.size(f)[1] for f in files)

    def raw(files) -> int:
        return sum(weigher.size(f)[0] for f in files)

    all_files = weigher.page_files(page)
    mount_files = weigher.mount_files(page)
    explored_files = all_files - mount_files
    figure_modules = {item.get("data-module") for item in loads.figures}
    runtime = set().union(
        *(weigher.module_files(page_url, m, loads.imports) for m in loads.modules if m not in figure_modules)
    )
    figures = []
    claimed: dict[Path, int] = {}
    for item in loads.figures:
        explore = weigher.explore_files(page_url, item["data-config"])
        payload = weigher.payload_files(page_url, item["data-config"]) - explore
        code = weigher.module_files(page_url, item["data-module"], loads.imports) - runtime
        folder = item["data-module"].rpartition("/")[0] + "/"  # the kind's style.css lies beside its module
        style = set().union(*(weigher.style_files(page_url, u) for u in loads.files if u.startswith(folder)))
        files = payload | code | style
        for f in files:
            claimed[f] = claimed.get(f, 0) + 1
        figures.append(
            {
                "id": item.get("id"),
                "kind": item["data-figure"],
                "files": files,
                "payload": payload,
                "explore": explore - mount_files,  # what this figure alone adds by exploring
                "code": code,
                "style": style,
            }
        )
    rows = []
    for fig in figures:
        own = {f for f in fig["files"] if claimed[f] == 1}
        rows.append(
            {
                "id": fig["id"],
                "kind": fig["kind"],
                "files": len(fig["files"]),
                "payload_gzip": gz(fig["payload"]),
                "code_gzip": gz(fig["code"]),
                "style_gzip": gz(fig["style"]),
                "gzip": gz(fig["files"]),
                "bytes": raw(fig["files"]),
                "own_gzip": gz(own),  # files no other figure of the page loads at mount
                "explore_gzip": gz(fig["explore"]),
                "explore_files": len(fig["explore"]),
            }
        )
    figure_files = set().union(*(f["files"] for f in figures)) if figures else set()
    rest = mount_files - figure_files
    listed = next((p for p in report["pages"] if p["path"] == f"{article}/index.html"), None)
    return {
        "figures": rows,
        "page": {
            "gzip": gz(mount_files),  # first mount
            "bytes": raw(mount_files),
            "files": len(mount_files),
            "explored_gzip": gz(explored_files),
            "explored_bytes": raw(explored_files),
            "explored_files": len(explored_files),
            "shared_by_figures_gzip": gz({f for f, n in claimed.items() if n > 1}),
            "not_in_any_figure_gzip": gz(rest),
        },
        "build_report": {
            "page": listed,
            "budget_gzip_bytes": report.get("budget_gzip_bytes"),
            "scale": report.get("scale"),
            "built_seconds": report.get("seconds"),
        },
    }
