"""The toy-views and toy-snapshots figures in Chromium (one tiny build for both kinds):
they mount without errors and draw; hover and the keyboard highlight the same point in
both panels; the 3-D panel turns by keys, and tilts by touch on its tilt handle while a swipe
elsewhere still scrolls the page; the snapshot slider changes the drawing and the step read-out.
(axe-core runs on the whole article in test_articles.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.waits import TIMEOUT, frames, wait_ready, wait_until
from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

VIEWS = "figure[data-figure='toy-views']"
ENCODER = f"{VIEWS}[id='fig-enc']"
DECODER = f"{VIEWS}[id='fig-dec']"
SNAPS = "figure[data-figure='toy-snapshots']"
ARTICLE = """\
---
title: Toy
description: The toy autoencoder.
date: 2026-01-02
---

## Encoder

```figure
kind: toy-views
shape: ring
part: encoder
id: fig-enc
caption: The encoder.
```

## Decoder

```figure
kind: toy-views
shape: ring
part: decoder
id: fig-dec
caption: The decoder.
```

## Snapshots

```figure
kind: toy-snapshots
shape: ring
caption: Training snapshots.
```
"""
GREY = """(canvas) => {
  const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const grey = new Float64Array(d.length / 4);
  for (let i = 0; i < grey.length; i++) grey[i] = d[4 * i] * 0.3 + d[4 * i + 1] * 0.59 + d[4 * i + 2] * 0.11 + (255 - d[4 * i + 3]);
  return grey;
}"""
PIXELS = f"(canvas) => Array.from(({GREY})(canvas))"
# Every canvas matching the selector is drawn: its pixels vary (a blank canvas is flat).
DRAWN = f"""(selector) => [...document.querySelectorAll(selector)].every((canvas) => {{
  const grey = ({GREY})(canvas);
  let sum = 0, sq = 0;
  for (const v of grey) {{ sum += v; sq += v * v; }}
  return grey.length > 0 && sq / grey.length - (sum / grey.length) ** 2 > 50;
}})"""
# The canvas differs from the pixels kept by KEEP by more than `min` grey levels on average.
KEEP = f"(canvas) => {{ canvas.__kept = ({GREY})(canvas); }}"
CHANGED = f"""([selector, min]) => {{
  const canvas = document.querySelector(selector);
  const grey = ({GREY})(canvas), kept = canvas.__kept;
  if (grey.length !== kept.length) return true;
  let diff = 0;
  for (let i = 0; i < grey.length; i++) diff += Math.abs(grey[i] - kept[i]);
  return diff / grey.length > min;
}}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    return subpath_site(tmp_path_factory.mktemp("toy"), shared_cache, {"toy.md": ARTICLE})


def pixels(page, selector: str) -> np.ndarray:
    return np.array(page.locator(selector).evaluate(PIXELS))


def assert_clean(log):
    log.assert_clean()


def hook(selector: str, expression: str) -> str:
    """A JS expression on the figure's test hook, e.g. hook(ENCODER, "highlights()")."""
    return f'document.querySelector("{selector}").__figure.{expression}'


def wait_drawn(page, selector: str) -> None:
    """Wait until every canvas matching `selector` has been drawn (figures draw in animation frames)."""
    wait_until(page, DRAWN, selector)


