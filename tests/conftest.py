"""Shared fixtures: throwaway site projects built through the public CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ARTICLE = """\
---
title: A test article
description: Digits for the tests.
date: 2026-01-02
authors: [Test Author]
---

## First section

Some prose with $x^2$ math.

```figure
kind: image-grid
dataset: mnist
caption: One digit of each class.
```

## Second section

A link to [the first section](#first-section).
"""


def wait_for(predicate, timeout: float = 300.0):
    """Poll ``predicate`` from outside (a server, a file) until it returns something true; the timeout is a
    failure bound for a busy machine, not a delay."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s")


def node_outputs(artifact) -> dict:
    """An export artifact's model run in Node on its probe inputs (tests/node/load_model.mjs: @tensorflow/tfjs,
    cpu backend): {"backend", "shape", "outputs"}. Skips the test where Node is not installed."""
    import shutil

    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    done = subprocess.run(
        [
            "node",
            str(ROOT / "tests/node/load_model.mjs"),
            str(artifact.path / "model"),
            str(artifact.file("probe.json")),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def copy_of_generator(code: Path) -> Path:
    """A copy of this generator (build.py, generator/, assets/; node_modules linked) in ``code``, for a test that
    changes the generator itself; run its ``build.py``."""
    import shutil

    code.mkdir(parents=True)
    for name in ("build.py", "package.json"):
        shutil.copy(ROOT / name, code / name)
    for folder in ("generator", "assets"):
        shutil.copytree(ROOT / folder, code / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return code


@dataclass
class Project:
    """A site project folder (site.toml + content/) and a way to build it."""

    root: Path

    @property
    def out(self) -> Path:
        return self.root / "_site"

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
        return path

    def build(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        cmd = [
            sys.executable,
            str(ROOT / "build.py"),
            "--config",
            str(self.root / "site.toml"),
            "--scale",
            "tiny",
            *args,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, timeout=900)
        if check and done.returncode != 0:
            raise AssertionError(f"build failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return done

    def report(self) -> dict:
        return json.loads((self.out / "build-report.json").read_text())


def subpath_site(
    root: Path, shared_cache: Path, articles: dict[str, str], *, site_toml: str = '[site]\ntitle = "Test site"\n'
) -> Path:
    """Build ``articles`` ({file name: text}) at tiny scale under /repo/; return the folder to serve.

    The project shares the session's build cache, so modules reuse each other's stages.
    """
    project = Project(root / "site")
    project.write("site.toml", site_toml)
    for name, text in articles.items():
        project.write(f"content/{name}", text)
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, driven by Playwright) for the whole session."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        if os.environ.get("CHROMIUM") and not CHROMIUM.exists():
            pytest.fail(f"CHROMIUM={CHROMIUM} does not exist")
        executable = str(CHROMIUM) if CHROMIUM.exists() else None  # None: Playwright's own Chromium
        if executable is None and not Path(playwright.chromium.executable_path).exists():
            pytest.skip(f"no Chromium: none at {CHROMIUM} and Playwright's is not installed (make test installs it)")
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """One build cache for the session, so tests share the tiny dataset stage.

    $EXPLORABLES_TEST_CACHE names a folder to keep it in across sessions (for quick reruns while
    developing; entries are keyed by code and settings, and builds lock them, so sessions can share it).
    """
    kept = os.environ.get("EXPLORABLES_TEST_CACHE")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        return Path(kept)
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def project(tmp_path, shared_cache) -> Project:
    """A fresh project with one article; its .cache links to the session's cache."""
    p = Project(tmp_path / "site")
    p.write("site.toml", '[site]\ntitle = "Test site"\n')
    p.write("content/test-article.md", ARTICLE)
    (p.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    return p


@pytest.fixture
def isolated_project(tmp_path) -> Project:
    """A project with a cache of its own (for tests that inspect or damage it)."""
    p = Project(tmp_path / "site")
    p.write("site.toml", '[site]\ntitle = "Test site"\n')
    p.write("content/test-article.md", ARTICLE)
    return p
