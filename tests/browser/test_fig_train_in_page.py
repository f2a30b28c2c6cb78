"""The train-in-page figure in Chromium: training in the page lowers the loss without
freezing it, Sample shows held-out digits, Reset starts over, all by keyboard too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.waits import TIMEOUT, frames, wait_ready, wait_until
from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

FIGURE = "figure[data-figure='train-in-page']"
ARTICLE = (
    """\
---
title: Training in the page
description: The autoencoder trains in the browser.
date: 2026-01-02
---

## Train it here

```figure
kind: train-in-page
train_count: 100
test_count: 20
epochs: 3
batch_size: 25
caption: Train the autoencoder in your browser.
```

"""
    + "A paragraph of prose below the figure, so the page can scroll it away.\n\n" * 80
)


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    """One tiny build for the module; returns the site folder (served under /repo/)."""
    return subpath_site(tmp_path_factory.mktemp("train-in-page"), shared_cache, {"train.md": ARTICLE})


def payload_dir(www: Path) -> Path:
    return next((www / "repo" / "figures").glob("train-in-page-*"))


@pytest.fixture
def opened(page, page_errors, serve, built):
    """The article with the figure mounted; yields (page, log)."""
    log = page_errors(page)
    page.goto(serve(built) + "repo/train/")
    wait_ready(page, FIGURE)
    return page, log


HOOK = f'document.querySelector("{FIGURE}").__figure'


def state(page):
    return page.evaluate(f"{HOOK}.state()")


def wait_for(page, predicate, timeout=240_000):
    """Wait until `predicate`, a JS expression of the figure's state `s`, holds; return that state."""
    return wait_until(
        page,
        f"(() => {{ const s = {HOOK}.state(); return ({predicate}) && s; }})()",
        timeout=timeout,
        polling=100,
        show=f"{HOOK}.state()",
    )


# While training runs, a chain of zero-delay timers stands for the reader's input: it
# records the longest gap between two of its ticks (a task that held the main thread,
# e.g. one training batch) and the training progress each tick saw. A loop that yields
# between batches lets the ticks see the progress bar at many points of the run.
WATCH = f"""() => {{
    const figure = document.querySelector("{FIGURE}");
    const progress = figure.querySelector("progress");
    const watch = window.__watch = {{ longest: 0, seen: [], stop: false }};
    let last = performance.now();
    const tick = () => {{
        const now = performance.now();
        watch.longest = Math.max(watch.longest, now - last);
        last = now;
        if (figure.__figure.state().running && !watch.seen.includes(progress.value)) watch.seen.push(progress.value);
        if (!watch.stop) setTimeout(tick, 0);
    }};
    setTimeout(tick, 0);
}}"""
FROZEN_MS = 5000  # a loose bound: one batch takes ~0.2-0.9 s on an idle 2-core machine


def assert_clean(log):
    log.assert_clean()


def test_mounts_with_the_real_architecture_and_a_fallback(opened, built):
    page, log = opened
    config = json.loads((payload_dir(built) / "config.json").read_text())
    assert config["layers"] == [784, 256, 128, 2, 128, 256, 784]  # site.toml [models.mnist_ae] hidden
    assert config["train"]["count"] == 100 and config["test"]["count"] == 20
    fallback = page.locator(f"{FIGURE} img.figure-fallback")
    assert fallback.get_attribute("src").endswith("fallback.png")
    assert (payload_dir(built) / "fallback.png").stat().st_size > 1000
    diagram = page.locator(f"{FIGURE} .train__diagram").text_content()
    for units in ("784", "256", "128", "2"):
        assert units in diagram
    assert page.locator(f"{FIGURE} [data-action='train']").is_visible()
    s = state(page)
    assert s["layers"] == config["layers"]
    frames(page, 30)  # the page renders frames and runs its tasks: no training starts by itself
    s = state(page)
    assert s["epoch"] == 0 and not s["running"] and s["shown"]["epoch"] == "0", "training started by itself"
    assert_clean(log)


def test_training_lowers_the_loss_and_the_page_stays_responsive(opened):
    page, log = opened
    page.evaluate(WATCH)
    page.click(f"{FIGURE} [data-action='train']")
    wait_for(page, "s.running || s.epoch > 0")  # started (or, on a fast machine, already done)
    s = wait_for(page, "!s.running")
    watch = page.evaluate("() => { window.__watch.stop = true; return window.__watch; }")
    assert s["epoch"] == 3, s
    losses = s["trainLosses"]
    assert len(losses) == 3 and losses[-1] < losses[0], losses
    assert s["shown"]["epoch"] == "3" and float(s["shown"]["loss"]) == pytest.approx(losses[-1], abs=1e-4)
    # responsive: the page ran other tasks at many points of the run, not once it was over
    assert len(watch["seen"]) >= 4, f"the page answered at only {watch['seen']} of the run's progress"
    assert watch["longest"] < FROZEN_MS, f"the page ran no other task for {watch['longest']:.0f} ms"
    assert "epoch 3" in page.locator(f"{FIGURE} .figure-status").text_content()
    print(
        f"in-page training: {s['epochsPerSecond']:.2f} epochs/s ({s['backend']}, 100 digits); "
        f"longest task {watch['longest']:.0f} ms; the page answered at progress {watch['seen']}"
    )
    assert_clean(log)


