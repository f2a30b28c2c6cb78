"""The figure kit (assets/js/lib/figure.js) and the runtime's lifecycle, in Chromium.

A hand-written page imports the kit from the repository's assets and exercises it;
a second page mounts a figure through the runtime and removes it from the page.
Every wait is on a state the page reaches (frames rendered, a counter), never on the clock.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.waits import frames, wait_ready, wait_until

KIT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>kit</title></head>
<body><figure id="f" data-figure="probe"><div class="figure-live"></div><p class="figure-status"></p></figure>
<script type="module">
import * as kit from "./assets/js/lib/figure.js";
window.kit = kit;
window.kitReady = true;
</script></body></html>"""

# A figure module for the runtime: registers one of everything with its fig, and counts what is undone.
PROBE_MODULE = """import { createFigure, h } from "../lib/figure.js";
window.probe = { destroyed: 0, listenerCalls: 0, frames: 0, workerAlive: false };
export async function mount(el, config) {
  const fig = createFigure(el, config);
  fig.add(h("canvas", { class: "probe-canvas", width: 10, height: 10 }));
  fig.on(window, "probe-event", () => { window.probe.listenerCalls += 1; });
  fig.animate(() => { window.probe.frames += 1; }).start();
  fig.expose({ hello: () => "hi" });
  fig.onDestroy(() => { window.probe.destroyed += 1; });
  return fig;
}
"""

# A figure module whose mount() starts a loop through the kit and then fails.
FAILING_MODULE = """import { createFigure } from "../lib/figure.js";
window.failing = { frames: 0, destroyed: 0 };
export async function mount(el, config) {
  const fig = createFigure(el, config);
  fig.animate(() => { window.failing.frames += 1; }).start();
  fig.onDestroy(() => { window.failing.destroyed += 1; });
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  throw new Error("deliberate failure after starting a loop");
}
"""

# A figure module whose mount() waits until the test opens a gate.
SLOW_MODULE = """import { createFigure } from "../lib/figure.js";
window.slow = { destroyed: 0 };
let open;
window.slowGate = new Promise((resolve) => { open = resolve; });
window.openSlowGate = () => open();
export async function mount(el, config) {
  const fig = createFigure(el, config);
  fig.onDestroy(() => { window.slow.destroyed += 1; });
  await window.slowGate;
  return fig;
}
"""

RUNTIME_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>runtime</title>
<script type="module" src="./assets/js/runtime.js"></script></head>
<body><figure class="figure" id="fig-probe" data-figure="probe" data-module="./assets/js/figures/probe.js"
 data-config="./config.json"><div class="figure-body"><div class="figure-live"></div></div>
<p class="figure-status" role="status"></p></figure>
<figure class="figure" id="fig-slow" data-figure="slow" data-module="./assets/js/figures/slow.js"
 data-config="./config.json"><div class="figure-body"><div class="figure-live"></div></div>
<p class="figure-status" role="status"></p></figure>
<figure class="figure" id="fig-failing" data-figure="failing" data-module="./assets/js/figures/failing.js"
 data-config="./config.json"><div class="figure-body"><div class="figure-live"></div></div>
