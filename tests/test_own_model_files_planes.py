"""draw-digit draws in gray: a model of colour images is one message with the article's line, before any stage runs.

Two ways of knowing the images are in colour before anything is read or trained, neither of them a
``color = "rgb"`` in the settings (tests/test_own_model_planes.py covers that one): a model read from a .keras file
whose decoder outputs (H, W, 3) (its config.json tells), and a model the build would train on a data set whose
colour is inferred from its images. decoder-sampler, zoo-latent and zoo-manifold do take such a file model: they
are built and walked in Chromium by tests/browser/test_own_model_planes.py (``paint_file``).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.datafiles import shape_image

H, W = 12, 16
SITE = """\
[site]
title = "Test site"

[datasets.paint]
path = "data/paint"
licence = "CC0 1.0"

[models.paint_file]
dataset = "paint"
file = "models/paint.keras"

[models.paint_ae]
dataset = "paint"
hidden = [16]
"""


def write_project(project) -> None:
    """Coloured 12 x 16 shapes (two classes) and an untrained Keras autoencoder of them (RGB in, RGB out, a 2-D
    code) saved as one file: only its config matters here."""
    import keras
    from keras import layers

    rng = np.random.default_rng(1)
    for kind, colour in (("circle", (230, 60, 40)), ("square", (40, 200, 80))):
        folder = project.root / "data" / "paint" / kind
        folder.mkdir(parents=True)
        for i in range(20):
            shape_image(kind, colour, rng, size=(H, W), span=8).save(folder / f"{i:02d}.png")
    encoder = keras.Sequential([keras.Input((H, W, 3)), layers.Flatten(), layers.Dense(2)], name="encoder")
    decoder = keras.Sequential(
        [keras.Input((2,)), layers.Dense(H * W * 3, activation="sigmoid"), layers.Reshape((H, W, 3))], name="decoder"
    )
    image = keras.Input((H, W, 3))
    (project.root / "models").mkdir()
    keras.Model(image, decoder(encoder(image))).save(project.root / "models" / "paint.keras")
    project.write("site.toml", SITE)


@pytest.mark.parametrize("model", ["paint_file", "paint_ae"])
def test_draw_digit_on_a_colour_model_is_one_message_before_any_stage(project, model):
    pytest.importorskip("keras")
    write_project(project)
    project.write(
        "content/test-article.md", f"---\ntitle: T\n---\n\nText.\n\n```figure\nkind: draw-digit\nmodel: {model}\n```\n"
    )
    done = project.build()
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr[-3000:]
    errors = re.findall(r"(?m)error: .*$", done.stderr)
    assert len(errors) == 1, done.stderr[-3000:]
    assert re.search(r"content/test-article\.md:7\b", errors[0]), errors[0]
    assert f"draw-digit draws in gray, and model {model!r} is trained on colour images ('paint')" in errors[0]
    assert "decoder-sampler" in errors[0], errors[0]
    assert "[run]" not in done.stderr, "a stage ran before the figure was checked"
