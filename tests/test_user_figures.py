"""image-grid and data-note on any data set of the registry: the option is checked against it (one message
naming the article's line and the valid names), sheets tile gray and RGB images, the alt text and the
credits name each data set. The pages themselves are walked in tests/browser/test_fig_image_grid_user.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from generator.draw import sprite
from generator.figures.data_note import credit_line
from generator.figures.image_grid import describe, fallback_image, sheet

SITE = """\
[site]
title = "Test site"

[datasets.shapes]
path = "data/shapes"
title = "Shapes"
credit = "The tests"
licence = "CC0 1.0"
"""


def article(figure: str) -> str:
    return f"---\ntitle: T\n---\n\nText.\n\n```figure\n{figure}\n```\n"


def shapes(root, per_class: int = 6) -> None:
    rng = np.random.default_rng(0)
    for name in ("circle", "square"):
        folder = root / "data" / "shapes" / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), "RGB").save(folder / f"{i}.png")


@pytest.mark.parametrize(
    ("figure", "option"),
    [
        ("kind: image-grid\ndataset: nope", "dataset"),
        ("kind: data-note\ndatasets: [mnist, nope]", "datasets"),
    ],
)
def test_an_unknown_dataset_names_the_line_and_every_valid_name(project, figure, option):
    project.write("site.toml", SITE)
    shapes(project.root)
    project.write("content/test-article.md", article(figure))
    done = project.build()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    message = next(line for line in done.stderr.splitlines() if line.startswith("error:"))
    assert re.search(r"content/test-article\.md:7\b", message), message
    assert f"figure option '{option}'" in message and "'nope'" in message, message
    assert "'mnist', 'fashion-mnist', 'faces', 'shapes'" in message, message


def test_sheet_tiles_gray_as_before_and_rgb_in_colour():
    rng = np.random.default_rng(1)
    gray = rng.integers(0, 256, (7, 5, 6), dtype=np.uint8)
    assert np.array_equal(sheet(gray, 3), sprite(gray, 3))
    rgb = rng.integers(0, 256, (7, 5, 6, 3), dtype=np.uint8)
    tiled = sheet(rgb, 3)
    assert tiled.shape == (15, 18, 3)
    assert np.array_equal(tiled[5:10, 6:12], rgb[4]) and not tiled[10:, 6:].any()


def test_fallback_enlarges_small_images_and_shrinks_wide_sheets():
    small = fallback_image(np.zeros((4, 8, 8, 3), np.uint8), ["a", "b", "c", "d"], 4)
    assert small.mode == "RGB" and small.width == 4 * (8 * 7 + 6) + 6  # 8 px enlarged 7 times
    wide = fallback_image(np.zeros((10, 218, 178, 3), np.uint8), [""] * 10, 10)
    assert wide.width == 1200 and wide.height < 218


def test_alt_text_names_the_title_and_the_classes():
    assert describe(3, "digits", "MNIST", ["0", "1", "2"], 1) == "3 digits from MNIST, labelled 0, 1, 2."
    labels = ["circle", "circle", "square", "square"]
    assert (
        describe(4, "colour images", "Shapes", labels, 2)
        == "4 colour images from Shapes, 2 of each class: circle, square."
    )
    assert describe(2, "images", "Faces", ["", ""], 1) == "2 images from Faces."


def test_credit_lines_name_the_licence_once():
    mnist = {"name": "mnist", "title": "MNIST", "credit": "MNIST: Y. LeCun", "licence": "CC BY-SA 3.0"}
    assert credit_line("mnist", mnist) == "MNIST: Y. LeCun (licence: CC BY-SA 3.0)"
    fashion = {"name": "fashion-mnist", "credit": "Fashion-MNIST: Zalando (MIT licence)", "licence": "MIT"}
    assert credit_line("fashion-mnist", fashion) == "Fashion-MNIST: Zalando (MIT licence)"
    own = {"name": "shapes", "title": "Shapes", "credit": "", "licence": ""}
    assert credit_line("shapes", own) == "Shapes (credit not stated, licence not stated)"
