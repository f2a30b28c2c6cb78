"""The decoder-sampler figure in Chromium, on a tiny site built through the CLI.

The proof the brief asks for: for the probe codes recorded at build
(``expected.u8``, the Keras decoder's outputs), the image the page paints
equals the Keras output within 2/255. Around it: keyboard, pointer and touch
move the probe, a second probe adds the interpolation strip, moves are
coalesced, no tensor leaks, the plane's range is the codes' real extent, and
the figure works on TF.js's default backend and on 'cpu'.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, subpath_site

pytestmark = pytest.mark.browser

FIG = "#sampler"
HOOK = f"document.querySelector('{FIG}').__figure"
TOLERANCE = 2  # gray levels out of 255: the 2/255 the brief allows
ARTICLE = """\
---
title: Decoder sampler
description: Sampling the code plane.
date: 2026-01-02
authors: [Test Author]
---

## The plane

```figure
kind: decoder-sampler
id: sampler
caption: Move the probe and the decoder draws the digit at that code.
```
"""
GL_COUNTER = """
window.__glContexts = 0;
for (const Canvas of [window.HTMLCanvasElement, window.OffscreenCanvas]) {
  if (!Canvas) continue;
  const original = Canvas.prototype.getContext;
  Canvas.prototype.getContext = function (type, ...rest) {
    const context = original.call(this, type, ...rest);
    if (context && /webgl/.test(type) && !this.__glCounted) {
      this.__glCounted = true;
      window.__glContexts += 1;
    }
    return context;
  };
}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache) -> Path:
    """A tiny site with one decoder-sampler, under /repo/; returns the folder to serve."""
    return subpath_site(tmp_path_factory.mktemp("decoder-sampler"), shared_cache, {"sampler.md": ARTICLE})


@pytest.fixture(scope="module")
def payload(site) -> Path:
    (folder,) = (site / "repo" / "figures").glob("decoder-sampler-*")
    return folder


@pytest.fixture(scope="module")
def config(payload) -> dict:
    return json.loads((payload / "config.json").read_text())


@pytest.fixture
def url(site, serve) -> str:
    return serve(site) + "repo/sampler/"


def open_figure(page, url):
    page.add_init_script(GL_COUNTER)
    page.goto(url)
    page.locator(FIG).scroll_into_view_if_needed()
    assert page.evaluate("window.__explorables.whenReady('sampler')") == "ready"
    return page


def hook(page, call, *args):
    return page.evaluate(f"(args) => {HOOK}.{call}(...args)", list(args))


def expected_images(payload, config) -> np.ndarray:
    h, w = config["image"]
    data = np.frombuffer((payload / config["fixture"]["expected"]).read_bytes(), np.uint8)
    return data.reshape(len(config["fixture"]["codes"]), h * w).astype(int)


SETTLE = """async () => {
  const { figures, whenReady } = window.__explorables;
  for (const [id, f] of Object.entries(figures)) if (f.state === "loading") await whenReady(id);
  for (const f of document.querySelectorAll("[data-figure]")) if (f.__figure) await f.__figure.whenIdle();
}"""


def tensors(page) -> int:
    """Live TF.js tensors once no figure on the page has a predict in flight."""
    page.evaluate(SETTLE)
    return hook(page, "tf")["numTensors"]


def assert_clean(log):
    log.assert_clean()


def variance(values) -> float:
    return float(np.var(np.asarray(values, float)))


def test_mounts_cleanly_with_fallback_and_controls(page, page_errors, url, site, config):
    log = page_errors(page)
    open_figure(page, url)
    figure = page.locator(FIG)
    src = figure.locator("img.figure-fallback").get_attribute("src")
    assert src.endswith("fallback.png") and (site / src.lstrip("/")).is_file()
    assert figure.locator("img.figure-fallback").get_attribute("alt")
    assert figure.locator("[data-decoder-controls]").is_visible()
    assert variance(hook(page, "pixels")) > 10, "the decoded image is blank"
    plane_variance = page.evaluate(f"""() => {{
        const c = document.querySelector('{FIG} .decoder-plane canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0, s2 = 0; const n = d.length / 4;
        for (let i = 0; i < d.length; i += 4) {{ const v = (d[i] + d[i+1] + d[i+2]) / 3; s += v; s2 += v * v; }}
        return s2 / n - (s / n) ** 2;
    }}""")
    assert plane_variance > 10, "the code plane is blank"
    hook(page, "atlasReady")
    assert len(hook(page, "neighbours")) == config["neighbours"]
    assert page.evaluate("window.__glContexts") <= 1
    assert_clean(log)


