"""latent-layouts on an author's own images, in Chromium.

The site declares two ``[datasets.*]``: RGB 24x32 shapes (circle, square, triangle, each in its own colour)
in three class folders, and a flat folder of unlabelled dark pictures. The shapes figure (PCA and UMAP)
mounts, draws its sprites in the shapes' own colours (WebGL 2, and WebGL 1), lists the class names in its
legend, switches layouts, and shows a hovered point enlarged in colour at the images' 4:3 aspect with its
class name. The unlabelled figure draws every point in one colour and has no legend entries. Nothing logs
an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser.test_fig_latent_layouts import NO_WEBGL2
from tests.browser.waits import READY_TIMEOUT, wait_until
from tests.conftest import Project
from tests.datafiles import shape_image

pytestmark = pytest.mark.browser

SITE = """\
[site]
title = "Test site"

[datasets.shapes]
path = "data/shapes"
title = "Coloured shapes"
credit = "Drawn by the test suite"
licence = "CC0 1.0"

[datasets.loose]
path = "data/loose"
title = "Loose pictures"
"""
ARTICLE = """\
---
title: Own layouts
description: The author's own images on a plane.
date: 2026-01-02
---

## Shapes

```figure
kind: latent-layouts
id: fig-shapes
dataset: shapes
layouts: [pca, umap]
caption: Shapes on a plane.
```

