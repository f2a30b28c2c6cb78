"""The Chromium the tests and the benchmarks drive, and its flags (importable without pytest)."""

from __future__ import annotations

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
