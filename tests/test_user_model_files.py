"""An author's model trained elsewhere: ``[models.<name>]`` with ``file =`` or ``encoder =`` + ``decoder =``.

The test makes the models in Keras (a dense autoencoder whose sub-models are named "encoder" and "decoder",
saved as one file; a small convolutional encoder and decoder saved as two files), trains them a few steps on
the data set and saves them. ``python build.py`` reads them, places the data set's points with their codes
(a ``latent-layouts`` figure with ``layouts: [<model>, pca]``), and the decoders, exported by our exporter,
match Keras in Node. Bad files are one message each, naming the file: before any stage where the archive's
config.json shows it (a wrong file, a layer, shapes that do not fit each other or the data set's images), from
the stage where only the weights do (a damaged file, NaN codes).
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.config import load_config
from generator.pipeline import Pipeline
from generator.stages import dataset_request
from generator.stages.data import load_arrays
from generator.stages.export import export_request
from generator.stages.train import train_request
from tests.conftest import Project, node_outputs
from tests.datafiles import shape_image

pytestmark = pytest.mark.slow

H, W = 20, 24  # gray images of a size other than 28 x 28, so no channel axis: (H, W)
CLASSES = ("circle", "square", "triangle")
SITE = '[site]\ntitle = "Own models"\n\n[datasets.shapes]\npath = "data/shapes"\nlicence = "CC0 1.0"\n'
MODELS = (
    '\n[models.shapes_ae]\ndataset = "shapes"\ntitle = "Autoencoder trained elsewhere"\nfile = "models/ae.keras"\n'
    '\n[models.shapes_pair]\ndataset = "shapes"\nencoder = "models/encoder.keras"\ndecoder = "models/decoder.keras"\n'
    '\n[models.shapes_vae]\ndataset = "shapes"\nencoder = "models/vae-encoder.keras"\ndecoder = "models/vae-decoder.keras"\n'
)


def article(layouts: str) -> str:
    return (
        "---\ntitle: Own models\ndescription: Points placed by models trained elsewhere.\ndate: 2026-01-02\n---\n\n"
        f"## Maps\n\n```figure\nkind: latent-layouts\ndataset: shapes\nlayouts: [{layouts}]\n"
        "caption: Each picture placed by a model's code.\n```\n"
    )


# --- models made in Keras, as an author would ---------------------------------------------------------------------


def gray_shapes(folder: Path, per_class: int = 40) -> Path:
    """Gray H x W shapes in one sub-folder per class."""
    rng = np.random.default_rng(0)
    for kind in CLASSES:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            grey = int(rng.integers(120, 256))
            shape_image(kind, (grey, grey, grey), rng, size=(H, W), span=12).convert("L").save(
                folder / kind / f"{i:03d}.png"
            )
    return folder


def read_images(folder: Path) -> np.ndarray:
    files = sorted(folder.rglob("*.png"))
    return np.stack([np.asarray(Image.open(f)) for f in files]).astype("float32") / 255.0


def dense_parts(shape=(H, W), latent: int = 2, names=("encoder", "decoder")):
    """A dense encoder and decoder for images of ``shape`` (gray: (H, W), no channel axis)."""
    import keras
    from keras import layers

    encoder = keras.Sequential(
        [keras.Input(shape), layers.Flatten(), layers.Dense(32, activation="relu"), layers.Dense(latent)],
        name=names[0],
    )
    decoder = keras.Sequential(
        [
            keras.Input((latent,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(math.prod(shape), activation="sigmoid"),
            layers.Reshape(shape),
        ],
        name=names[1],
    )
    return encoder, decoder


def conv_parts(latent: int = 2):
    """A small convolutional encoder and decoder for (H, W) gray images, as two functional models."""
    import keras
    from keras import layers

    image = keras.Input((H, W), name="image")
    x = layers.Reshape((H, W, 1))(image)
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    encoder = keras.Model(image, layers.Dense(latent, name="code")(x), name="encoder")
    code = keras.Input((latent,), name="code_in")
    x = layers.Dense((H // 4) * (W // 4) * 8, activation="relu")(code)
    x = layers.Reshape((H // 4, W // 4, 8))(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")(x)
    decoder = keras.Model(code, layers.Reshape((H, W))(x), name="decoder")
    return encoder, decoder


def vae_encoder(latent: int = 2):
    """A VAE's encoder: its outputs are [z_mean, z_log_var]; the mean places the points."""
    import keras
    from keras import layers

    image = keras.Input((H, W))
    x = layers.Dense(16, activation="relu")(layers.Flatten()(image))
    return keras.Model(image, [layers.Dense(latent, name="z_mean")(x), layers.Dense(latent)(x)], name="encoder")


