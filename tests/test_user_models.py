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
from PIL import Image

from generator.config import load_config
from generator.errors import ContentError, ModelError
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
        "code": [3],
        "plane": False,
    }
    assert model_info(cfg, "digits_ae")["code"] == [2] and model_info(cfg, "digits_ae")["plane"]
    # a file's code is read from the file (its decoder's input): one message naming the table's line
    with pytest.raises(ModelError, match=r"site\.toml:10: .*ae\.keras does not exist"):
        model_info(cfg, "read")


def test_the_reserved_names_are_the_layouts():
    assert set(LAYOUT_NAMES) == set(METHODS)


# --- training: each architecture on gray and on RGB images ---------------------------------------------------------

SIZES = {"gray": (20, 24), "rgb": (18, 22)}  # neither is 28 x 28, neither is square
CLASSES = ("circle", "square", "triangle")
PER_CLASS = 80
EPOCHS = 134  # times [scales.tiny] epoch_scale 0.15: 20 epochs
# every family once, and both colours through the dense and the conv paths (five trainings, not eight)
MODELS = [("gray", "dense"), ("gray", "conv-vae"), ("rgb", "dense"), ("rgb", "conv"), ("rgb", "vae")]
assert {architecture for _, architecture in MODELS} == set(ARCHITECTURES)


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
    """A project training the MODELS, each placing its data set's points: built once."""
    project = Project(tmp_path_factory.mktemp("own-models") / "site")
    for color in SIZES:
        shapes(project.root / "data" / color, color)
    project.write("site.toml", settings())
    figures = {color: [name_of(c, a) for c, a in MODELS if c == color] for color in SIZES}
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
@pytest.mark.parametrize("architecture", ["dense", "conv-vae"])  # conv-vae: convolutions and sampling
def test_the_same_inputs_give_the_same_codes(trained, tmp_path, architecture):
    """Training again from nothing (a fresh cache, another process) gives the build's codes and losses exactly:
    every step is seeded."""
    name = name_of("gray", architecture)
    cfg = config(trained)
    built = Pipeline(trained.root / ".cache", show_progress=False).get(train_request(cfg, name))
    again = Pipeline(tmp_path / "cache", show_progress=False).get(train_request(cfg, name))
    assert again.path != built.path
    assert np.array_equal(np.load(again.file("codes.npy")), np.load(built.file("codes.npy")))
    # the losses too, to the last bit: the build trained in a process of its own, this test in another
    assert again.file("history.json").read_bytes() == built.file("history.json").read_bytes()


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
    assert "layout 'rgb_dense'" in errors[0] and "gray_dense, gray_conv_vae" in errors[0]
    assert "[run]" not in done.stderr


# --- before any stage: a conv family on long, narrow images -------------------------------------------------------


def strips(folder: Path, size: tuple[int, int], n: int = 12) -> None:
    """``n`` gray images of ``size`` (height, width) of black and white pixels, in two class folders."""
    rng = np.random.default_rng(2)
    for i in range(n):
        (folder / f"c{i % 2}").mkdir(parents=True, exist_ok=True)
        image = rng.integers(0, 2, size, dtype=np.uint8) * 255
        Image.fromarray(image, "L").save(folder / f"c{i % 2}" / f"{i:02d}.png")


@pytest.mark.parametrize("how", ["native", "size"])
@pytest.mark.parametrize("architecture", ["conv", "conv-vae"])
def test_a_conv_model_on_long_narrow_images_is_one_message_before_any_stage(project, how, architecture):
    """6 x 40 images (as they are, or by the data set's size) are too narrow for the conv decoder: the model's
    settings line says so, with what fits and what to do instead, before anything runs."""
    strips(project.root / "data" / "strips", (6, 40) if how == "native" else (10, 10))
    size = "size = [6, 40]\n" if how == "size" else ""
    project.write(
        "site.toml",
        f'[site]\ntitle = "T"\n\n[datasets.strips]\npath = "data/strips"\n{size}licence = "CC0 1.0"\n\n'
        f'[models.narrow]\ndataset = "strips"\narchitecture = "{architecture}"\n',
    )
    done = project.build()
    errors = [row for row in done.stderr.splitlines() if row.startswith("error:")]
    assert done.returncode == 1 and "Traceback" not in done.stderr and len(errors) == 1, done.stderr[-3000:]
    line = 9 if how == "size" else 8
    assert errors[0].startswith(f'error: site.toml:{line}: [models.narrow] architecture = "{architecture}"'), errors
    other = "vae" if architecture == "conv-vae" else "dense"
    for part in ("images of 6 x 40 pixels", "at most 38", f'use architecture = "{other}"', "[datasets.strips] a size"):
        assert part in errors[0], errors[0]
    assert "[run]" not in done.stderr


