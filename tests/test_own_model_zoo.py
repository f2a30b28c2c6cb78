"""zoo-table, zoo-curves, zoo-reconstructions and zoo-anomaly on an author's models and data.

One tiny project: examples/shapes' 32x32 RGB pictures (4 classes) with two models the build trains (dense and
convolutional) and one read from a .keras file made here (a few fit steps), plus an unlabelled gray data set
of 8x12 bars with a dense model. Built once at --scale tiny; the payloads are checked here (finite metrics,
one row per model, colour images with 3 channels, the file model's curve left out with a note, unlabelled
images named by number) and walked in Chromium by tests/browser/test_own_model_zoo.py. A model a zoo figure
cannot show is one message naming the article's line and what is allowed.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT, Project

SITE = """\
[site]
title = "Own zoo"

[datasets.shapes]
path = "data/shapes"
title = "Coloured shapes"
credit = "examples/shapes"
licence = "CC0 1.0"

[datasets.bars]
path = "data/bars"
title = "Bars"
credit = "The test suite"
licence = "CC0 1.0"

[models.shapes_dense]
dataset = "shapes"
title = "Dense shapes model"
architecture = "dense"
hidden = [64]
epochs = 14

[models.shapes_conv]
dataset = "shapes"
architecture = "conv"
filters = 16
epochs = 14

[models.shapes_file]
dataset = "shapes"
title = "Trained elsewhere"
file = "models/shapes.keras"

[models.bars_ae]
dataset = "bars"
architecture = "dense"
hidden = [16]
epochs = 7
"""
SHAPES = ["shapes_dense", "shapes_conv", "shapes_file"]
ARTICLE = """\
---
title: Own zoo
description: An author's autoencoders compared on their own images.
date: 2026-01-02
---

```figure
kind: zoo-table
id: table
models: [shapes_dense, shapes_conv, shapes_file]
caption: Test losses of my models.
```

```figure
kind: zoo-curves
id: curves
models: [shapes_dense, shapes_conv, shapes_file]
caption: Loss per epoch; the model read from a file has no curve and is named under the chart.
```

```figure
kind: zoo-reconstructions
id: recon
models: [shapes_dense, shapes_conv, shapes_file]
count: 6
caption: Shapes and their reconstructions.
```

```figure
kind: zoo-anomaly
id: anomaly
model: shapes_conv
top: 6
caption: The most unusual shapes.
```

```figure
kind: zoo-reconstructions
id: bars-recon
models: [bars_ae]
count: 5
caption: Bars, unlabelled.
```

