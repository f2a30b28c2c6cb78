"""Tests for generator.tfjs: Keras 3 -> TF.js layers-model export.

Exports small seeded Keras models, loads them with @tensorflow/tfjs 4.22 in
Node (tests/node/load_model.mjs) and in Chromium (cpu and webgl backends), and
compares the predictions with Keras.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from generator.errors import ExportError  # noqa: E402
from generator.tfjs import (  # noqa: E402
    MODEL_FILE,
    SHARD_FILE,
    SUPPORTED_LAYERS,
    export_best,
    export_model,
)

ROOT = Path(__file__).resolve().parents[1]
LOADER = ROOT / "tests" / "node" / "load_model.mjs"
PAGE = "tests/browser/tfjs_parity_page.html"
DTYPES = ("float32", "float16", "uint8")
FLOAT32_TOL = 1e-5  # Keras vs TF.js cpu, float32 weights
WEBGL_TOL = 1e-4
MATCH_TOL = 1e-5  # reported (Python, dequantised) error vs error measured in TF.js


# ----------------------------------------------------------------------------- models


def dense_decoder():
    keras.utils.set_random_seed(1)
    z = keras.Input((2,), name="latent_inputs")
    x = layers.Dense(128, activation="relu", name="decoder_dense_1")(z)
    x = layers.Dense(256, activation="relu", name="decoder_dense_2")(x)
    x = layers.Dense(784, activation="sigmoid", name="pixels")(x)
    out = layers.Reshape((28, 28), name="image")(x)
    return keras.Model(z, out, name="decoder")


def dense_encoder():
    keras.utils.set_random_seed(2)
    img = keras.Input((28, 28), name="image_inputs")
    x = layers.Reshape((784,), name="flat")(img)
    x = layers.Dense(256, activation="relu", name="encoder_dense_1")(x)
    out = layers.Dense(2, name="z")(x)
    return keras.Model(img, out, name="encoder")


def conv_decoder():
    keras.utils.set_random_seed(3)
    z = keras.Input((2,), name="latent_inputs")
    x = layers.Dense(7 * 7 * 8, activation="relu", name="project")(z)
    x = layers.Reshape((7, 7, 8), name="grid")(x)
    x = layers.Conv2DTranspose(16, 3, strides=2, padding="same", name="deconv")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Activation("relu", name="bn_relu")(x)
    x = layers.Dropout(0.2, name="drop")(x)
    x = layers.UpSampling2D(2, name="up")(x)
    x = layers.Conv2D(1, 3, padding="same", name="to_pixels")(x)
    x = layers.Activation("sigmoid", name="sigmoid")(x)
    out = layers.Reshape((28, 28), name="image")(x)
    model = keras.Model(z, out, name="conv_decoder")
    # Non-trivial BatchNormalization parameters and moving statistics.
    rng = np.random.default_rng(3)
    bn = model.get_layer("bn")
    bn.set_weights(
        [
            rng.uniform(0.5, 1.5, 16).astype("float32"),  # gamma
            rng.normal(0.0, 0.2, 16).astype("float32"),  # beta
            rng.normal(0.0, 0.3, 16).astype("float32"),  # moving_mean
            rng.uniform(0.2, 2.0, 16).astype("float32"),  # moving_variance
        ]
    )
    return model


def sequential_classifier():
    keras.utils.set_random_seed(4)
    return keras.Sequential(
        [
            keras.Input((6, 6, 1)),
            layers.Conv2D(4, 3, activation="relu", name="c1"),
            layers.Flatten(name="flat"),
            layers.Dropout(0.5, name="drop"),
            layers.Dense(3, activation="softmax", name="probs"),
        ],
        name="classifier",
    )


def conv_denoiser():
    """Image -> image with MaxPooling2D ("valid" and "same", on an odd 7x7 grid), like the zoo's denoiser."""
    keras.utils.set_random_seed(5)
    img = keras.Input((28, 28), name="image_inputs")
    x = layers.Reshape((28, 28, 1), name="channels")(img)
    x = layers.Conv2D(4, 3, activation="relu", padding="same", name="conv_1")(x)
    x = layers.MaxPooling2D(2, name="pool_1")(x)  # 14
    x = layers.Conv2D(4, 3, activation="relu", padding="same", name="conv_2")(x)
    x = layers.MaxPooling2D(2, padding="same", name="pool_2")(x)  # 7
    x = layers.MaxPooling2D(2, padding="same", name="pool_3")(x)  # 4: "same" pads the odd side
    x = layers.UpSampling2D(7, name="up")(x)  # 28
    x = layers.Conv2D(1, 3, activation="sigmoid", padding="same", name="pixels")(x)
    out = layers.Reshape((28, 28), name="image")(x)
    return keras.Model(img, out, name="conv_denoiser")


