"""The train-in-page figure in Chromium: training in the page lowers the loss without
freezing it, Sample shows held-out digits, Reset starts over, all by keyboard too."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

FIGURE = "figure[data-figure='train-in-page']"
ARTICLE = """\
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

""" + "A paragraph of prose below the figure, so the page can scroll it away.\n\n" * 80


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
    page.locator(FIGURE).scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector(\"{FIGURE}\").dataset.state === 'ready'", timeout=60000)
    return page, log


def state(page):
    return page.evaluate(f"document.querySelector(\"{FIGURE}\").__figure.state()")


def wait_for(page, predicate, timeout=180, poll=0.5):
    """Poll the figure's state until predicate(state) holds; return the state."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = state(page)
        if predicate(s):
            return s
        time.sleep(poll)
    raise AssertionError(f"timed out; last state: {s}")


def assert_clean(log):
    assert log.console_errors == [] and log.page_errors == [], (log.console_errors, log.page_errors)
    assert log.failed_requests == []
    assert log.hosts <= {"127.0.0.1"}


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
    page.wait_for_timeout(1500)
    assert state(page)["epoch"] == 0 and not state(page)["running"], "training started by itself"
    assert_clean(log)


def test_training_lowers_the_loss_and_the_page_stays_responsive(opened):
    page, log = opened
    page.click(f"{FIGURE} [data-action='train']")
    assert state(page)["running"]
    slowest = 0.0
    end = time.monotonic() + 240
    while time.monotonic() < end:
        start = time.monotonic()
        page.evaluate("1 + 1")
        slowest = max(slowest, time.monotonic() - start)
        s = state(page)
        if not s["running"]:
            break
        time.sleep(0.3)
    assert s["epoch"] == 3, s
    losses = s["trainLosses"]
    assert len(losses) == 3 and losses[-1] < losses[0], losses
    assert s["shown"]["epoch"] == "3" and float(s["shown"]["loss"]) == pytest.approx(losses[-1], abs=1e-4)
    assert slowest < 1.0, f"a trivial evaluate took {slowest:.2f} s during training"
    assert "epoch 3" in page.locator(f"{FIGURE} .figure-status").text_content()
    print(f"in-page training: {s['epochsPerSecond']:.2f} epochs/s ({s['backend']}, 100 digits)")
    assert_clean(log)


def test_train_again_pauses_and_off_screen_pauses(opened):
    page, log = opened
    train = page.locator(f"{FIGURE} [data-action='train']")
    # force: while a CPU batch runs, Playwright's "stable element" check waits for
    # animation frames; the click itself is handled as soon as the batch ends.
    train.click(force=True)
    assert train.text_content() == "Pause training"
    train.click(force=True)  # pauses after the batch in flight
    paused = wait_for(page, lambda s: not s["running"])
    assert paused["epoch"] < 3
    tensors = paused["tensors"]  # model, Adam slots and data: fixed from the first step on
    left = 3 - paused["epoch"]
    assert train.text_content() == f"Resume ({left} epoch{'' if left == 1 else 's'} left)"
    page.wait_for_timeout(1000)
    assert state(page)["epoch"] == paused["epoch"]
    train.click(force=True)
    wait_for(page, lambda s: s["running"])
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    wait_for(page, lambda s: s["offscreen"])
    frozen = state(page)["epoch"]
    page.wait_for_timeout(2500)
    assert state(page)["epoch"] <= frozen + 1  # at most the epoch in flight finishes
    page.locator(FIGURE).scroll_into_view_if_needed()
    wait_for(page, lambda s: not s["offscreen"])
    done = wait_for(page, lambda s: not s["running"])
    assert done["epoch"] == 3 and done["tensors"] == tensors, "tensors leak per batch or epoch"
    assert_clean(log)


def test_sample_shows_held_out_digits_only(opened, built):
    page, log = opened
    folder = payload_dir(built)
    test_images = (folder / "test.u8").read_bytes()
    train_images = (folder / "train.u8").read_bytes()
    train_set = {train_images[i:i + 784] for i in range(0, len(train_images), 784)}
    seen = set()
    for _ in range(4):
        before = state(page)["sample"]["index"]
        page.click(f"{FIGURE} [data-action='sample']")
        s = wait_for(page, lambda s: s["sample"]["index"] != before)
        sample = s["sample"]
        assert sample["set"] == "test" and 0 <= sample["index"] < 20
        shown = bytes(page.evaluate(f"document.querySelector(\"{FIGURE}\").__figure.shownInput()"))
        assert shown == test_images[sample["index"] * 784:(sample["index"] + 1) * 784]
        assert shown not in train_set
        seen.add(sample["index"])
    assert len(seen) >= 2
    assert "Held-out digit" in page.locator(f"{FIGURE} .figure-status").text_content()
    assert_clean(log)


def test_reset_returns_to_epoch_zero(opened):
    page, log = opened
    page.click(f"{FIGURE} [data-action='train']")
    wait_for(page, lambda s: s["epoch"] >= 1)
    code_trained = state(page)["sample"]["code"]
    page.click(f"{FIGURE} [data-action='reset']", force=True)
    s = wait_for(page, lambda s: s["resets"] == 1)
    assert s["epoch"] == 0 and not s["running"] and not s["trainLosses"]
    assert page.locator(f"{FIGURE} .train__stats").text_content().startswith("Epoch 0")
    assert "epoch 0" in page.locator(f"{FIGURE} .figure-status").text_content()
    assert s["sample"]["code"] != code_trained
    page.click(f"{FIGURE} [data-action='reset']")  # seeded: a second reset gives the same weights
    again = wait_for(page, lambda t: t["resets"] == 2)
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
    wait_for(page, lambda s: s["running"])
    page.keyboard.press("Space")  # the same button pauses
    wait_for(page, lambda s: not s["running"])
    page.keyboard.press("Tab")
    before = state(page)["sample"]["index"]
    page.keyboard.press("Enter")
    wait_for(page, lambda s: s["sample"]["index"] != before)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    s = wait_for(page, lambda s: s["resets"] == 1)
    assert s["epoch"] == 0 and not s["trainLosses"]
    assert_clean(log)


def test_fits_a_320_px_screen_with_reduced_motion(browser, serve, built, page_errors):
    context = browser.new_context(viewport={"width": 320, "height": 700}, reduced_motion="reduce")
    page = context.new_page()
    log = page_errors(page)
    page.goto(serve(built) + "repo/train/")
    page.locator(FIGURE).scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector(\"{FIGURE}\").dataset.state === 'ready'", timeout=60000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator(f"{FIGURE} .train").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    page.locator(FIGURE).screenshot(path=str(Path(built).parent / "train-in-page-320.png"))
    assert_clean(log)
    context.close()
