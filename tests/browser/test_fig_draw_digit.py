"""The draw-digit figure in Chromium, on a tiny site built through the CLI.

The proof the brief asks for: held-out test digits fed through the page land
where the Keras encoder put them at build (within 1e-3 of the codes' extent),
and a stroke drawn with real pointer events gives a marker and a non-blank
reconstruction. The page also carries a decoder-sampler, to check that both
figures load the same shared model files once and share one WebGL context.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, subpath_site

pytestmark = pytest.mark.browser

FIG = "#fig-draw"
HOOK = f"document.querySelector('{FIG}').__figure"
ARTICLE = """\
---
title: Draw a digit
description: The encoder in the page.
date: 2026-01-02
authors: [Test Author]
---

## Draw

```figure
kind: draw-digit
id: fig-draw
caption: Draw a digit and watch where the encoder puts it.
```

## Sample

```figure
kind: decoder-sampler
id: fig-sampler
caption: The same decoder, sampled.
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
# A "7" and a "0" as strokes in pad fractions (0..1).
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.65, 0.45), (0.45, 0.85)]
ZERO = [(0.5, 0.15), (0.3, 0.3), (0.28, 0.6), (0.45, 0.85), (0.65, 0.75), (0.72, 0.45), (0.62, 0.2), (0.5, 0.15)]


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache) -> Path:
    return subpath_site(tmp_path_factory.mktemp("draw-digit"), shared_cache, {"draw.md": ARTICLE})


@pytest.fixture(scope="module")
def payload(site) -> Path:
    (folder,) = (site / "repo" / "figures").glob("draw-digit-*")
    return folder


@pytest.fixture(scope="module")
def config(payload) -> dict:
    return json.loads((payload / "config.json").read_text())


@pytest.fixture
def url(site, serve) -> str:
    return serve(site) + "repo/draw/"


def open_figure(page, url, figure="fig-draw"):
    page.add_init_script(GL_COUNTER)
    page.goto(url)
    page.locator(f"#{figure}").scroll_into_view_if_needed()
    assert page.evaluate(f"window.__explorables.whenReady('{figure}')") == "ready"
    return page


def hook(page, call, *args):
    return page.evaluate(f"(args) => {HOOK}.{call}(...args)", list(args))


def held_out_digits(payload, config) -> np.ndarray:
    h, w = config["image"]
    data = np.frombuffer((payload / config["digits"]["file"]).read_bytes(), np.uint8)
    return data.reshape(len(config["digits"]["items"]), h * w)


def tolerance(config) -> np.ndarray:
    extent = config["extent"]
    return 1e-3 * (np.asarray(extent["max"]) - np.asarray(extent["min"]))


def draw(page, strokes, pointer="mouse"):
    """Draw polylines on the pad (real mouse input, or synthetic touch / pen pointer events); wait for the encoder."""
    box = page.locator(f"{FIG} canvas.draw-pad").bounding_box()
    at = lambda u, v: (box["x"] + u * box["width"], box["y"] + v * box["height"])  # noqa: E731
    for stroke in strokes:
        points = [at(u, v) for u, v in stroke]
        if pointer == "mouse":
            page.mouse.move(*points[0])
            page.mouse.down()
            for point in points[1:]:
                page.mouse.move(*point, steps=6)
            page.mouse.up()
        else:
            page.evaluate(
                """([selector, type, points]) => {
                const pad = document.querySelector(selector);
                const fire = (kind, [x, y], buttons) => pad.dispatchEvent(new PointerEvent(kind, {
                  pointerId: 7, pointerType: type, isPrimary: true, clientX: x, clientY: y,
                  button: 0, buttons, pressure: buttons ? 0.5 : 0, bubbles: true, cancelable: true }));
                fire("pointerdown", points[0], 1);
                for (const p of points.slice(1)) fire("pointermove", p, 1);
                fire("pointerup", points[points.length - 1], 0);
            }""",
                [f"{FIG} canvas.draw-pad", pointer, points],
            )
    hook(page, "whenIdle")


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


def test_mounts_cleanly_beside_a_sampler_sharing_the_models(page, page_errors, url, site, config):
    log = page_errors(page)
    open_figure(page, url)
    page.locator("#fig-sampler").scroll_into_view_if_needed()
    assert page.evaluate("window.__explorables.whenReady('fig-sampler')") == "ready"
    figure = page.locator(FIG)
    src = figure.locator("img.figure-fallback").get_attribute("src")
    assert (site / src.lstrip("/")).is_file() and figure.locator("img.figure-fallback").get_attribute("alt")
    assert figure.locator("[data-decoder-controls]").is_visible()
    assert hook(page, "code") is None, "an empty pad has no code"
    (sampler_payload,) = (site / "repo" / "figures").glob("decoder-sampler-*")
    sampler = json.loads((sampler_payload / "config.json").read_text())
    assert sampler["decoder"] == config["decoder"] and sampler["positions"] == config["positions"]
    shards = [u for u in log.urls if u.endswith("group1-shard1of1.bin")]
    assert len(shards) == len(set(shards)) == 2, "encoder and decoder weights, each fetched once"
    assert page.evaluate("window.__glContexts") <= 1
    assert_clean(log)


def test_test_digits_land_where_keras_puts_them(page, url, payload, config):
    open_figure(page, url)
    digits = held_out_digits(payload, config)
    for i in range(2):
        code = hook(page, "encode", (digits[i] / 255).tolist())
        keras = config["digits"]["items"][i]["code"]
        assert np.all(np.abs(np.asarray(code) - keras) <= tolerance(config)), f"digit {i}: {code} vs Keras {keras}"
        assert np.var(hook(page, "reconstructionPixels")) > 10
        assert hook(page, "markerPixel") is not None


def test_the_cpu_backend_agrees_with_keras_too(page, url, payload, config):
    open_figure(page, url)
    assert hook(page, "useBackend", "cpu") is True
    digits = held_out_digits(payload, config)
    code = hook(page, "encode", (digits[1] / 255).tolist())
    assert np.all(np.abs(np.asarray(code) - config["digits"]["items"][1]["code"]) <= tolerance(config))


def test_keyboard_picks_a_test_digit(page, url, config):
    open_figure(page, url)
    select = page.locator(f"{FIG} select[data-action='test-digit']")
    assert page.locator(f"label[for='{select.get_attribute('id')}']").text_content() == "Use a test digit"
    select.focus()
    page.keyboard.press("ArrowDown")  # first test digit
    hook(page, "whenIdle")
    assert select.input_value() == "0"
    code = hook(page, "code")
    assert np.all(np.abs(np.asarray(code) - config["digits"]["items"][0]["code"]) <= tolerance(config))
    page.wait_for_function(f"document.querySelector('{FIG} .figure-status').textContent.startsWith('Test digit 1')")
    assert "code:" in page.text_content(f"{FIG} .decoder-readout")


@pytest.mark.parametrize("pointer", ["mouse", "touch", "pen"])
def test_a_drawn_stroke_gives_a_marker_and_a_reconstruction(page, url, pointer):
    open_figure(page, url)
    draw(page, [SEVEN], pointer)
    code = hook(page, "code")
    assert code is not None and all(np.isfinite(code))
    assert hook(page, "markerPixel") is not None
    assert np.var(hook(page, "reconstructionPixels")) > 10, "the reconstruction is blank"
    # the encoder's input is MNIST-like: ink fits a 20 x 20 box, centre of mass in the middle
    image = np.asarray(hook(page, "input")).reshape(28, 28)
    rows, cols = np.nonzero(image > 0.1)
    assert 17 <= max(np.ptp(rows), np.ptp(cols)) + 1 <= 22
    ys, xs = np.mgrid[0:28, 0:28] + 0.5
    assert abs((image * xs).sum() / image.sum() - 14) < 1 and abs((image * ys).sum() / image.sum() - 14) < 1
    assert image.max() <= 1 and image.min() >= 0


def test_different_drawings_land_in_different_places_and_clear_resets(page, url, config):
    open_figure(page, url)
    draw(page, [SEVEN])
    seven = np.asarray(hook(page, "code"))
    page.click(f"{FIG} [data-action='clear']")
    hook(page, "whenIdle")
    assert hook(page, "code") is None and np.asarray(hook(page, "reconstructionPixels")).max() == 0
    draw(page, [ZERO])
    zero = np.asarray(hook(page, "code"))
    assert np.abs(seven - zero).max() > 10 * tolerance(config).max()


def test_no_tensor_leaks(page, url, payload, config):
    open_figure(page, url)
    draw(page, [SEVEN])
    before = tensors(page)
    digits = held_out_digits(payload, config)
    for i in range(len(digits)):
        hook(page, "setDigit", i)
    draw(page, [ZERO, SEVEN])
    hook(page, "clear")
    draw(page, [SEVEN], "touch")
    assert tensors(page) == before


def test_narrow_screen_touch_and_reduced_motion(browser, url):
    context = browser.new_context(
        viewport={"width": 320, "height": 700}, has_touch=True, is_mobile=True, reduced_motion="reduce"
    )
    page = context.new_page()
    try:
        open_figure(page, url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.locator(f"{FIG} canvas.draw-pad").bounding_box()["width"] <= 300
        assert page.evaluate(f"getComputedStyle(document.querySelector('{FIG} canvas.draw-pad')).touchAction") == "none"
        assert page.evaluate(f"document.querySelector('{FIG}').getAnimations({{subtree: true}}).length") == 0
        draw(page, [SEVEN], "touch")
        assert hook(page, "code") is not None
    finally:
        context.close()


def test_accessibility_of_the_live_figure(page, url):
    open_figure(page, url)
    hook(page, "setDigit", 0)
    page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    violations = page.evaluate(
        f"async () => (await axe.run(document.querySelector('{FIG}'))).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))"
    )
    assert violations == []


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
                 hook: "__figure" in el, styles: document.querySelectorAll("link[rel=stylesheet][href$='/draw-digit/style.css']").length };
    }""",
        FIG,
    )
    assert result["mounted"] == 1 and result["left"] == 0 and not result["hook"]
    assert result["after"] == result["before"], "tensors left behind by a destroyed figure"
    assert result["styles"] == 1, "the styles stay while the page's own figure still uses them"