BUILDERS = {
    "dense_decoder": dense_decoder,
    "dense_encoder": dense_encoder,
    "conv_decoder": conv_decoder,
    "sequential": sequential_classifier,
    "conv_denoiser": conv_denoiser,
}


def make_probe(name):
    rng = np.random.default_rng(42)
    if name in ("dense_decoder", "conv_decoder"):
        return rng.normal(0.0, 1.5, size=(6, 2)).astype("float32")
    if name in ("dense_encoder", "conv_denoiser"):
        return rng.uniform(0.0, 1.0, size=(4, 28, 28)).astype("float32")
    return rng.uniform(0.0, 1.0, size=(4, 6, 6, 1)).astype("float32")


@pytest.fixture(scope="module")
def models():
    return {name: build() for name, build in BUILDERS.items()}


@pytest.fixture(scope="module")
def probes():
    return {name: make_probe(name) for name in BUILDERS}


@pytest.fixture(scope="module")
def references(models, probes):
    return {name: models[name](probes[name], training=False).numpy() for name in BUILDERS}


@pytest.fixture(scope="module")
def exports(models, probes, tmp_path_factory):
    """Every model at every dtype: {(name, dtype): (dir, info)}.

    float32 via export_model; float16/uint8 via export_best restricted to that
    dtype, so the info carries the error computed in Python.
    """
    root = tmp_path_factory.mktemp("exports")
    out = {}
    for name, model in models.items():
        for dtype in DTYPES:
            d = root / name / dtype
            if dtype == "float32":
                info = export_model(model, d, dtype="float32")
            else:
                info = export_best(model, d, probes[name], max_error=float("inf"), candidates=(dtype,))
            out[(name, dtype)] = (d, info)
    return out


