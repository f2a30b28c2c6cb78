"""The toy-bench figure in Chromium: the trails are the true -dL/dz (checked against
finite differences), the inputs stay constant, the loss falls, Play / Pause / Step /
Reset and the learning-rate and activation selectors work, by keyboard too; the 3-D view tilts by touch."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.test_fig_toy_views import centre, touch_drag
from tests.browser.waits import TIMEOUT, frames, wait_ready, wait_until
from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

FIGURE = "figure[data-figure='toy-bench']"
HOOK = f'document.querySelector("{FIGURE}").__figure'
ARTICLE = (
    """\
---
title: Train in your browser
description: The toy bench.
date: 2026-01-02
---

## The bench

```figure
kind: toy-bench
shapes: [ring, swiss-roll, saddle, twisted-cubic]
caption: Train an autoencoder on a 3-D shape in your browser.
```

"""
    + "A paragraph of prose below the figure.\n\n" * 40
)


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    """One tiny build for the module; returns the site folder (served under /repo/)."""
    return subpath_site(tmp_path_factory.mktemp("toy-bench"), shared_cache, {"bench.md": ARTICLE})


def payload_dir(www: Path) -> Path:
    return next((www / "repo" / "figures").glob("toy-bench-*"))


def open_page(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/bench/")
    wait_ready(page, FIGURE)
    return log


@pytest.fixture
def opened(page, page_errors, serve, built):
    """The article with the figure mounted and paused; yields (page, log)."""
    log = open_page(page, page_errors, serve, built)
    call(page, "pause()")
    return page, log


def call(page, expression):
    return page.evaluate(f"(async () => await {HOOK}.{expression})()")


def state(page):
    return call(page, "state()")


def wait_state(page, predicate):
    """Wait until `predicate`, a JS expression of the figure's state `s`, holds; return that state."""
    return wait_until(
        page, f"(() => {{ const s = {HOOK}.state(); return ({predicate}) && s; }})()", show=f"{HOOK}.state()"
    )


def assert_trails_match_finite_differences(page):
    """Each shown trail equals a central finite-difference estimate of -dL/dz.

    Compared on the per-point scale N * dL/dz_i = d(loss of point i)/dz_i (the batch
    loss averages over N points), with 1e-3 absolute tolerance; the gradients are
    checked to be much larger than that, so a wrong direction (the original's
    wrong-axis sum) could not pass.
    """
    n = state(page)["points"]
    trails = n * np.array(call(page, "trails()")).reshape(-1, 2)
    estimate = n * np.array(call(page, "finiteDiff(1e-3)")).reshape(-1, 2)
    error = np.abs(trails - estimate).max()
    norms = np.linalg.norm(estimate, axis=1)
    print(f"trail check: max error {error:.2e}, median |N dL/dz| {np.median(norms):.2e}")
    assert error < 1e-3 and error < 0.01 * np.median(norms), error
    assert np.median(norms) > 5e-3, f"gradients too small for the test to mean anything: {np.median(norms)}"
    big = norms > 5e-3
    cosine = (trails[big] * estimate[big]).sum(1) / (np.linalg.norm(trails[big], axis=1) * norms[big])
    assert cosine.min() > 0.99, cosine.min()
    return np.median(norms)


SPREAD = f"""() => [...document.querySelectorAll("{FIGURE} .figure-live canvas")].map((c) => {{
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sq = 0;
    for (let i = 0; i < data.length; i += 1) {{ sum += data[i]; sq += data[i] * data[i]; }}
    const mean = sum / data.length;
    return Math.sqrt(sq / data.length - mean * mean);
}})"""


def canvas_spread(page):
    """Standard deviation of the pixel values of each canvas in the figure's live layer."""
    return page.evaluate(SPREAD)


def wait_drawn(page):
    """Wait until every canvas of the figure has been drawn (the views draw in animation frames)."""
    wait_until(page, f"(({SPREAD})()).every((spread) => spread > 5)", show=SPREAD)


