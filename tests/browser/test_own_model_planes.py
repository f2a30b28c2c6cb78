"""The code-plane figures (decoder-sampler, zoo-latent, zoo-manifold) on an author's own models, in Chromium.

The site declares three data sets and a model on each:

- examples/shapes' pictures (RGB 32 x 32, four classes) and ``shapes_vae``, a conv-vae the build trains;
- a flat folder of unlabelled gray 20 x 24 pictures (a bright bar at a different place in each) and
  ``bars_ae``, a dense autoencoder;
- coloured 12 x 16 shapes (three classes) and ``paint_file``, an autoencoder the test trains in Keras and saves
  as one .keras file (``file =``, sub-models "encoder" and "decoder"), which the build reads, never retrains. Its
  decoder-sampler, zoo-latent and zoo-manifold are on a page of their own: the build's codes are its Keras
  encoder's, its exported decoder matches Keras in Node, and the page paints what Keras draws, in colour.

Each model has a decoder-sampler and a zoo-manifold (the dense one's centred on its codes, not the origin); the
dense one a zoo-latent too. Every figure mounts
without a console error; moving the probe changes the painted image; what the page paints equals the Keras
decoder's output recorded at build (expected.u8, or the private fixtures) within the export's max error; the
RGB images have channels that differ (colour, not gray); the gray 20 x 24 images keep their aspect; the
unlabelled figures have no legend and speak of images, not digits.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser.waits import READY_TIMEOUT, wait_until
from tests.conftest import ROOT, Project, node_outputs

pytestmark = pytest.mark.browser

SITE = """\
[site]
title = "Own planes"

[datasets.shapes]
path = "data/shapes"
title = "Coloured shapes"
credit = "examples/shapes"
licence = "CC0 1.0"

[datasets.bars]
path = "data/bars"
title = "Bars"
credit = "Drawn by the test suite"
licence = "CC0 1.0"

# epochs at scale "default"; tiny trains about a sixth of them: enough for decoders that draw something
[models.shapes_vae]
dataset = "shapes"
architecture = "conv-vae"
filters = 16
epochs = 150
batch_size = 32

[models.bars_ae]
dataset = "bars"
architecture = "dense"
hidden = [64]
epochs = 150
batch_size = 16

[datasets.paint]
path = "data/paint"
title = "Painted shapes"
credit = "Drawn by the test suite"
licence = "CC0 1.0"

[models.paint_file]
dataset = "paint"
title = "Painted shapes autoencoder (trained elsewhere)"
file = "models/paint.keras"
"""
ARTICLE = """\
---
title: Own planes
description: The code planes of the author's own models.
date: 2026-01-02
---

## Shapes

```figure
kind: decoder-sampler
id: shapes-sampler
model: shapes_vae
caption: The shapes VAE's code plane.
```

```figure
kind: zoo-manifold
id: shapes-manifold
model: shapes_vae
grid: 7
caption: A grid the shapes VAE's decoder draws.
```

## Bars

```figure
kind: decoder-sampler
id: bars-sampler
model: bars_ae
caption: The bars autoencoder's code plane.
```

```figure
kind: zoo-latent
id: bars-latent
model: bars_ae
caption: The bars autoencoder's latent plane.
```

```figure
kind: zoo-manifold
id: bars-manifold
model: bars_ae
grid: 5
caption: A grid the bars autoencoder's decoder draws around the middle of its codes.
```

```figure
kind: draw-digit
id: bars-draw
model: bars_ae
test_digits: 4
caption: Draw a bar; the bars autoencoder places it.
```
"""
FILES_ARTICLE = """\
---
title: Own file model
description: The code planes of a model trained elsewhere, read from a .keras file.
date: 2026-01-02
---

## Painted shapes

```figure
kind: decoder-sampler
id: paint-sampler
model: paint_file
caption: The code plane of a model read from a .keras file.
```

```figure
kind: zoo-latent
id: paint-latent
model: paint_file
caption: Its latent plane.
```