def autoencoder(encoder, decoder):
    import keras

    x = keras.Input(encoder.inputs[0].shape[1:])
    return keras.Model(x, decoder(encoder(x)), name="autoencoder")


def fit(model, images: np.ndarray, epochs: int = 2) -> None:
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(images, images, epochs=epochs, batch_size=32, verbose=0)


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache):
    """A project with both forms, built once; {project, images, keras: {name: (encoder, decoder)}, report}."""
    import keras

    keras.utils.set_random_seed(0)
    project = Project(tmp_path_factory.mktemp("own-model-files") / "site")
    gray_shapes(project.root / "data" / "shapes")
    images = read_images(project.root / "data" / "shapes")
    (project.root / "models").mkdir()
    encoder, decoder = dense_parts()
    whole = autoencoder(encoder, decoder)
    fit(whole, images)
    whole.save(project.root / "models" / "ae.keras")
    pair = conv_parts()
    fit(autoencoder(*pair), images)
    pair[0].save(project.root / "models" / "encoder.keras")
    pair[1].save(project.root / "models" / "decoder.keras")
    vae = (vae_encoder(), dense_parts()[1])  # untrained: only where its codes come from matters here
    vae[0].save(project.root / "models" / "vae-encoder.keras")
    vae[1].save(project.root / "models" / "vae-decoder.keras")
    project.write("site.toml", SITE + MODELS)
    project.write("content/maps.md", article("shapes_ae, shapes_pair, shapes_vae, pca"))
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    project.build(check=True)
    return {
        "project": project,
        "images": images,
        "keras": {"shapes_ae": (encoder, decoder), "shapes_pair": pair, "shapes_vae": vae},
    }


def config(project: Project):
    return load_config(project.root, path=project.root / "site.toml", overrides={"build.scale": "tiny"})


def stages(project: Project) -> dict[str, dict]:
    return {record["name"]: record for record in project.report()["stages"]}


# --- the build reads both forms -------------------------------------------------------------------------------------


def test_the_build_reads_both_forms_and_lays_out_points_by_their_codes(built):
    records = stages(built["project"])
    assert records["read shapes_ae (ae.keras)"]["meta"]["epochs"] == 0
    assert records["read shapes_pair (encoder.keras, decoder.keras)"]["meta"]["read_from"] == [
        "encoder.keras",
        "decoder.keras",
    ]
    n = len(built["images"])
    for model, title in (("shapes_ae", "Autoencoder trained elsewhere"), ("shapes_pair", "shapes_pair")):
        meta = records[f"layout {model}"]["meta"]
        assert meta["effective"] == {"method": model, "model": model} and meta["title"] == title
        assert meta["count"] == n and 0 <= meta["trustworthiness"] <= 1
    assert "figure latent-layouts (shapes_ae, shapes_pair, shapes_vae, pca)" in records
    assert (built["project"].out / "maps" / "index.html").is_file()


