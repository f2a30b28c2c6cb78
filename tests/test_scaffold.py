"""The figure scaffold (``python -m generator.scaffold <kind>``): it refuses names it cannot use with one
message and writes nothing; a kind it writes passes the linters, builds, and mounts in Chromium, where
it works by keyboard and draws its payload."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.scaffold import ScaffoldError, check_name, scaffold, targets
from tests.browser.conftest import context, page, page_log, serve  # noqa: F401 - fixtures for the browser test
from tests.browser.waits import wait_ready, wait_until
from tests.conftest import ROOT

KIND = "bar-walk"
ARTICLE = f"""\
---
title: Bars
description: A scaffolded figure.
date: 2026-01-02
---

## Bars

```figure
kind: {KIND}
id: walk
caption: A random walk, drawn by a scaffolded figure kind.
```
"""


@pytest.mark.parametrize(
    "name",
    ["", "Bars", "bar_walk", "-bars", "bars-", "bar--walk", "3d-bars", "bär", "a" * 41, "bars/../x", "class", "import"],
)
def test_names_that_cannot_be_kinds_are_refused(name):
    with pytest.raises(ScaffoldError, match=r"not a figure kind name|Python keyword"):
        check_name(name)


@pytest.mark.parametrize("name", ["image-grid", "data-note"])
def test_taken_names_are_refused_naming_what_holds_them(name):
    with pytest.raises(ScaffoldError, match=r"is taken: .*generator/figures/"):
        check_name(name)


def test_a_name_taken_by_a_helper_module_or_another_modules_kind_is_refused(tmp_path):
    figures = tmp_path / "generator" / "figures"
    figures.mkdir(parents=True)
    (figures / "shared_bits.py").write_text('"""Helpers, not a kind."""\n')
    (figures / "legacy.py").write_text('KIND = "loss-landscape"\n')
    with pytest.raises(ScaffoldError, match=r"is taken: generator/figures/shared_bits.py"):
        check_name("shared-bits", root=tmp_path)
    with pytest.raises(ScaffoldError, match=r"is taken: generator/figures/legacy.py"):
        check_name("loss-landscape", root=tmp_path)
    check_name("free-name", root=tmp_path)


def test_the_command_refuses_with_one_line_and_writes_nothing(tmp_path):
    before = sorted(p.relative_to(ROOT) for p in (ROOT / "generator" / "figures").iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "generator.scaffold", "Image-Grid"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: 'Image-Grid' is not a figure kind name")
    assert sorted(p.relative_to(ROOT) for p in (ROOT / "generator" / "figures").iterdir()) == before
    assert not any(path.exists() for path in targets("Image-Grid").values())


def test_scaffold_writes_four_files_and_refuses_a_second_time(tmp_path):
    (tmp_path / "generator" / "figures").mkdir(parents=True)
    written = scaffold(KIND, root=tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "generator/figures/bar_walk.py",
        "generator/templates/figures/bar-walk.html",
        "assets/js/figures/bar-walk/index.js",
        "assets/js/figures/bar-walk/style.css",
    ]
    assert all("@KIND@" not in p.read_text() and "@MODULE@" not in p.read_text() for p in written)
    with pytest.raises(ScaffoldError, match="is taken"):
        scaffold(KIND, root=tmp_path)


def _code_copy(tmp_path: Path) -> Path:
    """A copy of the generator's code to scaffold into, sharing node_modules."""
    code = tmp_path / "code"
    code.mkdir()
    for name in ("build.py", "package.json", "pyproject.toml", "eslint.config.js"):
        shutil.copy(ROOT / name, code / name)
    for folder in ("generator", "assets"):
        shutil.copytree(ROOT / folder, code / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return code


def _lint(code: Path, rel: str, *command: str) -> None:
    text = (code / rel).read_text()
    done = subprocess.run([*command, rel], input=text, capture_output=True, text=True, cwd=code, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} {rel}:\n{done.stdout}{done.stderr}"


@pytest.mark.browser
def test_a_scaffolded_kind_passes_lint_builds_and_mounts(tmp_path, shared_cache, serve, page, page_log):  # noqa: F811
    code = _code_copy(tmp_path)
    made = subprocess.run(
        [sys.executable, "-m", "generator.scaffold", KIND], capture_output=True, text=True, cwd=code, timeout=120
    )
    assert made.returncode == 0, made.stderr
    assert f"| `{KIND}` |" in made.stdout, "the output shows the README row to add"

    ruff = Path(sys.executable).parent / "ruff"
    if ruff.exists():
        _lint(code, "generator/figures/bar_walk.py", str(ruff), "check", "--stdin-filename")
        _lint(code, "generator/figures/bar_walk.py", str(ruff), "format", "--check", "--stdin-filename")
    if (ROOT / "node_modules" / ".bin" / "eslint").exists():
        _lint(
            code,
            f"assets/js/figures/{KIND}/index.js",
            str(ROOT / "node_modules" / ".bin" / "eslint"),
            "--stdin",
            "--stdin-filename",
        )

    project = tmp_path / "site"
    (project / "content").mkdir(parents=True)
    (project / "site.toml").write_text('[site]\ntitle = "Test site"\n')
    (project / "content" / "bars.md").write_text(ARTICLE)
    (project / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = tmp_path / "www"
    built = subprocess.run(
        [
            sys.executable,
            str(code / "build.py"),
            "--config",
            str(project / "site.toml"),
            "--scale",
            "tiny",
            "-q",
            "--base-url",
            "/repo/",
            "--out",
            str(www / "repo"),
        ],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr[-4000:]

    page.goto(serve(www) + "repo/bars/")
    wait_ready(page, "#walk")
    wait_until(page, "() => document.querySelector('#walk').__figure !== undefined")
    page.evaluate("() => document.querySelector('#walk').__figure.whenIdle()")
    drawn = page.evaluate("""() => {
        const canvas = document.querySelector('#walk .bar-walk__canvas');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked += 1;
        return { inked, display: getComputedStyle(canvas).display, width: canvas.width };
    }""")
    assert drawn["inked"] > 100, drawn
    assert drawn["display"] == "block", "the kind's style.css is linked and applies"
    assert page.locator("#walk .figure-fallback").is_hidden()

    page.locator("#walk .bar-walk").focus()
    page.keyboard.press("ArrowRight")
    wait_until(page, "() => document.querySelector('#walk').__figure.selected === 1")
    page.keyboard.press("End")
    wait_until(page, "() => document.querySelector('#walk').__figure.selected === 11")
    status = page.locator("#walk .figure-status").text_content()
    assert status.startswith("Bar 12 of 12: "), status
    label = page.locator("#walk .bar-walk").get_attribute("aria-label")
    assert label.startswith("A bar chart of 12 values") and "arrow keys" in label

    assert page_log.console_errors == [] and page_log.page_errors == [], (page_log.console_errors, page_log.page_errors)
    assert page_log.failed_requests == []
    assert page_log.hosts == {"127.0.0.1"}
