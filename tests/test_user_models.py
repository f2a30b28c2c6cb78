"""An author's models, ``[models.<name>]`` in site.toml, that the build trains: settings, training, the cache.

Through ``python build.py``: every rule of generator/model_settings.py is one message with the settings file
and line, no traceback and no stage run; each architecture (dense, conv, vae, conv-vae) trains at
``--scale tiny`` on gray images of a size other than 28 x 28 and on RGB images, and places its data set's
points in a ``latent-layouts`` figure. The artifacts are tested by properties: 2-D finite codes, a decoder
that reconstructs better than a constant image, the same codes from the same inputs, a new key for new
epochs. Models read from .keras files are in tests/test_user_model_files.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from generator.config import load_config
from generator.model_settings import ARCHITECTURES, LAYOUT_NAMES
from generator.models.registry import model_info, model_names, plane_models, user_models
from generator.pipeline import Pipeline
from generator.stages import dataset_request
from generator.stages.data import load_arrays
from generator.stages.layout import METHODS, layout_methods
from generator.stages.train import rebuild, train_request
from tests.conftest import Project
from tests.datafiles import shape_image

# --- settings: every rule is one message with the file and line --------------------------------------------------

KNOWN = r"known models: mnist_ae, mnist_vae, faces_ae, fashion_simple, .*mnist_rmsprop"
RULES = {
    "unknown-built-in-like-name": (
        "[models.mnist_vea]\nepochs = 3\n",
        1,
        [r"\[models.mnist_vea\] is not a built-in model \(did you mean \[models.mnist_vae\]\?\)", KNOWN],
    ),
    "unknown-name-without-keys": (
        '[models.digits_ae]\ntitle = "Digits"\n',
        1,
        [KNOWN, r'needs dataset = "\.\.\." and architecture = "dense" .* or file = "\.\.\.\.keras"'],
    ),
    "missing-dataset": ('[models.mine]\narchitecture = "dense"\n', 1, [r'\[models.mine\] needs dataset = "\.\.\."']),
    "unknown-dataset": (
        '[models.mine]\ndataset = "digits"\n',
        2,
        [r"dataset 'digits' is not a data set; allowed: one of 'mnist', 'fashion-mnist', 'faces'", r"\[datasets"],
    ),
    "file-and-epochs": (
        '[models.mine]\ndataset = "mnist"\nfile = "m.keras"\nepochs = 5\n',
        4,
        [r"epochs: a model read from a \.keras file is never retrained; remove epochs"],
    ),
    "file-and-encoder": (
        '[models.mine]\ndataset = "mnist"\nfile = "m.keras"\nencoder = "e.keras"\n',
        4,
        [r"gives file and encoder; allowed: file = one \.keras file, or encoder and decoder"],
    ),
    "encoder-without-decoder": (
        '[models.mine]\ndataset = "mnist"\nencoder = "e.keras"\n',
        1,
        [r'needs decoder = "\.\.\.\.keras" too \(or one file = "\.\.\.\.keras" holding both\)'],
    ),
    "hidden-with-conv": (
        '[models.mine]\ndataset = "mnist"\narchitecture = "conv"\nhidden = [64]\n',
        4,
        [r"hidden applies to architecture dense or vae, not 'conv'; remove it or change architecture"],
    ),
    "filters-with-dense": (
        '[models.mine]\ndataset = "mnist"\nfilters = 16\n',
        3,
        [r"filters applies to architecture conv or conv-vae, not 'dense'"],
    ),
    "unknown-key": (
        '[models.mine]\ndataset = "mnist"\nlatent_dims = 2\n',
        3,
        [
            r"has an unknown key 'latent_dims'; allowed keys: dataset, title, architecture, .*; did you mean 'latent_dim'\?"
        ],
    ),
    "unknown-architecture": (
        '[models.mine]\ndataset = "mnist"\narchitecture = "cnn"\n',
        3,
        [r"architecture is 'cnn'; allowed: one of 'dense', 'conv', 'vae', 'conv-vae'"],
    ),
    "latent-dim-out-of-range": (
        '[models.mine]\ndataset = "mnist"\nlatent_dim = 0\n',
        3,
        [r"latent_dim is 0; allowed: an integer from 1 to 256"],
    ),
    "bad-name": (
        '[models.My_AE]\ndataset = "mnist"\n',
        1,
        [r"the name 'My_AE' is not allowed; allowed: lowercase letters, digits, '_' and '-', starting with a letter"],
    ),
    "a-layout-name": ('[models.umap]\ndataset = "mnist"\n', 1, [r"the name 'umap' is the name of a layout"]),
    "not-a-table": ("[models]\nmine = 3\n", 2, [r"\[models.mine\] is 3; allowed: a table"]),
}


@pytest.mark.parametrize("case", list(RULES))
def test_every_rule_is_one_message_with_file_and_line(project, case):
    text, line, patterns = RULES[case]
    project.write("site.toml", text)
    done = project.build()
    err = done.stderr
    assert done.returncode == 1 and "Traceback" not in err, err[-3000:]
    errors = [row for row in err.splitlines() if row.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: site.toml:{line}: "), err[-3000:]
    for pattern in patterns:
        assert re.search(pattern, errors[0]), (pattern, errors[0])
    assert "[run]" not in err


def test_a_valid_table_is_read_with_defaults(tmp_path):
    (tmp_path / "site.toml").write_text(
        '[models.digits_ae]\ndataset = "mnist"\n\n[models.conv3]\ndataset = "mnist"\narchitecture = "conv-vae"\n'
        'latent_dim = 3\ntitle = "Three"\n\n[models.read]\ndataset = "mnist"\nfile = "models/ae.keras"\n'
    )
    cfg = load_config(tmp_path)
    own = user_models(cfg)
    assert list(own) == ["digits_ae", "conv3", "read"] and model_names(cfg)[-3:] == ["digits_ae", "conv3", "read"]
    assert own["digits_ae"]["architecture"] == "dense" and own["digits_ae"]["hidden"] == [256, 128]
    assert own["digits_ae"]["title"] == "digits_ae" and own["digits_ae"]["filters"] is None
    assert own["conv3"]["filters"] == 64 and own["conv3"]["hidden"] is None
    assert own["read"]["file"] == str(tmp_path / "models" / "ae.keras") and own["read"]["architecture"] == ""
    lines = {name: where.rsplit("/", 1)[-1] for name, where in cfg.model_origins.items()}
    assert lines == {"digits_ae": "site.toml:1", "conv3": "site.toml:4", "read": "site.toml:10"}
    assert model_info(cfg, "conv3") == {
        "dataset": "mnist",
        "title": "Three",
        "vae": True,
        "conv": True,
        "zoo": False,
        "source": "train",
        "plane": False,
    }
    assert model_info(cfg, "read")["source"] == "file"
    assert "digits_ae" in plane_models(cfg) and "conv3" not in plane_models(cfg)
    assert layout_methods(cfg, "mnist")[-2:] == ["digits_ae", "read"]


def test_the_reserved_names_are_the_layouts():
    assert set(LAYOUT_NAMES) == set(METHODS)


# --- training: each architecture on gray and on RGB images ---------------------------------------------------------

SIZES = {"gray": (20, 24), "rgb": (18, 22)}  # neither is 28 x 28, neither is square
CLASSES = ("circle", "square", "triangle")
PER_CLASS = 80
EPOCHS = 134  # times [scales.tiny] epoch_scale 0.15: 20 epochs
MODELS = [(color, architecture) for color in SIZES for architecture in ARCHITECTURES]


def name_of(color: str, architecture: str) -> str:
    return f"{color}_{architecture.replace('-', '_')}"


def shapes(folder: Path, color: str) -> Path:
    """PER_CLASS coloured (or gray) shapes of each class, in class folders."""
    rng = np.random.default_rng(1)
    for kind in CLASSES:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for i in range(PER_CLASS):
            colour = tuple(int(v) for v in rng.integers(90, 256, 3))
            image = shape_image(kind, colour, rng, size=SIZES[color], span=12)
            (image.convert("L") if color == "gray" else image).save(folder / kind / f"{i:03d}.png")
    return folder


def settings(epochs: dict[str, int] | None = None) -> str:
    text = '[site]\ntitle = "Own models"\n'
    for color in SIZES:
        text += f'\n[datasets.{color}]\npath = "data/{color}"\nlicence = "CC0 1.0"\n'
    for color, architecture in MODELS:
        name = name_of(color, architecture)
        shape = "filters = 16" if "conv" in architecture else "hidden = [64, 32]"
        text += (
            f'\n[models.{name}]\ndataset = "{color}"\narchitecture = "{architecture}"\n{shape}\n'
            f"epochs = {(epochs or {}).get(name, EPOCHS)}\nbatch_size = 32\n"
        )
    return text


def article(figures: dict[str, list[str]]) -> str:
    text = "---\ntitle: Own models\ndescription: Points placed by models the build trains.\ndate: 2026-01-02\n---\n"
    for dataset, layouts in figures.items():
        text += (
            f"\n## {dataset}\n\n```figure\nkind: latent-layouts\ndataset: {dataset}\nlayouts: [{', '.join(layouts)}]\n"
            "caption: Each picture placed by a model's code.\n```\n"
        )
    return text


@pytest.fixture(scope="module")
def trained(tmp_path_factory, shared_cache) -> Project:
    """A project training the eight models, each placing its data set's points: built once."""
    project = Project(tmp_path_factory.mktemp("own-models") / "site")
    for color in SIZES:
        shapes(project.root / "data" / color, color)
    project.write("site.toml", settings())
    figures = {color: [name_of(color, a) for a in ARCHITECTURES] for color in SIZES}
    project.write("content/maps.md", article(figures))
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    project.build(check=True)
    return project


