#!/usr/bin/env python3
"""Main-thread long tasks while the in-page training figures train, in Chromium.

For each of `mnist-live` and `train-in-page`, opens a page of a built site that
shows it (Playwright, the Chromium and flags of tests/browser/conftest.py),
waits until the figure is ready, starts training with its Train button and,
for `--seconds` of training (Train is pressed again whenever a run ends),
records every main-thread task over 50 ms with a `PerformanceObserver` for
`longtask` entries. Prints, per figure, how many long tasks there were, how
many over 100 ms, the longest, and the training done meanwhile; writes them to
bench/results/longtasks.json under `--label` (other labels in the file are kept,
so a "before" and an "after" run sit side by side).

Without `--site` it builds a tiny site (two articles, one figure each, with
the options the real articles use) in a temporary folder; `--cache DIR` (or
$EXPLORABLES_TEST_CACHE) lends it a build cache. `--assets-rev REV` replaces the
built site's assets/ with those of a git revision (e.g. HEAD, to measure the
committed figures while the working tree holds a change).

Timings are observations, never assertions: other work on the machine (the
load average is recorded) lengthens tasks.

    .venv/bin/python bench/longtasks.py [--site DIR] [--seconds 10] [--label after] [--assets-rev HEAD]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = {  # kind -> (article file, figure block options, the state() key that is true while training)
    "mnist-live": ("mnist.md", "count: 2000", "training"),
    "train-in-page": ("train.md", "", "running"),
}
ARTICLE = """\
---
title: {kind}
description: Long tasks while {kind} trains.
date: 2026-01-02
---

## {kind}

```figure
kind: {kind}
{options}
caption: Long tasks while it trains.
```
"""

# Runs in the page: observe long tasks, press Train, keep training going for `seconds`, pause.
MEASURE = """
async ({ sel, seconds, key }) => {
  const el = document.querySelector(sel);
  const hook = el.__figure;
  const button = el.querySelector("[data-action='train']");
  const tasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: +e.startTime.toFixed(1), ms: +e.duration.toFixed(1) });
  });
  observer.observe({ type: "longtask" });
  const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  const before = hook.state();
  const started = performance.now();
  let presses = 0;
  while (performance.now() - started < seconds * 1000) {
    if (!hook.state()[key]) {
      button.click();
      presses += 1;
    }
    await sleep(200);
  }
  const after = hook.state();
  if (after[key]) button.click(); // pause
  for (const e of observer.takeRecords()) tasks.push({ start: +e.startTime.toFixed(1), ms: +e.duration.toFixed(1) });
  observer.disconnect();
  return { tasks: tasks.filter((t) => t.start >= started), presses, before, after,
           elapsedMs: performance.now() - started };
}
"""


from tests.browser.chromium import QuietHandler  # noqa: E402 - after the sys.path line


def chromium_settings():
    """The tests' Chromium, flags and viewport (tests/browser/chromium.py)."""
    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

    return CHROMIUM, CHROMIUM_ARGS, VIEWPORT


def build_site(folder: Path, cache: Path | None) -> Path:
    """A tiny site with one article per kind, built into folder/www; returns that folder."""
    project = folder / "project"
    (project / "content").mkdir(parents=True, exist_ok=True)
    (project / "site.toml").write_text('[site]\ntitle = "Long tasks"\n')
    for kind, (name, options, _key) in KINDS.items():
        (project / "content" / name).write_text(ARTICLE.format(kind=kind, options=options))
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        (project / ".cache").symlink_to(cache.resolve(), target_is_directory=True)
    www = folder / "www"
    cmd = [
        sys.executable,
        str(ROOT / "build.py"),
        "--config",
        str(project / "site.toml"),
        "--scale",
        "tiny",
        "--out",
        str(www),
        "-q",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=project)
    if done.returncode:
        raise SystemExit(f"bench/longtasks.py: the build failed:\n{done.stderr[-3000:]}")
    return www