```figure
kind: zoo-manifold
id: paint-manifold
model: paint_file
grid: 5
caption: A grid its decoder draws.
```
"""
IDS = ("shapes-sampler", "shapes-manifold", "bars-sampler", "bars-latent", "bars-manifold", "bars-draw")
FILE_IDS = ("paint-sampler", "paint-latent", "paint-manifold")
BARS = (20, 24)  # height, width
PAINT = (12, 16)  # height, width of the file model's colour images
CLASSES = ["circle", "square", "star", "triangle"]
PAINT_COLOURS = {"circle": (230, 60, 40), "square": (40, 200, 80), "triangle": (60, 90, 240)}


def write_bars(folder: Path, n: int = 120) -> None:
    """Unlabelled gray pictures: a bright vertical bar, 4 px wide, at one of 18 places, on a dark field."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(5)
    for i in range(n):
        image = np.full(BARS, int(rng.integers(0, 30)), np.uint8)
        x = (i * 7) % (BARS[1] - 5)
        image[2:-2, x : x + 4] = int(rng.integers(170, 256))
        Image.fromarray(image, "L").save(folder / f"{i:03d}.png")


def write_paint(root: Path, per_class: int = 40) -> dict:
    """Coloured 12 x 16 shapes in one sub-folder per class, and an autoencoder of them made in Keras, as an author
    would: sub-models "encoder" (a 2-D code) and "decoder" (RGB images), trained a few epochs, saved as one file
    models/paint.keras. Returns {"encoder", "decoder"}: the Keras models the file holds."""
    import keras
    from keras import layers

    from tests.datafiles import shape_image

    rng = np.random.default_rng(3)
    images = []
    for kind, colour in PAINT_COLOURS.items():
        (root / "data" / "paint" / kind).mkdir(parents=True)
        for i in range(per_class):
            image = shape_image(kind, colour, rng, size=PAINT, span=8)
            image.save(root / "data" / "paint" / kind / f"{i:03d}.png")
            images.append(np.asarray(image))
    x = np.stack(images).astype("float32") / 255.0
    keras.utils.set_random_seed(0)
    encoder = keras.Sequential(
        [keras.Input((*PAINT, 3)), layers.Flatten(), layers.Dense(32, activation="relu"), layers.Dense(2)],
        name="encoder",
    )
    decoder = keras.Sequential(
        [
            keras.Input((2,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(PAINT[0] * PAINT[1] * 3, activation="sigmoid"),
            layers.Reshape((*PAINT, 3)),
        ],
        name="decoder",
    )
    image = keras.Input((*PAINT, 3))
    whole = keras.Model(image, decoder(encoder(image)))
    whole.compile(optimizer="adam", loss="binary_crossentropy")
    whole.fit(x, x, epochs=20, batch_size=32, verbose=0)
    (root / "models").mkdir()
    whole.save(root / "models" / "paint.keras")
    return {"encoder": encoder, "decoder": decoder}


@pytest.fixture(scope="module")
def paint(tmp_path_factory) -> dict:
    """{"root", "encoder", "decoder"}: a folder holding data/paint and models/paint.keras, and the Keras models."""
    root = tmp_path_factory.mktemp("paint")
    return {"root": root, **write_paint(root)}


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache, paint) -> tuple[Path, Path]:
    """(folder to serve, build cache): the site under /repo/ at tiny scale."""
    root = tmp_path_factory.mktemp("own-planes")
    project = Project(root / "site")
    project.write("site.toml", SITE)
    project.write("content/planes.md", ARTICLE)
    project.write("content/files.md", FILES_ARTICLE)
    shutil.copytree(ROOT / "examples" / "shapes" / "data", project.root / "data" / "shapes")
    write_bars(project.root / "data" / "bars")
    for folder in ("data/paint", "models"):
        shutil.copytree(paint["root"] / folder, project.root / folder)
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    www = root / "www"
    project.build("--base-url", "/repo/", "--out", str(www / "repo"), check=True)
    return www, shared_cache


def payloads(site: Path) -> dict[str, Path]:
    """Each figure's payload folder, by the model in its config and its kind."""
    out = {}
    for folder in (site / "repo" / "figures").iterdir():
        config = json.loads((folder / "config.json").read_text())
        out[f"{folder.name.rsplit('-', 1)[0]}:{config['model']}"] = folder
    return out


def config_of(built, key: str) -> dict:
    return json.loads((payloads(built[0])[key] / "config.json").read_text())


def private(built, key: str, name: str) -> dict:
    """A private fixture of a figure's payload, from the build cache entry its folder came from."""
    site, cache = built[:2]
    kind = key.split(":")[0]
    digest = payloads(site)[key].name.rsplit("-", 1)[1]
    for manifest in (cache / f"figure:{kind}").glob("*/manifest.json"):
        if json.loads(manifest.read_text())["digest"].startswith(digest):
            return json.loads((manifest.parent / name).read_text())
    raise AssertionError(f"no cache entry for {key}")


def levels_tolerance(config: dict) -> int:
    """Gray levels a painted pixel may differ from Keras's: the export's max error, plus one for rounding."""
    return math.ceil(config["export"]["max_error"] * 255) + 1


def hook(page, fid, call, *args):
    return page.evaluate(f"(args) => document.querySelector('figure#{fid}').__figure.{call}(...args)", list(args))


def open_page(page, site_url):
    page.goto(site_url + "repo/planes/")
    for fid in IDS:
        page.locator(f"figure#{fid}").scroll_into_view_if_needed(timeout=READY_TIMEOUT)
        assert page.evaluate(f"window.__explorables.whenReady('{fid}')") == "ready", fid
    return page


@pytest.fixture
def opened(page, page_errors, serve, built):
    log = page_errors(page)
    open_page(page, serve(built[0]))
    yield page
    log.assert_clean()


def assert_painted_equals_expected(page, fid, config, payload: Path):
    """For each fixture code: the probe moves there and the painted levels equal expected.u8."""
    shape = config["image"]
    expected = np.frombuffer((payload / config["fixture"]["expected"]).read_bytes(), np.uint8)
    expected = expected.reshape(len(config["fixture"]["codes"]), -1).astype(int)
    assert expected.shape[1] == int(np.prod(shape))
    tolerance = levels_tolerance(config)
    for code, want in zip(config["fixture"]["codes"], expected):
        hook(page, fid, "setProbe", *code)
        painted = np.asarray(hook(page, fid, "pixels"))
        assert painted.shape == want.shape, (painted.shape, want.shape)
        assert np.abs(painted - want).max() <= tolerance, f"{fid}: painted image differs from Keras at {code}"


def channel_spread(values, shape) -> int:
    """The largest difference between two channels of one pixel of an (H, W, 3) image's levels."""
    rgb = np.asarray(values, int).reshape(shape)
    return int((rgb.max(axis=2) - rgb.min(axis=2)).max())


def test_payloads_describe_colour_gray_labels_and_no_labels(built):
    shapes = config_of(built, "decoder-sampler:shapes_vae")
    assert shapes["image"] == [32, 32, 3] and shapes["classes"] == CLASSES and shapes["labels"]
    assert shapes["noun"] == "images" and "digit" not in shapes["alt"] and "circle, square, star" in shapes["alt"]
    bars = config_of(built, "decoder-sampler:bars_ae")
    assert bars["image"] == list(BARS) and bars["labels"] is None and bars["classes"] == []
    assert bars["atlas"]["box"][2:] == [23, 28]  # 20 x 24 fitted into a 28 px cell
    latent = config_of(built, "zoo-latent:bars_ae")
    assert latent["labels"] is None and latent["family"] == "autoencoder" and "digit" not in latent["alt"]
    assert not (payloads(built[0])["zoo-latent:bars_ae"] / "labels.u8").exists()
    manifold = config_of(built, "zoo-manifold:shapes_vae")
    assert manifold["image"] == [32, 32, 3] and "digit" not in manifold["alt"]
    # the RGB model's grid is drawn in colour in the fallback too (its only colours are the decoded images')
    with Image.open(payloads(built[0])["zoo-manifold:shapes_vae"] / "fallback.png") as image:
        assert channel_spread(np.asarray(image.convert("RGB")), (image.height, image.width, 3)) > 8


def test_figures_mount_without_errors_and_speak_of_images(opened):
    for fid in IDS:
        assert opened.locator(f"figure#{fid} img.figure-fallback").get_attribute("alt"), fid
    label = opened.get_attribute("figure#shapes-sampler .decoder-plane canvas", "aria-label")
    assert "240 images as dots coloured by class" in label and "digit" not in label, label
    legend = [t.strip() for t in opened.locator("figure#shapes-sampler .figure-legend li").all_inner_texts()]
    assert legend == CLASSES, legend
    for fid in ("bars-sampler", "bars-latent"):  # unlabelled: no legend, no class in the read-outs
        assert opened.locator(f"figure#{fid} .figure-legend").count() == 0, fid
        label = opened.get_attribute(f"figure#{fid} .decoder-plane canvas", "aria-label")
        assert "as dots," in label and "coloured" not in label and "digit" not in label, label
    caption = opened.locator("figure#bars-sampler .decoder-panel .decoder-caption", has_text="real")
    assert caption.inner_text() == "The 5 real images with the nearest codes"


def test_rgb_sampler_paints_the_keras_output_in_colour(opened, built):
    config = config_of(built, "decoder-sampler:shapes_vae")
    assert_painted_equals_expected(opened, "shapes-sampler", config, payloads(built[0])["decoder-sampler:shapes_vae"])
    spreads = []
    for code in config["fixture"]["codes"]:
        hook(opened, "shapes-sampler", "setProbe", *code)
        spreads.append(channel_spread(hook(opened, "shapes-sampler", "pixels"), config["image"]))
    assert max(spreads) > 8, f"the decoded images are gray: channel spreads {spreads}"
    # the neighbours come from the colour atlas, in colour
    hook(opened, "shapes-sampler", "atlasReady")
    spread = opened.evaluate("""() => Math.max(...[...document.querySelectorAll(
        'figure#shapes-sampler canvas.decoder-neighbour')].map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let most = 0;
          for (let i = 0; i < d.length; i += 4) most = Math.max(most, Math.max(d[i], d[i+1], d[i+2]) - Math.min(d[i], d[i+1], d[i+2]));
          return most; }))""")
    assert spread > 40, "the nearest real images are not drawn in colour"


def test_moving_the_probe_changes_the_painted_image(opened, built):
    for fid, key in (("shapes-sampler", "decoder-sampler:shapes_vae"), ("bars-sampler", "decoder-sampler:bars_ae")):
        domain = config_of(built, key)["domain"]
        hook(opened, fid, "setProbe", domain["x"][0], domain["y"][0])
        before = hook(opened, fid, "pixels")
        opened.focus(f"figure#{fid} .decoder-plane canvas")
        for _ in range(6):
            opened.keyboard.press("Shift+ArrowRight")
            opened.keyboard.press("Shift+ArrowUp")
        hook(opened, fid, "whenIdle")
        assert hook(opened, fid, "pixels") != before, f"{fid}: moving the probe did not change the image"
        wait_until(opened, f"document.querySelector('figure#{fid} .figure-status').textContent.startsWith('Probe at')")
    status = opened.text_content("figure#shapes-sampler .figure-status")
    assert "Nearest real images:" in status and any(f"{name}s" in status for name in CLASSES), status
    assert "Nearest" not in opened.text_content("figure#bars-sampler .figure-status")


def test_gray_sampler_of_another_size_paints_keras_and_keeps_the_aspect(opened, built):
    config = config_of(built, "decoder-sampler:bars_ae")
    assert_painted_equals_expected(opened, "bars-sampler", config, payloads(built[0])["decoder-sampler:bars_ae"])
    box = opened.locator("figure#bars-sampler canvas.decoder-output").bounding_box()
    assert box["width"] / box["height"] == pytest.approx(BARS[1] / BARS[0], rel=0.05), box
    hook(opened, "bars-sampler", "atlasReady")
    sizes = opened.evaluate(
        "() => [...document.querySelectorAll('figure#bars-sampler canvas.decoder-neighbour')].map((c) => [c.height, c.width])"
    )
    assert sizes and all(size == [23, 28] for size in sizes), sizes
    assert all(not t.strip() for t in opened.locator("figure#bars-sampler .decoder-neighbours li").all_inner_texts())


def test_zoo_latent_on_unlabelled_gray_data_matches_keras(opened, built):
    config = config_of(built, "zoo-latent:bars_ae")
    fixture = private(built, "zoo-latent:bars_ae", "expected.json")
    tolerance = config["export"]["max_error"] + 1e-4
    images = []
    for code, want in zip(fixture["codes"], fixture["expected"]):
        hook(opened, "bars-latent", "setProbe", *code)
        output = np.asarray(hook(opened, "bars-latent", "output"))
        assert output.shape == (BARS[0] * BARS[1],)
        assert np.abs(output - np.asarray(want)).max() <= tolerance, f"zoo-latent differs from Keras at {code}"
        images.append(hook(opened, "bars-latent", "pixels"))
    assert any(a != b for a, b in zip(images, images[1:])), "the probe's images do not change"
    assert "Nearest" not in opened.text_content("figure#bars-latent .zoo-latent__text")  # no classes to count


def test_zoo_manifold_paints_the_rgb_corners_keras_draws(opened, built):
    config = config_of(built, "zoo-manifold:shapes_vae")
    tolerance = levels_tolerance(config)
    for case in private(built, "zoo-manifold:shapes_vae", "fixture.json")["cases"]:
        hook(opened, "shapes-manifold", "set", {"halfWidth": case["half_width"], "spacing": case["spacing"]})
        assert np.allclose(hook(opened, "shapes-manifold", "cornerCodes"), case["codes"], atol=1e-5)
        want = np.rint(np.clip(np.asarray(case["expected"]), 0, 1) * 255)
        painted = np.asarray(hook(opened, "shapes-manifold", "corners"))
        assert painted.shape == want.shape == (4, 32 * 32 * 3), painted.shape
        assert np.abs(painted - want).max() <= tolerance, f"corners differ from Keras ({case['spacing']})"
    grid = hook(opened, "shapes-manifold", "pixels")
    assert len(grid) == 7 * 32 * 7 * 32 * 3
    assert channel_spread(grid, (7 * 32, 7 * 32, 3)) > 8, "the grid is gray"


def test_zoo_manifold_of_an_autoencoder_is_centred_on_its_codes_gray_and_wide(opened, built):
    config = config_of(built, "zoo-manifold:bars_ae")
    extent = config["extent"]
    centre = [(lo + hi) / 2 for lo, hi in zip(extent["min"], extent["max"])]
    assert config["centre"] == pytest.approx(centre, abs=1e-3) and config["image"] == list(BARS)
    assert "of the codes" in config["alt"]
    codes = np.asarray(hook(opened, "bars-manifold", "codes"))
    assert codes.mean(axis=0) == pytest.approx(centre, abs=1e-3)
    tolerance = levels_tolerance(config)
    for case in private(built, "zoo-manifold:bars_ae", "fixture.json")["cases"]:
        hook(opened, "bars-manifold", "set", {"halfWidth": case["half_width"], "spacing": case["spacing"]})
        assert np.allclose(hook(opened, "bars-manifold", "cornerCodes"), case["codes"], atol=1e-5)
        want = np.rint(np.clip(np.asarray(case["expected"]), 0, 1) * 255)
        painted = np.asarray(hook(opened, "bars-manifold", "corners"))
        assert painted.shape == want.shape == (4, BARS[0] * BARS[1]), painted.shape
        assert np.abs(painted - want).max() <= tolerance, f"corners differ from Keras ({case['spacing']})"
    box = opened.locator("figure#bars-manifold canvas.zoo-manifold__grid").bounding_box()
    assert box["width"] / box["height"] == pytest.approx(BARS[1] / BARS[0], rel=0.05), box
    readout = opened.text_content("figure#bars-manifold .decoder-readout")
    assert "on z\u2081" in readout and "on z\u2082" in readout, readout


def test_draw_digit_on_unlabelled_gray_images_of_another_size(opened, built):
    """draw-digit with an author's model (20 x 24 gray bars, no labels): the test images land where Keras puts
    them, a drawn bar is reduced to 20 x 24 and gets a code, and the texts speak of images, without a legend."""
    config = config_of(built, "draw-digit:bars_ae")
    assert config["image"] == list(BARS) and config["labels"] is None and config["noun"] == "image"
    items = config["digits"]["items"]
    assert [item["label"] for item in items] == [f"image {i}" for i in range(1, 5)]
    payload = payloads(built[0])["draw-digit:bars_ae"]
    images = np.frombuffer((payload / config["digits"]["file"]).read_bytes(), np.uint8).reshape(len(items), -1)
    span = np.asarray(config["extent"]["max"]) - np.asarray(config["extent"]["min"])
    for i, item in enumerate(items):
        code = hook(opened, "bars-draw", "encode", (images[i] / 255).tolist())
        assert np.all(np.abs(np.asarray(code) - item["code"]) <= 1e-2 * span), (i, code, item["code"])
    assert len(hook(opened, "bars-draw", "inputPixels")) == BARS[0] * BARS[1]
    hook(opened, "bars-draw", "clear")
    box = opened.locator("figure#bars-draw canvas.draw-pad").bounding_box()
    opened.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    opened.mouse.down()
    opened.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.85, steps=8)
    opened.mouse.up()
    hook(opened, "bars-draw", "whenIdle")
    code = hook(opened, "bars-draw", "code")
    assert code is not None and all(np.isfinite(code))
    drawn = np.asarray(hook(opened, "bars-draw", "input")).reshape(BARS)
    assert drawn.max() > 0.5 and drawn.sum(axis=0).argmax() in range(8, 16), "the bar sits in the middle columns"
    figure = opened.locator("figure#bars-draw")
    assert figure.locator(".figure-legend").count() == 0
    assert "Draw a image" not in figure.inner_text() and "draw a image" not in figure.inner_text()
    assert "Use a test image" in figure.inner_text()


