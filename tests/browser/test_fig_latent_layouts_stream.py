"""latent-layouts and decoder-sampler with streamed images (``images: stream``; the default above 20,000 points),
in Chromium.

A tiny build (2,000 MNIST digits, 7 tiles of 324) proves what the full scale relies on: at first mount the
figure fetches no tile and not the layout it does not show (the page budget counts neither); the points are
dots and the status line says so; zoomed in on a corner it fetches the tiles in view, and only those, and
draws their images; a hovered point's tile comes first; picking the other layout fetches it then and morphs;
without WebGL nothing of the stream is fetched. The decoder-sampler fetches only the tiles of the neighbours it
shows, and a probe moved far away fetches theirs. Which tiles a view wants, the order, cancelling and the cap
on kept tiles are unit-tested in tests/node/tiles.test.mjs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.first_mount import assert_first_mount_only
from tests.browser.test_fig_latent_layouts import NO_WEBGL
from tests.browser.waits import READY_TIMEOUT, TIMEOUT, frames, wait_until
from tests.conftest import Project

pytestmark = pytest.mark.browser

ARTICLE = """\
---
title: Streamed sprites
description: Digits as dots first, their images as the reader zooms in.
date: 2026-01-02
---

## Digits

```figure
kind: latent-layouts
id: fig-stream
dataset: mnist
layouts: [pca, umap]
images: stream
caption: Every digit, streamed.
```

## A probe