```figure
kind: latent-layouts
id: fig-loose
dataset: loose
layouts: [pca]
caption: Pictures without labels.
```
"""
# Shape colours far from every colour of the class palette (Tableau 10), so a pixel of one is the image's own.
CLASSES = {"circle": (235, 20, 20), "square": (20, 220, 40), "triangle": (40, 50, 250)}
HEIGHT, WIDTH = 24, 32
PER_CLASS = 16
SHAPES, LOOSE = "#fig-shapes", "#fig-loose"
TABLEAU_BLUE, TABLEAU_ORANGE = (78, 121, 167), (242, 142, 43)  # the palette's first two: classes 0 and 1

# Draw the figure and copy its WebGL canvas in the same task (the drawing buffer is not preserved);
# count the pixels near each colour of `colours` (within 40 per channel).
COUNT_COLOURS = """([selector, colours]) => {
  const el = document.querySelector(selector);
  el.__figure.pixels();
  const gl = el.querySelector(".latent-layouts__stage > canvas");
  const copy = document.createElement("canvas");
  copy.width = gl.width;
  copy.height = gl.height;
  const ctx = copy.getContext("2d");
  ctx.drawImage(gl, 0, 0);
  const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
  const counts = colours.map(() => 0);
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] < 250) continue;
    colours.forEach(([r, g, b], k) => {
      if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) counts[k] += 1;
    });
  }
  return counts;
}"""
# The inset's canvas: its CSS size and its pixels near each colour of `colours`.
INSET = """([selector, colours]) => {
  const c = document.querySelector(selector + " .latent-layouts__tip canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const counts = colours.map(() => 0);
  for (let i = 0; i < d.length; i += 4) {
    colours.forEach(([r, g, b], k) => {
      if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) counts[k] += 1;
    });
  }
  return {width: parseFloat(c.style.width), height: parseFloat(c.style.height), counts};
}"""


def write_data(root: Path) -> None:
    rng = np.random.default_rng(11)
    for kind in CLASSES:
        folder = root / "data" / "shapes" / kind
        folder.mkdir(parents=True)
        for i in range(PER_CLASS):
            shape_image(kind, CLASSES[kind], rng, (HEIGHT, WIDTH), span=20).save(folder / f"{kind}-{i:02d}.png")
    loose = root / "data" / "loose"
    loose.mkdir(parents=True)
    for i in range(30):
        Image.fromarray(rng.integers(0, 70, (HEIGHT, WIDTH, 3), dtype=np.uint8), "RGB").save(loose / f"{i:02d}.png")


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    root = tmp_path_factory.mktemp("own-layouts")
    project = Project(root / "site")
    project.write("site.toml", SITE)
    project.write("content/own-layouts.md", ARTICLE)
    write_data(project.root)
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www


def call(page, selector, expr, arg=None):
    """Evaluate `expr` (a function of the figure's test hook `f`) in the page."""
    return page.evaluate(
        f"(arg) => {{ const f = document.querySelector('{selector}').__figure; return ({expr}); }}", arg
    )


def open_figure(page, address, selector):
    page.goto(address)
    page.locator(selector).scroll_into_view_if_needed(timeout=READY_TIMEOUT)
    assert page.evaluate(f"window.__explorables.whenReady('{selector[1:]}')") == "ready"
    call(page, selector, "f.idle()")


@pytest.fixture
def opened(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/own-layouts/", SHAPES)
    yield page
    log.assert_clean()


def assert_shape_colours(page):
    counts = page.evaluate(COUNT_COLOURS, [SHAPES, list(CLASSES.values())])
    assert min(counts) > 30, dict(zip(CLASSES, counts))  # every class's own colour is drawn


def test_sprites_are_drawn_in_the_images_colours_with_the_class_names(opened):
    state = call(opened, SHAPES, "f.state()")
    assert state["layout"] == "pca" and state["webgl"] == 2, state
    pixels = call(opened, SHAPES, "f.pixels()")
    assert pixels["painted"] > 500 and pixels["variance"] > 100, pixels
    assert_shape_colours(opened)
    legend = [" ".join(t.split()) for t in opened.locator(f"{SHAPES} .figure-legend button").all_inner_texts()]
    assert legend == list(CLASSES), legend
    assert "Classes" in opened.get_attribute(f"{SHAPES} .figure-legend", "aria-label")
    assert "hover an image" in opened.text_content(f"{SHAPES} .latent-layouts__hint")
    # a highlighted class: the others fade, so the highlighted class's colour outnumbers theirs
    opened.locator(f"{SHAPES} .figure-legend button", has_text="square").click()
    counts = opened.evaluate(COUNT_COLOURS, [SHAPES, list(CLASSES.values())])
    assert counts[1] > 30 and counts[0] == counts[2] == 0, counts
    assert "Highlighting images labelled square." in opened.text_content(f"{SHAPES} .figure-status")


def test_switching_to_umap_morphs_and_keeps_the_colours(opened):
    before = call(opened, SHAPES, "f.pixels()")
    opened.locator(f"{SHAPES} [data-layout-buttons] button[data-layout='umap']").click()
    call(opened, SHAPES, "f.idle()")
    assert call(opened, SHAPES, "f.state().layout") == "umap"
    after = call(opened, SHAPES, "f.pixels()")
    assert after["hash"] != before["hash"] and after["painted"] > 500, (before, after)
    assert_shape_colours(opened)


def test_hovering_a_point_shows_its_image_in_colour_at_its_aspect(opened):
    picked = call(opened, SHAPES, "f.pickable()")
    assert picked is not None and picked["label"] in CLASSES, picked
    where = call(opened, SHAPES, "f.clientOf(arg)", picked["index"])
    opened.mouse.move(where["x"], where["y"])
    tip = opened.locator(f"{SHAPES} .latent-layouts__tip")
    tip.wait_for(state="visible")
    assert call(opened, SHAPES, "f.state().hover") == picked["index"]
    assert tip.locator("strong").inner_text() == picked["label"]
    assert f"of {3 * PER_CLASS}" in tip.inner_text()
    inset = opened.evaluate(INSET, [SHAPES, list(CLASSES.values())])
    assert inset["width"] / inset["height"] == pytest.approx(WIDTH / HEIGHT, rel=0.06), inset
    own = list(CLASSES).index(picked["label"])
    assert inset["counts"][own] > 100, inset  # the image's own colour, enlarged
    assert sum(inset["counts"]) == inset["counts"][own], inset
    opened.mouse.move(5, 5)
    tip.wait_for(state="hidden")


def test_webgl1_draws_the_colours_too(browser, serve, built, page_errors):
    context = browser.new_context()
    context.add_init_script(NO_WEBGL2)
    page = context.new_page()
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/own-layouts/", SHAPES)
    assert call(page, SHAPES, "f.state().webgl") == 1
    assert_shape_colours(page)
    assert log.console_errors == [] and log.page_errors == [], (log.console_errors, log.page_errors)
    context.close()


def test_unlabelled_images_are_one_colour_without_legend_entries(page, page_errors, serve, built):
    log = page_errors(page)
    open_figure(page, serve(built) + "repo/own-layouts/", LOOSE)
    assert page.locator(f"{LOOSE} .figure-legend button").count() == 0
    assert page.locator(f"{LOOSE} .figure-legend").is_hidden()
    pixels = call(page, LOOSE, "f.pixels()")
    assert pixels["painted"] > 300, pixels
    blue, orange = page.evaluate(COUNT_COLOURS, [LOOSE, [TABLEAU_BLUE, TABLEAU_ORANGE]])
    assert blue > 50 and orange == 0, (blue, orange)  # every frame in the first class colour
    picked = call(page, LOOSE, "f.pickable()")
    assert picked is not None and picked["label"] is None, picked
    where = call(page, LOOSE, "f.clientOf(arg)", picked["index"])
    page.mouse.move(where["x"], where["y"])
    tip = page.locator(f"{LOOSE} .latent-layouts__tip")
    tip.wait_for(state="visible")
    assert tip.locator("strong").inner_text() == "Image"
    wait_until(page, f"document.querySelector('{LOOSE}').__figure.state().hover >= 0")
    assert log.console_errors == [] and log.page_errors == [], (log.console_errors, log.page_errors)
