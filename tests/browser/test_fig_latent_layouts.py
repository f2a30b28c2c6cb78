"""The latent-layouts figure in Chromium, built at --scale tiny with two layouts (PCA, autoencoder).

One project is built for the whole module (the build trains the tiny
autoencoder). Every test opens the article afresh and drives the figure as a
reader would: buttons, keys, wheel, drag, hover and the URL hash.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from tests.browser.waits import READY_TIMEOUT, TIMEOUT, frames
from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

FIG = "fig-layouts"
SEL = f"#{FIG}"
ARTICLE = (
    f"""\
---
title: Visualizing autoencoders
description: Digits on a plane.
date: 2026-01-02
---

## Layouts

Some prose before the figure.

```figure
kind: latent-layouts
dataset: mnist
layouts: [pca, encoder]
id: {FIG}
caption: Two ways to put the digits on a plane.
```

Some prose after the figure.
"""
    + "\nMore prose, so that the page scrolls past the figure.\n" * 40
)


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    """The built site (served from /repo/) and its output folder."""
    return subpath_site(tmp_path_factory.mktemp("latent-layouts"), shared_cache, {"autoencoders.md": ARTICLE})


@pytest.fixture
def url(site, serve):
    return serve(site) + "repo/autoencoders/"


def call(page, expr, arg=None):
    """Evaluate `expr` (a function of the figure's test hook) in the page."""
    return page.evaluate(f"(arg) => {{ const f = document.querySelector('{SEL}').__figure; return ({expr}); }}", arg)


def open_figure(page, address):
    page.goto(address)
    page.locator(SEL).scroll_into_view_if_needed(timeout=READY_TIMEOUT)
    assert page.evaluate(f"window.__explorables.whenReady('{FIG}')") == "ready"  # resolves once it settles
    call(page, "f.idle()")


def hash_of(page):
    return page.evaluate("location.hash")


def assert_clean(log):
    log.assert_clean()


def payload_dirs(site: Path) -> tuple[Path, list[Path]]:
    """The figure's own payload folder and the shared artifact folders its config points at."""
    (folder,) = (site / "repo" / "figures").glob("latent-layouts-*")
    config = json.loads((folder / "config.json").read_text())
    shared = {(folder / config["atlas"]["base"]).resolve(), (folder / config["labels"]).resolve().parent}
    return folder, sorted(shared)


def test_mounts_cleanly_and_draws_the_points(page, page_errors, url):
    log = page_errors(page)
    open_figure(page, url)
    assert page.locator(f"{SEL} .latent-layouts__stage > canvas").count() == 1
    pixels = call(page, "f.pixels()")
    assert pixels["variance"] > 100 and pixels["painted"] > 2000, pixels
    state = call(page, "f.state()")
    assert state["layout"] == "pca" and state["view"] == state["home"]
    assert state["home"]["zoom"] >= 1  # the layout's box fills the canvas
    buttons = page.locator(f"{SEL} [data-layout-buttons] button")
    texts = [" ".join(t.split()) for t in buttons.all_inner_texts()]  # "PCA · , trustworthiness 0.74"
    assert re.fullmatch(r"PCA · \S* ?(trustworthiness )?0\.\d\d", texts[0]), texts
    assert re.fullmatch(r"Autoencoder · \S* ?(trustworthiness )?0\.\d\d", texts[1]), texts
    assert page.locator(f"{SEL} .figure-legend button").count() == 10
    assert call(page, "f.gl()") == {"buffers": 3, "textures": 1, "programs": 1}
    assert_clean(log)


def test_fallback_image_exists_and_is_referenced(site, page, url):
    folder, _ = payload_dirs(site)
    meta_src = folder / "fallback.png"
    assert meta_src.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.goto(url)
    img = page.locator(f"{SEL} img.figure-fallback")
    assert img.get_attribute("src").endswith("/fallback.png")
    assert "PCA" in img.get_attribute("alt")
    response = page.request.get(page.evaluate(f"document.querySelector('{SEL} img.figure-fallback').src"))
    assert response.ok and response.body() == meta_src.read_bytes()


def test_clicking_a_layout_button_morphs_and_updates_the_hash(page, page_errors, url):
    log = page_errors(page)
    open_figure(page, url)
    before = call(page, "f.pixels()")
    page.click(f"{SEL} button[data-layout='encoder']")
    assert call(page, "f.state().layout") == "encoder"
    assert page.get_attribute(f"{SEL} button[data-layout='encoder']", "aria-pressed") == "true"
    assert page.get_attribute(f"{SEL} button[data-layout='pca']", "aria-pressed") == "false"
    call(page, "f.idle()")
    after = call(page, "f.pixels()")
    assert after["hash"] != before["hash"] and after["painted"] > 500
    page.wait_for_function(f"location.hash.includes('{FIG}=encoder')")
    assert "Autoencoder" in page.locator(f"{SEL} .figure-status").inner_text()
    stats = call(page, "f.morphStats()")
    assert stats["frames"] >= 2
    baseline = page.evaluate("""() => new Promise((resolve) => {
        const times = [];
        const tick = (t) => { times.push(t); if (times.length < 21) requestAnimationFrame(tick); else resolve((times[20] - times[0]) / 20); };
        requestAnimationFrame(tick);
    })""")
    print(
        f"\nmorph at zoom 1: {stats}; an idle page's frame: {baseline:.1f} ms; "
        f"ratio {stats['meanFrameMs'] / baseline:.1f}"
    )
    assert_clean(log)


def test_keyboard_alone_switches_layouts_and_zooms(page, url):
    open_figure(page, url)
    page.evaluate(f"""() => {{ const h = document.querySelector('{SEL}'); h.tabIndex = -1; h.focus(); }}""")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.layout") == "pca"  # the pressed button takes the Tab stop
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.layout") == "encoder"
    page.keyboard.press("Enter")
    assert call(page, "f.state().layout") == "encoder"
    call(page, "f.idle()")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press(" ")
    assert call(page, "f.state().layout") == "pca"
    call(page, "f.idle()")
    page.keyboard.press("Tab")  # out of the toolbar (one Tab stop) to the plot
    assert page.evaluate("document.activeElement.classList.contains('latent-layouts__stage')")
    before = call(page, "f.pixels()")
    home = call(page, "f.state().home")
    page.keyboard.press("+")
    page.keyboard.press("+")
    state = call(page, "f.state()")
    assert state["view"]["zoom"] == pytest.approx(home["zoom"] * 2.25)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    moved = call(page, "f.state().view")
    assert moved["cx"] > home["cx"] and moved["cy"] > home["cy"]
    assert call(page, "f.pixels()")["hash"] != before["hash"]
    assert re.search(r"Zoom \d+\.\d×", page.locator(f"{SEL} .figure-status").inner_text())
    page.keyboard.press("Enter")  # inspect the digit under the crosshair
    assert call(page, "f.state().hover") >= 0
    page.locator(f"{SEL} .latent-layouts__tip").wait_for(state="visible")
    page.keyboard.press("0")
    assert call(page, "f.state().view") == home


def test_zoom_and_pan_are_clamped_to_the_data(page, url):
    open_figure(page, url)
    page.focus(f"{SEL} .latent-layouts__stage")
    page.keyboard.press("-")
    state = call(page, "f.state()")
    assert state["view"] == state["home"], "zoomed out past the whole layout"
    for _ in range(30):
        page.keyboard.press("+")
    state = call(page, "f.state()")
    assert state["view"]["zoom"] == state["size"]["maxZoom"]
    for key in ("ArrowRight", "ArrowUp"):
        for _ in range(80):
            page.keyboard.press(key)
    view = call(page, "f.state().view")
    assert 0 < view["cx"] <= 1.06 and 0 < view["cy"] <= 1.06  # the data's box is within [-1, 1]
    assert call(page, "f.pixels()")["painted"] > 50, "panned off the data"
    assert page.get_attribute(f"{SEL} .latent-layouts__zoom button[aria-label='Zoom in']", "aria-disabled") == "true"


def test_wheel_zooms_about_the_pointer_and_drag_pans(page, url):
    open_figure(page, url)
    box = page.locator(f"{SEL} .latent-layouts__stage > canvas").bounding_box()
    cx, cy = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)
    page.wait_for_function(
        f"(() => {{ const s = document.querySelector('{SEL}').__figure.state(); return s.view.zoom > 1.5 * s.home.zoom; }})()"
    )
    view = call(page, "f.state().view")
    assert view["cx"] > call(page, "f.state().home.cx"), "zoom should keep the point under the pointer in place"
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy + 40, steps=4)
    page.mouse.up()
    panned = call(page, "f.state().view")  # the content follows the pointer: right and down
    assert panned["cx"] < view["cx"] and panned["cy"] > view["cy"]
    page.wait_for_function(f"location.hash.startsWith('#{FIG}=pca@')")
    # fully zoomed out, a wheel scroll down moves the page instead
    page.focus(f"{SEL} .latent-layouts__stage")
    page.keyboard.press("0")
    scroll = page.evaluate("scrollY")
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, 300)
    page.wait_for_function(f"scrollY > {scroll}")
    state = call(page, "f.state()")
    assert state["view"] == state["home"]


