"""What a page fetches at first mount: every request while it loads and every figure mounts, none of them under
a URL a figure's config lists as ``"explore"`` (what it fetches only when the reader explores: zooms in,
switches layout, moves a probe). The build's page budget counts the first mount alone (generator/report.py), so
a figure that fetches an explore URL at mount loads more than the report says.

    urls = assert_first_mount_only(page, site_dir, root, "repo/visualizing-autoencoders/")

``site_dir`` is the folder served at ``root`` (``serve(site_dir)``); the configs are read from it. Returns the
URLs requested, so a test can also check that the recording saw the page's payloads.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tests.browser.waits import READY_TIMEOUT, frames, wait_until


def explore_urls(site_dir: Path, root: str, config_url: str) -> list[str]:
    """The absolute URLs of a figure config's ``"explore"`` list (a folder's ends in ``/``)."""
    config = Path(site_dir) / urlsplit(config_url).path.removeprefix(urlsplit(root).path)
    listed = json.loads(config.read_text(encoding="utf-8")).get("explore", [])
    return [urljoin(config_url, url) for url in listed]


def under_explore(urls: list[str], explore: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(requested URL, config URL) for each request that falls under an explore URL (``explore``: config URL ->
    its absolute explore URLs): the file itself, or anything inside a folder. Query strings do not count."""
    found = []
    for url in urls:
        path = url.split("#", 1)[0].split("?", 1)[0]
        for config, listed in explore.items():
            if any(path == e or (e.endswith("/") and path.startswith(e)) for e in listed):
                found.append((url, config))
    return found


def mount_every_figure(page) -> None:
    """Bring each figure of the page near the viewport in turn and wait until it is ready."""
    figures = page.locator("figure[data-figure]")
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed(timeout=READY_TIMEOUT)
        wait_until(
            page,
            "(el) => ['ready', 'error'].includes(el.dataset.state)",
            figure.element_handle(),
            timeout=READY_TIMEOUT,
            show="(el) => el.dataset.state",
        )
        assert figure.get_attribute("data-state") == "ready", figure.locator(".figure-status").inner_text()


def assert_first_mount_only(page, site_dir: Path, root: str, path: str = "") -> list[str]:
    """Open ``root + path``, record every request until every figure is ready (and 30 frames more, so work a
    figure queued at mount has run), and assert that none falls under a figure's ``"explore"`` URLs. Returns
    the requested URLs."""
    urls: list[str] = []
    record = lambda request: urls.append(request.url)  # noqa: E731
    page.on("request", record)
    try:
        page.goto(root + path)
        mount_every_figure(page)
        frames(page, 30)
        configs = page.evaluate(
            "() => [...document.querySelectorAll('[data-figure][data-config]')]"
            ".map((el) => new URL(el.dataset.config, location.href).href)"
        )
    finally:
        page.remove_listener("request", record)
    explore = {config: explore_urls(site_dir, root, config) for config in configs}
    fetched = under_explore(urls, explore)
    assert not fetched, "fetched at first mount, though its figure lists it as explored only: " + ", ".join(
        f"{url} ({config})" for url, config in fetched
    )
    return urls