<p class="figure-status" role="status"></p></figure></body></html>"""


@pytest.fixture
def kit_url(tmp_path, copy_assets, serve):
    copy_assets(tmp_path)
    (tmp_path / "index.html").write_text(KIT_PAGE, encoding="utf-8")
    (tmp_path / "bytes.bin").write_bytes(bytes(range(16)))
    (tmp_path / "runtime.html").write_text(RUNTIME_PAGE, encoding="utf-8")
    (tmp_path / "config.json").write_text(json.dumps({"answer": 42}), encoding="utf-8")
    (tmp_path / "assets" / "js" / "figures" / "probe.js").write_text(PROBE_MODULE, encoding="utf-8")
    (tmp_path / "assets" / "js" / "figures" / "failing.js").write_text(FAILING_MODULE, encoding="utf-8")
    (tmp_path / "assets" / "js" / "figures" / "slow.js").write_text(SLOW_MODULE, encoding="utf-8")
    return serve(tmp_path)


@pytest.fixture
def kit(page, kit_url):
    page.goto(kit_url)
    wait_until(page, "() => window.kitReady === true")
    return page


def test_h_builds_elements_with_attributes_children_and_svg(kit):
    result = kit.evaluate("""() => {
      const { h } = window.kit;
      const b = h("button", { class: "a b", type: "button", text: "Go", dataset: { k: "v" },
                              style: { color: "red" }, hidden: false, disabled: true, "aria-label": "Go now" });
      const p = h("p", {}, "one ", h("em", { text: "two" }), null, false, [" three"]);
      const c = h("svg:circle", { r: 3 });
      return { tag: b.tagName, cls: b.className, text: b.textContent, k: b.dataset.k, color: b.style.color,
               hidden: b.hasAttribute("hidden"), disabled: b.disabled, label: b.getAttribute("aria-label"),
               p: p.innerHTML, ns: c.namespaceURI, r: c.getAttribute("r") };
    }""")
    assert result == {
        "tag": "BUTTON",
        "cls": "a b",
        "text": "Go",
        "k": "v",
        "color": "red",
        "hidden": False,
        "disabled": True,
        "label": "Go now",
        "p": "one <em>two</em> three",
        "ns": "http://www.w3.org/2000/svg",
        "r": "3",
    }


def test_fetch_bytes_returns_bytes_and_names_the_file_on_failure(kit):
    result = kit.evaluate("""async () => {
      const { fetchBytes, fetchJSON } = window.kit;
      const bytes = new Uint8Array(await fetchBytes("bytes.bin", { base: location.href }));
      let missing = "";
      try { await fetchBytes("./nope/missing.bin", { base: location.href }); } catch (e) { missing = e.message; }
      let badJson = "";
      try { await fetchJSON("bytes.bin", { base: location.href }); } catch (e) { badJson = e.message; }
      return { length: bytes.length, last: bytes[15], missing, badJson };
    }""")
    assert result == {
        "length": 16,
        "last": 15,
        "missing": "missing.bin: HTTP 404",
        "badJson": "bytes.bin is not valid JSON",
    }


def test_destroy_undoes_everything_a_figure_registered_in_reverse_order(kit):
    result = kit.evaluate("""async () => {
      const { createFigure, h } = window.kit;
      const el = document.getElementById("f");
      const fig = createFigure(el, {});
      const order = [];
      let calls = 0, fired = 0;
      fig.on(window, "ping", () => { calls += 1; });
      const node = fig.add(h("div", { class: "added" }));
      fig.expose({ x: 1 });
      fig.timeout(() => { fired += 1; }, 0);
      fig.onDestroy(() => order.push("first"));
      fig.onDestroy(() => order.push("second"));
      window.dispatchEvent(new Event("ping"));
      const before = { calls, inPage: node.isConnected, exposed: Boolean(el.__figure), signal: fig.signal.aborted };
      fig.destroy();
      fig.destroy();  // idempotent
      window.dispatchEvent(new Event("ping"));
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => setTimeout(r, 0));
      return { before, calls, fired, inPage: node.isConnected, exposed: "__figure" in el, order,
               aborted: fig.signal.aborted, destroyed: fig.destroyed };
    }""")
    assert result == {
        "before": {"calls": 1, "inPage": True, "exposed": True, "signal": False},
        "calls": 1,
        "fired": 0,
        "inPage": False,
        "exposed": False,
        "order": ["second", "first"],
        "aborted": True,
        "destroyed": True,
    }


def test_scheduler_coalesces_requests_and_never_overlaps_runs(kit):
    result = kit.evaluate("""async () => {
      const { createFigure } = window.kit;
      const fig = createFigure(document.getElementById("f"), {});
      let running = 0, overlap = false;
      const draw = fig.scheduler(async () => {
        running += 1; if (running > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
      });
      for (let i = 0; i < 20; i += 1) draw.invalidate();
      await draw.whenIdle();
      const afterBurst = draw.runs;
      draw.invalidate();
      await new Promise((r) => setTimeout(r, 0));
      draw.invalidate();  // while the second run may be in flight: queued, not overlapped
      await draw.whenIdle();
      const afterTwo = draw.runs;
      fig.destroy();
      draw.invalidate();
      await draw.whenIdle();
      return { afterBurst, afterTwoAtMost: afterTwo <= 3, afterTwoAtLeast: afterTwo >= 2, overlap,
               afterDestroy: draw.runs === afterTwo };
    }""")
    assert result == {
        "afterBurst": 1,
        "afterTwoAtMost": True,
        "afterTwoAtLeast": True,
        "overlap": False,
        "afterDestroy": True,
    }


def test_a_paused_figure_still_runs_a_requested_draw_once_and_stops_its_animation(kit):
    kit.evaluate("""() => {
      const { createFigure } = window.kit;
      const fig = createFigure(document.getElementById("f"), {});
      window.t = { fig, steps: 0, draws: 0 };
      window.t.anim = fig.animate(() => { window.t.steps += 1; });
      window.t.draw = fig.scheduler(() => { window.t.draws += 1; });
      window.t.anim.start();
    }""")
    wait_until(kit, "() => window.t.steps >= 5")
    kit.evaluate("() => { window.t.fig.pause(); window.t.stepsAtPause = window.t.steps; window.t.draw.invalidate(); }")
    wait_until(kit, "() => window.t.draws === 1")  # a request while paused still runs, from a timeout
    frames(kit, 20)
    assert kit.evaluate("() => window.t.steps === window.t.stepsAtPause && window.t.fig.paused")
    kit.evaluate("() => window.t.fig.resume()")
    wait_until(kit, "() => window.t.steps > window.t.stepsAtPause + 3")
    kit.evaluate("""() => { window.t.stopAfter = window.t.steps + 2;
                     window.t.anim2 = window.t.fig.animate(() => window.t.steps < window.t.stopAfter);
                     window.t.anim2.start(); }""")
    wait_until(kit, "() => !window.t.anim2.running")
    kit.evaluate("() => { window.t.fig.destroy(); window.t.stepsAtDestroy = window.t.steps; }")
    frames(kit, 20)
    assert kit.evaluate("() => window.t.steps === window.t.stepsAtDestroy && !window.t.anim.running")


def test_the_runtime_destroys_a_figure_removed_from_the_page(page, kit_url):
    page.goto(kit_url + "runtime.html")
    wait_ready(page, "#fig-probe")
    wait_until(page, "() => window.probe.frames > 3")
    assert page.evaluate("() => document.querySelector('#fig-probe').__figure.hello()") == "hi"
    page.evaluate("() => window.dispatchEvent(new Event('probe-event'))")
    page.evaluate("() => document.querySelector('#fig-probe').remove()")
    wait_until(page, "() => window.__explorables.figures['fig-probe'].state === 'removed'")
    assert page.evaluate("() => window.probe.destroyed") == 1
    frames(page, 20)
    result = page.evaluate("""() => { const before = window.probe.frames;
        window.dispatchEvent(new Event('probe-event'));
        return { calls: window.probe.listenerCalls, canvases: document.querySelectorAll('.probe-canvas').length,
                 destroyed: window.probe.destroyed, before }; }""")
    frames(page, 10)
    assert page.evaluate("() => window.probe.frames") == result.pop("before")
    assert result == {"calls": 1, "canvases": 0, "destroyed": 1}


def test_a_mount_that_fails_part_way_leaves_nothing_running(page, kit_url):
    page.goto(kit_url + "runtime.html")
    page.locator("#fig-failing").scroll_into_view_if_needed()
    wait_until(page, "() => document.querySelector('#fig-failing').dataset.state === 'error'")
    assert page.evaluate("() => window.failing.destroyed") == 1
    before = page.evaluate("() => window.failing.frames")
    assert before >= 1
    frames(page, 20)
    assert page.evaluate("() => window.failing.frames") == before
    assert "could not load" in page.locator("#fig-failing .figure-status").text_content()


def test_a_figure_removed_while_loading_settles_as_removed_and_is_destroyed_when_its_mount_ends(page, kit_url):
    page.goto(kit_url + "runtime.html")
    page.locator("#fig-slow").scroll_into_view_if_needed()
    wait_until(page, "() => window.slowGate && document.querySelector('#fig-slow').dataset.state === 'loading'")
    page.evaluate(
        "() => { window.settled = null; window.__explorables.whenReady('fig-slow').then((s) => { window.settled = s; }); }"
    )
    page.evaluate("() => document.querySelector('#fig-slow').remove()")
    wait_until(page, "() => window.settled === 'removed'")
    assert page.evaluate("() => window.slow.destroyed") == 0  # its mount() has not returned yet
    page.evaluate("() => window.openSlowGate()")
    wait_until(page, "() => window.slow.destroyed === 1")
    assert page.evaluate("() => window.__explorables.figures['fig-slow'].state") == "removed"


def test_leaving_the_page_destroys_its_figures(page, kit_url):
    page.goto(kit_url + "runtime.html")
    wait_ready(page, "#fig-probe")
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))")
    assert page.evaluate("() => window.probe.destroyed") == 0  # kept for the back/forward cache
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))")
    assert page.evaluate("() => [window.probe.destroyed, window.__explorables.figures['fig-probe'].state]") == [
        1,
        "removed",
    ]