@pytest.mark.parametrize("model", ["shapes_ae", "shapes_pair", "shapes_vae"])
def test_the_codes_are_the_authors_encoders(built, model):
    """The artifact's codes are what the author's Keras encoder gives the data set's images (train, then test;
    a VAE's encoder: its first output, z_mean).

    Asking from another working folder finds the build's artifact: the key holds the files' paths and
    content, not where the settings declare them."""
    project = built["project"]
    cfg = config(project)
    pipeline = Pipeline(project.root / ".cache", show_progress=False)
    artifact = pipeline.get(train_request(cfg, model))
    assert all(record.cached for record in pipeline.records), [r.name for r in pipeline.records if not r.cached]
    arrays = load_arrays(pipeline.get(dataset_request(cfg, "shapes")))
    x = np.concatenate([arrays["x_train"], arrays["x_test"]]).astype("float32") / 255.0
    codes = np.load(artifact.file("codes.npy"))
    encoder = built["keras"][model][0]
    assert codes.shape == (len(x), 2) and np.isfinite(codes).all()
    want = encoder.predict(x, verbose=0)
    np.testing.assert_allclose(codes, want[0] if isinstance(want, list) else want, atol=1e-5)


@pytest.mark.parametrize("model", ["shapes_ae", "shapes_pair"])
def test_the_exported_decoder_matches_keras_in_node(built, model):
    project = built["project"]
    cfg = config(project)
    artifact = Pipeline(project.root / ".cache", show_progress=False).get(export_request(cfg, model, "decoder"))
    probe = json.loads(artifact.file("probe.json").read_text())
    decoder = built["keras"][model][1]
    want = np.array(probe["outputs"], dtype=np.float64)
    assert want.shape[1:] == (H, W)
    np.testing.assert_allclose(  # the exporter's reference is the author's decoder, unchanged
        want, decoder.predict(np.array(probe["inputs"], dtype="float32"), verbose=0), atol=1e-5
    )
    result = node_outputs(artifact)
    got = np.array(result["outputs"], dtype=np.float64)
    assert got.shape == want.shape
    error = float(np.abs(got - want).max())
    if artifact.meta["dtype"] == "float32":
        assert error <= 1e-5
    else:  # the recorded error is the maximum over the full probe set; these are a subset of it
        assert error <= artifact.meta["max_error"] + 2e-5
    assert artifact.meta["max_error"] <= cfg["export.max_error"]


def test_an_unchanged_rebuild_runs_no_stage(built):
    project = built["project"]
    project.build(check=True)
    ran = [record["name"] for record in project.report()["stages"] if not record["cached"]]
    assert ran == []


def test_editing_the_file_changes_the_key_and_only_that_model_is_read_again(built):
    project = built["project"]
    before = stages(project)
    import keras

    whole = keras.saving.load_model(project.root / "models" / "ae.keras")
    fit(whole, built["images"], epochs=1)
    whole.save(project.root / "models" / "ae.keras")
    built["keras"]["shapes_ae"] = (whole.get_layer("encoder"), whole.get_layer("decoder"))
    project.build(check=True)
    after = stages(project)
    read = "read shapes_ae (ae.keras)"
    assert not after[read]["cached"] and after[read]["key"] != before[read]["key"]
    pair = "read shapes_pair (encoder.keras, decoder.keras)"
    assert after[pair]["cached"] and after[pair]["key"] == before[pair]["key"]


# --- bad files: one message naming the file -------------------------------------------------------------------------


def _missing(folder: Path) -> str:
    return f'file = "{folder / "nowhere.keras"}"'


def _keras2_h5(folder: Path) -> str:
    (folder / "old.keras").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    return f'file = "{folder / "old.keras"}"'


def _not_a_zip(folder: Path) -> str:
    (folder / "notes.keras").write_text("not a model")
    return f'file = "{folder / "notes.keras"}"'


def _zip_without_config(folder: Path) -> str:
    with zipfile.ZipFile(folder / "bare.keras", "w") as archive:
        archive.writestr("model.weights.h5", b"\x89HDF")
    return f'file = "{folder / "bare.keras"}"'