def test_painted_image_equals_keras_decoder_within_2_of_255(page, url, payload, config):
    open_figure(page, url)
    expected = expected_images(payload, config)
    for code, want in zip(config["fixture"]["codes"], expected):
        hook(page, "setProbe", *code)
        assert hook(page, "probes")["a"] == pytest.approx(code, abs=1e-5)
        painted = np.asarray(hook(page, "pixels"))
        raw = np.asarray(hook(page, "output"))
        assert np.abs(painted - want).max() <= TOLERANCE, f"canvas differs from Keras at {code}"
        assert np.abs(raw * 255 - want).max() <= TOLERANCE, f"decoder output differs from Keras at {code}"
        assert np.array_equal(painted, np.rint(np.clip(raw, 0, 1) * 255)), "painted gray is not 255 v"


def test_the_default_and_the_cpu_backend_agree_with_keras(page, url, payload, config):
    open_figure(page, url)
    default = hook(page, "tf")["backend"]
    assert default in ("webgl", "cpu", "wasm")
    assert hook(page, "useBackend", "cpu") is True
    assert hook(page, "tf")["backend"] == "cpu"
    for code, want in zip(config["fixture"]["codes"], expected_images(payload, config)):
        hook(page, "setProbe", *code)
        assert np.abs(np.asarray(hook(page, "pixels")) - want).max() <= TOLERANCE


def test_keyboard_alone_moves_the_probe_and_repaints(page, url, config):
    open_figure(page, url)
    (x0, x1), (y0, y1) = config["domain"]["x"], config["domain"]["y"]
    centre = [(x0 + x1) / 2, (y0 + y1) / 2]
    hook(page, "setProbe", *centre)
    page.focus(f"{FIG} .decoder-plane canvas")
    before = hook(page, "pixels")
    page.keyboard.press("ArrowRight")
    hook(page, "whenIdle")
    probe = hook(page, "probes")["a"]
    assert probe[0] == pytest.approx(centre[0] + (x1 - x0) / 60, rel=1e-4) and probe[1] == pytest.approx(centre[1])
    for _ in range(5):
        page.keyboard.press("Shift+ArrowUp")
    hook(page, "whenIdle")
    probe = hook(page, "probes")["a"]
    assert probe[1] == pytest.approx(centre[1] + 5 * (y1 - y0) / 10, rel=1e-4)
    assert hook(page, "pixels") != before, "arrow keys did not change the painted image"
    page.keyboard.press("PageDown")
    hook(page, "whenIdle")
    assert hook(page, "probes")["a"][1] == pytest.approx(centre[1] + 4 * (y1 - y0) / 10, rel=1e-4)
    readout = page.text_content(f"{FIG} .decoder-readout")
    assert "z₁" in readout and "z₂" in readout
    page.wait_for_function(f"document.querySelector('{FIG} .figure-status').textContent.startsWith('Probe at')")