```figure
kind: zoo-anomaly
id: bars-anomaly
model: bars_ae
top: 4
caption: The most unusual bars.
```
"""


def bars(folder: Path, n: int = 40) -> None:
    """A flat folder of 8 x 12 gray images (no labels): a bright bar at a different column in each."""
    folder.mkdir(parents=True)
    for i in range(n):
        image = np.zeros((8, 12), np.uint8)
        image[:, i % 10 : i % 10 + 2] = 200 + i
        Image.fromarray(image, "L").save(folder / f"{i:02d}.png")


def write_keras_model(path: Path, images: Path) -> None:
    """A Keras 3 autoencoder of 32 x 32 RGB images (sub-models "encoder" and "decoder"), fit a few steps on the
    shapes, saved as one .keras file."""
    keras = pytest.importorskip("keras")
    x = np.stack([np.asarray(Image.open(f).convert("RGB")) for f in sorted(images.glob("*/*.png"))[::4]])
    x = x.astype("float32") / 255.0
    keras.utils.set_random_seed(0)
    inputs = keras.Input((32, 32, 3))
    code = keras.layers.Dense(8)(keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(inputs)))
    encoder = keras.Model(inputs, code, name="encoder")
    z = keras.Input((8,))
    out = keras.layers.Reshape((32, 32, 3))(keras.layers.Dense(32 * 32 * 3, activation="sigmoid")(z))
    decoder = keras.Model(z, out, name="decoder")
    model = keras.Model(inputs, decoder(encoder(inputs)))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, x, epochs=3, batch_size=16, verbose=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)


def build_site(root: Path, shared_cache: Path) -> Path:
    """Build the project under ``root`` at tiny scale, served from /repo/; return the folder to serve."""
    project = Project(root / "site")
    project.write("site.toml", SITE)
    project.write("content/own-zoo.md", ARTICLE)
    shutil.copytree(ROOT / "examples" / "shapes" / "data", project.root / "data" / "shapes")
    bars(project.root / "data" / "bars")
    write_keras_model(project.root / "models" / "shapes.keras", project.root / "data" / "shapes")
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    return build_site(tmp_path_factory.mktemp("own-zoo"), shared_cache)


def payload(www: Path, anchor: str) -> tuple[Path, dict]:
    """The payload folder and config.json of figure ``anchor`` (its data-config in the article)."""
    page = (www / "repo" / "own-zoo" / "index.html").read_text()
    figure = re.search(rf'<figure[^>]* id="{anchor}"[^>]*>', page).group(0)
    url = re.search(r'data-config="/repo/([^"]+)config\.json"', figure).group(1)
    folder = www / "repo" / url
    return folder, json.loads((folder / "config.json").read_text())


def channels(path: Path) -> int:
    return len(Image.open(path).getbands())


def test_table_has_one_row_per_model_with_finite_metrics(built):
    _, config = payload(built, "table")
    rows = {r["key"]: r for r in config["rows"]}
    assert list(rows) == SHAPES
    for row in rows.values():
        assert math.isfinite(row["test_bce"]) and 0 < row["test_bce"] < 1, row
        assert math.isfinite(row["test_mse"]) and row["params"] > 0, row
        assert row["dataset"] == "shapes"
    assert rows["shapes_dense"]["title"] == "Dense shapes model" and rows["shapes_dense"]["epochs"] >= 2
    filed = rows["shapes_file"]
    assert filed["source"] == "file" and filed["epochs"] is None and "seconds_training" not in filed
    assert "trained elsewhere" in filed["note"]
    assert "guide_bce" not in [c["key"] for c in config["columns"]]  # no guide numbers for an author's models
    page = (built / "repo" / "own-zoo" / "index.html").read_text()
    assert page.count('<tr data-model="shapes_') == 3


def test_curves_plot_trained_models_and_name_the_file_model_in_a_note(built):
    _, config = payload(built, "curves")
    assert [s["key"] for s in config["series"]] == ["shapes_dense", "shapes_conv"]
    for s in config["series"]:
        assert len(s["train"]) >= 2 and all(math.isfinite(v) for v in s["train"] + s["val"]), s
    assert [o["key"] for o in config["omitted"]] == ["shapes_file"]
    assert "Not plotted, read from a .keras file" in config["omitted_note"]
    assert "Trained elsewhere, loss per pixel" in config["omitted_note"], config["omitted_note"]
    assert math.isfinite(config["omitted"][0]["val_loss"])


def test_reconstructions_are_in_colour_and_unlabelled_images_are_numbered(built):
    folder, config = payload(built, "recon")
    shapes = config["datasets"]["shapes"]
    assert shapes["color"] and shapes["labelled"] and len(set(shapes["labels"])) == 4
    assert channels(folder / shapes["file"]) == 3
    assert [m["key"] for m in config["models"]] == SHAPES
    for m in config["models"]:
        assert channels(folder / m["reconstructions"]) == 3
        assert len(m["bce"]) == 6 and all(math.isfinite(v) for v in m["bce"]), m
    folder, config = payload(built, "bars-recon")
    bars_set = config["datasets"]["bars"]
    assert not bars_set["labelled"] and not bars_set["color"]
    assert bars_set["labels"] == [f"image {k}" for k in range(1, 6)]
    assert channels(folder / bars_set["file"]) == 1 and config["cell"] == [8, 12]


def test_anomaly_scores_colour_images_per_class_and_unlabelled_ones_in_one_row(built):
    folder, config = payload(built, "anomaly")
    errors = np.fromfile(folder / config["errors"], "<f4")
    assert len(errors) == config["count"] and np.isfinite(errors).all()
    assert len(config["classes"]) == 4 and config["labelled"] and config["model"]["own"]
    assert config["thumbs"]["color"] and channels(folder / config["thumbs"]["file"]) == 3
    assert [t["error"] for t in config["top"]] == sorted((t["error"] for t in config["top"]), reverse=True)
    folder, config = payload(built, "bars-anomaly")
    assert config["classes"] == ["all images"] and config["labelled"] is False
    assert all(t["name"] == f"image {t['index'] + 1}" for t in config["top"])
    assert channels(folder / config["thumbs"]["file"]) == 1


BARS_SITE = """\
[site]
title = "Bars"

[datasets.bars]
path = "data/bars"
title = "Bars"
licence = "CC0 1.0"

[models.bars_ae]
dataset = "bars"
architecture = "dense"
hidden = [16]
"""


BARS_FILE = """
[models.bars_file]
dataset = "bars"
file = "models/bars.keras"
"""


def write_bars_keras(path: Path) -> None:
    """An untrained Keras 3 autoencoder of 8 x 12 gray images (sub-models "encoder" and "decoder")."""
    keras = pytest.importorskip("keras")
    x = keras.Input((8, 12))
    encoder = keras.Model(x, keras.layers.Dense(2)(keras.layers.Flatten()(x)), name="encoder")
    z = keras.Input((2,))
    decoder = keras.Model(
        z, keras.layers.Reshape((8, 12))(keras.layers.Dense(96, activation="sigmoid")(z)), name="decoder"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    keras.Model(x, decoder(encoder(x))).save(path)


def failure(project: Project, figure: str, site: str = BARS_SITE) -> str:
    project.write("site.toml", site)
    if not (project.root / "data" / "bars").exists():
        bars(project.root / "data" / "bars")
    project.write("content/test-article.md", f"---\ntitle: T\n---\n\nText.\n\n```figure\n{figure}\n```\n")
    done = project.build()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and re.search(r"content/test-article\.md:7\b", errors[0]), done.stderr
    assert "train " not in done.stderr, "the check ran after training started"
    return errors[0]


def test_a_model_a_zoo_figure_cannot_show_is_one_message(project):
    message = failure(project, "kind: zoo-table\nmodels: [bars_ae, nope]")
    assert "'nope' is not a model this figure can show" in message, message
    assert "'fashion_simple'" in message and "'bars_ae'" in message, message
    message = failure(project, "kind: zoo-reconstructions\nmodels: [bars_ae, fashion_conv]")
    assert "different data sets" in message and "'bars_ae' (bars)" in message, message
    write_bars_keras(project.root / "models" / "bars.keras")
    message = failure(project, "kind: zoo-curves\nmodels: [bars_file]", BARS_SITE + BARS_FILE)
    assert "'bars_file' is read from .keras files" in message and "no loss per epoch" in message, message