def test_the_train_stage_says_the_same_where_the_size_was_not_known_before():
    """An IDX folder without size is read in the dataset stage: the train stage names the model's table."""
    from generator.stages.train import build

    params = {
        "model": "narrow",
        "seed": 0,
        "data": {"name": "strips", "spec": {}},
        "hyper": {"architecture": "conv", "hidden": None, "filters": 16, "latent_dim": 2, "learning_rate": 1e-3},
    }
    with pytest.raises(ModelError, match=r"\[models.narrow\] architecture = \"conv\": images of 4 x 64 pixels .* 18"):
        build(params, (4, 64))


# --- the train stage: its key, a model that diverges --------------------------------------------------------------


def test_the_train_stage_key_leaves_out_titles_the_checks_and_the_exporter():
    """Editing a title, the check before the build or an exporter converter retrains nothing: the train stage's
    module imports none of them (its key covers what it imports, function-level imports too)."""
    from generator.pipeline import imported_modules

    modules = imported_modules("generator/stages/train.py")
    for left_out in (
        "generator/models/registry.py",
        "generator/models/checks.py",
        "generator/model_settings.py",
        "generator/models/__init__.py",
        "generator/tfjs/layers.py",
        "generator/tfjs/options.py",
    ):
        assert left_out not in modules, left_out
    assert {"generator/models/keras_file.py", "generator/models/families.py"} <= set(modules)


def test_the_train_request_carries_what_the_stage_needs(tmp_path):
    cfg = load_config(tmp_path)
    assert train_request(cfg, "fashion_vae").params["zoo"] is True
    assert train_request(cfg, "mnist_ae").params["zoo"] is False
    assert train_request(cfg, "fashion_vae").params["data"]["name"] == "fashion-mnist"
    with pytest.raises(ContentError, match="unknown model 'nope'"):
        train_request(cfg, "nope")


def test_a_model_that_diverges_is_one_message_from_the_train_stage(project):
    """learning_rate = 1.0 and small batches make this VAE's loss NaN in its first epoch: the train stage names
    the model and the remedy (rather than a layout stage failing on the codes later)."""
    strips(project.root / "data" / "strips", (8, 12), n=48)
    project.write(
        "site.toml",
        '[site]\ntitle = "T"\n\n[datasets.strips]\npath = "data/strips"\nlicence = "CC0 1.0"\n\n[models.wild]\n'
        'dataset = "strips"\narchitecture = "conv-vae"\nfilters = 8\nlearning_rate = 1.0\nbatch_size = 4\nepochs = 20\n',
    )
    project.write("content/test-article.md", article({"strips": ["wild", "pca"]}))
    done = project.build()
    # the progress bars' lines may end where the message starts (a bar's cursor move, no newline)
    errors = re.findall(r"(?m)error: .*$", done.stderr)
    assert done.returncode == 1 and "Traceback" not in done.stderr and len(errors) == 1, done.stderr[-3000:]
    assert errors[0].startswith("error: [models.wild]: training diverged"), errors[0]
    assert "NaN or infinite" in errors[0] and "try a smaller learning_rate (it is 1)" in errors[0], errors[0]
    assert "internal error" not in done.stderr and "finite" not in errors[0].split("NaN", 1)[0]


# --- latent-layouts: the default layouts and the messages ---------------------------------------------------------

LAYOUT_SITE = """\
[datasets.strips]
path = "data/strips"

[models.strips_ae]
dataset = "strips"

[models.strips_3d]
dataset = "strips"
latent_dim = 3

[models.digits_ae]
dataset = "mnist"
"""


def test_latent_layouts_offers_every_layout_of_its_data_set_by_default(tmp_path):
    from generator.figures.latent_layouts import request

    (tmp_path / "site.toml").write_text(LAYOUT_SITE)
    cfg = load_config(tmp_path)
    assert plane_models(cfg)[-2:] == ["strips_ae", "digits_ae"]
    own = request({"dataset": "strips", "layouts": [], "initial": ""}, cfg).params
    assert own["layouts"] == ["umap", "tsne", "pca", "strips_ae"] == layout_methods(cfg, "strips")
    assert own["initial"] == "umap" and set(own["positions"]) == set(own["layouts"])
    mnist = request({"dataset": "mnist", "layouts": [], "initial": ""}, cfg).params
    assert mnist["layouts"] == [*METHODS, "digits_ae"]
    plain = request({"dataset": "mnist", "layouts": [], "initial": ""}, load_config(tmp_path / "none")).params
    assert plain["layouts"] == list(METHODS), "mnist's default is unchanged"
    given = request({"dataset": "strips", "layouts": ["pca", "strips_ae"], "initial": ""}, cfg).params
    assert given["layouts"] == ["pca", "strips_ae"]


