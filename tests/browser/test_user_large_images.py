"""Images near the upper size an author may bring: 218 x 178 colour JPEGs (CelebA's aligned size), end to end.

The test draws 40 of them in two class folders (a warm or a cool ellipse on a dark field) and builds, with
``--strict``, an article with an image-grid and a latent-layouts whose layouts are a dense ``[models.*]`` with
latent_dim 2 (its encoder's codes place the points) and PCA (UMAP and t-SNE on an author's data are tested in
tests/test_user_layouts.py). The payloads keep the images' size, aspect and colour (the grid's sheet at full
size, the atlas's cells fitted at 218:178 with black padding, in colour), and every count; in Chromium both
figures mount without an error, paint the images' own colours and keep their aspect.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.browser.waits import READY_TIMEOUT
from tests.conftest import Project

pytestmark = pytest.mark.browser

H, W = 218, 178  # height, width
PER_CLASS = 20
# far (over 40 levels in a channel) from each class palette colour the dots could be drawn in
CLASSES = {"cool": (30, 60, 235), "warm": (235, 40, 30)}
SITE = """\
[site]
title = "Large images"

[datasets.portraits]
path = "data/portraits"
title = "Portraits"
credit = "Drawn by the test suite"
licence = "CC0 1.0"

# epochs at scale "default"; tiny trains a sixth of them
[models.portraits_ae]
dataset = "portraits"
title = "Portraits autoencoder"
architecture = "dense"
hidden = [16]
latent_dim = 2
epochs = 12
batch_size = 8
"""
ARTICLE = """\
---
title: Large images
description: Colour images of 218 x 178 pixels.
date: 2026-01-02
---

## Grid

```figure
kind: image-grid
id: large-grid
dataset: portraits
per_class: 3
split: train
caption: Three images of each class.
```

## Map

```figure
kind: latent-layouts
id: large-map
dataset: portraits
layouts: [portraits_ae, pca]
caption: The images placed by the autoencoder's codes and by PCA.
```
"""
LAYOUTS = ["portraits_ae", "pca"]

# Pixels of a 2-D canvas near each colour of `colours` (within 40 a channel).
NEAR = """([selector, colours]) => {
  const c = document.querySelector(selector);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const counts = colours.map(() => 0);
  for (let i = 0; i < d.length; i += 4) {
    colours.forEach(([r, g, b], k) => {
      if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) counts[k] += 1;
    });
  }
  return counts;
}"""
CSS_SIZE = (
    "(s) => { const c = document.querySelector(s); return [parseFloat(c.style.width), parseFloat(c.style.height)]; }"
)


def write_portraits(folder: Path) -> None:
    """PER_CLASS JPEGs of each class: an ellipse of the class's colour, jittered, on a dark field."""
    rng = np.random.default_rng(7)
    for name, colour in CLASSES.items():
        (folder / name).mkdir(parents=True)
        for i in range(PER_CLASS):
            image = Image.new("RGB", (W, H), tuple(int(v) for v in rng.integers(20, 60, 3)))
            x, y = (int(v) for v in rng.integers(15, 50, 2))
            ImageDraw.Draw(image).ellipse((x, y + 20, x + 110, y + 150), fill=colour)
            image.save(folder / name / f"{i:02d}.jpg", "JPEG", quality=90)


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> tuple[Path, Project]:
    """(folder to serve, project): the site built under /repo/ at tiny scale with --strict."""
    root = tmp_path_factory.mktemp("large-images")
    project = Project(root / "site")
    project.write("site.toml", SITE)
    project.write("content/large.md", ARTICLE)
    write_portraits(project.root / "data" / "portraits")
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--strict", "--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www, project


def payload(built, kind: str) -> tuple[Path, dict]:
    """The folder and config of the page's only figure of ``kind``."""
    html = (built[0] / "repo" / "large" / "index.html").read_text()
    match = re.search(rf'data-figure="{kind}"[^>]*data-config="/repo/([^"]+)config\.json"', html)
    assert match, f"no {kind} figure on the page"
    folder = built[0] / "repo" / match.group(1)
    return folder, json.loads((folder / "config.json").read_text())


def spread(pixels: np.ndarray) -> np.ndarray:
    """Per pixel of an (..., 3) array: the largest difference between two of its channels."""
    pixels = pixels.astype(int)
    return pixels.max(axis=-1) - pixels.min(axis=-1)


def test_every_image_is_read_in_colour_at_its_size(built):
    stages = {
        record["name"]: record for record in json.loads((built[0] / "repo" / "build-report.json").read_text())["stages"]
    }
    data = next(record["meta"] for name, record in stages.items() if name.startswith("dataset portraits"))
    assert data["shape"] == [H, W, 3] and data["color"] == "rgb" and data["classes"] == list(CLASSES)
    assert data["source"]["count"] == 2 * PER_CLASS and data["source"]["skipped"] == 0
    assert data["train"] + data["test"] == 2 * PER_CLASS
    layout = stages["layout portraits_ae"]["meta"]
    assert layout["effective"] == {"method": "portraits_ae", "model": "portraits_ae"} and layout["count"] == 40
    train = next(record["meta"] for name, record in stages.items() if name.startswith("train portraits_ae"))
    assert train["params"]["encoder"] > H * W * 3 * 16  # a dense layer over every pixel of every channel


