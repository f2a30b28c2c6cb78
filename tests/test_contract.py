"""The figure contract, checked over every kind that ``generator/figures`` discovers.

A kind is ``generator/figures/<kind_with_underscores>.py`` (KIND, documented OPTIONS, ``request()`` and its
``figure:<kind>`` payload stage), ``generator/templates/figures/<kind>.html`` and, unless the module says
``STATIC = True`` (the template renders everything), ``assets/js/figures/<kind>/index.js`` exporting
``mount`` with a ``style.css`` beside it. Each kind has its row in README.md's "Figure kinds" table naming
exactly its options; ``generator/figures`` holds only kinds and none imports another; and, in Chromium,
each kind's figure built with its default options mounts without a console error or a failed request
(one tiny build, one article per kind, so a failure names its kind).
"""

from __future__ import annotations

import ast
import re

import pytest

from generator.figures import kinds
from generator.pipeline import REGISTRY
from tests.browser.conftest import context, page, page_log, serve  # noqa: F401 - fixtures for the browser tests
from tests.browser.waits import frames, wait_ready
from tests.conftest import ROOT, subpath_site

KINDS = kinds()
NAMES = sorted(KINDS)
DYNAMIC = [kind for kind in NAMES if not getattr(KINDS[kind], "STATIC", False)]
FIGURES = ROOT / "generator" / "figures"
# Options without a default need a value in the test's article: {kind: {option: value}}.
EXAMPLES: dict[str, dict] = {}


def module_name(kind: str) -> str:
    return kind.replace("-", "_")