# --- a model read from a .keras file, on colour images --------------------------------------------------------------


def project_config(built):
    """The built project's settings at tiny scale, and a pipeline over its build cache."""
    from generator.config import load_config
    from generator.pipeline import Pipeline

    root = built[0].parent / "site"
    cfg = load_config(root, path=root / "site.toml", overrides={"build.scale": "tiny"})
    return cfg, Pipeline(root / ".cache", show_progress=False)


@pytest.fixture
def opened_files(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built[0]) + "repo/files/")
    for fid in FILE_IDS:
        page.locator(f"figure#{fid}").scroll_into_view_if_needed(timeout=READY_TIMEOUT)
        assert page.evaluate(f"window.__explorables.whenReady('{fid}')") == "ready", fid
    yield page
    log.assert_clean()


def test_file_model_codes_are_its_keras_encoders_and_its_payloads_are_colour(built, paint):
    """The build read the file, never trained it: the points are the author's encoder's codes of the images."""
    from generator.stages import dataset_request
    from generator.stages.data import load_arrays
    from generator.stages.train import train_request

    cfg, pipeline = project_config(built)
    artifact = pipeline.get(train_request(cfg, "paint_file"))
    made = [record.name for record in pipeline.records if not record.cached]
    assert made == [], f"the build's artifacts were made again: {made}"
    assert artifact.meta["epochs"] == 0
    arrays = load_arrays(pipeline.get(dataset_request(cfg, "paint")))
    x = np.concatenate([arrays["x_train"], arrays["x_test"]])
    assert x.shape[1:] == (*PAINT, 3)
    codes = np.load(artifact.file("codes.npy"))
    want = paint["encoder"].predict(x.astype("float32") / 255.0, verbose=0)
    np.testing.assert_allclose(codes, want, atol=1e-5)
    for key in ("decoder-sampler:paint_file", "zoo-latent:paint_file", "zoo-manifold:paint_file"):
        config = config_of(built, key)
        assert config["image"] == [*PAINT, 3] and "digit" not in config["alt"], key
        with Image.open(payloads(built[0])[key] / "fallback.png") as image:
            assert channel_spread(np.asarray(image.convert("RGB")), (image.height, image.width, 3)) > 40, key
    sampler = config_of(built, "decoder-sampler:paint_file")
    assert sampler["classes"] == list(PAINT_COLOURS) and sampler["count"] == len(x)
    assert sampler["atlas"]["box"][2:] == [21, 28]  # 12 x 16 fitted into a 28 px cell