def test_image_grid_keeps_the_full_size_in_colour(built):
    folder, config = payload(built, "image-grid")
    assert config["color"] == "rgb" and (config["cell_height"], config["cell_width"]) == (H, W)
    assert config["count"] == 6 and config["labels"] == ["cool"] * 3 + ["warm"] * 3
    with Image.open(folder / config["image"]) as sheet:
        assert sheet.mode == "RGB" and sheet.size == (config["cols"] * W, config["rows"] * H)
        pixels = np.asarray(sheet)
    for i, colour in enumerate([CLASSES["cool"]] * 3 + [CLASSES["warm"]] * 3):  # each cell holds its ellipse
        cell = pixels[:H, i * W : (i + 1) * W].astype(int)
        assert (np.abs(cell - colour).max(axis=-1) < 40).mean() > 0.2, i
    with Image.open(folder / "fallback.png") as fallback:
        assert fallback.width <= 1200 and (spread(np.asarray(fallback.convert("RGB"))) > 120).mean() > 0.05


def test_latent_layouts_atlas_cells_keep_the_aspect_and_colour(built):
    folder, config = payload(built, "latent-layouts")
    assert config["count"] == 2 * PER_CLASS and config["classes"] == list(CLASSES) and config["color"] == "rgb"
    assert config["cell_aspect"] == [H, W] and config["look"] == "image"
    assert [layout["id"] for layout in config["layouts"]] == LAYOUTS and config["initial"] == "portraits_ae"
    assert config["layouts"][0]["title"] == "Portraits autoencoder"
    for layout in config["layouts"]:
        positions = np.frombuffer((folder / layout["file"]).read_bytes(), "<u2").reshape(-1, 2)
        assert len(positions) == config["count"] and len(np.unique(positions, axis=0)) > config["count"] // 2
    labels = np.frombuffer((folder / config["labels"]).resolve().read_bytes(), np.uint8)
    assert np.bincount(labels).tolist() == [PER_CLASS, PER_CLASS]
    atlas = config["atlas"]
    cell = atlas["cell"]
    with Image.open((folder / atlas["base"] / atlas["files"][0]).resolve()) as sheet:
        assert sheet.mode == "RGB"
        pixels = np.asarray(sheet.convert("RGB")).astype(int)
    # each image is fitted into the square cell keeping 218:178, so the columns left and right of it are black
    fitted = round(W * cell / H)
    pad = (cell - fitted) // 2
    assert pad >= 2
    for i in range(config["count"]):
        row, col = divmod(i, atlas["per_row"])
        sprite = pixels[row * cell : (row + 1) * cell, col * cell : (col + 1) * cell]
        assert sprite[:, : pad - 1].max() < 16 and sprite[:, pad + fitted + 1 :].max() < 16, f"image {i} not padded"
        inside = sprite[:, pad + 1 : pad + fitted - 1]
        assert inside.min(axis=(0, 1)).max() >= 15, f"image {i}: its dark field is missing"
        assert (spread(inside) > 120).mean() > 0.15, f"image {i} is not in colour"


@pytest.fixture
def opened(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built[0]) + "repo/large/")
    for fid in ("large-grid", "large-map"):
        page.locator(f"figure#{fid}").scroll_into_view_if_needed(timeout=READY_TIMEOUT)
        assert page.evaluate(f"window.__explorables.whenReady('{fid}')") == "ready", fid
    yield page
    log.assert_clean()


def call(page, expr, arg=None):
    """Evaluate ``expr`` (a function of the map's test hook ``f``) in the page."""
    return page.evaluate(
        f"(arg) => {{ const f = document.querySelector('figure#large-map').__figure; return ({expr}); }}", arg
    )


def test_both_figures_paint_the_images_colours_at_their_aspect(opened):
    counts = opened.evaluate(NEAR, ["figure#large-grid canvas.image-grid__cells", list(CLASSES.values())])
    assert min(counts) > 1000, dict(zip(CLASSES, counts))
    width, height = opened.evaluate(CSS_SIZE, "figure#large-grid canvas.image-grid__zoom")
    assert width / height == pytest.approx(W / H, rel=0.02)

    call(opened, "f.idle()")
    state = call(opened, "f.state()")
    assert state["layout"] == "portraits_ae", state
    for layout in LAYOUTS[1:]:
        before = call(opened, "f.pixels()")
        opened.locator(f"figure#large-map [data-layout-buttons] button[data-layout='{layout}']").click()
        call(opened, "f.idle()")
        after = call(opened, "f.pixels()")
        assert call(opened, "f.state().layout") == layout
        assert after["painted"] > 500 and after["hash"] != before["hash"], (layout, before, after)
    picked = call(opened, "f.pickable()")
    assert picked is not None and picked["label"] in CLASSES, picked
    where = call(opened, "f.clientOf(arg)", picked["index"])
    opened.mouse.move(where["x"], where["y"])
    tip = opened.locator("figure#large-map .latent-layouts__tip")
    tip.wait_for(state="visible")
    inset = opened.evaluate(NEAR, ["figure#large-map .latent-layouts__tip canvas", [CLASSES[picked["label"]]]])
    assert inset[0] > 50, inset  # the hovered image, enlarged, in its own colour
    width, height = opened.evaluate(CSS_SIZE, "figure#large-map .latent-layouts__tip canvas")
    assert width / height == pytest.approx(W / H, rel=0.06)