def test_train_again_pauses_and_off_screen_pauses(opened):
    page, log = opened
    train = page.locator(f"{FIGURE} [data-action='train']")
    # Two clicks in one task: the first starts a run, the second (the same button) pauses it
    # after the batch in flight. (Two clicks from here would land as far apart as the load
    # makes them, leaving anything from 11 batches to none for the rest of the test.)
    label = train.evaluate(
        "(button) => { button.click(); const label = button.textContent; button.click(); return label; }"
    )
    assert label == "Pause training"
    paused = wait_for(page, "!s.running")
    assert paused["epoch"] < 3
    tensors = paused["tensors"]  # model, Adam slots and data: fixed from the first step on
    left = 3 - paused["epoch"]
    assert train.text_content() == f"Resume ({left} epoch{'' if left == 1 else 's'} left)"
    frames(page, 30)  # the loop has stopped: frames pass and the tasks between them run, no epoch ends
    assert state(page)["epoch"] == paused["epoch"]
    # force: Playwright's "stable element" check waits for animation frames, which CPU
    # batches hold up; the click needs none of it. It has been handled once this returns.
    train.click(force=True)  # resumes
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # at once, while most of the run is left
    frozen = wait_for(page, "s.offscreen")["epoch"]
    # off screen, the loop parks after the batch in flight (unless that batch ended the run)
    parked = wait_for(page, "s.waiting || !s.running")
    assert parked["epoch"] <= frozen + 1  # at most the epoch in flight finishes
    if parked["waiting"]:
        frames(page, 30)
        assert state(page)["epoch"] == parked["epoch"], "training went on off screen"
    page.locator(FIGURE).scroll_into_view_if_needed()
    wait_for(page, "!s.offscreen")
    done = wait_for(page, "!s.running")
    assert done["epoch"] == 3 and done["tensors"] == tensors, "tensors leak per batch or epoch"
    assert_clean(log)


def test_sample_shows_held_out_digits_only(opened, built):
    page, log = opened
    folder = payload_dir(built)
    test_images = (folder / "test.u8").read_bytes()
    train_images = (folder / "train.u8").read_bytes()
    train_set = {train_images[i : i + 784] for i in range(0, len(train_images), 784)}
    seen = set()
    for _ in range(4):
        before = state(page)["sample"]["index"]
        page.click(f"{FIGURE} [data-action='sample']")
        s = wait_for(page, f"s.sample.index !== {before}")
        sample = s["sample"]
        assert sample["set"] == "test" and 0 <= sample["index"] < 20
        shown = bytes(page.evaluate(f'document.querySelector("{FIGURE}").__figure.shownInput()'))
        assert shown == test_images[sample["index"] * 784 : (sample["index"] + 1) * 784]
        assert shown not in train_set
        seen.add(sample["index"])
    assert len(seen) >= 2
    expect(page.locator(f"{FIGURE} .figure-status")).to_contain_text("Held-out digit", timeout=TIMEOUT)
    assert_clean(log)


def test_reset_returns_to_epoch_zero(opened):
    page, log = opened
    page.click(f"{FIGURE} [data-action='train']")
    code_trained = wait_for(page, "s.epoch >= 1")["sample"]["code"]
    page.click(f"{FIGURE} [data-action='reset']", force=True)
    s = wait_for(page, "s.resets === 1")
    assert s["epoch"] == 0 and not s["running"] and not s["trainLosses"]
    assert page.locator(f"{FIGURE} .train__stats").text_content().startswith("Epoch 0")
    assert "epoch 0" in page.locator(f"{FIGURE} .figure-status").text_content()
    assert s["sample"]["code"] != code_trained
    page.click(f"{FIGURE} [data-action='reset']")  # seeded: a second reset gives the same weights
    again = wait_for(page, "s.resets === 2")
    assert again["sample"]["code"] == pytest.approx(s["sample"]["code"], abs=1e-6)
    assert_clean(log)


