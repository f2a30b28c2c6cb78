"""Shared fixtures for browser tests: Chromium, a static file server, and a page
that records console errors, page errors, failed requests and request hosts.

Browser tests are skipped when Chromium or Playwright is not installed.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, QuietHandler  # noqa: F401  (tests import them from here)
from tests.browser.waits import TIMEOUT

# The session's Chromium (`browser` fixture) lives in tests/conftest.py, so tests outside
# tests/browser/ share the one Playwright instance (two sync instances cannot coexist).


@pytest.fixture
def serve():
    """Return `serve(directory) -> "http://127.0.0.1:<port>/"`; servers stop after the test."""
    servers = []

    def start(directory: str | Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class PageLog:
    """What a page did: errors it logged or threw, requests it made."""

    console_errors: list = field(default_factory=list)  # (text, url of the source)
    page_errors: list = field(default_factory=list)  # str(error)
    failed_requests: list = field(default_factory=list)  # (url, failure or HTTP status)
    urls: list = field(default_factory=list)

    @property
    def hosts(self) -> set[str]:
        """Hosts of every http(s) request; data: and blob: URLs have none."""
        return {urlsplit(u).hostname for u in self.urls if urlsplit(u).scheme in ("http", "https")}

    def assert_clean(self) -> None:
        """No console error, no uncaught error, no failed request, and nothing fetched from another host."""
        assert self.console_errors == [] and self.page_errors == [], (self.console_errors, self.page_errors)
        assert self.failed_requests == []
        assert self.hosts <= {"127.0.0.1"}, self.hosts


def _record(page) -> PageLog:
    log = PageLog()

    def on_console(message):
        if message.type == "error":
            log.console_errors.append((message.text, message.location.get("url", "")))

    def on_response(response):
        if response.status >= 400:
            log.failed_requests.append((response.url, response.status))

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("request", lambda request: log.urls.append(request.url))

    def on_failed(request):
        # net::ERR_ABORTED is the browser cancelling (the page navigated on before a favicon or a lazy image
        # arrived, which a busy machine makes likely), not a broken reference: those answer >= 400 (below).
        if request.failure != "net::ERR_ABORTED":
            log.failed_requests.append((request.url, request.failure))

    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return log


@pytest.fixture
def page_errors():
    """Return `page_errors(page) -> PageLog`, recording from now on."""
    return _record


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    # waits and actions without their own timeout may take this long on a loaded machine
    context.set_default_timeout(TIMEOUT)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def page_log(page):
    """The PageLog of the `page` fixture."""
    return _record(page)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


@pytest.fixture
def copy_assets(repo_root):
    """Return `copy_assets(site_dir)`, which copies the repository's assets/ into it."""

    def copy(site_dir: Path) -> Path:
        return Path(shutil.copytree(repo_root / "assets", Path(site_dir) / "assets"))

    return copy
