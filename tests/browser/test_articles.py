"""The site's own articles (content/), built at tiny scale and read in Chromium.

Every figure mounts without a console error, nothing is requested from any
host but 127.0.0.1, and axe-core finds no accessibility violations.
"""

import shutil

import pytest

from tests.browser.waits import READY_TIMEOUT
from tests.conftest import ROOT, Project

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    root = tmp_path_factory.mktemp("articles")
    project = Project(root / "site")
    shutil.copytree(ROOT / "content", project.root / "content")
    shutil.copy(ROOT / "site.toml", project.root / "site.toml")
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    project.build("--base-url", "/repo/", "--out", str(root / "www" / "repo"), check=True)
    return root / "www"


def slugs():
    return sorted(p.stem for p in (ROOT / "content").glob("*.md"))


@pytest.mark.parametrize("slug", slugs())
def test_article_mounts_every_figure_cleanly_and_passes_axe(browser, serve, page_errors, site, slug):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    log = page_errors(page)
    page.goto(serve(site) + f"repo/{slug}/")
    figures = page.locator("figure[data-figure]")
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        page.wait_for_function(
            "el => ['ready', 'error'].includes(el.dataset.state)", arg=figure.element_handle(), timeout=READY_TIMEOUT
        )
        assert figure.get_attribute("data-state") == "ready", figure.locator(".figure-status").inner_text()
    log.assert_clean()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    assert result == [], result
    context.close()


def test_index_lists_every_article_and_passes_axe(browser, serve, site):
    page = browser.new_page()
    page.goto(serve(site) + "repo/")
    assert page.locator(".article-list a").count() >= len(slugs()) - 0
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("async () => (await axe.run()).violations.map(v => v.id)") == []
    page.close()