```figure
kind: decoder-sampler
id: fig-sampler
model: mnist_ae
images: stream
caption: The neighbours' images, streamed.
```
"""
FIG, SEL = "fig-stream", "#fig-stream"
PATH = "repo/streamed/"


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    root = tmp_path_factory.mktemp("stream")
    project = Project(root / "site")
    project.write("site.toml", '[site]\ntitle = "Test site"\n')
    project.write("content/streamed.md", ARTICLE)
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www


def call(page, expr, arg=None):
    return page.evaluate(f"(arg) => {{ const f = document.querySelector('{SEL}').__figure; return ({expr}); }}", arg)


def open_ready(page, address: str, figure: str = FIG) -> None:
    """Go to ``address`` and wait until ``figure`` (an id) has mounted."""
    page.goto(address)
    page.locator(f"#{figure}").scroll_into_view_if_needed(timeout=READY_TIMEOUT)
    assert page.evaluate(f"window.__explorables.whenReady('{figure}')") == "ready"


def tile_urls(urls: list[str], kind: str = "latent-layouts") -> list[str]:
    return [u for u in urls if "/tiles/tile-" in u and f"/figures/{kind}-" in u]


def test_first_mount_fetches_no_tile_and_draws_dots(page, page_errors, serve, built):
    log = page_errors(page)
    root = serve(built)
    urls = assert_first_mount_only(page, built, root, PATH)
    assert any(u.endswith("/pca.u16") for u in urls) and not tile_urls(urls)
    assert not any(u.endswith("/umap.u16") for u in urls)
    info = call(page, "f.stream()")
    assert info["streamed"] and info["wanted"] == 0 and info["tiles"] == [], info
    assert "2,000 digits drawn as dots" in info["status"]
    assert page.locator(f"{SEL} .latent-layouts__status").is_visible()
    pixels = call(page, "f.pixels()")
    assert pixels["painted"] > 2000, pixels  # the dots
    report = (built / "repo" / "build-report.json").read_text()
    assert '"explored_files"' in report
    assert log.page_errors == [] and log.console_errors == [] and log.failed_requests == []


def wait_for_tiles_in_view(page):
    wait_until(
        page,
        f"() => {{ const s = document.querySelector('{SEL}').__figure.stream(); "
        "return s.wanted > 0 && s.loadedInView === s.wanted && s.loading === 0; }",
        timeout=TIMEOUT,
        show=f"() => JSON.stringify(document.querySelector('{SEL}').__figure.stream())",
    )
    return call(page, "f.stream()")


def assert_points_in_view_have_their_images(page, info):
    """Every point drawn inside the view belongs to a loaded tile (else it would still be a dot)."""
    inside = call(
        page,
        "Array.from({length: 2000}, (_, i) => i).filter((i) => f.clientOf(i).inside)"
        ".map((i) => Math.floor(i / f.stream().perTile))",
    )
    assert inside and set(inside) <= set(info["tiles"]), (sorted(set(inside)), info)


def tile_numbers(urls, kind: str = "latent-layouts"):
    return [int(u.rsplit("-", 1)[1].split(".")[0]) for u in tile_urls(urls, kind)]


def test_a_zoomed_in_view_fetches_the_tiles_in_view_and_only_those(page, page_errors, serve, built):
    log = page_errors(page)
    open_ready(page, serve(built) + PATH + f"#{FIG}=pca@10,-0.45,-0.3")  # a link to a corner, zoomed in
    info = wait_for_tiles_in_view(page)
    assert 0 < info["wanted"] < 7, info  # a corner: not every tile
    fetched = tile_numbers(log.urls)
    assert set(info["tiles"]) <= set(fetched) and len(set(fetched)) < 7, (fetched, info)  # in view, not all
    assert_points_in_view_have_their_images(page, info)
    assert page.locator(f"{SEL} .latent-layouts__status").is_hidden()
    assert log.page_errors == [] and log.console_errors == [] and log.failed_requests == []


def test_zooming_in_with_the_keys_brings_the_images_in_view(page, page_errors, serve, built):
    log = page_errors(page)
    open_ready(page, serve(built) + PATH)
    before = call(page, "f.pixels()")
    page.locator(f"{SEL} .latent-layouts__stage").focus()
    for _ in range(8):
        page.keyboard.press("+")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowDown")
    frames(page, 3)  # the last key's frame has drawn, and asked for its view's tiles
    info = wait_for_tiles_in_view(page)
    fetched = tile_numbers(log.urls)
    assert set(info["tiles"]) <= set(fetched), (fetched, info)  # (a tile may be cancelled and asked again)
    assert_points_in_view_have_their_images(page, info)
    after = call(page, "f.pixels()")
    assert after["hash"] != before["hash"] and after["variance"] > 0
    assert log.page_errors == [] and log.console_errors == [] and log.failed_requests == []


def test_a_hovered_point_brings_its_tile_and_the_other_layout_loads_when_picked(page, page_errors, serve, built):
    log = page_errors(page)
    open_ready(page, serve(built) + PATH)
    picked = call(page, "f.pickable()")
    where = call(page, "f.clientOf(arg)", picked["index"])
    page.mouse.move(where["x"], where["y"])
    tile = picked["index"] // call(page, "f.stream().perTile")
    wait_until(page, f"() => document.querySelector('{SEL}').__figure.stream().tiles.includes({tile})")
    assert tile_numbers(log.urls) == [tile]
    page.locator(f"{SEL} .latent-layouts__tip").wait_for(state="visible")

    assert not any(u.endswith("/umap.u16") for u in log.urls)
    page.locator(f"{SEL} [data-layout-buttons] button[data-layout='umap']").click()
    wait_until(page, f"() => document.querySelector('{SEL}').__figure.state().layout === 'umap'")
    call(page, "f.idle()")
    assert sum(u.endswith("/umap.u16") for u in log.urls) == 1
    page.wait_for_function(f"location.hash.includes('{FIG}=umap')")
    assert log.page_errors == [] and log.console_errors == [] and log.failed_requests == []


def test_without_webgl_nothing_of_the_stream_is_fetched(browser, serve, built, page_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(NO_WEBGL)
    page = context.new_page()
    log = page_errors(page)
    page.goto(serve(built) + PATH)
    page.locator(SEL).scroll_into_view_if_needed()
    assert page.evaluate(f"window.__explorables.whenReady('{FIG}')") == "error"
    assert page.locator(f"{SEL} img.figure-fallback").is_visible()
    frames(page, 10)  # a late fetch would show by now
    mine = [u for u in log.urls if "/figures/latent-layouts-" in u]  # the decoder-sampler needs no WebGL
    assert mine and not any(u.endswith((".u16", ".webp", ".u8")) for u in mine), mine
    context.close()


SAMPLER = "#fig-sampler"
NEIGHBOUR_VARIANCE = """() => [...document.querySelectorAll('#fig-sampler .decoder-neighbours canvas')].map((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = 0, s2 = 0; const n = d.length / 4;
  for (let i = 0; i < d.length; i += 4) { s += d[i]; s2 += d[i] * d[i]; }
  return s2 / n - (s / n) ** 2;
})"""


def sampler(page, expr, arg=None):
    return page.evaluate(
        f"(arg) => {{ const f = document.querySelector('{SAMPLER}').__figure; return ({expr}); }}", arg
    )


def wait_for_neighbours(page):
    wait_until(
        page,
        f"() => {{ const t = document.querySelector('{SAMPLER}').__figure.tiles(); "
        "return t.wanted > 0 && t.loadedInView === t.wanted && t.loading === 0; }",
        show=f"() => JSON.stringify(document.querySelector('{SAMPLER}').__figure.tiles())",
    )
    wait_until(page, f"() => ({NEIGHBOUR_VARIANCE})().every((v) => v > 100)", show=NEIGHBOUR_VARIANCE)


def test_the_decoder_sampler_fetches_the_tiles_of_the_neighbours_it_shows(page, page_errors, serve, built):
    log = page_errors(page)
    open_ready(page, serve(built) + PATH, "fig-sampler")
    wait_for_neighbours(page)
    (config,) = [json.loads(p.read_text()) for p in built.glob("repo/figures/decoder-sampler-*/config.json")]
    per_tile = config["atlas"]["per_atlas"]
    first = sorted({i // per_tile for i in sampler(page, "f.neighbours()")})
    assert sorted(tile_numbers(log.urls, "decoder-sampler")) == first  # those tiles, nothing else
    # the first neighbours' tiles load at mount (the budget counts them); the far ones only by exploring
    assert config["explore"] and not {f"tiles/tile-{t}.webp" for t in first} & set(config["explore"])
    sampler(page, "f.setProbe(arg[0], arg[1])", config["extent"]["max"])  # the far corner of the codes
    wait_for_neighbours(page)
    later = {i // per_tile for i in sampler(page, "f.neighbours()")}
    assert later <= set(tile_numbers(log.urls, "decoder-sampler")), (later, log.urls)
    assert len(tile_numbers(log.urls, "decoder-sampler")) < len(config["atlas"]["files"])
    assert log.page_errors == [] and log.console_errors == [] and log.failed_requests == []
