"""The example project examples/shapes/ (a colour dataset of its own, 32 x 32, declared as
``[datasets.shapes]``, and a model trained on it, ``[models.shapes_vae]``): built at --scale tiny as it
stands in the repository, then walked in Chromium: its figures go live, the image grid paints colour, the
map of the pictures opens on the model's codes and morphs to UMAP, the data note and the credits page name
the dataset, and nothing logs an error. make_data.py redraws exactly the committed pictures."""

from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pytest

from tests.browser.waits import wait_ready
from tests.conftest import ROOT, Project

EXAMPLE = ROOT / "examples" / "shapes"
CLASSES = ["circle", "square", "star", "triangle"]

# Share of a canvas's pixels that are clearly coloured (channels far apart): about a quarter of the grid and a
# third of the enlarged cell, counting shapes and backgrounds; grey digits, labels and the page have none.
COLOURED = """(selector) => {
  const canvas = document.querySelector(selector);
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    const hi = Math.max(data[i], data[i + 1], data[i + 2]), lo = Math.min(data[i], data[i + 1], data[i + 2]);
    if (data[i + 3] > 0 && hi - lo > 60) coloured += 1;
  }
  return coloured / (data.length / 4);
}"""


def assert_clean(log):
    log.assert_clean()


@pytest.fixture(scope="module")
def example_site(tmp_path_factory, shared_cache):
    """examples/shapes/ copied as it is (without a built site or cache of its own), built under /shapes/."""
    root = tmp_path_factory.mktemp("example")
    project = Project(root / "shapes")
    shutil.copytree(EXAMPLE, project.root, ignore=shutil.ignore_patterns("_site", ".cache", "__pycache__"))
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/shapes/", "--out", str(www / "shapes"), "--strict", check=True)
    return www


@pytest.mark.browser
def test_the_example_builds_and_its_figures_go_live_in_colour(page, page_errors, serve, example_site):
    log = page_errors(page)
    base = serve(example_site) + "shapes/"
    page.goto(base)
    assert page.title() == "Shapes"
    page.click("text=Four shapes in colour")
    page.wait_for_selector("h1:has-text('Four shapes in colour')")

    grid = "figure[data-figure='image-grid']"
    wait_ready(page, grid)
    assert page.evaluate(COLOURED, f"{grid} canvas.image-grid__cells") > 0.1
    assert page.evaluate(COLOURED, f"{grid} canvas.image-grid__zoom") > 0.1
    page.locator(f"{grid} .image-grid").focus()
    labels = set()
    for _ in range(8):
        labels.add(page.text_content(f"{grid} .image-grid__label").rsplit(" ", 1)[-1])
        page.keyboard.press("ArrowRight")
    assert labels == set(CLASSES), labels

    # the pictures placed by the model the build trained on them ([models.shapes_vae]), then by UMAP
    layouts = "figure[data-figure='latent-layouts']"
    wait_ready(page, layouts)
    buttons = page.locator(f"{layouts} [data-layout-buttons] button")
    assert buttons.first.get_attribute("data-layout") == "shapes_vae"
    assert buttons.first.inner_text().startswith("Shapes VAE")
    figure = f'document.querySelector("{layouts}").__figure'
    assert page.evaluate(f"{figure}.idle().then(() => {figure}.state().layout)") == "shapes_vae"
    model_pixels = page.evaluate(f"{figure}.pixels()")
    page.locator(f"{layouts} button[data-layout='umap']").click()
    assert page.evaluate(f"{figure}.idle().then(() => {figure}.state().layout)") == "umap"
    umap_pixels = page.evaluate(f"{figure}.pixels()")
    assert model_pixels["painted"] > 100 and umap_pixels["hash"] != model_pixels["hash"], (model_pixels, umap_pixels)

    note = page.locator(".data-note").inner_text()
    assert "Coloured shapes" in note and "32 × 32" in note
    assert "Drawn with Pillow by examples/shapes/make_data.py" in note

    page.goto(base + "credits/")
    listed = page.locator("main").inner_text()
    assert "Coloured shapes" in listed and "CC0 1.0" in listed
    assert "MNIST" not in listed, "a dataset the site does not use is credited"
    assert_clean(log)


def test_make_data_redraws_the_committed_pictures(tmp_path):
    from PIL import Image

    spec = importlib.util.spec_from_file_location("make_data", EXAMPLE / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.make(tmp_path)
    committed = sorted(p.relative_to(EXAMPLE / "data").as_posix() for p in (EXAMPLE / "data").rglob("*.png"))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == committed
    assert len(committed) == 4 * 60
    assert sorted({name.split("/")[0] for name in committed}) == CLASSES
    total = sum((EXAMPLE / "data" / name).stat().st_size for name in committed)
    assert total < 300 * 1024, f"the committed pictures take {total} bytes"
    for name in committed:
        drawn = np.asarray(Image.open(tmp_path / name))
        kept = np.asarray(Image.open(EXAMPLE / "data" / name))
        assert drawn.shape == kept.shape == (32, 32, 3), name
        # Pillow's resampling may round differently from one version to the next; the picture is the same
        assert np.abs(drawn.astype(int) - kept.astype(int)).max() <= 2, name
