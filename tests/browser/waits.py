"""Waits for the browser tests: on a state the page shows, never on the clock.

A fixed sleep guesses how fast the machine is; on a busy machine the guess is wrong
and the test flakes. These helpers wait for the state the test needs (a figure's
ready flag, a counter that moved, a highlighted point, a drawn canvas...) with a
generous timeout: the timeout bounds a failure, it is not a pause, and a passing
test never spends it.

Checks that something does NOT happen (a paused loop does not step, an idle figure
does not redraw) wait for a positive signal first, e.g. `frames(page, 30)`: the
page has rendered 30 frames, and run the tasks queued between them, whatever the
load, so it had every chance to do what it should not.
"""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout

TIMEOUT = 120_000  # ms a state may take on a loaded machine before the test fails
READY_TIMEOUT = 180_000  # ms for a figure to mount (fetches, TensorFlow.js start-up)


def wait_until(page, predicate: str, arg=None, *, timeout: int = TIMEOUT, polling="raf", show: str | None = None):
    """Wait until `predicate` (a JS expression, or a function of `arg`) is truthy; return its value.

    On timeout, fail with the predicate and, when given, the value of `show` (a JS
    expression, or a function of `arg`) at that moment.
    """
    try:
        return page.wait_for_function(predicate, arg=arg, timeout=timeout, polling=polling).json_value()
    except PlaywrightTimeout:
        now = f"; now: {page.evaluate(show, arg)!r}" if show else ""
        raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for {predicate}{now}") from None


def wait_ready(page, selector: str, timeout: int = READY_TIMEOUT) -> None:
    """Bring the figure near the viewport (the runtime mounts it then) and wait until it is ready.

    Waits for "ready" or "error", so a figure that fails says why at once.
    """
    page.locator(selector).scroll_into_view_if_needed(timeout=timeout)
    wait_until(
        page,
        "(s) => ['ready', 'error'].includes(document.querySelector(s).dataset.state)",
        selector,
        timeout=timeout,
        show="(s) => document.querySelector(s).dataset.state",
    )
    state, status = page.evaluate(
        """(s) => { const el = document.querySelector(s);
        const status = el.querySelector('.figure-status'); return [el.dataset.state, status ? status.textContent : '']; }""",
        selector,
    )
    assert state == "ready", f"{selector} did not mount: {status}"


def frames(page, n: int = 10, timeout: int = TIMEOUT) -> None:
    """Wait until the page has rendered `n` more animation frames.

    A draw the page scheduled with requestAnimationFrame before this call has run
    once this returns (frame callbacks run in the order they were requested).
    """
    key = page.evaluate(
        """(n) => {
        const key = `__framesDone${(window.__frameWaits = (window.__frameWaits || 0) + 1)}`;
        let k = 0;
        const tick = () => { if (++k >= n) window[key] = true; else requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
        return key;
    }""",
        n,
    )
    wait_until(page, f"window['{key}'] === true", timeout=timeout)