def test_trails_are_the_gradient_inputs_stay_constant_and_the_loss_falls(page, page_errors, serve, built):
    log = open_page(page, page_errors, serve, built)
    config = json.loads((payload_dir(built) / "config.json").read_text())
    assert [s["name"] for s in config["shapes"]] == ["ring", "swiss-roll", "saddle", "twisted-cubic"]
    assert config["layers"] == [3, 32, 32, 2, 32, 32, 3]
    assert page.locator(f"{FIGURE} img.figure-fallback").get_attribute("src").endswith("fallback.png")
    assert (payload_dir(built) / "fallback.png").stat().st_size > 5000
    s = state(page)
    assert s["playing"], "the bench should start training by itself (no reduced motion)"
    call(page, "pause()")
    wait_drawn(page)
    assert all(spread > 5 for spread in canvas_spread(page)), canvas_spread(page)

    call(page, "reset()")
    s = state(page)
    assert s["step"] == 0 and s["shape"] == "ring" and s["lr"] == 0.01 and s["activation"] == "tanh"
    first_loss = s["loss"]
    inputs = np.array(call(page, "inputs()"), dtype=np.float32)
    raw = np.frombuffer((payload_dir(built) / "shapes.f32").read_bytes(), dtype="<f4")
    assert np.array_equal(inputs, raw[: 3 * s["points"]]), "the input tensor is not the ring's points"
    assert_trails_match_finite_differences(page)

    call(page, "step(200)")
    s = state(page)
    assert s["step"] == 200 and s["loss"] < first_loss / 5, (first_loss, s["loss"])
    assert_trails_match_finite_differences(page)
    tensors = s["tensors"]

    call(page, "step(100)")
    s = state(page)
    assert s["step"] == 300 and s["tensors"] == tensors, "tensors leak per step"
    assert np.array_equal(np.array(call(page, "inputs()"), dtype=np.float32), inputs), "training moved the inputs"
    assert s["shown"]["step"] == "300"
    log.assert_clean()


def test_pause_step_and_the_selectors_take_effect(opened):
    page, log = opened
    play = page.locator(f"{FIGURE} [data-action='play']")
    play.click()
    start = state(page)["step"]
    wait_state(page, f"s.step >= {start + 3}")
    play.click()
    wait_state(page, "!s.playing")
    call(page, "pause()")  # waits for the task in flight
    paused = state(page)["step"]
    # paused: frames pass (and the tasks between them run) with no step taken
    frames(page, 30)
    call(page, "pause()")  # and nothing is queued
    assert state(page)["step"] == paused, "the step counter moved while paused"
    page.locator(f"{FIGURE} [data-action='step']").click()
    wait_state(page, f"s.step === {paused + 1}")
    call(page, "pause()")  # the step's task has finished
    frames(page, 10)
    assert state(page)["step"] == paused + 1

    def run(lr, activation, steps=40):
        page.select_option(f"{FIGURE} select[data-control='activation']", activation)
        page.select_option(f"{FIGURE} select[data-control='lr']", str(lr))
        call(page, "reset()")
        s = state(page)
        assert s["lr"] == lr and s["activation"] == activation and s["step"] == 0, s
        call(page, f"step({steps})")
        return state(page)["loss"]

    base = run(0.01, "tanh")
    assert run(0.01, "tanh") == base, "Reset should restart from the same seeded weights"
    slow = run(0.001, "tanh")
    assert not math.isclose(slow, base, rel_tol=1e-3) and slow > base, (slow, base)
    relu = run(0.01, "relu")
    assert not math.isclose(relu, base, rel_tol=1e-3), (relu, base)
    # a learning-rate change mid-run keeps the weights and the step count
    call(page, "step(5)")
    page.select_option(f"{FIGURE} select[data-control='lr']", "0.03")
    wait_state(page, "s.lr === 0.03")
    assert state(page)["step"] == 45
    expect(page.locator(f"{FIGURE} .figure-status")).to_contain_text("Learning rate 0.03", timeout=TIMEOUT)
    log.assert_clean()


