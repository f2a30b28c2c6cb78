"""The figure runtime (assets/js/runtime.js) and the image-grid figure, tested
on a hand-written page served from a sub-path, as on GitHub project pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.waits import READY_TIMEOUT

Image = pytest.importorskip("PIL.Image")
ImageDraw = pytest.importorskip("PIL.ImageDraw")
ImageFont = pytest.importorskip("PIL.ImageFont")

FIXTURE = Path(__file__).parent / "fixtures" / "runtime-site"
SUB_PATH = "repo"
CELL, COLS = 28, 10
BROKEN = {"fig-missing-module", "fig-missing-config", "fig-throws"}
ERROR_TAIL = "The image above shows it as built."

PIXEL_VARIANCE = """(selector) => {
  const canvas = document.querySelector(selector);
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0, sumSq = 0;
  const n = data.length / 4;
  for (let i = 0; i < data.length; i += 4) {
    const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += v; sumSq += v * v;
  }
  return sumSq / n - (sum / n) ** 2;
}"""


def digit_sheet() -> Image.Image:
    """Ten distinct 28x28 grayscale cells, a digit drawn in each."""
    sheet = Image.new("L", (CELL * COLS, CELL), 0)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=22)
    for digit in range(COLS):
        draw.text((digit * CELL + CELL / 2, CELL / 2), str(digit), fill=255, font=font, anchor="mm")
    return sheet


@pytest.fixture
def site(tmp_path, copy_assets):
    """The fixture page laid out under /repo/ with assets, configs and images."""
    root = tmp_path / SUB_PATH
    root.mkdir()
    copy_assets(root)
    html = (FIXTURE / "index.html").read_text(encoding="utf-8")
    (root / "index.html").write_text(html.replace("{base}", f"/{SUB_PATH}/"), encoding="utf-8")
    shutil.copy(FIXTURE / "throws.js", root / "throws.js")
    sheet = digit_sheet()
    for name in ("digits", "far"):
        figure_dir = root / "figures" / name
        figure_dir.mkdir(parents=True)
        shutil.copy(FIXTURE / "figures" / "digits" / "config.json", figure_dir / "config.json")
        sheet.save(figure_dir / "grid.png")
        sheet.resize((CELL * COLS * 2, CELL * 2), Image.NEAREST).save(figure_dir / "fallback.png")
    return tmp_path


@pytest.fixture
def opened(page, page_log, serve, site):
    """The fixture page, loaded, with the figures near the top settled."""
    page.add_init_script(
        "document.addEventListener('figure:ready', (e) => (window.readyEvents ||= []).push(e.detail.id))"
    )
    page.goto(serve(site) + f"{SUB_PATH}/", wait_until="load")
    settle(page, "fig-strip")
    scroll_to(page, "#fig-throws")
    for figure_id in BROKEN:
        settle(page, figure_id)
    page.evaluate("window.scrollTo(0, 0)")
    return page


def settle(page, figure_id, timeout=READY_TIMEOUT):
    """Wait until a figure is ready or has failed; return its state."""
    page.wait_for_function(
        "(id) => ['ready', 'error'].includes(window.__explorables.figures[id].state)",
        arg=figure_id,
        timeout=timeout,
    )
    return page.evaluate("(id) => window.__explorables.whenReady(id)", figure_id)


def figure_state(page, figure_id):
    return page.evaluate("(id) => window.__explorables.figures[id]", figure_id)


def scroll_to(page, selector):
    page.evaluate("(s) => document.querySelector(s).scrollIntoView({block: 'center'})", selector)


def test_figure_far_below_the_fold_mounts_only_when_scrolled_to(opened, page_log):
    assert figure_state(opened, "fig-far")["state"] == "idle"
    assert opened.get_attribute("#fig-far", "data-state") is None
    far_payload = ("/figures/far/config.json", "/figures/far/grid.png")
    assert not any(url.endswith(far_payload) for url in page_log.urls)

    scroll_to(opened, "#fig-far")
    assert settle(opened, "fig-far") == "ready"
    state = figure_state(opened, "fig-far")
    assert state["state"] == "ready" and state["mountedAt"] > 0
    assert "is-live" in opened.get_attribute("#fig-far", "class")
    assert opened.is_hidden("#fig-far .figure-fallback")
    assert opened.evaluate(PIXEL_VARIANCE, "#fig-far canvas.image-grid__cells") > 0
    assert opened.evaluate(PIXEL_VARIANCE, "#fig-far canvas.image-grid__zoom") > 0


def test_ready_figure_fires_its_event_and_resolves_payload_under_the_sub_path(opened):
    assert opened.get_attribute("#fig-strip", "data-state") == "ready"
    assert opened.evaluate("window.readyEvents") == ["fig-strip"]
    assert opened.text_content("#fig-strip .figure-status") == ""
    # the grid image resolved against config.base, under the sub-path
    assert opened.evaluate(
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('/repo/figures/digits/grid.png'))"
    )


@pytest.mark.parametrize(
    ("figure_id", "reason"),
    [
        ("fig-missing-module", "its script failed to load"),
        ("fig-missing-config", "settings file: HTTP 404"),
        ("fig-throws", "deliberate failure for the test"),
    ],
)
def test_broken_figure_shows_message_and_keeps_fallback(opened, figure_id, reason):
    assert figure_state(opened, figure_id)["state"] == "error"
    assert opened.get_attribute(f"#{figure_id}", "data-state") == "error"
    status = opened.locator(f"#{figure_id} .figure-status")
    assert status.is_visible()
    assert status.text_content() == (f"This interactive figure could not load ({reason}). {ERROR_TAIL}")
    fallback = opened.locator(f"#{figure_id} .figure-fallback")
    assert fallback.is_visible()
    assert fallback.evaluate("img => img.complete && img.naturalWidth > 0")


def test_only_the_broken_figures_log_errors_and_nothing_leaves_localhost(opened, page_log):
    scroll_to(opened, "#fig-far")
    settle(opened, "fig-far")
    assert page_log.page_errors == []
    missing = ("/assets/js/figures/does-not-exist.js", "/figures/missing/config.json")
    unexpected = [
        (text, url)
        for text, url in page_log.console_errors
        if not url.endswith(missing) and not any(f"#{i}" in text for i in BROKEN)
    ]
    assert unexpected == []
    assert len(page_log.console_errors) >= len(BROKEN)
    assert {url.split(f"/{SUB_PATH}")[1] for url, _ in page_log.failed_requests} == set(missing)
    assert page_log.hosts == {"127.0.0.1"}


def test_keyboard_selection_is_announced(opened):
    grid = opened.locator("#fig-strip .image-grid")
    assert grid.get_attribute("role") == "group"
    assert "arrow keys" in grid.get_attribute("aria-label")
    for _ in range(30):
        opened.keyboard.press("Tab")
        if opened.evaluate("document.activeElement.matches('#fig-strip .image-grid')"):
            break
    else:
        pytest.fail("Tab never reached the image grid")
    status = opened.locator("#fig-strip .figure-status")
    before = status.text_content()
    opened.keyboard.press("ArrowRight")
    assert status.text_content() == "Image 2 of 10, label 1"
    assert status.text_content() != before
    opened.keyboard.press("End")
    assert status.text_content() == "Image 10 of 10, label 9"
    assert opened.text_content("#fig-strip .image-grid__label") == "Image 10: label 9"


def test_pointer_selection_is_announced(opened):
    box = opened.locator("#fig-strip canvas.image-grid__cells").bounding_box()
    opened.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] / 3)
    assert opened.text_content("#fig-strip .figure-status") == "Image 5 of 10, label 4"


def test_figures_pause_off_screen_and_when_the_tab_is_hidden(opened):
    scroll_to(opened, "#fig-far")
    settle(opened, "fig-far")
    opened.wait_for_function("!window.__explorables.figures['fig-far'].paused")
    opened.wait_for_function("window.__explorables.figures['fig-strip'].paused")

    opened.evaluate("window.scrollTo(0, 0)")
    opened.wait_for_function("window.__explorables.figures['fig-far'].paused")
    opened.wait_for_function("!window.__explorables.figures['fig-strip'].paused")

    set_hidden = """(hidden) => {
      Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
      document.dispatchEvent(new Event("visibilitychange"));
    }"""
    opened.evaluate(set_hidden, True)
    assert figure_state(opened, "fig-strip")["paused"] is True
    opened.evaluate(set_hidden, False)
    assert figure_state(opened, "fig-strip")["paused"] is False
    assert figure_state(opened, "fig-far")["paused"] is True
    # failed figures have nothing to pause
    assert all(figure_state(opened, i)["paused"] is False for i in BROKEN)


def test_image_grid_destroy_removes_its_elements_and_listeners(opened):
    result = opened.evaluate(
        """async () => {
          const figure = document.querySelector("#fig-strip").cloneNode(true);
          figure.id = "fig-clone";
          figure.querySelector(".figure-live").replaceChildren();
          document.querySelector(".article-body").append(figure);
          const { mount } = await import(document.querySelector("#fig-strip").dataset.module);
          const config = await (await fetch(figure.dataset.config)).json();
          config.base = new URL(".", new URL(figure.dataset.config, document.baseURI)).href;
          const handle = await mount(figure, config);
          const grid = figure.querySelector(".image-grid");
          grid.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight"}));
          const announced = figure.querySelector(".figure-status").textContent;
          handle.destroy();
          grid.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight"}));
          return {
            announced,
            after: figure.querySelector(".figure-status").textContent,
            left: figure.querySelector(".figure-live").children.length,
          };
        }"""
    )
    assert result == {"announced": "Image 2 of 10, label 1", "after": "", "left": 0}