def test_pinch_zooms(browser, serve, site):
    context = browser.new_context(viewport={"width": 420, "height": 800}, has_touch=True, is_mobile=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    open_figure(page, serve(site) + "repo/autoencoders/")
    box = page.locator(f"{SEL} .latent-layouts__stage > canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = context.new_cdp_session(page)

    def touch(kind, spread):
        points = [] if kind == "touchEnd" else [{"x": x - spread, "y": y, "id": 0}, {"x": x + spread, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", 20)
    for spread in range(30, 100, 10):
        touch("touchMove", spread)
    touch("touchEnd", 0)
    state = call(page, "f.state()")
    assert state["view"]["zoom"] > 2 * state["home"]["zoom"]
    context.close()


def test_the_hash_reopens_layout_and_view_and_keeps_other_entries(page, page_errors, url):
    log = page_errors(page)
    open_figure(page, url + f"#other=1&{FIG}=encoder@2,0,0.2")
    state = call(page, "f.state()")
    assert state["layout"] == "encoder" and not state["morphing"]
    assert state["view"]["zoom"] == pytest.approx(2)
    assert state["view"]["cy"] == pytest.approx(0.2, abs=1e-6)
    assert page.get_attribute(f"{SEL} button[data-layout='encoder']", "aria-pressed") == "true"
    page.click(f"{SEL} button[data-layout='pca']")
    page.wait_for_function(f"location.hash.includes('{FIG}=pca')")
    assert hash_of(page).startswith("#other=1&")
    # editing the hash by hand (hashchange) is followed too
    page.evaluate(f"location.hash = 'other=1&{FIG}=encoder'")
    page.wait_for_function(f"document.querySelector('{SEL}').__figure.state().layout === 'encoder'")
    assert_clean(log)


def test_hovering_a_point_shows_the_digit_enlarged_with_its_label(page, url):
    open_figure(page, url)
    picked = call(page, "f.pickable()")
    assert picked is not None
    where = call(page, "f.clientOf(arg)", picked["index"])
    page.mouse.move(where["x"], where["y"])
    tip = page.locator(f"{SEL} .latent-layouts__tip")
    tip.wait_for(state="visible")
    assert call(page, "f.state().hover") == picked["index"]
    assert f"Digit {picked['label']}" in tip.inner_text()
    variance = page.evaluate(f"""() => {{
        const c = document.querySelector('{SEL} .latent-layouts__tip canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0, s2 = 0; const n = d.length / 4;
        for (let i = 0; i < d.length; i += 4) {{ s += d[i]; s2 += d[i] * d[i]; }}
        return s2 / n - (s / n) ** 2;
    }}""")
    assert variance > 100, "the enlarged digit is blank"
    page.mouse.move(5, 5)
    tip.wait_for(state="hidden")


def test_reduced_motion_switches_instantly(browser, serve, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    open_figure(page, serve(site) + "repo/autoencoders/")
    page.click(f"{SEL} button[data-layout='encoder']")
    state = call(page, "f.state()")
    assert state["layout"] == "encoder" and not state["morphing"]
    assert call(page, "f.morphStats()") is None
    context.close()


def test_renders_on_demand_and_fits_a_phone(browser, serve, site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    open_figure(page, serve(site) + "repo/autoencoders/")
    frames(page, 3)  # a draw requested while mounting has run
    idle = call(page, "f.state().drawCount")
    frames(page, 30)  # the page renders frames: an idle figure draws in none of them
    assert call(page, "f.state().drawCount") == idle, "the figure draws while nothing changes"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert call(page, "f.state().size.width") <= 300
    assert call(page, "f.pixels()")["painted"] > 1000
    context.close()


def test_payload_is_small(site, capsys):
    folder, shared = payload_dirs(site)

    def weigh(files):
        files = [f for f in files if f.is_file()]
        return sum(f.stat().st_size for f in files), sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)

    own, own_gz = weigh(folder.iterdir())
    common, common_gz = weigh([f for d in shared for f in d.iterdir()])
    with capsys.disabled():
        print(
            f"\nlatent-layouts payload at tiny: figure {own:,} B ({own_gz:,} B gzip); "
            f"shared atlas + labels {common:,} B ({common_gz:,} B gzip)"
        )
    assert own < 150_000


def test_legend_highlights_one_class(page, url):
    open_figure(page, url)
    before = call(page, "f.pixels()")
    one = page.locator(f"{SEL} .figure-legend button[data-class='1']")
    one.click()
    assert one.get_attribute("aria-pressed") == "true"
    assert call(page, "f.state().highlight") == 1
    dimmed = call(page, "f.pixels()")
    assert dimmed["mean"] < before["mean"], "the other classes should fade"
    assert "labelled 1" in page.locator(f"{SEL} .figure-status").inner_text()
    one.click()
    assert call(page, "f.state().highlight") == -1


def test_destroy_undoes_mount(page, url):
    open_figure(page, url)
    result = page.evaluate(f"""async () => {{
        const figure = document.querySelector('{SEL}');
        const mod = await import(new URL(figure.dataset.module, document.baseURI).href);
        const configUrl = new URL(figure.dataset.config, document.baseURI);
        const config = await (await fetch(configUrl)).json();
        Object.assign(config, {{ base: new URL('.', configUrl).href, reducedMotion: false, id: 'copy' }});
        const copy = figure.cloneNode(true);
        copy.id = 'copy';
        copy.querySelector('.figure-live').replaceChildren();
        document.body.append(copy);
        const handle = await mod.mount(copy, config);
        const live = copy.__figure.gl();
        handle.pause();
        handle.destroy();
        return {{ live, hook: '__figure' in copy, left: copy.querySelector('.figure-live').children.length,
                 styles: document.querySelectorAll('link[rel=stylesheet][href$="/latent-layouts/style.css"]').length }};
    }}""")
    assert result == {"live": {"buffers": 3, "textures": 1, "programs": 1}, "hook": False, "left": 0, "styles": 1}


# Init scripts that take WebGL away before the page's scripts run.
HIDE_CONTEXTS = """(() => {{
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {{
        return {hidden}.includes(type) ? null : original.call(this, type, ...rest);
    }};
}})();"""
NO_WEBGL2 = HIDE_CONTEXTS.format(hidden='["webgl2"]')
NO_WEBGL = HIDE_CONTEXTS.format(hidden='["webgl2", "webgl", "experimental-webgl"]')


def test_without_webgl2_it_draws_the_same_with_webgl1(browser, page, page_errors, url):
    open_figure(page, url)
    reference = call(page, "f.pixels()")
    assert call(page, "f.state().webgl") == 2
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="light")
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(NO_WEBGL2)
    page1 = context.new_page()
    log = page_errors(page1)
    open_figure(page1, url)
    state = call(page1, "f.state()")
    assert state["webgl"] == 1, state
    assert call(page1, "f.gl()") == {"buffers": 4, "textures": 1, "programs": 1}  # + the per-point cell buffer
    before = call(page1, "f.pixels()")
    assert before["variance"] > 100 and before["painted"] > 2000, before
    # the same look: as many pixels painted, as bright, as WebGL 2 draws them
    assert before["painted"] == pytest.approx(reference["painted"], rel=0.02), (before, reference)
    assert before["mean"] == pytest.approx(reference["mean"], rel=0.03), (before, reference)
    page1.click(f"{SEL} button[data-layout='encoder']")
    assert call(page1, "f.state().layout") == "encoder"
    call(page1, "f.idle()")
    # it morphed (a 900 ms animation: asking for `morphing` after the click would race it)
    assert call(page1, "f.morphStats()") is not None, "the layouts did not morph"
    after = call(page1, "f.pixels()")
    assert after["hash"] != before["hash"] and after["painted"] > 500
    page1.wait_for_function(f"location.hash.includes('{FIG}=encoder')")
    page1.focus(f"{SEL} .latent-layouts__stage")
    page1.keyboard.press("+")
    assert call(page1, "f.pixels()")["hash"] != after["hash"]
    assert_clean(log)
    context.close()


def test_without_webgl_the_fallback_image_stays_and_the_status_says_why(browser, url, page_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(NO_WEBGL)
    page = context.new_page()
    log = page_errors(page)
    page.goto(url)
    page.locator(SEL).scroll_into_view_if_needed()
    assert page.evaluate(f"window.__explorables.whenReady('{FIG}')") == "error"
    assert page.locator(f"{SEL} img.figure-fallback").is_visible()
    status = page.locator(f"{SEL} .figure-status").inner_text()
    assert "no WebGL" in status and "image above" in status, status
    assert page.locator(f"{SEL} canvas").count() == 0
    assert not any(u.endswith((".u16", ".webp", ".u8")) for u in log.urls), "fetched data it cannot draw"
    assert log.page_errors == [] and log.failed_requests == []
    assert all("WebGL" in text for text, _ in log.console_errors), log.console_errors  # only the runtime's report
    context.close()


def test_initial_must_be_one_of_the_layouts(project):
    project.write(
        "content/test-article.md", ARTICLE.replace("layouts: [pca, encoder]", "layouts: [pca]\ninitial: umap")
    )
    done = project.build("--out", str(project.root / "out"))
    assert done.returncode != 0
    assert "test-article.md" in done.stderr and "initial is 'umap'" in done.stderr and "pca" in done.stderr
