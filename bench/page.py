#!/usr/bin/env python3
"""One article page of the built site, measured in Debian Chromium (Playwright).

Records (a) gzip bytes per figure and for the whole page, at first mount (every figure mounted, nothing
explored: what the budget counts) and by exploring apart (from the build's own page weigher,
generator/report.py, via bench/page_weight.py, and build-report.json); (b) for each figure,
scrolled into view in page order, the time from navigation start to its ready
state and how long its mount took; (c) the decoder's predict time per TF.js
backend (the decoder-sampler figure's test hook); (d) frame times while the
latent-layouts figure morphs its sprites between layouts; (e) the face
explorer's decode time and faces painted a second.

Prints a table and writes bench/results/page-<article>.json. Timings are
observations, never assertions: on software GL (SwiftShader) the WebGL numbers
are relative figures only.

    .venv/bin/python bench/page.py [--site _site] [--article visualizing-autoencoders] [--out FILE]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.page_weight import weigh  # noqa: E402  (a) bytes

# Page-side probe, installed before any script of the page runs: the time
# (ms since navigation start) of every figure's state change.
STATE_PROBE = """
(() => {
  const log = (window.__benchStates = []);
  const record = (el) => log.push({ id: el.id, kind: el.dataset.figure, state: el.dataset.state, t: performance.now() });
  new MutationObserver((changes) => {
    for (const change of changes) if (change.target.dataset && change.target.dataset.figure) record(change.target);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
  document.addEventListener("figure:ready", (event) => log.push({ id: event.target.id, event: "figure:ready", t: performance.now() }));
})();
"""

MORPH_SCRIPT = """
async ({ sel, order, rounds }) => {
  const el = document.querySelector(sel);
  const f = el.__figure;
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  // an idle page's frame interval, for reference
  const idle = [];
  for (let i = 0; i < 31; i += 1) idle.push(await frame());
  const morphs = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const id of order) {
      if (f.state().layout === id) continue;
      const times = [];
      let running = true;
      const tick = (t) => { times.push(t); if (running) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      await frame();
      const started = performance.now();
      el.querySelector(`button[data-layout="${id}"]`).click();
      await f.idle();
      const took = performance.now() - started;
      running = false;
      await frame();
      morphs.push({ to: id, ms: took, times, figure: f.morphStats() });
    }
  }
  return { idle, morphs };
}
"""

GL_PROBE = """
() => {
  const out = {};
  for (const name of ["webgl2", "webgl"]) {
    const gl = document.createElement("canvas").getContext(name);
    if (!gl) { out[name] = null; continue; }
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    out[name] = {
      renderer: String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
      vendor: String(gl.getParameter(info ? info.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
      version: String(gl.getParameter(gl.VERSION)),
    };
    gl.getExtension("WEBGL_lose_context")?.loseContext();
  }
  return { gl: out, userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency,
           devicePixelRatio: devicePixelRatio };
}
"""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "mean": round(statistics.fmean(values), 2),
    }


# --- (b)-(d) in the browser --------------------------------------------------


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    from tests.browser.chromium import QuietHandler as handler_class

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler_class, directory=str(directory))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def browser_args():
    """The tests' Chromium, flags and viewport (tests/browser/chromium.py)."""
    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

    return CHROMIUM, CHROMIUM_ARGS, VIEWPORT


def measure_in_browser(url: str, args) -> dict:
    from playwright.sync_api import sync_playwright

    chromium_path, chromium_args, viewport = browser_args()
    out: dict = {"errors": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium_path) if chromium_path.exists() else None,  # else Playwright's
            args=chromium_args,
            headless=True,
        )
        out["chromium"] = browser.version
        context = browser.new_context(viewport=viewport, color_scheme="light")
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and out["errors"].append(m.text))
        page.on("pageerror", lambda e: out["errors"].append(str(e)))

        # (b) time to ready: navigate, then bring each figure into view in page order
        page.add_init_script(STATE_PROBE)
        page.goto(url, wait_until="load")
        nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
            return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd }; }""")
        ids = page.evaluate("[...document.querySelectorAll('[data-figure]')].map((e) => [e.id, e.dataset.figure])")
        scrolled = {}
        for fid, _kind in ids:
            scrolled[fid] = page.evaluate(
                "(id) => { document.getElementById(id).scrollIntoView({ block: 'center' }); return performance.now(); }",
                fid,
            )
            page.evaluate("(id) => window.__explorables.whenReady(id)", fid)
            page.wait_for_timeout(args.settle_ms)
        log = page.evaluate("window.__benchStates")
        figures = []
        for fid, kind in ids:
            events = [e for e in log if e["id"] == fid]
            loading = next((e["t"] for e in events if e.get("state") == "loading"), None)
            done = next((e for e in events if e.get("state") in ("ready", "error")), None)
            figures.append(
                {
                    "id": fid,
                    "kind": kind,
                    "state": done and done["state"],
                    "scrolled_ms": round(scrolled[fid], 1),
                    "mount_start_ms": loading and round(loading, 1),
                    "ready_ms": done and round(done["t"], 1),
                    "mount_ms": done and loading is not None and round(done["t"] - loading, 1),
                }
            )
        out["navigation"] = {k: round(v, 1) for k, v in nav.items()}
        out["figures"] = figures

        # (c) the decoder's predict time per backend
        sampler = next((fid for fid, kind in ids if kind == "decoder-sampler"), None)
        out["predict"] = {}
        if sampler:
            sel = f"#{sampler}"
            page.evaluate("(id) => document.getElementById(id).scrollIntoView({ block: 'center' })", sampler)
            hook = f"document.querySelector('{sel}').__figure"
            out["backend_policy"] = page.evaluate(f"{hook}.backendState()")
            for name in args.backends:
                switched = page.evaluate(f"(n) => {hook}.useBackend(n)", name)
                if not switched:
                    out["predict"][name] = {"error": f"backend {name} unavailable"}
                    continue
                times = page.evaluate(f"([r, w]) => {hook}.predictTimes(r, w)", [args.predicts, args.warmup])
                out["predict"][name] = {**stats(times), "warmup": args.warmup}
            page.evaluate(f"(n) => {hook}.useBackend(n)", out["backend_policy"]["policy"])

        # (d) frame times while latent-layouts morphs
        layouts = next((fid for fid, kind in ids if kind == "latent-layouts"), None)
        if layouts:
            sel = f"#{layouts}"
            page.evaluate("(id) => document.getElementById(id).scrollIntoView({ block: 'center' })", layouts)
            page.wait_for_timeout(300)
            order = page.evaluate(
                f"[...document.querySelectorAll('{sel} button[data-layout]')].map((b) => b.dataset.layout)"
            )
            count = page.evaluate(f"document.querySelector('{sel}').__figure.state().size")
            result = page.evaluate(MORPH_SCRIPT, {"sel": sel, "order": order, "rounds": args.rounds})
            gaps, cpu = [], []
            per_morph = []
            for morph in result["morphs"]:
                t = morph["times"]
                g = [b - a for a, b in zip(t, t[1:])]
                gaps += g
                if morph["figure"]:
                    cpu.append(morph["figure"]["meanDrawCpuMs"])
                per_morph.append(
                    {
                        "to": morph["to"],
                        "ms": round(morph["ms"], 1),
                        "frames": len(g),
                        "median": round(statistics.median(g), 2) if g else None,
                        "max": round(max(g), 2) if g else None,
                    }
                )
            idle = [b - a for a, b in zip(result["idle"], result["idle"][1:])]
            config = page.evaluate(f"""async () => {{ const el = document.querySelector('{sel}');
                const c = await (await fetch(new URL(el.dataset.config, document.baseURI))).json(); return c.count; }}""")
            out["morph"] = {
                "sprites": config,
                "layouts": order,
                "morphs": len(result["morphs"]),
                "canvas": count,
                "frame_ms": {**stats(gaps), "frames": len(gaps)},
                "idle_frame_ms": stats(idle),
                "draw_cpu_ms_mean": round(statistics.fmean(cpu), 2) if cpu else None,
                "per_morph": per_morph,
            }

        # (e) the face explorer: faces decoded and painted a second while the pad sweeps, and one decode's time
        faces = next((fid for fid, kind in ids if kind == "faces"), None)
        if faces:
            page.evaluate("(id) => document.getElementById(id).scrollIntoView({ block: 'center' })", faces)
            hook = f"document.querySelector('#{faces}').__figure"
            run = page.evaluate(f"{hook}.benchmark(3000)")
            state = page.evaluate(f"{hook}.state()")
            decodes, predicts = [], []
            for k in range(20):  # one decode at a time: set the code, wait until it is painted
                page.evaluate(f"([x, y]) => {hook}.setCode(x, y)", [0.1 * (k % 5) - 0.2, 0.1 * (k // 5) - 0.2])
                timed = page.evaluate(f"{hook}.state()")
                decodes.append(timed["decodeMs"])
                predicts.append(timed["predictMs"])
            out["faces"] = {
                "image": state["image"],
                "backend": state["backend"],
                "sweep_fps": round(run["fps"], 1),
                "decode_ms": stats(decodes),
                "predict_ms": stats(predicts),
            }

        probe = context.new_page()
        probe.goto("about:blank")
        out["machine_browser"] = probe.evaluate(GL_PROBE)
        context.close()
        browser.close()
    return out


def table(result: dict) -> str:
    lines = []
    w = result["weight"]
    lines.append(
        f"Page {result['article']} at scale {w['build_report']['scale']} — "
        f"{result['machine']['cpus']} CPUs, Chromium {result['browser'].get('chromium')}, "
        f"GL: {result['machine']['gl_renderer']}"
    )
    load = result["machine"]
    lines.append(
        f"load average (1, 5, 15 min) before {load['loadavg_before']}, after {load['loadavg_after']}"
        f" — other work on the machine skews timings"
    )
    lines.append("")
    lines.append(
        f"{'figure':<8} {'kind':<16} {'payload gz':>11} {'code gz':>9} {'style gz':>9} {'total gz':>10} {'own gz':>9}"
        f" {'explore gz':>11} {'scrolled':>9} {'mount at':>9} {'ready at':>9} {'mount':>8}"
    )
    timing = {f["id"]: f for f in result["browser"].get("figures", [])}
    for f in w["figures"]:
        t = timing.get(f["id"], {})

        def ms(key, t=t):
            v = t.get(key)
            return f"{v:>7.0f}ms" if isinstance(v, (int, float)) else f"{'—':>9}"

        lines.append(
            f"{f['id']:<8} {f['kind']:<16} {f['payload_gzip']:>11,} {f['code_gzip']:>9,} {f.get('style_gzip', 0):>9,}"
            f" {f['gzip']:>10,}"
            f" {f['own_gzip']:>9,} {f.get('explore_gzip', 0):>11,} {ms('scrolled_ms')} {ms('mount_start_ms')} {ms('ready_ms')} {ms('mount_ms')}"
        )
    p = w["page"]
    br = w["build_report"]["page"] or {}
    lines.append(
        f"{'page':<8} {'(first mount)':<16} {'':>11} {'':>9} {'':>9} {p['gzip']:>10,} {'':>9}"
        f" {p.get('explored_gzip', 0):>11,}   files {p['files']} + {p.get('explored_files', 0)} by exploring; "
        f"build-report {br.get('gzip_bytes', 0):,} B gzip at first mount of budget "
        f"{w['build_report']['budget_gzip_bytes']:,}, + {br.get('explored_gzip_bytes', 0):,} B gzip by exploring"
    )
    lines.append(
        f"  shared by several figures {p['shared_by_figures_gzip']:,} B gzip; page shell (HTML, CSS, KaTeX fonts, runtime) "
        f"{p['not_in_any_figure_gzip']:,} B gzip"
    )
    nav = result["browser"].get("navigation", {})
    lines.append(
        f"  navigation: DOMContentLoaded {nav.get('domContentLoaded', 0):.0f} ms, load {nav.get('load', 0):.0f} ms"
    )
    lines.append("")
    policy = result["browser"].get("backend_policy") or {}
    face = result["browser"].get("faces")
    if face:
        d = face["decode_ms"]
        lines.append(
            f"Faces {face['image'][0]}x{face['image'][1]} on {face['backend']}: one decode median {d['median']} ms "
            f"(p95 {d.get('p95')}; the predict call alone {face['predict_ms']['median']} ms), {face['sweep_fps']} "
            "faces/s while the pad sweeps"
        )
    if not result["browser"].get("predict"):
        lines.append("Decoder predict: no decoder-sampler figure on this page")
    else:
        lines.append(
            f"Decoder predict (1 code -> 28x28, read back), policy picks '{policy.get('policy')}' "
            f"(TF.js GL renderer: {policy.get('renderer') or 'n/a'})"
        )
        lines.append(f"  {'backend':<8} {'median':>8} {'p95':>8} {'min':>8} {'max':>8} {'runs':>5}")
    for name, s in result["browser"].get("predict", {}).items():
        if "error" in s:
            lines.append(f"  {name:<8} {s['error']}")
        else:
            lines.append(
                f"  {name:<8} {s['median']:>6.2f}ms {s['p95']:>6.2f}ms {s['min']:>6.2f}ms {s['max']:>6.2f}ms {s['n']:>5}"
            )
    m = result["browser"].get("morph")
    if m:
        fr = m["frame_ms"]
        lines.append("")
        lines.append(
            f"Latent-layouts morph, {m['sprites']:,} sprites, {m['morphs']} morphs over {', '.join(m['layouts'])}, "
            f"canvas {m['canvas']['width']}x{m['canvas']['height']} CSS px at ratio {m['canvas']['ratio']}"
        )
        lines.append(
            f"  frame interval: median {fr['median']:.1f} ms, p95 {fr['p95']:.1f} ms, max {fr['max']:.1f} ms, "
            f"{fr['frames']} frames; idle page median {m['idle_frame_ms']['median']:.1f} ms; "
            f"figure's draw call CPU mean {m['draw_cpu_ms_mean']} ms"
        )
        if result["machine"]["software_gl"]:
            lines.append("  (software GL: a relative figure only)")
    if result["browser"].get("errors"):
        lines.append(f"console errors: {result['browser']['errors']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", default="_site", help="the built site (default: _site)")
    parser.add_argument("--article", default="visualizing-autoencoders", help="the article's slug")
    parser.add_argument("--out", help="JSON file (default: bench/results/page-<article>.json)")
    parser.add_argument("--predicts", type=int, default=50, help="timed decoder predicts per backend")
    parser.add_argument("--warmup", type=int, default=5, help="untimed predicts after each backend switch")
    parser.add_argument("--backends", nargs="+", default=["cpu", "webgl"])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the layout buttons (one morph per button)")
    parser.add_argument("--settle-ms", type=int, default=250, help="pause after each figure is ready")
    args = parser.parse_args()

    site = Path(args.site)
    if not site.is_absolute():
        site = (Path.cwd() / site) if (Path.cwd() / site).exists() else ROOT / site
    page = site / args.article / "index.html"
    if not (site / "build-report.json").is_file() or not page.is_file():
        missing = page if (site / "build-report.json").is_file() else site / "build-report.json"
        print(
            f"bench/page.py: {missing} is missing. Build the site first:\n"
            f"    .venv/bin/python build.py{'' if args.site == '_site' else ' --out ' + args.site}",
            file=sys.stderr,
        )
        return 2

    weight = weigh(site, args.article)
    report = json.loads((site / "build-report.json").read_text())
    base = report.get("base_url", "/")
    load_before = os.getloadavg()
    server, origin = serve(site)
    try:
        started = time.perf_counter()
        browser = measure_in_browser(f"{origin}{base}{args.article}/", args)
        seconds = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    gl = browser.get("machine_browser", {}).get("gl", {})
    renderer = (gl.get("webgl2") or gl.get("webgl") or {}).get("renderer", "none")
    result = {
        "article": args.article,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "gl_renderer": renderer,
            "software_gl": bool(re.search(r"swiftshader|llvmpipe|softpipe|software", renderer, re.I)),
        },
        "settings": dict(vars(args)),
        "weight": weight,
        "browser": browser,
        "seconds": round(seconds, 1),
    }
    text = table(result)
    print(text)
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"page-{args.article}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