def config(project: Project):
    return load_config(project.root, path=project.root / "site.toml", overrides={"build.scale": "tiny"})


def stages(project: Project) -> dict[str, dict]:
    return {record["name"]: record for record in project.report()["stages"]}


@pytest.mark.slow
@pytest.mark.parametrize("color, architecture", MODELS)
def test_each_architecture_trains_on_its_images_and_places_the_points(trained, color, architecture):
    name = name_of(color, architecture)
    records = stages(trained)
    assert records[f"train {name} (20 epochs)"]["meta"]["epochs"] == 20
    layout = records[f"layout {name}"]["meta"]
    n = len(CLASSES) * PER_CLASS
    assert layout["count"] == n and layout["effective"] == {"method": name, "model": name}

    cfg = config(trained)
    pipeline = Pipeline(trained.root / ".cache", show_progress=False)
    artifact = pipeline.get(train_request(cfg, name))
    assert all(record.cached for record in pipeline.records), "the build's artifact, not a new one"
    codes = np.load(artifact.file("codes.npy"))
    assert codes.shape == (n, 2) and codes.dtype == np.float32 and np.isfinite(codes).all()
    assert codes.std(axis=0).min() > 0, "the points are spread on both axes"

    arrays = load_arrays(pipeline.get(dataset_request(cfg, color)))
    shape = (*SIZES[color], 3) if color == "rgb" else SIZES[color]
    assert arrays["x_test"].shape[1:] == shape
    x_train = arrays["x_train"].astype("float32") / 255.0
    x_test = arrays["x_test"].astype("float32") / 255.0
    models = rebuild(artifact)
    recon = models["decoder"].predict(models["encoder"].predict(x_test, verbose=0), verbose=0)
    assert recon.shape == x_test.shape and recon.min() >= 0 and recon.max() <= 1
    constant = x_train.reshape(-1, *(shape[2:] or (1,))).mean(axis=0)  # the best constant image (per channel)
    error = float(np.mean((recon - x_test) ** 2))
    baseline = float(np.mean((constant.reshape(shape[2:] or ()) - x_test) ** 2))
    assert error < 0.9 * baseline, f"{name}: reconstruction error {error:.4f}, a constant image {baseline:.4f}"