def test_file_models_exported_decoder_matches_keras_in_node(built, paint):

    from generator.stages.export import export_request

    cfg, pipeline = project_config(built)
    artifact = pipeline.get(export_request(cfg, "paint_file", "decoder"))
    probe = json.loads(artifact.file("probe.json").read_text())
    want = np.array(probe["outputs"], dtype=np.float64)
    assert want.shape[1:] == (*PAINT, 3)
    np.testing.assert_allclose(  # the exporter's reference is the author's decoder, unchanged
        want, paint["decoder"].predict(np.array(probe["inputs"], dtype="float32"), verbose=0), atol=1e-5
    )
    result = node_outputs(artifact)
    got = np.array(result["outputs"], dtype=np.float64)
    assert got.shape == want.shape
    # the recorded error is the maximum over the full probe set; these are a subset of it
    assert np.abs(got - want).max() <= artifact.meta["max_error"] + 2e-5
    assert artifact.meta["max_error"] <= cfg["export.max_error"]


def test_file_model_sampler_paints_keras_in_colour_and_follows_the_probe(opened_files, built):
    key = "decoder-sampler:paint_file"
    config = config_of(built, key)
    assert_painted_equals_expected(opened_files, "paint-sampler", config, payloads(built[0])[key])
    spreads = []
    for code in config["fixture"]["codes"]:
        hook(opened_files, "paint-sampler", "setProbe", *code)
        spreads.append(channel_spread(hook(opened_files, "paint-sampler", "pixels"), config["image"]))
    assert max(spreads) > 40, f"the decoded images are gray: channel spreads {spreads}"
    domain = config["domain"]
    hook(opened_files, "paint-sampler", "setProbe", domain["x"][0], domain["y"][0])
    before = hook(opened_files, "paint-sampler", "pixels")
    opened_files.focus("figure#paint-sampler .decoder-plane canvas")
    for _ in range(6):
        opened_files.keyboard.press("Shift+ArrowRight")
        opened_files.keyboard.press("Shift+ArrowUp")
    hook(opened_files, "paint-sampler", "whenIdle")
    assert hook(opened_files, "paint-sampler", "pixels") != before, "moving the probe did not change the image"
    box = opened_files.locator("figure#paint-sampler canvas.decoder-output").bounding_box()
    assert box["width"] / box["height"] == pytest.approx(PAINT[1] / PAINT[0], rel=0.05), box
    legend = [t.strip() for t in opened_files.locator("figure#paint-sampler .figure-legend li").all_inner_texts()]
    assert legend == list(PAINT_COLOURS), legend