def focus_by_tab(page, selector, limit=40):
    """Press Tab from the top of the page until `selector` has focus."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus by Tab")


def test_keyboard_alone_operates_train_sample_and_reset(opened):
    page, log = opened
    focus_by_tab(page, f"{FIGURE} [data-action='train']")
    page.keyboard.press("Enter")
    wait_for(page, "s.running || s.epoch > 0")
    page.keyboard.press("Space")  # the same button pauses (or, if the run had ended, trains again)
    wait_for(page, "!s.running")
    page.keyboard.press("Tab")
    before = state(page)["sample"]["index"]
    page.keyboard.press("Enter")
    wait_for(page, f"s.sample.index !== {before}")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    s = wait_for(page, "s.resets === 1")
    assert s["epoch"] == 0 and not s["trainLosses"]
    assert_clean(log)


def test_trains_in_a_worker_that_ends_with_the_figure(opened):
    """The model trains in a Web Worker, off the page's main thread; a figure taken off the page
    (as on live reload) is destroyed, and its worker with it, even mid-run."""
    page, log = opened
    workers = [w for w in page.workers if w.url.endswith("/assets/js/lib/autoencoder-worker.js")]
    assert len(workers) == 1, [w.url for w in page.workers]
    page.click(f"{FIGURE} [data-action='train']")
    wait_for(page, "s.running || s.epoch > 0")  # started (or, on a fast machine, already done)
    with workers[0].expect_event("close", timeout=TIMEOUT):
        page.evaluate("(s) => document.querySelector(s).remove()", FIGURE)
    figure_id = page.evaluate("Object.keys(window.__explorables.figures)[0]")
    assert page.evaluate("(id) => window.__explorables.figures[id].state", figure_id) == "removed"
    assert_clean(log)


def test_fits_a_320_px_screen_with_reduced_motion(browser, serve, built, page_errors):
    context = browser.new_context(viewport={"width": 320, "height": 700}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        log = page_errors(page)
        page.goto(serve(built) + "repo/train/")
        wait_ready(page, FIGURE)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        box = page.locator(f"{FIGURE} .train").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
        page.locator(FIGURE).screenshot(path=str(Path(built).parent / "train-in-page-320.png"))
        assert_clean(log)
    finally:
        context.close()


WORKER_URL = "/assets/js/lib/autoencoder-worker.js"
# A test-only command, dispatched inside the worker (the page never sends it): the next `at` step throws.
FAULT = "(data) => { self.dispatchEvent(new MessageEvent('message', { data })); }"


def training_worker(page):
    workers = [w for w in page.workers if w.url.endswith(WORKER_URL)]
    assert len(workers) == 1, [w.url for w in page.workers]
    return workers[0]


def assert_only_reported(log, message):
    """The page logged `message` (console.error, with its details) and nothing else went wrong."""
    assert log.page_errors == [], log.page_errors
    assert log.console_errors and all(message in text for text, _ in log.console_errors), log.console_errors
    assert log.failed_requests == []
    assert log.hosts <= {"127.0.0.1"}


def test_a_training_failure_says_why_and_disables_the_buttons(opened):
    page, log = opened
    training_worker(page).evaluate(FAULT, {"type": "fault", "at": "batch", "message": "test: a batch failed"})
    page.click(f"{FIGURE} [data-action='train']")
    status = page.locator(f"{FIGURE} .figure-status")
    expect(status).to_have_text("Training stopped: test: a batch failed.", timeout=TIMEOUT)
    for action in ("train", "sample", "reset"):
        expect(page.locator(f"{FIGURE} [data-action='{action}']")).to_be_disabled()
    s = state(page)
    assert not s["running"] and s["epoch"] == 0, s
    assert page.locator(f"{FIGURE} [data-action='train']").text_content() != "Pause training"
    assert_only_reported(log, "test: a batch failed")


def test_a_failed_reset_says_why_and_reset_works_again(opened):
    page, log = opened
    reset = page.locator(f"{FIGURE} [data-action='reset']")
    training_worker(page).evaluate(FAULT, {"type": "fault", "at": "build", "message": "test: the rebuild failed"})
    reset.click()
    expect(page.locator(f"{FIGURE} .figure-status")).to_have_text(
        "Reset failed: test: the rebuild failed.", timeout=TIMEOUT
    )
    expect(reset).to_be_enabled()
    assert state(page)["resets"] == 0
    reset.click()  # the fault was for one rebuild: Reset works again, and training after it
    s = wait_for(page, "s.resets === 1")
    assert s["epoch"] == 0 and not s["running"]
    page.click(f"{FIGURE} [data-action='train']")
    wait_for(page, "s.epoch >= 1")
    assert_only_reported(log, "test: the rebuild failed")


def test_train_pressed_while_a_pause_is_pending_trains_on(opened):
    page, log = opened
    train = page.locator(f"{FIGURE} [data-action='train']")
    # In one task: train, pause (pending until the batch in flight ends), train again: the run goes on.
    labels = train.evaluate(
        "(b) => { const seen = []; for (let i = 0; i < 3; i += 1) { b.click(); seen.push(b.textContent); } return seen; }"
    )
    assert labels == ["Pause training", "Resume (3 epochs left)", "Pause training"]
    done = wait_for(page, "!s.running")
    assert done["epoch"] == 3, done
    assert train.text_content() == "Train 3 epochs"
    assert "epoch 3" in page.locator(f"{FIGURE} .figure-status").text_content()
    assert_clean(log)
