"""image-grid, data-note and the credits page on an author's own datasets, in Chromium.

The site declares two ``[datasets.*]``: RGB 24x32 shapes in three class folders, and 8x8 gray digits in an
.npz with class names given in the settings and no licence. The image-grids mount and paint colour (and
crisp, enlarged 8x8 cells) labelled with the class names; data-note and the credits page give each data
set's title, credit and licence (or say it is not stated); nothing logs an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.browser.waits import wait_ready
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
url = "https://example.org/shapes"

[datasets.tiny-digits]
path = "data/tiny-digits.npz"
title = "Tiny digits"
credit = "Noise shaped by the test suite"
classes = ["zero", "one", "two", "three"]
"""
ARTICLE = """\
---
title: Own images
description: The author's own images.
date: 2026-01-02
---

## Shapes

```figure
kind: image-grid
id: fig-shapes
dataset: shapes
per_class: 2
split: train
caption: Two shapes of each class.
```

```figure
kind: image-grid
id: fig-tiny
dataset: tiny-digits
caption: One tiny digit of each class.
```

```figure
kind: data-note
id: fig-note
datasets: [shapes, tiny-digits]
```
"""
CLASSES = {"circle": (220, 40, 40), "square": (40, 200, 60), "triangle": (50, 80, 230)}
HEIGHT, WIDTH = 24, 32
SHAPES, TINY = "figure#fig-shapes", "figure#fig-tiny"

# Pixels of a canvas whose channels differ (colour, not gray), and of each dominant channel.
CHANNELS = """(selector) => {
  const c = document.querySelector(selector);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const out = {colour: 0, red: 0, green: 0, blue: 0};
  for (let i = 0; i < d.length; i += 4) {
    const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) {
      out.colour += 1;
      if (r > g && r > b) out.red += 1; else if (g > r && g > b) out.green += 1; else out.blue += 1;
    }
  }
  return out;
}"""
# The first cell of a grid (its size in CSS px from the canvas and the column count): its distinct values
# and its pixels whose channels differ.
FIRST_CELL = """([selector, cols]) => {
  const c = document.querySelector(selector);
  const size = Math.round(parseFloat(c.style.width) / cols - 6);
  const ratio = c.width / parseFloat(c.style.width);
  const d = c.getContext("2d").getImageData(3 * ratio, 3 * ratio, size * ratio, size * ratio).data;
  const values = new Set();
  let colour = 0;
  for (let i = 0; i < d.length; i += 4) {
    values.add(d[i]);
    if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) colour += 1;
  }
  return {size, distinct: values.size, colour};
}"""
CSS_SIZE = (
    "(s) => { const c = document.querySelector(s); return [parseFloat(c.style.width), parseFloat(c.style.height)]; }"
)


def write_data(root: Path) -> None:
    rng = np.random.default_rng(7)
    for kind in CLASSES:
        folder = root / "data" / "shapes" / kind
        folder.mkdir(parents=True)
        for i in range(12):
            shape_image(kind, CLASSES[kind], rng, (HEIGHT, WIDTH), span=18).save(folder / f"{kind}-{i:02d}.png")
    y = np.repeat(np.arange(4), 15)
    x = rng.integers(0, 256, (len(y), 8, 8), dtype=np.uint8)
    np.savez(root / "data" / "tiny-digits.npz", x=x, y=y.astype(np.int64))


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    root = tmp_path_factory.mktemp("own-images")
    project = Project(root / "site")
    project.write("site.toml", SITE)
    project.write("content/own-images.md", ARTICLE)
    write_data(project.root)
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www


@pytest.fixture
def opened(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/own-images/", wait_until="load")
    yield page
    log.assert_clean()


def test_colour_images_are_painted_in_colour_with_their_class_names(opened):
    wait_ready(opened, SHAPES)
    counts = opened.evaluate(CHANNELS, f"{SHAPES} canvas.image-grid__cells")
    assert counts["colour"] > 500, counts
    assert min(counts["red"], counts["green"], counts["blue"]) > 50, counts
    zoom = opened.evaluate(CHANNELS, f"{SHAPES} canvas.image-grid__zoom")
    assert zoom["colour"] > 100 and zoom["red"] > zoom["green"] + zoom["blue"], zoom  # the first cell: a circle
    box = opened.evaluate(CSS_SIZE, f"{SHAPES} canvas.image-grid__zoom")
    assert box[0] / box[1] == pytest.approx(WIDTH / HEIGHT, rel=0.02)  # the enlarged view keeps the shape
    grid = opened.locator(f"{SHAPES} .image-grid")
    label = grid.get_attribute("aria-label")
    assert "Coloured shapes" in label and all(name in label for name in CLASSES), label
    grid.focus()
    opened.keyboard.press("ArrowRight")
    opened.keyboard.press("ArrowRight")
    assert opened.text_content(f"{SHAPES} .figure-status") == "Image 3 of 6, label square"
    opened.keyboard.press("End")
    assert opened.text_content(f"{SHAPES} .figure-status") == "Image 6 of 6, label triangle"
    assert opened.text_content(f"{SHAPES} .image-grid__label") == "Image 6: label triangle"
    assert "Coloured shapes" in opened.get_attribute(f"{SHAPES} img.figure-fallback", "alt")


def test_tiny_gray_images_are_enlarged_with_crisp_pixels(opened):
    wait_ready(opened, TINY)
    cell = opened.evaluate(FIRST_CELL, [f"{TINY} canvas.image-grid__cells", 4])
    assert cell["size"] >= 32, cell  # 8x8 pixels drawn at least 4x
    assert cell["distinct"] <= 64, cell  # every drawn pixel is one of the 64 source pixels: no smoothing
    assert cell["colour"] == 0, cell  # gray stays gray
    grid = opened.locator(f"{TINY} .image-grid")
    grid.focus()
    opened.keyboard.press("End")
    assert opened.text_content(f"{TINY} .figure-status") == "Image 4 of 4, label three"


def test_data_note_names_title_count_credit_and_licence(opened):
    note = " ".join(opened.text_content("aside.data-note").split())
    assert "images from Coloured shapes" in note and "24 × 32 pixels, in colour" in note, note
    assert "images from Tiny digits" in note and "8 × 8 pixels)" in note, note
    assert "Coloured shapes: Drawn by the test suite (licence: CC0 1.0)" in note, note
    assert "Tiny digits: Noise shaped by the test suite (licence not stated)" in note, note


def test_credits_page_lists_each_dataset(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/credits/", wait_until="load")
    items = [" ".join(t.split()) for t in page.locator(".credits-list li").all_text_contents()]
    shapes = next(t for t in items if t.startswith("Coloured shapes"))
    assert "Drawn by the test suite" in shapes and "Licence: CC0 1.0." in shapes, shapes
    assert page.locator(".credits-list a.url").get_attribute("href") == "https://example.org/shapes"
    tiny = next(t for t in items if t.startswith("Tiny digits"))
    assert "Noise shaped by the test suite" in tiny and "Licence not stated." in tiny, tiny
    assert log.console_errors == [] and log.page_errors == []