def test_keyboard_alone_picks_a_shape_plays_pauses_and_steps(opened):
    page, log = opened
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")

    def focused():
        return page.evaluate("""() => { const a = document.activeElement;
            return a ? {shape: a.dataset.shape || null, action: a.dataset.action || null, tag: a.tagName,
                        inFigure: !!a.closest("figure[data-figure='toy-bench']"),
                        outline: getComputedStyle(a).outlineStyle} : null; }""")

    def tab_to(predicate, limit=40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            f = focused()
            if f and f["inFigure"] and predicate(f):
                return f
        raise AssertionError("never reached the control by Tab")

    f = tab_to(lambda f: f["shape"] == "saddle")
    assert f["outline"] != "none", "no visible focus"
    page.keyboard.press("Enter")
    wait_state(page, "s.shape === 'saddle' && s.step === 0")
    expect(page.locator(f"{FIGURE} [data-shape='saddle']")).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    tab_to(lambda f: f["action"] == "play")
    page.keyboard.press("Space")
    wait_state(page, "s.playing && s.step > 2")
    page.keyboard.press("Space")
    wait_state(page, "!s.playing")
    call(page, "pause()")
    at = state(page)["step"]
    page.keyboard.press("Tab")
    assert focused()["action"] == "step"
    page.keyboard.press("Enter")
    wait_state(page, f"s.step === {at + 1}")
    # the status is written once the step's read-back is done, after the counter moved
    expect(page.locator(f"{FIGURE} .figure-status")).to_contain_text(f"Step {at + 1}", timeout=TIMEOUT)
    # the code plane: arrow keys walk along the shape and the strip follows
    latent = page.locator(f"{FIGURE} .tb__panel--latent canvas")
    latent.focus()
    s = state(page)
    before, points = s["highlighted"], s["points"]
    page.keyboard.press("ArrowRight")
    wait_state(page, f"s.highlighted === {(before + 1) % points}")
    expect(page.locator(f"{FIGURE} .tb-strip")).to_contain_text(f"point {before + 2} of", timeout=TIMEOUT)
    log.assert_clean()


def test_reduced_motion_and_a_phone_width(browser, page_errors, serve, built):
    context = browser.new_context(viewport={"width": 360, "height": 800}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        log = open_page(page, page_errors, serve, built)
        # no autoplay: frames pass (and the tasks between them run) with no step taken
        frames(page, 30)
        call(page, "pause()")  # nothing is queued either
        s = state(page)
        assert not s["playing"] and s["step"] == 0, "autoplay under reduced motion"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        boxes = [page.locator(f"{FIGURE} .tb__panel--{p}").bounding_box() for p in ("3d", "latent", "chart")]
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"], "the views should stack on a phone"
        wait_drawn(page)
        assert all(spread > 5 for spread in canvas_spread(page))
        log.assert_clean()
    finally:
        context.close()


def test_touch_tilts_the_3d_view_by_its_handle(browser, page_errors, serve, built):
    context = browser.new_context(viewport={"width": 400, "height": 800}, has_touch=True, is_mobile=True)
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        log = open_page(page, page_errors, serve, built)
        call(page, "pause()")
        handle = page.locator(f"{FIGURE} .tb__panel--3d .toy-3d__tilt")
        handle.scroll_into_view_if_needed()
        before = call(page, "angles()")
        touch_drag(page, centre(handle), -60)  # dragged up: the view tilts the other way
        wait_until(page, f"(a) => {HOOK}.angles().pitch < a.pitch - 0.3", before, show=f"{HOOK}.angles()")
        assert call(page, "angles()")["yaw"] == before["yaw"]
        log.assert_clean()
    finally:
        context.close()