@pytest.fixture
def opened(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/toy/")
    for selector in (ENCODER, DECODER, SNAPS):
        wait_ready(page, selector)
    return page, log


def test_payloads_are_small_binary_and_have_fallbacks(built):
    figures = built / "repo" / "figures"
    views = sorted(figures.glob("toy-views-*"))
    snaps = sorted(figures.glob("toy-snapshots-*"))
    assert len(views) == 2 and len(snaps) == 1
    for folder in views + snaps:
        config = json.loads((folder / "config.json").read_text())
        assert (folder / "fallback.png").stat().st_size > 2000
        data = sum(f.stat().st_size for f in folder.glob("*.f32"))
        assert data <= 40_000, (folder.name, data)
        assert config["n"] == 200
    html = (built / "repo" / "toy" / "index.html").read_text()
    assert html.count('class="figure-fallback"') == 3 and "fallback.png" in html


def test_views_draw_and_hover_highlights_both_panels(opened):
    page, log = opened
    for selector in (ENCODER, DECODER):
        wait_drawn(page, f"{selector} canvas")
        for canvas in page.locator(f"{selector} canvas").all():
            assert np.array(canvas.evaluate(PIXELS)).var() > 50, f"{selector}: a blank canvas"
    assert page.locator(f"{ENCODER} img.figure-fallback").get_attribute("src").endswith("fallback.png")

    page.locator(ENCODER).scroll_into_view_if_needed()
    highlights = hook(ENCODER, "highlights()")
    at = page.evaluate(hook(ENCODER, "point('plane', 40)"))
    page.mouse.move(at["x"], at["y"])
    # pointer moves reach the page with the next frame: wait for the hover to pick a point
    wait_until(page, f"{highlights}.plane !== null", show=highlights)
    assert page.evaluate(highlights) == {"plane": 40, "view": 40}
    assert "Point 41 of 200" in page.evaluate(hook(ENCODER, "readout()"))

    at = page.evaluate(hook(ENCODER, "point('3d', 120)"))
    page.mouse.move(at["x"], at["y"])
    wait_until(
        page, f"(() => {{ const h = {highlights}; return h.plane !== null && h.plane !== 40; }})()", show=highlights
    )
    hl = page.evaluate(highlights)
    assert hl["plane"] == hl["view"] and abs(hl["plane"] - 120) <= 2  # neighbours on the ring may overlap
    page.mouse.move(2, 2)
    wait_until(
        page, f"(() => {{ const h = {highlights}; return h.plane === null && h.view === null; }})()", show=highlights
    )
    assert page.evaluate(highlights) == {"plane": None, "view": None}
    assert_clean(log)


def test_keyboard_steps_through_points_and_turns_the_3d_view(opened):
    page, log = opened
    slider = page.locator(f"{DECODER} canvas[role='slider']")
    slider.focus()
    expect(slider).to_have_attribute("aria-valuenow", "1", timeout=TIMEOUT)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")
    expect(slider).to_have_attribute("aria-valuenow", "14", timeout=TIMEOUT)
    hl = page.evaluate(hook(DECODER, "highlights()"))
    assert hl == {"plane": 13, "view": 13}
    assert "decodes to" in slider.get_attribute("aria-valuetext")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # wraps to the last point
    expect(slider).to_have_attribute("aria-valuenow", "200", timeout=TIMEOUT)
    assert page.evaluate(hook(DECODER, "highlight")) == 199

    canvas = f"{DECODER} canvas[role='img']"
    view = page.locator(canvas)
    wait_drawn(page, canvas)
    before, angles = pixels(page, canvas), page.evaluate(hook(DECODER, "angles()"))
    view.evaluate(KEEP)
    view.focus()
    for key in ("ArrowLeft", "ArrowLeft", "ArrowUp"):
        page.keyboard.press(key)
    wait_until(
        page,
        f"(a) => {{ const b = {hook(DECODER, 'angles()')}; return b.yaw < a.yaw && b.pitch > a.pitch; }}",
        angles,
        show=hook(DECODER, "angles()"),
    )
    wait_until(page, CHANGED, [canvas, 0.5])  # the turned view is drawn in the next frame
    after = page.evaluate(hook(DECODER, "angles()"))
    assert after["yaw"] < angles["yaw"] and after["pitch"] > angles["pitch"]
    assert np.abs(pixels(page, canvas) - before).mean() > 0.5
    assert_clean(log)


def test_snapshot_slider_changes_drawing_and_readout(opened):
    page, log = opened
    plane = f"{SNAPS} .toy-panel:first-child canvas"
    wait_drawn(page, plane)
    assert pixels(page, plane).var() > 50
    slider = page.locator(f"{SNAPS} input[type='range']")
    assert slider.is_enabled()
    last = page.evaluate(hook(SNAPS, f"snapshot({int(slider.get_attribute('max'))})"))
    assert f"step {last['step']:,}" in page.locator(f"{SNAPS} output").text_content()
    before = pixels(page, plane)
    page.locator(plane).evaluate(KEEP)
    slider.focus()
    page.keyboard.press("Home")
    # the slider tweens to snapshot 0 over a few frames, then draws it
    wait_until(page, f"{hook(SNAPS, 'index')} === 0 && !{hook(SNAPS, 'animating')}", show=hook(SNAPS, "index"))
    wait_until(page, CHANGED, [plane, 0.5])
    assert page.evaluate(hook(SNAPS, "index")) == 0
    assert page.locator(f"{SNAPS} output").text_content().startswith("step 0 of")
    assert "step 0" in slider.get_attribute("aria-valuetext")
    assert np.abs(pixels(page, plane) - before).mean() > 0.5, "the plane did not change"
    page.keyboard.press("ArrowRight")
    wait_until(page, f"{hook(SNAPS, 'index')} === 1 && !{hook(SNAPS, 'animating')}", show=hook(SNAPS, "index"))
    first = page.evaluate(hook(SNAPS, "snapshot(1)"))
    assert page.locator(f"{SNAPS} output").text_content().startswith(f"step {first['step']} of")
    # linked hover inside the snapshot figure
    highlights = hook(SNAPS, "highlights()")
    at = page.evaluate(hook(SNAPS, "point(7)"))
    page.mouse.move(at["x"], at["y"])
    wait_until(page, f"{highlights}.plane !== null", show=highlights)
    hl = page.evaluate(highlights)
    assert hl["plane"] == hl["view"] and hl["plane"] is not None
    assert_clean(log)


def test_reduced_motion_jumps_between_snapshots(browser, page_errors, serve, built):
    context = browser.new_context(viewport={"width": 360, "height": 740}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT)  # as the page fixture's context: a loaded machine may be slow
    page = context.new_page()
    log = page_errors(page)
    try:
        page.goto(serve(built) + "repo/toy/")
        try:
            wait_ready(page, SNAPS)
        except AssertionError as exc:  # say what the page did: a failed request, an error (it once timed out)
            raise AssertionError(f"{exc}; the page logged {log}") from None
        page.evaluate(hook(SNAPS, "setIndex(0)"))  # jumps at once: nothing to wait for
        assert page.evaluate(hook(SNAPS, "index")) == 0
        assert page.evaluate(hook(SNAPS, "animating")) is False
        # narrow screens: nothing wider than the viewport
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        assert_clean(log)
    finally:
        context.close()


def touch_drag(page, start: dict, dy: float, steps: int = 8) -> None:
    """A one-finger vertical drag from `start` ({x, y} in CSS px) by real touch input (CDP)."""
    cdp = page.context.new_cdp_session(page)
    try:
        x, y = start["x"], start["y"]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y, "id": 0}]})
        for k in range(1, steps + 1):
            point = {"x": x, "y": y + dy * k / steps, "id": 0}
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def centre(locator) -> dict:
    box = locator.bounding_box()
    return {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}


