#!/usr/bin/env python3
"""Training steps per second of the toy-bench figure in Chromium, per TF.js backend.

Against a built site (default ``_site``, article ``train-in-your-browser``; or any
``--page`` URL path, e.g. a tiny site built into /tmp), this serves the site on
127.0.0.1, opens the page in headless Chromium (the tests' CHROMIUM and
CHROMIUM_ARGS), and through the figure's test hook (``el.__figure``):

- switches the backend (``setBackend``: cpu, webgl),
- times ``--steps`` back-to-back full-batch Adam steps, ``--repeats`` times
  (``time(n)``: one read-back at the end), after a warm-up,
- and lets the figure train on its own (Play) for ``--play-seconds`` to record
  the rate a reader sees, with the views redrawing.

It also reads the page's gzip bytes from the site's build-report.json. Prints a
table and writes bench/results/train-steps.json. The numbers depend on the
machine (and its load: the 1-minute load average is recorded); headless
Chromium's WebGL is SwiftShader (software), so "webgl" here is no GPU figure.

    python bench/train_steps.py                       # _site, train-in-your-browser
    python bench/train_steps.py --site /tmp/tb/www/repo --page /repo/bench/
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIGURE = "figure[data-figure='toy-bench']"
HOOK = f'document.querySelector("{FIGURE}").__figure'


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


def serve(site: Path, base_url: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``site`` at ``base_url`` on 127.0.0.1; return the server and its origin."""
    root = Path(tempfile.mkdtemp(prefix="train-steps-"))
    mount = root / base_url.strip("/") if base_url.strip("/") else None
    if mount is None:
        root.rmdir()
        root = site
    else:
        mount.parent.mkdir(parents=True, exist_ok=True)
        mount.symlink_to(site.resolve(), target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def page_bytes(report: dict, page_path: str, base_url: str) -> dict | None:
    """The build report's record of the page at URL path ``page_path``."""
    rel = page_path[len(base_url) :] if page_path.startswith(base_url) else page_path.lstrip("/")
    rel = rel.rstrip("/") + "/index.html" if not rel.endswith(".html") else rel
    rel = rel.lstrip("/")
    return next((p for p in report.get("pages", []) if p["path"] == rel), None)


def hook(page, expression: str):
    return page.evaluate(f"(async () => await {HOOK}.{expression})()")


def measure(page, backend: str, steps: int, repeats: int, play_seconds: float) -> dict:
    ok = hook(page, f"setBackend({json.dumps(backend)})")
    state = hook(page, "state()")
    if not ok or state["backend"] != backend:
        return {"backend": backend, "available": False, "in_use": state["backend"]}
    hook(page, "time(20)")  # warm-up: shader compilation, first allocations
    runs = [hook(page, f"time({steps})") for _ in range(repeats)]
    rates = [r["steps"] / (r["ms"] / 1000) for r in runs]
    hook(page, "reset()")
    hook(page, "play()")
    time.sleep(play_seconds)
    playing = hook(page, "state()")
    hook(page, "pause()")
    return {
        "backend": backend,
        "available": True,
        "steps": steps,
        "repeats": repeats,
        "ms_per_step": [round(r["ms"] / r["steps"], 3) for r in runs],
        "steps_per_second": round(statistics.median(rates), 1),
        "steps_per_second_playing": round(playing["stepsPerSecond"], 1),
        "steps_in_play_window": playing["step"],
        "loss_after_play": playing["loss"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=ROOT / "_site", help="built site folder (default _site)")
    parser.add_argument("--article", default="train-in-your-browser", help="article slug (default %(default)s)")
    parser.add_argument("--page", help="URL path of the page instead, e.g. /repo/bench/")
    parser.add_argument("--backends", default="cpu,webgl")
    parser.add_argument("--steps", type=int, default=200, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--play-seconds", type=float, default=4.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "train-steps.json")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    report_file = args.site / "build-report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    base_url = report.get("base_url") or "/"
    page_path = args.page or f"{base_url}{args.article}/"
    if not page_path.startswith(base_url):
        parser.error(f"--page {page_path} is not under the site's base URL {base_url}")
    server, origin = serve(args.site, base_url)
    hosts: set[str] = set()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM) if CHROMIUM.exists() else None, args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: hosts.add(request.url.split("/")[2].split(":")[0]))
            page.goto(origin + page_path)
            if page.locator(FIGURE).count() == 0:
                raise SystemExit(f"no toy-bench figure on {origin + page_path}")
            page.locator(FIGURE).first.scroll_into_view_if_needed()
            page.wait_for_function(
                f"['ready', 'error'].includes(document.querySelector(\"{FIGURE}\").dataset.state)", timeout=120_000
            )
            if page.evaluate(f'document.querySelector("{FIGURE}").dataset.state') != "ready":
                raise SystemExit(f"the figure failed to mount: {errors}")
            hook(page, "pause()")
            initial = hook(page, "state()")
            renderer = page.evaluate("""() => { const gl = document.createElement("canvas").getContext("webgl");
                if (!gl) return "no WebGL"; const info = gl.getExtension("WEBGL_debug_renderer_info");
                return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)); }""")
            results = [
                measure(page, b.strip(), args.steps, args.repeats, args.play_seconds)
                for b in args.backends.split(",")
                if b.strip()
            ]
            browser.close()
    finally:
        server.shutdown()
        server.server_close()

    record = page_bytes(report, page_path, base_url)
    result = {
        "page": page_path,
        "site": str(args.site),
        "scale": report.get("scale"),
        "page_bytes": record and record["bytes"],
        "page_gzip_bytes": record and record["gzip_bytes"],
        "points": initial["points"],
        "shape": initial["shape"],
        "activation": initial["activation"],
        "policy_backend": initial["backend"],
        "webgl_renderer": renderer,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "hosts": sorted(hosts),
        "backends": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))

    print(
        f"{page_path}: {initial['points']} points ({initial['shape']}), page "
        + (f"{record['gzip_bytes']:,} B gzip" if record else "not in build-report.json")
        + f"; policy picks {initial['backend']}; WebGL renderer: {renderer}"
    )
    print(f"{'backend':<8} {'steps/s (timed)':>16} {'ms/step':>22} {'steps/s (playing)':>18}")
    for r in results:
        if not r["available"]:
            print(f"{r['backend']:<8} {'unavailable (in use: ' + r['in_use'] + ')':>16}")
            continue
        print(
            f"{r['backend']:<8} {r['steps_per_second']:>16.1f} {', '.join(map(str, r['ms_per_step'])):>22} "
            f"{r['steps_per_second_playing']:>18.1f}"
        )
    print(f"load average {result['load_average_1min']} on {result['cpus']} CPUs; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