def test_click_and_drag_place_the_probe_where_the_pointer_is(page, url, config):
    open_figure(page, url)
    (x0, x1), (y0, y1) = config["domain"]["x"], config["domain"]["y"]
    box = page.locator(f"{FIG} .decoder-plane canvas").bounding_box()
    plot = hook(page, "plot")
    cx, cy = box["x"] + plot["left"] + plot["width"] / 2, box["y"] + plot["top"] + plot["height"] / 2
    page.mouse.click(cx, cy)
    hook(page, "whenIdle")
    probe = hook(page, "probes")["a"]
    assert probe[0] == pytest.approx((x0 + x1) / 2, abs=2 * (x1 - x0) / plot["width"])
    assert probe[1] == pytest.approx((y0 + y1) / 2, abs=2 * (y1 - y0) / plot["height"])
    page.mouse.down()
    page.mouse.move(cx + plot["width"] / 4, cy - plot["height"] / 4, steps=8)
    page.mouse.up()
    hook(page, "whenIdle")
    probe = hook(page, "probes")["a"]
    assert probe[0] == pytest.approx(x0 + 0.75 * (x1 - x0), abs=2 * (x1 - x0) / plot["width"])
    assert probe[1] == pytest.approx(y0 + 0.75 * (y1 - y0), abs=2 * (y1 - y0) / plot["height"])


def test_a_tap_places_the_probe_on_a_touch_screen(browser, url, config):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        open_figure(page, url)
        x0, x1 = config["domain"]["x"]
        box = page.locator(f"{FIG} .decoder-plane canvas").bounding_box()
        assert box["width"] <= 390
        plot = hook(page, "plot")
        page.touchscreen.tap(box["x"] + plot["left"] + plot["width"] / 4, box["y"] + plot["top"] + plot["height"] / 2)
        hook(page, "whenIdle")
        probe = hook(page, "probes")["a"]
        assert probe[0] == pytest.approx(x0 + 0.25 * (x1 - x0), abs=2 * (x1 - x0) / plot["width"])
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_second_probe_shows_the_interpolation_strip(page, url, config):
    open_figure(page, url)
    steps = config["steps"]
    strip = page.locator(f"{FIG} .decoder-strip")
    assert strip.is_hidden()
    box = page.locator(f"{FIG} .decoder-plane canvas").bounding_box()
    plot = hook(page, "plot")
    hook(page, "setProbe", *config["fixture"]["codes"][1])
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + plot["left"] + 10, box["y"] + plot["top"] + 10)
    page.keyboard.up("Shift")
    hook(page, "whenIdle")
    probes = hook(page, "probes")
    assert probes["b"] is not None and probes["active"] == "b"
    assert strip.is_visible()
    images = hook(page, "stripPixels")
    assert len(images) == steps and all(variance(image) > 0 for image in images)
    # the strip runs from A to B: its last image is the one at B (shown while B is active)
    assert np.abs(np.asarray(images[-1]) - np.asarray(hook(page, "pixels"))).max() <= 1
    button = page.locator(f"{FIG} [data-action='second-probe']")
    assert button.get_attribute("aria-pressed") == "true"
    button.click()  # back to moving A
    hook(page, "whenIdle")
    assert button.get_attribute("aria-pressed") == "false" and hook(page, "probes")["active"] == "a"
    assert np.abs(np.asarray(hook(page, "stripPixels")[0]) - np.asarray(hook(page, "pixels"))).max() <= 1
    page.click(f"{FIG} [data-action='clear-second']")
    hook(page, "whenIdle")
    assert hook(page, "probes")["b"] is None and strip.is_hidden()
    # keyboard only: the B key adds a second probe, arrows move it, Escape removes it
    page.focus(f"{FIG} .decoder-plane canvas")
    page.keyboard.press("b")
    b_before = hook(page, "probes")["b"]
    page.keyboard.press("ArrowLeft")
    hook(page, "whenIdle")
    assert hook(page, "probes")["b"][0] < b_before[0]
    page.keyboard.press("Escape")
    hook(page, "whenIdle")
    assert hook(page, "probes")["b"] is None


def test_moves_are_coalesced_and_tensors_do_not_leak(page, url, config):
    open_figure(page, url)
    (x0, x1), (y0, y1) = config["domain"]["x"], config["domain"]["y"]
    before = tensors(page)
    decodes = hook(page, "stats")["decodes"]
    page.evaluate(
        f"""([x0, x1, y0, y1]) => {{
        for (let i = 0; i < 60; i += 1) {HOOK}.setProbe(x0 + (x1 - x0) * i / 60, y1 - (y1 - y0) * i / 60);
        return {HOOK}.whenIdle();
    }}""",
        [x0, x1, y0, y1],
    )
    assert hook(page, "stats")["decodes"] - decodes <= 3, "60 synchronous moves should decode once or twice"
    page.focus(f"{FIG} .decoder-plane canvas")
    for key in ["ArrowRight", "ArrowUp", "Shift+ArrowLeft", "b", "ArrowDown", "PageUp", "Escape"] * 4:
        page.keyboard.press(key)
    hook(page, "whenIdle")
    assert tensors(page) == before