@pytest.mark.parametrize("selector", [DECODER, SNAPS], ids=["toy-views", "toy-snapshots"])
def test_touch_tilts_the_3d_view_by_its_handle_and_a_swipe_elsewhere_scrolls(
    browser, page_errors, serve, built, selector
):
    context = browser.new_context(viewport={"width": 400, "height": 800}, has_touch=True, is_mobile=True)
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        log = page_errors(page)
        page.goto(serve(built) + "repo/toy/")
        wait_ready(page, selector)
        angles = hook(selector, "angles()")
        handle = page.locator(f"{selector} .toy-3d__tilt")
        handle.scroll_into_view_if_needed()
        expect(handle).to_be_visible()
        before = page.evaluate(angles)
        # one finger down on the handle, dragged down: the view tilts (pitch grows), it does not turn
        touch_drag(page, centre(handle), 60)
        wait_until(page, f"(a) => {angles}.pitch > a.pitch + 0.3", before, show=angles)
        frames(page, 10)  # the rest of the drag's moves reach the page
        after = page.evaluate(angles)
        assert after["yaw"] == before["yaw"], (before, after)
        # one finger swiping up on the 3-D canvas, outside the handle, scrolls the page and leaves the tilt
        canvas = page.locator(f"{selector} .toy-3d canvas")
        scroll = page.evaluate("scrollY")
        touch_drag(page, centre(canvas), -200)
        wait_until(page, f"scrollY > {scroll}", show="scrollY")
        frames(page, 10)  # and every move of the swipe has had its chance to tilt the view
        assert page.evaluate(angles)["pitch"] == after["pitch"]
        assert_clean(log)
    finally:
        context.close()
