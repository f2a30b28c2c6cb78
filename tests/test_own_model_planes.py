"""decoder-sampler, zoo-latent and zoo-manifold take any model with a 2-D code (a built-in or an author's
``[models.<name>]``), on its own data set. A model: option they cannot draw is one message naming the article's
line and what is allowed: an unknown name, an author's trained model whose latent_dim is not 2, and an author's
.keras model whose decoder does not take a 2-D code (read from the file, before anything is trained). The
figures themselves are walked in Chromium by tests/browser/test_own_model_planes.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from generator.plane import image_tile, not_plane

SITE = """\
[site]
title = "Test site"

[datasets.bars]
path = "data/bars"
title = "Bars"
licence = "CC0 1.0"

[models.bars_ae]
dataset = "bars"
architecture = "dense"
hidden = [16]

[models.bars_3d]
dataset = "bars"
architecture = "dense"
hidden = [16]
latent_dim = 3
"""
FILE_MODEL = """
[models.bars_file]
dataset = "bars"
file = "models/bars-3d.keras"
"""
KINDS = ("decoder-sampler", "zoo-latent", "zoo-manifold", "draw-digit")


def article(figure: str) -> str:
    return f"---\ntitle: T\n---\n\nText.\n\n```figure\n{figure}\n```\n"


def bars(root, n: int = 40) -> None:
    """A flat folder of 8 x 12 gray images (no labels): a bright bar at a different column in each."""
    folder = root / "data" / "bars"
    folder.mkdir(parents=True)
    for i in range(n):
        image = np.zeros((8, 12), np.uint8)
        image[:, i % 10 : i % 10 + 2] = 200 + i
        Image.fromarray(image, "L").save(folder / f"{i:02d}.png")


def failure(project, figure: str, site: str = SITE) -> str:
    project.write("site.toml", site)
    bars(project.root)
    project.write("content/test-article.md", article(figure))
    done = project.build()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert re.search(r"content/test-article\.md:7\b", errors[0]), errors[0]
    assert "train " not in done.stderr, "the check ran after training started"
    return errors[0]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_model_names_the_line_and_the_models(project, kind):
    message = failure(project, f"kind: {kind}\nmodel: nope")
    assert "unknown model 'nope'" in message, message
    assert "'mnist_ae'" in message and "'bars_ae'" in message, message


@pytest.mark.parametrize("kind", KINDS)
def test_a_model_without_a_2d_code_names_the_line_and_the_allowed_models(project, kind):
    message = failure(project, f"kind: {kind}\nmodel: bars_3d")
    assert "model 'bars_3d' cannot be used here" in message and "latent_dim = 2" in message, message
    allowed = message.split("allowed:", 1)[1]
    assert "'bars_ae'" in allowed and "'fashion_vae'" in allowed and "bars_3d" not in allowed, message


def write_keras_3d(path) -> None:
    """A Keras 3 autoencoder of 8 x 12 gray images with a 3-D code (sub-models 'encoder' and 'decoder')."""
    keras = pytest.importorskip("keras")
    x = keras.Input((8, 12))
    encoder = keras.Model(x, keras.layers.Dense(3)(keras.layers.Flatten()(x)), name="encoder")
    z = keras.Input((3,))
    decoder = keras.Model(
        z, keras.layers.Reshape((8, 12))(keras.layers.Dense(96, activation="sigmoid")(z)), name="decoder"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    keras.Model(x, decoder(encoder(x))).save(path)


def test_a_keras_file_whose_code_is_not_2d_is_one_message_before_training(project):
    write_keras_3d(project.root / "models" / "bars-3d.keras")
    message = failure(project, "kind: zoo-latent\nmodel: bars_file", SITE + FILE_MODEL)
    assert "model 'bars_file' has a code of shape (3,), not (2,)" in message, message
    assert "latent_dim = 2" in message, message


def test_the_stage_message_for_a_code_of_unknown_shape():
    assert "has a code that is not 2-D" in not_plane("m")


def test_tiles_keep_gray_square_images_as_before_and_fit_colour_and_other_shapes():
    from generator.draw import tile

    rng = np.random.default_rng(0)
    gray = rng.random((28, 28)).astype("float32")
    assert np.array_equal(np.asarray(image_tile(gray, 44)), np.asarray(tile(gray, 44)))
    wide = image_tile(rng.random((20, 24, 3)).astype("float32"), 48)
    assert wide.mode == "RGB" and wide.size == (48, 40)
    tall = image_tile(rng.random((24, 12)).astype("float32"), 48)
    assert tall.mode == "L" and tall.size == (24, 48)


def test_draw_digit_on_a_colour_model_is_one_message(project):
    """draw-digit draws in gray: a model of an RGB data set is refused with the line, before training."""
    site = SITE + '\n[datasets.paint]\npath = "data/bars"\ncolor = "rgb"\nlicence = "CC0 1.0"\n'
    site += '\n[models.paint_ae]\ndataset = "paint"\nhidden = [16]\n'
    message = failure(project, "kind: draw-digit\nmodel: paint_ae", site)
    assert "draw-digit draws in gray" in message and "'paint_ae'" in message and "decoder-sampler" in message
