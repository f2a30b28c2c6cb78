"""The built site in Chromium: pages load cleanly, figures mount when scrolled to, nothing leaves 127.0.0.1."""

import pytest

from tests.browser.first_mount import assert_first_mount_only
from tests.browser.waits import READY_TIMEOUT
from tests.conftest import ARTICLE

pytestmark = pytest.mark.browser

LONG_ARTICLE = ARTICLE.replace(
    "## First section\n", "## First section\n\n" + "A paragraph of prose to push the figure down.\n\n" * 60
)


@pytest.fixture
def site_url(project, serve, tmp_path):
    project.write("content/test-article.md", LONG_ARTICLE)
    project.build("--base-url", "/repo/", "--out", str(tmp_path / "www" / "repo"), check=True)
    return serve(tmp_path / "www") + "repo/"


def assert_clean(log):
    log.assert_clean()


def test_index_loads_cleanly(page, page_errors, site_url):
    log = page_errors(page)
    page.goto(site_url)
    assert page.title() == "Test site"
    page.click("text=A test article")
    page.wait_for_selector("h1:has-text('A test article')")
    assert_clean(log)


def test_figure_mounts_only_when_scrolled_to(page, page_errors, site_url, tmp_path):
    log = page_errors(page)
    page.goto(site_url + "test-article/")
    page.wait_for_load_state("networkidle")
    figure = page.locator("figure[data-figure='image-grid']")
    assert figure.get_attribute("data-state") in (None, ""), "mounted before it was near the viewport"
    # the kind's style.css is linked by the page; its payload and module wait for the figure
    assert not any("/figures/" in u and not u.endswith("/style.css") for u in log.urls), (
        "payload fetched before the figure was near"
    )
    figure.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('figure[data-figure]').dataset.state === 'ready'", timeout=READY_TIMEOUT
    )
    variance = page.evaluate("""() => {
        const c = document.querySelector('figure[data-figure] canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0, s2 = 0, n = d.length / 4;
        for (let i = 0; i < d.length; i += 4) { s += d[i]; s2 += d[i] * d[i]; }
        return s2 / n - (s / n) ** 2;
    }""")
    assert variance > 10
    # a fresh load, every figure mounted: nothing under a figure's "explore" URLs (this figure lists none)
    urls = assert_first_mount_only(page, tmp_path / "www", site_url.removesuffix("repo/"), "repo/test-article/")
    assert any(u.endswith("/config.json") for u in urls) and any(u.endswith("/grid.png") for u in urls), urls
    assert_clean(log)


def test_math_and_code_render_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "test-article/")
    assert page.locator(".katex").count() >= 1
    assert page.locator("figure img.figure-fallback").is_visible()
    context.close()


def test_404_page(page, site_url):
    response = page.goto(site_url + "404.html")
    assert response.ok and "Page not found" in page.content()


def test_vendor_modules_import_in_the_page(page, page_errors, site_url):
    log = page_errors(page)
    page.goto(site_url + "test-article/")
    kinds = page.evaluate("""async () => {
        const d3 = await import('d3');
        const tf = await import('@tensorflow/tfjs');
        const THREE = await import('three');
        return [typeof d3.scaleLinear, typeof tf.tensor, typeof THREE.Scene];
    }""")
    assert kinds == ["function", "function", "function"]
    assert log.page_errors == [] and log.console_errors == []
