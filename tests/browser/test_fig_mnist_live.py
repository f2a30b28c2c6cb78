"""The mnist-live figure in Chromium: a 2-D autoencoder trained in the page on MNIST
digits; the plane redraws the codes as it learns, the probe decodes what the canvas
shows, keyboard alone trains and probes, and the page stays on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.waits import READY_TIMEOUT, TIMEOUT, frames, wait_ready, wait_until
from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

FIGURE = "figure[data-figure='mnist-live']"
HOOK = f'document.querySelector("{FIGURE}").__figure'
COUNT = 300
ARTICLE = (
    """\
---
title: MNIST live
description: A 2-D autoencoder trained in the page.
date: 2026-01-02
---

## MNIST in two dimensions

```figure
kind: mnist-live
count: 300
caption: Train the autoencoder on MNIST digits in your browser.
```

"""
    + "A paragraph of prose below the figure, so the page can scroll it away.\n\n" * 80
)
PLANE_PIXELS = """() => {
  const c = document.querySelector("figure[data-figure='mnist-live'] .mnist-live__plane canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  return Array.from(d.filter((_, i) => i % 4 !== 3));
}"""
# The plane has been drawn (it draws in an animation frame): its colour values vary.
PLANE_DRAWN = f"""() => {{
  const v = ({PLANE_PIXELS})();
  let sum = 0, sq = 0;
  for (const x of v) {{ sum += x; sq += x * x; }}
  return v.length > 0 && Math.sqrt(sq / v.length - (sum / v.length) ** 2) > 10;
}}"""
DECODED_PIXELS = """() => {
  const c = document.querySelector("figure[data-figure='mnist-live'] canvas.mnist-live__digit");
  return Array.from(c.getContext("2d").getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0));
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    """One tiny build for the module; returns the site folder (served under /repo/)."""
    return subpath_site(tmp_path_factory.mktemp("mnist-live"), shared_cache, {"mnist.md": ARTICLE})


def payload_dir(www: Path) -> Path:
    return next((www / "repo" / "figures").glob("mnist-live-*"))


def open_figure(page, url):
    page.goto(url)
    wait_ready(page, FIGURE, timeout=READY_TIMEOUT)


def state(page):
    return page.evaluate(f"{HOOK}.state()")


def wait_for(page, predicate, arg=None, timeout=240_000):
    """Wait until `predicate`, a JS expression of the figure's state `s` (and `arg`), holds; return that state."""
    return wait_until(
        page,
        f"(arg) => {{ const s = {HOOK}.state(); return ({predicate}) && s; }}",
        arg,
        timeout=timeout,
        polling=100,
        show=f"{HOOK}.state()",
    )


def test_payload_is_small_and_the_fallback_is_referenced(built):
    folder = payload_dir(built)
    config = json.loads((folder / "config.json").read_text())
    assert config["count"] == COUNT and config["latent_dim"] == 2
    assert config["layers"][0] == 784 and config["layers"][len(config["layers"]) // 2] == 2
    digits = (folder / config["digits"]).read_bytes()
    assert len(digits) == COUNT * 784 // 2  # 4 bits a pixel
    assert len((folder / config["labels"]).read_bytes()) == COUNT
    assert (folder / "fallback.png").stat().st_size > 2000
    html = (built / "repo" / "mnist" / "index.html").read_text()
    assert f"figures/{folder.name}/fallback.png" in html
    print(f"mnist-live payload: digits {len(digits)} B, gzip {len(gzip.compress(digits, 9))} B")


def test_mounts_trains_and_decodes_what_it_shows(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/mnist/")
    s = state(page)
    assert s["epoch"] == 0 and not s["training"] and s["backend"] in ("cpu", "webgl")
    assert page.locator(f"{FIGURE} img.figure-fallback").get_attribute("src").endswith("fallback.png")
    wait_until(page, PLANE_DRAWN)
    plane = np.array(page.evaluate(PLANE_PIXELS), dtype=np.float64)
    assert plane.std() > 10, "the plane is blank"
    assert page.locator(f"{FIGURE} .figure-legend li").count() == 10
    frames(page, 30)  # the page renders frames and runs its tasks: no training starts by itself
    assert state(page)["steps"] == 0, "training started by itself"

    # decodeAt matches the image the canvas shows
    probe = s["probe"]
    shown = page.evaluate(f"{HOOK}.probe({probe[0]}, {probe[1]})")
    decoded = np.array(page.evaluate(f"{HOOK}.decodeAt({probe[0]}, {probe[1]})"))
    assert decoded.shape == (784,) and np.allclose(decoded, shown["decoded"], atol=1e-6)
    canvas = np.array(page.evaluate(DECODED_PIXELS), dtype=np.float64)
    assert np.abs(canvas - np.rint(decoded * 255)).max() <= 1

    # two epochs lower the loss and move the codes; no tensor leaks per epoch
    before = np.array(page.evaluate(f"{HOOK}.codes()"))
    started = time.monotonic()
    one = page.evaluate(f"{HOOK}.trainEpochs(1)")
    two = page.evaluate(f"{HOOK}.trainEpochs(1)")
    seconds = time.monotonic() - started
    assert two["epoch"] == 2 and not two["training"]
    assert two["losses"][1] < two["losses"][0] < 0.7, two["losses"]
    assert two["tensors"] == one["tensors"], "tensors leak per epoch"
    after = np.array(page.evaluate(f"{HOOK}.codes()"))
    assert after.shape == before.shape == (2 * COUNT,)
    assert np.abs(after - before).mean() > 1e-2, "the codes did not move"
    assert two["shown"] == {"epoch": "2", "loss": f"{two['losses'][1]:.4f}"}
    print(
        f"mnist-live: {seconds / 2:.1f} s per epoch in the page ({two['backend']}, {COUNT} digits, "
        f"page-measured {two['secondsPerEpoch']})"
    )

    # the probe decodes with the trained weights, and the canvas follows a new point
    x, y = two["frame"]["cx"] + 3 * two["frame"]["k"] * 20, two["frame"]["cy"]
    shown = page.evaluate(f"{HOOK}.probe({x}, {y})")
    decoded = np.array(page.evaluate(f"{HOOK}.decodeAt({x}, {y})"))
    canvas = np.array(page.evaluate(DECODED_PIXELS), dtype=np.float64)
    assert np.abs(canvas - np.rint(decoded * 255)).max() <= 1
    labels = (payload_dir(built) / "labels.u8").read_bytes()
    index = int(np.argmin(((after.reshape(-1, 2) - shown["probe"]) ** 2).sum(1)))
    assert shown["near"] == {"index": index, "label": labels[index]}

    # pointer hover decodes too
    box = page.locator(f"{FIGURE} .mnist-live__plane canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    moved = wait_for(page, "s.probe[0] !== arg[0] || s.probe[1] !== arg[1]", shown["probe"])
    assert moved["probe"] != shown["probe"]
    status = page.locator(f"{FIGURE} .figure-status")
    expect(status).to_contain_text("nearest", timeout=TIMEOUT)  # announced once the probe rests
    assert f"is a {moved['near']['label']}" in status.text_content()
    page.locator(FIGURE).screenshot(path=str(Path(built).parent / "mnist-live-1280.png"))
    log.assert_clean()


CHART = f"{FIGURE} .mnist-live__chart svg[role='img']"
CHART_POINTS = f"""() => {{
  const line = document.querySelector("{CHART} path.loss-chart__line");
  return line ? Number(line.dataset.points) : 0;
}}"""


def test_the_loss_chart_draws_a_point_per_step_as_it_trains(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/mnist/")
    chart = page.locator(CHART)
    expect(chart).to_have_attribute("aria-label", "Loss by step: no steps trained yet.", timeout=TIMEOUT)
    assert page.evaluate(CHART_POINTS) == 0
    page.click(f"{FIGURE} [data-action='train']")
    # points appear as the steps are taken, while training runs
    first = wait_until(
        page, f"() => {{ const n = ({CHART_POINTS})(); return n >= 2 && {HOOK}.state().training && n; }}"
    )
    wait_until(page, f"(n) => ({CHART_POINTS})() >= n + 3 && {HOOK}.state().training", first)
    page.click(f"{FIGURE} [data-action='train']", force=True)  # pause
    s = wait_for(page, "!s.training")
    frames(page, 3)  # the chart draws in the frame after the last step
    losses = s["stepLosses"]
    assert len(losses) == s["steps"] > first
    assert page.evaluate(CHART_POINTS) == s["steps"]  # one point a step (the chart has room for hundreds)
    d = chart.locator("path.loss-chart__line").get_attribute("d")
    assert d.count("L") == s["steps"] - 1
    assert chart.get_attribute("aria-label") == (
        f"Loss by step over {s['steps']} steps: training loss from {losses[0]:.3f} to {losses[-1]:.3f}."
    )
    assert page.locator(f"{FIGURE} .loss-chart__legend").get_attribute("aria-hidden") == "true"
    log.assert_clean()


def focus_by_tab(page, selector, limit=40):
    """Press Tab from the top of the page until `selector` has focus."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus by Tab")


def test_keyboard_alone_trains_and_moves_the_probe_and_off_screen_pauses(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/mnist/")
    train = page.locator(f"{FIGURE} [data-action='train']")
    focus_by_tab(page, f"{FIGURE} [data-action='train']")
    page.keyboard.press("Enter")
    wait_for(page, "s.training && s.steps > 0")
    assert train.text_content() == "Pause"
    # an epoch in, pause (the same button), so that no refit of the axes moves the probe
    # while the keys do: a refit clamps the probe into the new frame at its own time
    wait_for(page, "s.epoch >= 1")
    page.keyboard.press("Space")
    wait_for(page, "!s.training")
    assert train.text_content() == "Resume training"
    # the plane is the next stop after Reset
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(f'document.activeElement === document.querySelector("{FIGURE} .mnist-live__plane canvas")')
    start = state(page)["probe"]
    page.evaluate(f"{HOOK}.probe({start[0]}, {start[1]})")  # the image decoded there, after any decode in flight
    image = np.array(page.evaluate(DECODED_PIXELS), dtype=np.float64)
    for key in ("Shift+ArrowRight", "Shift+ArrowUp", "Shift+ArrowUp"):
        page.keyboard.press(key)
    s = wait_for(page, "s.probe[0] > arg[0] && s.probe[1] > arg[1]", start)
    page.evaluate(f"{HOOK}.probe({s['probe'][0]}, {s['probe'][1]})")  # wait for the decode in flight
    moved = np.array(page.evaluate(DECODED_PIXELS), dtype=np.float64)
    assert np.abs(moved - image).max() > 0, "the decoded image did not change"
    # back to the Train button by keyboard: train on
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(
        "(s) => document.activeElement === document.querySelector(s)", f"{FIGURE} [data-action='train']"
    )
    page.keyboard.press("Enter")
    wait_for(page, "s.training")
    # off screen, training waits (after at most the batch in flight)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    frozen = wait_for(page, "s.offscreen")["steps"]
    parked = wait_for(page, "s.waiting")  # the loop has parked until the figure is back
    assert parked["steps"] <= frozen + 1
    frames(page, 30)  # parked: frames pass (and the tasks between them run) with no step taken
    assert state(page)["steps"] == parked["steps"], "training went on off screen"
    page.locator(FIGURE).scroll_into_view_if_needed()
    wait_for(page, "!s.offscreen && s.steps > arg", parked["steps"] + 1)  # and on screen again, it trains on
    # the Train button still has the focus: pause
    page.keyboard.press("Space")
    paused = wait_for(page, "!s.training")
    frames(page, 30)  # the loop has stopped: frames pass with no step taken
    assert state(page)["steps"] == paused["steps"]
    assert train.text_content() == "Resume training"
    log.assert_clean()


def test_fits_a_narrow_screen_with_reduced_motion(browser, serve, built, page_errors):
    context = browser.new_context(viewport={"width": 360, "height": 780}, reduced_motion="reduce", has_touch=True)
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        log = page_errors(page)
        open_figure(page, serve(built) + "repo/mnist/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator(f"{FIGURE} .mnist-live").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        frames(page, 30)  # the page renders frames and runs its tasks: no training starts by itself
        assert state(page)["steps"] == 0, "training started by itself"
        start = state(page)["probe"]  # the probe starts at the centre of the plane
        canvas = page.locator(f"{FIGURE} .mnist-live__plane canvas")
        canvas.tap(position={"x": 120, "y": 80})  # touch moves the probe
        s = wait_for(page, "s.near !== null && (s.probe[0] !== arg[0] || s.probe[1] !== arg[1])", start)
        page.locator(FIGURE).screenshot(path=str(Path(built).parent / "mnist-live-360.png"))
        assert s["probe"] is not None and s["probe"] != start
        log.assert_clean()
    finally:
        context.close()


WORKER_URL = "/assets/js/lib/autoencoder-worker.js"
# A test-only command, dispatched inside the worker (the page never sends it): the next `at` step throws.
FAULT = "(data) => { self.dispatchEvent(new MessageEvent('message', { data })); }"


def training_worker(page):
    workers = [w for w in page.workers if w.url.endswith(WORKER_URL)]
    assert len(workers) == 1, [w.url for w in page.workers]
    return workers[0]


def test_a_failed_reset_and_a_broken_worker_say_why(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/mnist/")
    train = page.locator(f"{FIGURE} [data-action='train']")
    reset = page.locator(f"{FIGURE} [data-action='reset']")
    status = page.locator(f"{FIGURE} .figure-status")
    worker = training_worker(page)
    # a Reset whose rebuild fails says so and leaves Reset usable
    worker.evaluate(FAULT, {"type": "fault", "at": "build", "message": "test: the rebuild failed"})
    reset.click()
    expect(status).to_have_text("Reset failed: test: the rebuild failed.", timeout=TIMEOUT)
    expect(reset).to_be_enabled()
    reset.click()
    wait_for(page, "s.resets === 1")
    # the worker itself breaks mid-run: the status says why, the buttons stop, and nothing trains on
    train.click()
    wait_for(page, "s.training && s.steps > 0")
    worker.evaluate("() => { setTimeout(() => { throw new Error('test: the worker broke'); }); }")
    expect(status).to_contain_text("Training stopped: ", timeout=TIMEOUT)
    expect(status).to_contain_text("test: the worker broke")
    expect(train).to_be_disabled()
    expect(reset).to_be_disabled()
    assert train.text_content() == "Resume training"
    stopped = wait_for(page, "!s.training")
    frames(page, 30)
    assert state(page)["steps"] == stopped["steps"], "training went on after the failure"
    # moving the probe now asks nothing of the ended worker that could go unhandled
    page.evaluate(f"{HOOK}.probe(0, 0)")
    frames(page, 3)
    assert all("test: the worker broke" in e for e in log.page_errors), log.page_errors  # the worker's own report
    assert log.console_errors, "the failure was not logged"
    for text, _ in log.console_errors:
        assert "test: the rebuild failed" in text or "test: the worker broke" in text, log.console_errors
    assert log.failed_requests == [] and log.hosts <= {"127.0.0.1"}


def test_requests_in_flight_settle_when_the_figure_goes(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/mnist/")
    outcome = page.evaluate(
        """(s) => {
        const el = document.querySelector(s);
        el.querySelector("[data-action='reset']").click();
        const pending = el.__figure.decodeAt(0, 0);
        el.remove();
        return pending.then(() => "answered", (error) => error.name);
    }""",
        FIGURE,
    )
    assert outcome == "AbortError"
    frames(page, 3)
    log.assert_clean()  # the Reset in flight ended quietly too


def test_train_pressed_while_a_pause_is_pending_trains_on(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/mnist/")
    train = page.locator(f"{FIGURE} [data-action='train']")
    # In one task: train, pause (pending until the batch in flight ends), train again: the run goes on.
    labels = train.evaluate(
        "(b) => { const seen = []; for (let i = 0; i < 3; i += 1) { b.click(); seen.push(b.textContent); } return seen; }"
    )
    assert labels == ["Pause", "Train", "Pause"]
    wait_for(page, "s.training && s.steps >= 3")
    train.click(force=True)  # pause
    wait_for(page, "!s.training")
    assert train.text_content() == "Resume training"
    log.assert_clean()