def readme_rows() -> dict[str, set[str]]:
    """README.md's "Figure kinds" table: kind -> the option names its last column lists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Figure kinds\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`[a-z0-9-]+`", cells[0]):
            rows[cells[0].strip("`")] = set(re.findall(r"`([^`]+)`", cells[-1]))
    return rows


def without_comments(js: str) -> str:
    """JavaScript source without its comments (roughly: enough to not read a commented-out export)."""
    return re.sub(r"/\*.*?\*/|(?<![:\"'\\])//[^\n]*", "", js, flags=re.S)


EXPORTS_MOUNT = re.compile(
    r"\bexport\s+(?:async\s+)?function\s*\*?\s*mount\s*\("
    r"|\bexport\s+(?:const|let|var)\s+mount\s*="
    r"|\bexport\s*\{[^}]*\b(?:mount|\w+\s+as\s+mount)\b[^}]*\}"
)


def test_generator_figures_holds_only_kinds_each_discovered_once():
    declared = {}
    for path in sorted(FIGURES.glob("*.py")):
        if path.name == "__init__.py":
            continue
        found = re.search(r"^KIND\s*=\s*[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8"), re.M)
        assert found, f"generator/figures/{path.name} is not a kind: shared code goes in a module of generator/"
        assert found.group(1) not in declared, f"{path.name} and {declared.get(found.group(1))} share a KIND"
        declared[found.group(1)] = path.name
    assert sorted(declared) == NAMES


@pytest.mark.parametrize("kind", NAMES)
def test_kind_has_its_files(kind):
    module = KINDS[kind]
    assert module.__file__ == str(FIGURES / f"{module_name(kind)}.py"), f"{kind}: module named after the kind"
    assert (ROOT / "generator" / "templates" / "figures" / f"{kind}.html").is_file(), f"{kind}: no template"
    folder = ROOT / "assets" / "js" / "figures" / kind
    if kind in DYNAMIC:
        assert (folder / "index.js").is_file(), f"{kind}: no assets/js/figures/{kind}/index.js"
        assert (folder / "style.css").is_file(), f"{kind}: no assets/js/figures/{kind}/style.css"
        template = (ROOT / "generator" / "templates" / "figures" / f"{kind}.html").read_text(encoding="utf-8")
        assert '{% extends "figure.html" %}' in template or "data-module" in template, (
            f"{kind}: its template neither extends figure.html nor names its module"
        )
    else:
        assert not (folder / "index.js").exists(), f"{kind} says STATIC = True but has a module"


@pytest.mark.parametrize("kind", NAMES)
def test_kind_declares_options_request_and_payload_stage(kind):
    module = KINDS[kind]
    assert isinstance(module.OPTIONS, dict)
    for name, field in module.OPTIONS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), f"{kind}: option {name!r} is not snake_case"
        assert field.doc.strip(), f"{kind}: option {name!r} has no description"
        assert field.default is not None or name in EXAMPLES.get(kind, {}), (
            f"{kind}: option {name!r} is required; give tests/test_contract.py an example value in EXAMPLES"
        )
    assert callable(module.request), f"{kind}: no request(options, cfg)"
    assert f"figure:{kind}" in REGISTRY, f"{kind}: no stage named figure:{kind}"


@pytest.mark.parametrize("kind", NAMES)
def test_kind_options_are_in_its_readme_row(kind):
    rows = readme_rows()
    assert kind in rows, f"README.md's Figure kinds table has no row for `{kind}`"
    options = set(KINDS[kind].OPTIONS)
    assert options <= rows[kind], f"{kind}: options missing from its README row: {sorted(options - rows[kind])}"
    assert rows[kind] <= options, f"{kind}: its README row names options it lacks: {sorted(rows[kind] - options)}"


@pytest.mark.parametrize("kind", DYNAMIC)
def test_kind_module_exports_mount(kind):
    source = (ROOT / "assets" / "js" / "figures" / kind / "index.js").read_text(encoding="utf-8")
    assert EXPORTS_MOUNT.search(without_comments(source)), f"assets/js/figures/{kind}/index.js does not export mount"


@pytest.mark.parametrize("kind", NAMES)
def test_figure_module_imports_no_other_kind(kind):
    path = FIGURES / f"{module_name(kind)}.py"
    others = {module_name(other) for other in NAMES if other != kind}
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                imported.add(node.module.split(".")[0])
            elif node.level == 1:
                imported.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("generator.figures."):
                imported.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            imported.update(a.name.split(".")[2] for a in node.names if a.name.startswith("generator.figures."))
    assert not imported & others, f"{kind} imports the figure kind module(s) {sorted(imported & others)}"


# ---------------------------------------------------------------------------------------------- in Chromium


def article(kind: str) -> str:
    options = "".join(f"{name}: {value!r}\n" for name, value in EXAMPLES.get(kind, {}).items())
    return (
        f"---\ntitle: The {kind} figure\ndescription: One {kind} figure with its default options.\n"
        f"date: 2026-01-02\n---\n\n## {kind}\n\n```figure\nkind: {kind}\nid: contract\n{options}```\n"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    return subpath_site(
        tmp_path_factory.mktemp("contract"), shared_cache, {f"contract-{kind}.md": article(kind) for kind in NAMES}
    )


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("kind", NAMES)
def test_kind_mounts_with_its_default_options(kind, site, serve, page, page_log):  # noqa: F811
    page.goto(serve(site) + f"repo/contract-{kind}/")
    if kind in DYNAMIC:
        wait_ready(page, "#contract")
        assert page.evaluate("() => window.__explorables.whenReady('contract')") == "ready"
        figure = page.evaluate("""() => { const el = document.querySelector('#contract');
            return { kind: el.dataset.figure, module: el.dataset.module, live: el.classList.contains('is-live'),
                     styles: [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.href) }; }""")
        assert figure["kind"] == kind and figure["live"], figure
        assert figure["module"].endswith(f"/assets/js/figures/{kind}/index.js"), figure
        assert any(href.endswith(f"/assets/js/figures/{kind}/style.css") for href in figure["styles"]), figure
        frames(page, 10)  # errors thrown by the first frames after mount count too
    else:
        assert page.locator("#contract").count() == 1
        assert page.locator("[data-figure]").count() == 0, f"{kind} is STATIC but renders a live figure"
    assert page_log.console_errors == [], page_log.console_errors
    assert page_log.page_errors == [], page_log.page_errors
    assert page_log.failed_requests == [], page_log.failed_requests
    assert page_log.hosts == {"127.0.0.1"}