def replace_assets(site: Path, rev: str) -> None:
    """Put the assets/ folder of git revision `rev` in place of the site's."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "assets"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    shutil.rmtree(site / "assets")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(site, filter="data")


def page_of(site: Path, kind: str) -> str | None:
    """The site-relative URL path of the first page that shows a figure of `kind`."""
    marker = f'data-figure="{kind}"'
    for page in sorted(site.rglob("index.html")):
        if marker in page.read_text(encoding="utf-8", errors="replace"):
            return page.parent.relative_to(site).as_posix() + "/"
    return None


def summary(run: dict) -> dict:
    ms = [t["ms"] for t in run["tasks"]]
    before, after = run["before"], run["after"]
    trained = {name: after[name] - before[name] for name in ("epoch", "steps") if name in after}
    return {
        "long_tasks": len(ms),
        "over_100ms": sum(m > 100 for m in ms),
        "longest_ms": max(ms, default=0.0),
        "total_long_ms": round(sum(ms), 1),
        "seconds": round(run["elapsedMs"] / 1000, 1),
        "backend": after.get("backend"),
        "trained": trained,
        "train_presses": run["presses"],
        "tasks": run["tasks"],
    }


def measure(site: Path, base: str, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    chromium, flags, viewport = chromium_settings()
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    out: dict = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(chromium) if chromium.exists() else None, args=flags, headless=True
            )
            out["chromium"] = browser.version
            for kind, (_name, _options, key) in KINDS.items():
                path = page_of(site, kind)
                if path is None:
                    out[kind] = {"error": "no page of the site shows this kind"}
                    continue
                context = browser.new_context(viewport=viewport, color_scheme="light")
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto(f"{origin}{base}{path}")
                sel = f"figure[data-figure='{kind}']"
                page.locator(sel).first.scroll_into_view_if_needed(timeout=180_000)
                page.wait_for_function(
                    "(s) => ['ready', 'error'].includes(document.querySelector(s).dataset.state)",
                    arg=sel,
                    timeout=180_000,
                )
                if page.evaluate("(s) => document.querySelector(s).dataset.state", sel) != "ready":
                    out[kind] = {"error": "the figure did not mount", "errors": errors}
                    context.close()
                    continue
                run = page.evaluate(MEASURE, {"sel": sel, "seconds": seconds, "key": key})
                out[kind] = {"page": path, **summary(run), "errors": errors}
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", help="a built site (default: build a tiny one in a temporary folder)")
    parser.add_argument("--cache", help="build cache for the tiny site (default: $EXPLORABLES_TEST_CACHE, else none)")
    parser.add_argument("--assets-rev", help="serve the assets/ of this git revision instead of the built ones")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of training per figure (default 10)")
    parser.add_argument("--label", default="current", help="key of this run in the results file (default: current)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "longtasks.json"))
    args = parser.parse_args()

    cache = args.cache or os.environ.get("EXPLORABLES_TEST_CACHE")
    with tempfile.TemporaryDirectory(prefix="longtasks-") as tmp:
        if args.site:
            site = Path(args.site).resolve()
            if args.assets_rev:
                site = Path(shutil.copytree(site, Path(tmp) / "www"))
        else:
            site = build_site(Path(tmp), Path(cache) if cache else None)
        if args.assets_rev:
            replace_assets(site, args.assets_rev)
        report = json.loads((site / "build-report.json").read_text())
        load_before = os.getloadavg()
        figures = measure(site, report.get("base_url", "/"), args.seconds)
    chromium = figures.pop("chromium", None)
    run = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "chromium": chromium,
        "settings": {
            "seconds": args.seconds,
            "site": args.site or "tiny (built for the run)",
            "assets_rev": args.assets_rev,
        },
        "figures": figures,
    }
    print(
        f"{args.label}: {args.seconds:g} s of training per figure, Chromium {chromium}, "
        f"load average before {run['machine']['loadavg_before']}"
    )
    print(f"{'figure':<15} {'backend':<8} {'tasks >50ms':>11} {'>100ms':>7} {'longest':>9} {'total':>9}  trained")
    for kind, f in figures.items():
        if "error" in f:
            print(f"{kind:<15} {f['error']}")
            continue
        print(
            f"{kind:<15} {f['backend'] or '?':<8} {f['long_tasks']:>11} {f['over_100ms']:>7} "
            f"{f['longest_ms']:>7.0f}ms {f['total_long_ms']:>7.0f}ms  {f['trained']}"
            + (f"  errors: {f['errors']}" if f["errors"] else "")
        )
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.is_file() else {}
    results[args.label] = run
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