def _no_encoder(folder: Path) -> str:
    autoencoder(*dense_parts(names=("enc", "dec"))).save(folder / "named.keras")
    return f'file = "{folder / "named.keras"}"'


def _lstm(folder: Path) -> str:
    import keras
    from keras import layers

    encoder = keras.Sequential([keras.Input((H, W)), layers.LSTM(4, name="memory"), layers.Dense(2)], name="encoder")
    autoencoder(encoder, dense_parts()[1]).save(folder / "lstm.keras")
    return f'file = "{folder / "lstm.keras"}"'


def _custom_layer(folder: Path) -> str:
    import keras

    @keras.saving.register_keras_serializable(package="mine")
    class Brighten(keras.layers.Layer):
        def call(self, x):
            return x * 1.5

    layers = [keras.Input((H, W)), Brighten(name="brighten"), keras.layers.Flatten(), keras.layers.Dense(2)]
    encoder = keras.Sequential(layers, name="encoder")
    autoencoder(encoder, dense_parts()[1]).save(folder / "custom.keras")
    return f'file = "{folder / "custom.keras"}"'


def _wrong_size(folder: Path) -> str:
    autoencoder(*dense_parts(shape=(28, 28))).save(folder / "mnist.keras")
    return f'file = "{folder / "mnist.keras"}"'


def _channel_axis(folder: Path) -> str:
    autoencoder(*dense_parts(shape=(H, W, 1))).save(folder / "channels.keras")
    return f'file = "{folder / "channels.keras"}"'


def _code_sizes(folder: Path) -> str:
    dense_parts(latent=2)[0].save(folder / "enc2.keras")
    dense_parts(latent=3)[1].save(folder / "dec3.keras")
    return f'encoder = "{folder / "enc2.keras"}"\ndecoder = "{folder / "dec3.keras"}"'


