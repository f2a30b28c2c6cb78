"""The Chromium the tests and the benchmarks drive, its flags, and the quiet static server they load pages from
(importable without pytest)."""

from __future__ import annotations

import http.server
import os
from pathlib import Path

# Debian's Chromium (or $CHROMIUM); where there is none (Ubuntu's is a snap, macOS), Playwright's own build,
# which `make test` installs.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files without request logs or caching."""

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()