def test_plane_range_is_the_codes_real_extent(payload, config):
    extent = config["extent"]
    decoder_folder = payload / Path(config["decoder"]).parent.parent
    shared_extent = json.loads((decoder_folder.resolve() / "extent.json").read_text())
    assert shared_extent == extent
    for axis, name in enumerate("xy"):
        lo, hi = config["domain"][name]
        span = extent["max"][axis] - extent["min"][axis]
        assert lo <= extent["min"][axis] and hi >= extent["max"][axis]
        assert extent["min"][axis] - lo <= 0.1 * span and hi - extent["max"][axis] <= 0.1 * span
    # the shared artifact is served once under /artifacts/, not copied into the payload
    assert config["decoder"].startswith("../../artifacts/export-")


def test_narrow_screen_and_reduced_motion(browser, url):
    context = browser.new_context(viewport={"width": 320, "height": 700}, reduced_motion="reduce")
    page = context.new_page()
    try:
        open_figure(page, url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.locator(f"{FIG} .decoder-plane canvas").bounding_box()["width"] <= 320
        assert page.evaluate(f"document.querySelector('{FIG}').getAnimations({{subtree: true}}).length") == 0
    finally:
        context.close()


def test_accessibility_of_the_live_figure(page, url):
    open_figure(page, url)
    plane = page.locator(f"{FIG} .decoder-plane canvas")
    assert plane.get_attribute("tabindex") == "0" and "arrow keys" in plane.get_attribute("aria-label").lower()
    page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    violations = page.evaluate(
        f"async () => (await axe.run(document.querySelector('{FIG}'))).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))"
    )
    assert violations == []


def test_without_javascript_the_fallback_shows(browser, url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(url)
        assert page.locator(f"{FIG} img.figure-fallback").is_visible()
        assert page.locator(f"{FIG} [data-decoder-controls]").is_hidden()
    finally:
        context.close()


def test_destroy_removes_what_mount_added(page, url):
    open_figure(page, url)
    result = page.evaluate(
        """async (selector) => {
        const live = document.querySelector(selector);
        const module = await import(live.dataset.module);
        const configUrl = new URL(live.dataset.config, document.baseURI);
        const config = await (await fetch(configUrl)).json();
        Object.assign(config, { base: new URL(".", configUrl).href, reducedMotion: false, id: "extra" });
        const el = document.createElement("figure");
        el.innerHTML = '<div class="figure-live"></div><p class="figure-status" role="status"></p>';
        document.body.append(el);
        const tensors = () => live.__figure.tf().numTensors;
        const settle = async () => {  // no predict of another figure in flight while counting
          const { figures, whenReady } = window.__explorables;
          for (const [id, f] of Object.entries(figures)) if (f.state === "loading") await whenReady(id);
          for (const f of document.querySelectorAll("[data-figure]")) if (f.__figure) await f.__figure.whenIdle();
        };
        await settle();
        const before = tensors();
        const handle = await module.mount(el, config);
        const mounted = el.querySelector(".figure-live").children.length;
        await el.__figure.whenIdle();
        handle.destroy();
        await settle();
        return { before, after: tensors(), mounted, left: el.querySelector(".figure-live").children.length,
                 hook: "__figure" in el, styles: document.querySelectorAll("link[rel=stylesheet][href$='/decoder-sampler/style.css']").length };
    }""",
        FIG,
    )
    assert result["mounted"] == 1 and result["left"] == 0 and not result["hook"]
    assert result["after"] == result["before"], "tensors left behind by a destroyed figure"
    assert result["styles"] == 1, "the styles stay while the page's own figure still uses them"