def _damaged_weights(folder: Path) -> str:
    autoencoder(*dense_parts()).save(folder / "damaged.keras")
    with zipfile.ZipFile(folder / "damaged.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["model.weights.h5"] = b"\x89HDF\r\n\x1a\n" + bytes(200)
    with zipfile.ZipFile(folder / "damaged.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return f'file = "{folder / "damaged.keras"}"'


def _decoder_size(folder: Path) -> str:
    dense_parts()[0].save(folder / "enc.keras")
    dense_parts(shape=(28, 28))[1].save(folder / "dec28.keras")
    return f'encoder = "{folder / "enc.keras"}"\ndecoder = "{folder / "dec28.keras"}"'


def _nan_weights(folder: Path) -> str:
    encoder, decoder = dense_parts()
    encoder.set_weights([np.full_like(w, np.nan) for w in encoder.get_weights()])
    autoencoder(encoder, decoder).save(folder / "nan.keras")
    return f'file = "{folder / "nan.keras"}"'


BEFORE_ANY_STAGE = {
    "missing-file": (_missing, "nowhere.keras", [r"does not exist; give the path of a \.keras file"]),
    "keras-2-h5": (_keras2_h5, "old.keras", [r"HDF5 \(\.h5\) file from Keras 2", r"save it again as \.keras"]),
    "not-a-zip": (_not_a_zip, "notes.keras", [r"not a Keras 3 \.keras file \(a zip holding config\.json\)"]),
    "zip-without-config": (_zip_without_config, "bare.keras", [r"not a Keras 3 \.keras file"]),
    "no-encoder-sub-model": (
        _no_encoder,
        "named.keras",
        [r"has no sub-model named 'encoder' \(it holds 'enc', 'dec'\)", r"name='encoder'"],
    ),
    "unsupported-layer": (
        _lstm,
        "lstm.keras",
        [r"layer 'memory' \(LSTM\) of the encoder cannot run in the page", r"supported layers: .*Conv2D.*Dense"],
    ),
    "custom-layer": (_custom_layer, "custom.keras", [r"layer 'brighten' \(mine>Brighten\)", r"supported layers"]),
    # the shapes the files' configs tell, against the data set's (gray 20 x 24 PNGs: gray or colour, as far as a
    # few images tell)
    "wrong-input-size": (
        _wrong_size,
        "mnist.keras",
        [r"the encoder takes inputs of shape \(28, 28\), but the data set's images are \(20, 24\) if gray or"],
    ),
    "channel-axis-on-gray": (
        _channel_axis,
        "channels.keras",
        [r"takes inputs of shape \(20, 24, 1\)", r"gray images have no channel axis"],
    ),
    "code-size-mismatch": (
        _code_sizes,
        "dec3.keras",
        [r"the decoder takes inputs of shape \(3\), but the encoder outputs codes of shape \(2\)"],
    ),
    "decoder-output-size": (
        _decoder_size,
        "dec28.keras",
        [r"the decoder outputs \(28, 28\), but the data set's images are \(20, 24\) if gray or \(20, 24, 3\)"],
    ),
}
IN_THE_STAGE = {
    "damaged-weights": (_damaged_weights, "damaged.keras", [r"cannot be loaded by Keras"]),
    "nan-weights": (
        _nan_weights,
        "nan.keras",
        [r"the model's codes of the data set's images are NaN or infinite", r"smaller learning rate"],
    ),
}


def _build_with(built, tmp_path, keys: str):
    project = built["project"]
    page = project.out / "maps" / "index.html"
    before = page.read_text()
    project.write("site.toml", SITE + MODELS + f'\n[models.bad]\ndataset = "shapes"\n{keys}\n')
    project.write("content/bad.md", article("bad, pca"))
    try:
        done = project.build()
    finally:
        project.write("site.toml", SITE + MODELS)
        (project.root / "content" / "bad.md").unlink()
    assert page.read_text() == before, "the previous site was touched"
    err = done.stderr
    assert done.returncode == 1 and "Traceback" not in err, err[-3000:]
    errors = re.findall(r"(?m)error: .*$", err)  # a progress bar's line may end where the message starts
    assert len(errors) == 1, err[-3000:]
    return errors[0], err


@pytest.mark.parametrize("case", list(BEFORE_ANY_STAGE))
def test_a_bad_file_is_one_message_before_any_stage(built, tmp_path, case):
    make, name, patterns = BEFORE_ANY_STAGE[case]
    message, err = _build_with(built, tmp_path, make(tmp_path))
    line = (SITE + MODELS).count("\n") + 2  # the [models.bad] line
    assert f"site.toml:{line}: " in message and str(tmp_path / name) in message, message
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    assert "[run]" not in err, "a stage ran before the model file was checked"


@pytest.mark.parametrize("case", list(IN_THE_STAGE))
def test_a_file_that_does_not_fit_the_data_is_one_message_from_the_stage(built, tmp_path, case):
    make, name, patterns = IN_THE_STAGE[case]
    message, _ = _build_with(built, tmp_path, make(tmp_path))
    assert "[models.bad]" in message and str(tmp_path / name) in message, message
    assert ".cache" not in message, "the message names the author's file, not the build's copy of it"
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)


def test_a_file_model_whose_code_is_not_2d_is_no_layout(built, tmp_path):
    """Named in latent-layouts' layouts, its code's shape (read from the file) is one message with the article's
    line, before anything runs."""
    encoder, decoder = dense_parts(latent=3)
    autoencoder(encoder, decoder).save(tmp_path / "ae3.keras")
    message, err = _build_with(built, tmp_path, f'file = "{tmp_path / "ae3.keras"}"')
    assert "content/bad.md:" in message, message
    assert "layout 'bad': a model's layout needs a 2-D code" in message and "a code of shape (3,)" in message, message
    assert "[run]" not in err
