"""The toy-views and toy-snapshots figures in Chromium (one tiny build for both kinds):
they mount without errors and draw; hover and the keyboard highlight the same point in
both panels; the 3-D panel turns by keys; the snapshot slider changes the drawing and the
step read-out. (axe-core runs on the whole article in test_articles.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

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
PIXELS = """(canvas) => {
  const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const grey = new Float64Array(d.length / 4);
  for (let i = 0; i < grey.length; i++) grey[i] = d[4 * i] * 0.3 + d[4 * i + 1] * 0.59 + d[4 * i + 2] * 0.11 + (255 - d[4 * i + 3]);
  return Array.from(grey);
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    return subpath_site(tmp_path_factory.mktemp("toy"), shared_cache, {"toy.md": ARTICLE})


def pixels(page, selector: str) -> np.ndarray:
    return np.array(page.locator(selector).evaluate(PIXELS))


def assert_clean(log):
    assert log.console_errors == [] and log.page_errors == [], (log.console_errors, log.page_errors)
    assert log.failed_requests == []
    assert log.hosts <= {"127.0.0.1"}


def ready(page, selector):
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector(\"{selector}\").dataset.state === 'ready'", timeout=60000)


@pytest.fixture
def opened(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/toy/")
    for selector in (ENCODER, DECODER, SNAPS):
        ready(page, selector)
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
        for canvas in page.locator(f"{selector} canvas").all():
            assert np.array(canvas.evaluate(PIXELS)).var() > 50, f"{selector}: a blank canvas"
    assert page.locator(f"{ENCODER} img.figure-fallback").get_attribute("src").endswith("fallback.png")

    page.locator(ENCODER).scroll_into_view_if_needed()
    at = page.evaluate(f"document.querySelector(\"{ENCODER}\").__figure.point('plane', 40)")
    page.mouse.move(at["x"], at["y"])
    page.wait_for_timeout(100)
    hl = page.evaluate(f"document.querySelector(\"{ENCODER}\").__figure.highlights()")
    assert hl == {"plane": 40, "view": 40}
    assert "Point 41 of 200" in page.evaluate(f"document.querySelector(\"{ENCODER}\").__figure.readout()")

    at = page.evaluate(f"document.querySelector(\"{ENCODER}\").__figure.point('3d', 120)")
    page.mouse.move(at["x"], at["y"])
    page.wait_for_timeout(100)
    hl = page.evaluate(f"document.querySelector(\"{ENCODER}\").__figure.highlights()")
    assert hl["plane"] == hl["view"] and abs(hl["plane"] - 120) <= 2  # neighbours on the ring may overlap
    page.mouse.move(2, 2)
    page.wait_for_timeout(100)
    assert page.evaluate(f"document.querySelector(\"{ENCODER}\").__figure.highlights()") == {"plane": None, "view": None}
    assert_clean(log)


def test_keyboard_steps_through_points_and_turns_the_3d_view(opened):
    page, log = opened
    slider = page.locator(f"{DECODER} canvas[role='slider']")
    slider.focus()
    assert slider.get_attribute("aria-valuenow") == "1"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")
    hl = page.evaluate(f"document.querySelector(\"{DECODER}\").__figure.highlights()")
    assert hl == {"plane": 13, "view": 13}
    assert slider.get_attribute("aria-valuenow") == "14"
    assert "decodes to" in slider.get_attribute("aria-valuetext")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # wraps to the last point
    assert page.evaluate(f"document.querySelector(\"{DECODER}\").__figure.highlight") == 199

    view = page.locator(f"{DECODER} canvas[role='img']")
    before, angles = pixels(page, f"{DECODER} canvas[role='img']"), page.evaluate(
        f"document.querySelector(\"{DECODER}\").__figure.angles()")
    view.focus()
    for key in ("ArrowLeft", "ArrowLeft", "ArrowUp"):
        page.keyboard.press(key)
    page.wait_for_timeout(100)
    after = page.evaluate(f"document.querySelector(\"{DECODER}\").__figure.angles()")
    assert after["yaw"] < angles["yaw"] and after["pitch"] > angles["pitch"]
    assert np.abs(pixels(page, f"{DECODER} canvas[role='img']") - before).mean() > 0.5
    assert_clean(log)


def test_snapshot_slider_changes_drawing_and_readout(opened):
    page, log = opened
    plane = f"{SNAPS} .toy-panel:first-child canvas"
    assert pixels(page, plane).var() > 50
    slider = page.locator(f"{SNAPS} input[type='range']")
    assert slider.is_enabled()
    last = page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.snapshot({int(slider.get_attribute('max'))})")
    assert f"step {last['step']:,}" in page.locator(f"{SNAPS} output").text_content()
    before = pixels(page, plane)
    slider.focus()
    page.keyboard.press("Home")
    page.wait_for_function(f"!document.querySelector(\"{SNAPS}\").__figure.animating", timeout=5000)
    page.wait_for_timeout(50)
    assert page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.index") == 0
    assert page.locator(f"{SNAPS} output").text_content().startswith("step 0 of")
    assert "step 0" in slider.get_attribute("aria-valuetext")
    assert np.abs(pixels(page, plane) - before).mean() > 0.5, "the plane did not change"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"!document.querySelector(\"{SNAPS}\").__figure.animating", timeout=5000)
    first = page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.snapshot(1)")
    assert page.locator(f"{SNAPS} output").text_content().startswith(f"step {first['step']} of")
    # linked hover inside the snapshot figure
    at = page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.point(7)")
    page.mouse.move(at["x"], at["y"])
    page.wait_for_timeout(100)
    hl = page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.highlights()")
    assert hl["plane"] == hl["view"] and hl["plane"] is not None
    assert_clean(log)


def test_reduced_motion_jumps_between_snapshots(browser, serve, built):
    context = browser.new_context(viewport={"width": 360, "height": 740}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(serve(built) + "repo/toy/")
        ready(page, SNAPS)
        page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.setIndex(0)")
        assert page.evaluate(f"document.querySelector(\"{SNAPS}\").__figure.animating") is False
        # narrow screens: nothing wider than the viewport
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
    finally:
        context.close()