def test_file_model_zoo_latent_matches_keras_in_colour(opened_files, built):
    config = config_of(built, "zoo-latent:paint_file")
    fixture = private(built, "zoo-latent:paint_file", "expected.json")
    tolerance = config["export"]["max_error"] + 1e-4
    spreads = []
    for code, want in zip(fixture["codes"], fixture["expected"]):
        hook(opened_files, "paint-latent", "setProbe", *code)
        output = np.asarray(hook(opened_files, "paint-latent", "output"))
        assert output.shape == (PAINT[0] * PAINT[1] * 3,)
        assert np.abs(output - np.asarray(want).ravel()).max() <= tolerance, f"zoo-latent differs from Keras at {code}"
        spreads.append(channel_spread(hook(opened_files, "paint-latent", "pixels"), (*PAINT, 3)))
    assert max(spreads) > 40, f"the decoded images are gray: channel spreads {spreads}"


def test_file_model_zoo_manifold_paints_the_corners_keras_draws_in_colour(opened_files, built):
    config = config_of(built, "zoo-manifold:paint_file")
    tolerance = levels_tolerance(config)
    for case in private(built, "zoo-manifold:paint_file", "fixture.json")["cases"]:
        hook(opened_files, "paint-manifold", "set", {"halfWidth": case["half_width"], "spacing": case["spacing"]})
        assert np.allclose(hook(opened_files, "paint-manifold", "cornerCodes"), case["codes"], atol=1e-5)
        want = np.rint(np.clip(np.asarray(case["expected"]), 0, 1) * 255)
        painted = np.asarray(hook(opened_files, "paint-manifold", "corners"))
        assert painted.shape == want.shape == (4, PAINT[0] * PAINT[1] * 3), painted.shape
        assert np.abs(painted - want).max() <= tolerance, f"corners differ from Keras ({case['spacing']})"
    grid = hook(opened_files, "paint-manifold", "pixels")
    assert len(grid) == 5 * PAINT[0] * 5 * PAINT[1] * 3
    assert channel_spread(grid, (5 * PAINT[0], 5 * PAINT[1], 3)) > 40, "the grid is gray"
    box = opened_files.locator("figure#paint-manifold canvas.zoo-manifold__grid").bounding_box()
    assert box["width"] / box["height"] == pytest.approx(PAINT[1] / PAINT[0], rel=0.05), box