@pytest.mark.parametrize(
    "layout, patterns",
    [
        ("digits_ae", [r"layout 'digits_ae': model 'digits_ae' is trained on 'mnist', not 'strips'"]),
        ("strips_3d", [r"layout 'strips_3d': a model's layout needs a 2-D code", r"'strips_3d' has latent_dim = 3"]),
        ("fashion_simple", [r"is trained on 'fashion-mnist', not 'strips'"]),
        ("encoder", [r"'encoder' needs a model trained on mnist"]),
        ("nope", [r"layout 'nope': no such layout for dataset 'strips'"]),
    ],
)
def test_a_layout_that_cannot_be_says_why_and_what_is_allowed(tmp_path, layout, patterns):
    from generator.stages.layout import layout_request

    (tmp_path / "site.toml").write_text(LAYOUT_SITE)
    cfg = load_config(tmp_path)
    with pytest.raises(ContentError) as caught:
        layout_request(cfg, layout, "strips")
    message = str(caught.value)
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    assert message.endswith("allowed: umap, tsne, pca, strips_ae"), message


# --- the fingerprint of a single file -----------------------------------------------------------------------------


def test_a_single_file_is_hashed_whole_once_while_it_is_unchanged(tmp_path, monkeypatch):
    """A .keras file or an .npz is fingerprinted several times a build: read once while its size and time stay."""
    import os
    import time

    import generator.stages as stages

    reads = []
    whole = stages._whole
    monkeypatch.setattr(stages, "_whole", lambda digest, path: (reads.append(path), whole(digest, path)))
    file = tmp_path / "model.keras"
    file.write_bytes(b"a" * 4096)
    past = time.time() - 60
    os.utime(file, (past, past))
    first = stages.fingerprint(str(file), whole=True)
    assert stages.fingerprint(str(file), whole=True) == first and len(reads) == 1
    file.write_bytes(b"b" * 4096)  # the same size, another time: read again
    os.utime(file, (past + 1, past + 1))
    second = stages.fingerprint(str(file), whole=True)
    assert second != first and len(reads) == 2
    file.write_bytes(b"c" * 4096)  # changed just now: its time may not show the next change, so never kept
    assert stages.fingerprint(str(file), whole=True) == stages.fingerprint(str(file), whole=True) != second
    assert len(reads) == 4


# --- zoo-latent and the export stage on a data set of many classes -------------------------------------------------

MANY_SITE = """\
[site]
title = "T"

[datasets.many]
path = "data/many.npz"
licence = "CC0 1.0"

[models.many_ae]
dataset = "many"
hidden = [8]
epochs = 7

[models.many_3d]
dataset = "many"
hidden = [8]
latent_dim = 3
epochs = 7
"""


@pytest.fixture
def many(project) -> Project:
    """A data set of 8 x 8 images in 300 classes (an .npz), and two small dense models of it."""
    rng = np.random.default_rng(3)
    (project.root / "data").mkdir()
    np.savez(
        project.root / "data" / "many.npz",
        x_train=rng.integers(0, 256, (400, 8, 8), dtype=np.uint8),
        y_train=np.arange(400) % 300,
        x_test=rng.integers(0, 256, (100, 8, 8), dtype=np.uint8),
        y_test=np.arange(100) % 300 + 200,
    )
    project.write("site.toml", MANY_SITE)
    return project


def test_zoo_latent_on_more_than_256_classes_is_the_atlas_message(many):
    many.write("content/test-article.md", "---\ntitle: T\n---\n\n```figure\nkind: zoo-latent\nmodel: many_ae\n```\n")
    done = many.build()
    errors = re.findall(r"(?m)error: .*$", done.stderr)
    assert done.returncode == 1 and "Traceback" not in done.stderr and len(errors) == 1, done.stderr[-3000:]
    assert "dataset many: has 300 classes; the map of images colours at most 256: merge classes" in errors[0]


def test_the_decoder_of_a_model_without_a_2d_code_does_not_export(many):
    """Its probes span the code plane, which such a model has not: a ModelError naming the model, not a crash."""
    from generator.stages.export import export_request

    cfg = config(many)
    with pytest.raises(ModelError, match=r"\[models.many_3d\]: the decoder of 'many_3d' ships to the page only"):
        Pipeline(many.root / ".cache", show_progress=False).get(export_request(cfg, "many_3d", "decoder"))