def run_node(model_dir, probe, tmp_path):
    probe_file = tmp_path / f"probe-{os.getpid()}-{abs(hash(str(model_dir)))}.json"
    probe_file.write_text(json.dumps(np.asarray(probe).tolist()))
    proc = subprocess.run(
        ["node", str(LOADER), str(model_dir), str(probe_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["backend"] == "cpu"
    return np.asarray(result["outputs"], dtype=np.float64), result["shape"]


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


# ----------------------------------------------------------------------------- tests


def test_module_imports_without_tensorflow():
    code = (
        "import sys; import generator.tfjs as t; "
        "bad = [m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules]; "
        "assert not bad, bad; print(len(t.SUPPORTED_LAYERS))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(len(SUPPORTED_LAYERS))


def test_model_json_format(exports, models):
    d, info = exports[("conv_decoder", "float32")]
    doc = json.loads((d / MODEL_FILE).read_text())
    assert doc["format"] == "layers-model"
    assert doc["convertedBy"] == "explorables exporter"
    assert doc["generatedBy"].startswith("keras")
    topo = doc["modelTopology"]
    assert topo["class_name"] == "Model"
    assert topo["keras_version"] == keras.__version__
    assert topo["backend"] == keras.backend.backend()
    cfg = topo["config"]
    assert cfg["name"] == "conv_decoder"
    assert cfg["input_layers"] == [["latent_inputs", 0, 0]]
    assert cfg["output_layers"] == [["image", 0, 0]]
    first = cfg["layers"][0]
    assert first["class_name"] == "InputLayer"
    assert first["config"]["batch_input_shape"] == [None, 2]
    assert "batch_shape" not in first["config"]
    text = (d / MODEL_FILE).read_text()
    assert '"module"' not in text and "registered_name" not in text and "DTypePolicy" not in text
    for layer in cfg["layers"][1:]:
        assert layer["config"]["dtype"] == "float32"
        assert isinstance(layer["inbound_nodes"][0][0], list)
        assert len(layer["inbound_nodes"][0][0]) == 4
    manifest = doc["weightsManifest"]
    assert manifest[0]["paths"] == [SHARD_FILE]
    names = [w["name"] for w in manifest[0]["weights"]]
    assert names == [
        "project/kernel",
        "project/bias",
        "deconv/kernel",
        "deconv/bias",
        "bn/gamma",
        "bn/beta",
        "bn/moving_mean",
        "bn/moving_variance",
        "to_pixels/kernel",
        "to_pixels/bias",
    ]
    assert manifest[0]["weights"][2]["shape"] == [3, 3, 16, 8]
    assert info["params"] == models["conv_decoder"].count_params()
    assert info["weight_bytes"] == 4 * info["params"] == (d / SHARD_FILE).stat().st_size


def test_quantization_manifest(exports):
    d16, info16 = exports[("dense_decoder", "float16")]
    d8, info8 = exports[("dense_decoder", "uint8")]
    _, info32 = exports[("dense_decoder", "float32")]
    w16 = json.loads((d16 / MODEL_FILE).read_text())["weightsManifest"][0]["weights"]
    w8 = json.loads((d8 / MODEL_FILE).read_text())["weightsManifest"][0]["weights"]
    for w in w16:
        assert w["dtype"] == "float32" and w["quantization"] == {"dtype": "float16"}
    for w in w8:
        q = w["quantization"]
        assert w["dtype"] == "float32" and q["dtype"] == "uint8"
        assert isinstance(q["min"], float) and q["scale"] > 0
    params = info32["params"]
    assert info32["weight_bytes"] == 4 * params
    assert info16["weight_bytes"] == 2 * params
    assert info8["weight_bytes"] == params
    for d, info in ((d16, info16), (d8, info8)):
        on_disk = (d / MODEL_FILE).stat().st_size + (d / SHARD_FILE).stat().st_size
        assert info["bytes"] == on_disk
        assert sorted(p.name for p in d.iterdir()) == sorted([MODEL_FILE, SHARD_FILE])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["dense_decoder", "dense_encoder", "conv_decoder", "conv_denoiser"])
def test_node_parity(name, dtype, exports, probes, references, tmp_path):
    d, info = exports[(name, dtype)]
    out, shape = run_node(d, probes[name], tmp_path)
    ref = references[name]
    assert tuple(shape) == ref.shape
    err = max_diff(out, ref)
    if dtype == "float32":
        assert err <= FLOAT32_TOL, err
    else:
        # TF.js decodes exactly the dequantised weights the exporter evaluated.
        assert abs(err - info["max_error"]) <= MATCH_TOL, (err, info["max_error"])
        assert info["tried"] == {dtype: info["max_error"]}
        assert err > FLOAT32_TOL  # quantisation is really applied


def test_node_parity_sequential(exports, probes, references, tmp_path):
    d, _ = exports[("sequential", "float32")]
    out, _ = run_node(d, probes["sequential"], tmp_path)
    assert max_diff(out, references["sequential"]) <= FLOAT32_TOL


def test_export_model_matches_export_best_files(models, exports, tmp_path):
    d, info = exports[("dense_decoder", "uint8")]
    info2 = export_model(models["dense_decoder"], tmp_path / "again", dtype="uint8")
    assert info2["bytes"] == info["bytes"]
    assert (tmp_path / "again" / SHARD_FILE).read_bytes() == (d / SHARD_FILE).read_bytes()
    assert (tmp_path / "again" / MODEL_FILE).read_bytes() == (d / MODEL_FILE).read_bytes()


def test_export_best_choice(models, probes, tmp_path):
    model, probe = models["dense_decoder"], probes["dense_decoder"]
    loose = export_best(model, tmp_path / "loose", probe, max_error=1.0)
    assert loose["dtype"] == "uint8"
    assert set(loose["tried"]) == {"uint8", "float16", "float32"}
    assert loose["tried"]["float32"] == 0.0
    assert loose["tried"]["uint8"] > loose["tried"]["float16"] > 0.0
    tight = export_best(model, tmp_path / "tight", probe, max_error=1e-9)
    assert tight["dtype"] == "float32" and tight["max_error"] == 0.0
    mid_threshold = (loose["tried"]["uint8"] + loose["tried"]["float16"]) / 2
    mid = export_best(model, tmp_path / "mid", probe, max_error=mid_threshold)
    assert mid["dtype"] == "float16"
    for d, info in ((tmp_path / "loose", loose), (tmp_path / "tight", tight), (tmp_path / "mid", mid)):
        assert sorted(p.name for p in d.iterdir()) == sorted([MODEL_FILE, SHARD_FILE])
        assert info["bytes"] == sum(p.stat().st_size for p in d.iterdir())
        assert info["weight_bytes"] == (d / SHARD_FILE).stat().st_size
    assert loose["bytes"] < mid["bytes"] < tight["bytes"]
    # No temporary directories are left next to out_dir.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loose", "mid", "tight"]
    with pytest.raises(ExportError, match="max_error"):
        export_best(model, tmp_path / "none", probe, max_error=1e-9, candidates=("uint8",))
    assert not (tmp_path / "none" / MODEL_FILE).exists()


def test_unknown_dtype(models, tmp_path):
    with pytest.raises(ExportError, match="int4"):
        export_model(models["dense_encoder"], tmp_path / "x", dtype="int4")


# ----------------------------------------------------------------------------- Chromium


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the repository root; /_exports/... maps to the export directory."""

    export_root: Path = Path("/nonexistent")

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith("/_exports/"):
            rel = Path(clean[len("/_exports/") :])
            target = (self.export_root / rel).resolve()
            if self.export_root.resolve() in target.parents:
                return str(target)
            return str(self.export_root / "__forbidden__")
        return super().translate_path(path)

    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server(exports):
    root = Path(next(iter(exports.values()))[0]).parents[1]
    handler = functools.partial(type("H", (_Handler,), {"export_root": root}), directory=str(ROOT))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser_page(server, browser):
    base, _ = server
    page = browser.new_page()
    try:
        page.goto(f"{base}/{PAGE}")
        page.wait_for_function("document.getElementById('status').textContent === 'ready'")
        yield page, base
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("backend, tol", [("cpu", FLOAT32_TOL), ("webgl", WEBGL_TOL)])
def test_chromium_parity(backend, tol, browser_page, server, exports, probes, references):
    page, base = browser_page
    _, root = server
    assert page.evaluate("window.tfjsVersion") == "4.22.0"
    for name in ("dense_decoder", "conv_decoder"):
        d, _ = exports[(name, "float32")]
        url = f"{base}/_exports/{d.relative_to(root).as_posix()}/{MODEL_FILE}"
        result = page.evaluate("([u, b, x]) => window.runParity(u, b, x)", [url, backend, probes[name].tolist()])
        assert result["ok"], result.get("error")
        assert result["backend"] == backend
        out = np.asarray(result["outputs"], dtype=np.float64)
        assert out.shape == references[name].shape
        err = max_diff(out, references[name])
        print(f"chromium {backend} {name} float32 max|diff| = {err:.3g}")
        assert err <= tol, (backend, name, err)
    # A quantised model decodes in the browser exactly as in Python.
    d, info = exports[("conv_decoder", "uint8")]
    url = f"{base}/_exports/{d.relative_to(root).as_posix()}/{MODEL_FILE}"
    result = page.evaluate("([u, b, x]) => window.runParity(u, b, x)", [url, backend, probes["conv_decoder"].tolist()])
    assert result["ok"], result.get("error")
    err = max_diff(result["outputs"], references["conv_decoder"])
    print(f"chromium {backend} conv_decoder uint8 max|diff| = {err:.3g} (reported {info['max_error']:.3g})")
    assert abs(err - info["max_error"]) <= max(MATCH_TOL, tol)