@pytest.mark.slow
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_the_same_inputs_give_the_same_codes(trained, tmp_path, architecture):
    """Training again from nothing (a fresh cache) gives the build's codes exactly: every step is seeded."""
    name = name_of("gray", architecture)
    cfg = config(trained)
    built = Pipeline(trained.root / ".cache", show_progress=False).get(train_request(cfg, name))
    again = Pipeline(tmp_path / "cache", show_progress=False).get(train_request(cfg, name))
    assert again.path != built.path
    assert np.array_equal(np.load(again.file("codes.npy")), np.load(built.file("codes.npy")))


@pytest.mark.slow
def test_changing_epochs_changes_the_key_of_that_model_only(trained):
    before = stages(trained)
    trained.write("site.toml", settings({"gray_dense": EPOCHS + 7}))  # 21 epochs at tiny
    try:
        trained.build(check=True)
        after = stages(trained)
    finally:
        trained.write("site.toml", settings())
    assert "train gray_dense (21 epochs)" in after and not after["train gray_dense (21 epochs)"]["cached"]
    assert after["train gray_dense (21 epochs)"]["key"] != before["train gray_dense (20 epochs)"]["key"]
    others = [record for label, record in after.items() if label.startswith("train ") and "gray_dense" not in label]
    assert len(others) == len(MODELS) - 1 and all(record["cached"] for record in others)


@pytest.mark.slow
def test_a_layout_of_a_model_on_another_data_set_is_one_message(trained):
    trained.write("content/wrong.md", article({"gray": ["rgb_dense", "pca"]}))
    try:
        done = trained.build()
    finally:
        (trained.root / "content" / "wrong.md").unlink()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    errors = [row for row in done.stderr.splitlines() if row.startswith("error:")]
    assert len(errors) == 1 and "content/wrong.md:" in errors[0], done.stderr[-3000:]
    assert "layout 'rgb_dense'" in errors[0] and "gray_dense, gray_conv, gray_vae, gray_conv_vae" in errors[0]
    assert "[run]" not in done.stderr
