"""Article 3's autoencoder zoo at tiny scale: every model trains, is evaluated and (where the page needs it) exported.

One module-scoped run resolves the eight ``evaluate`` artifacts and the two exports
the figures use through the real stages, in the session's shared cache; the tests
then check properties (never exact losses).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from generator.config import load_config
from generator.pipeline import Pipeline
from generator.stages import dataset_request
from generator.stages.data import load_arrays
from generator.stages.export import export_request
from generator.stages.train import MODELS, PARTS, train_request
from generator.stages.zoo import ZOO, evaluate_request, pixel_bce
from tests.conftest import node_outputs

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

KEYS = [m["key"] for m in ZOO]
EXPORTS = [("fashion_denoise", "autoencoder"), ("fashion_vae", "decoder")]


@pytest.fixture(scope="module")
def run(shared_cache):
    cfg = load_config(ROOT, overrides={"build.scale": "tiny"})
    pipeline = Pipeline(shared_cache, show_progress=False)
    evaluations = {key: pipeline.get(evaluate_request(cfg, key)) for key in KEYS}
    exports = {e: pipeline.get(export_request(cfg, *e)) for e in EXPORTS}
    return cfg, pipeline, evaluations, exports


def test_zoo_lists_the_contract_models_in_order():
    assert KEYS == [
        "fashion_simple",
        "fashion_sparse",
        "fashion_deep",
        "fashion_conv",
        "fashion_denoise",
        "fashion_vae",
        "fashion_cvae",
        "mnist_rmsprop",
    ]
    for entry in ZOO:
        assert set(entry) == {"key", "title", "short", "dataset", "guide_bce", "summary"}
        assert MODELS[entry["key"]]["dataset"] == entry["dataset"]
    assert {m["key"]: m["guide_bce"] for m in ZOO if m["guide_bce"]} == {
        "fashion_simple": 0.282,
        "fashion_deep": 0.277,
        "fashion_conv": 0.265,
        "fashion_denoise": 0.287,
    }
    assert PARTS["fashion_denoise"] == ("autoencoder",) and "decoder" in PARTS["fashion_vae"]


@pytest.mark.parametrize("scale", ["tiny", "default", "full"])
def test_scales_size_the_training(scale):
    cfg = load_config(ROOT, overrides={"build.scale": scale})
    for key in KEYS:
        hyper = train_request(cfg, key).params["hyper"]
        assert hyper["epochs"] >= 1
        if scale == "full":  # all 60,000 training images, the guide's epochs
            assert hyper["epochs"] == cfg.section(f"models.{key}")["epochs"]
    if scale == "full":
        assert cfg.preset["fashion_count"] == 70_000


@pytest.mark.parametrize("key", KEYS)
def test_every_model_beats_the_mean_image(run, key):
    cfg, pipeline, evaluations, _ = run
    metrics = evaluations[key].meta
    arrays = load_arrays(pipeline.get(dataset_request(cfg, MODELS[key]["dataset"])))
    x_test = arrays["x_test"].astype("float32") / 255
    mean_image = np.broadcast_to(arrays["x_train"].mean(axis=0) / 255, x_test.shape)
    baseline = float(pixel_bce(x_test, mean_image).mean())
    assert metrics["test_bce"] < baseline, (metrics["test_bce"], baseline)
    if key == "fashion_denoise":
        assert metrics["test_bce_clean"] < baseline


def test_metrics_file_equals_meta_and_errors_match(run):
    cfg, _, evaluations, _ = run
    for key, art in evaluations.items():
        metrics = json.loads(art.file("metrics.json").read_text())
        assert metrics == {k: art.meta[k] for k in metrics}, key
        errors = np.frombuffer(art.file("errors.f32").read_bytes(), dtype="<f4")
        assert len(errors) == metrics["test_count"] and np.isfinite(errors).all() and (errors > 0).all()
        clean = metrics.get("test_bce_clean", metrics["test_bce"])
        assert errors.mean() == pytest.approx(clean, rel=1e-4)
        # plausible numbers
        assert 0 < metrics["test_mse"] < metrics["test_bce"] < 1
        assert metrics["params"] > 1000 and art.meta["seconds_training"] > 0
        assert "seconds_training" not in metrics  # measured: in the meta, never in what a page shows
        assert metrics["epochs"] == train_request(cfg, key).params["hyper"]["epochs"]
        count = cfg.preset["mnist_count" if key.startswith("mnist") else "fashion_count"]
        assert metrics["train_count"] + metrics["test_count"] == count
        assert metrics["scale"] == "tiny"
        assert metrics["guide_bce"] == next(m["guide_bce"] for m in ZOO if m["key"] == key)
        assert ("kl" in metrics) == (key in ("fashion_vae", "fashion_cvae"))
        assert metrics.get("kl", 1) > 0


def test_evaluation_is_keyed_by_everything_that_shapes_it(run):
    cfg, _, _, _ = run
    first = evaluate_request(cfg, "fashion_conv").ident
    assert evaluate_request(load_config(ROOT, overrides={"build.scale": "tiny"}), "fashion_conv").ident == first
    other_seed = load_config(ROOT, overrides={"build.scale": "tiny", "build.seed": 1})
    assert evaluate_request(other_seed, "fashion_conv").ident != first
    assert evaluate_request(load_config(ROOT, overrides={"build.scale": "default"}), "fashion_conv").ident != first
    with pytest.raises(ValueError, match="zoo model"):
        evaluate_request(cfg, "mnist_ae")


def test_histories_have_one_entry_per_epoch(run):
    cfg, pipeline, evaluations, _ = run
    for key in KEYS:
        art = pipeline.get(train_request(cfg, key))
        history = json.loads(art.file("history.json").read_text())
        assert len(history["loss"]) == len(history["val_loss"]) == evaluations[key].meta["epochs"]
        if key in ("fashion_vae", "fashion_cvae"):  # per pixel, comparable with the other models' BCE
            assert 0 < history["val_reconstruction_loss"][-1] < 1
            assert history["val_reconstruction_loss_per_image"][-1] == pytest.approx(
                784 * history["val_reconstruction_loss"][-1]
            )


def test_denoiser_removes_noise(run):
    from generator.models.zoo import add_noise
    from generator.stages.train import rebuild

    cfg, pipeline, _, _ = run
    models = rebuild(pipeline.get(train_request(cfg, "fashion_denoise")))
    clean = load_arrays(pipeline.get(dataset_request(cfg, "fashion-mnist")))["x_test"][:200].astype("float32") / 255
    noisy = add_noise(clean, 0.5, 123, 9)
    denoised = models["decoder"].predict(models["encoder"].predict(noisy, verbose=0), verbose=0)
    assert np.mean((denoised - clean) ** 2) < 0.5 * np.mean((noisy - clean) ** 2)
    assert np.array_equal(add_noise(clean, 0.5, 123, 9), noisy), "seeded noise"


@pytest.mark.parametrize("key", ["fashion_vae", "fashion_cvae"])
def test_vae_codes_are_2d_and_finite(run, key):
    cfg, pipeline, _, _ = run
    art = pipeline.get(train_request(cfg, key))
    codes = np.load(art.file("codes.npy"))
    assert codes.shape == (cfg.preset["fashion_count"], 2) and np.isfinite(codes).all()
    assert codes.std(axis=0).min() > 0.05, "the codes spread out"


def test_only_2d_codes_are_stored(run):
    cfg, pipeline, _, _ = run
    assert not pipeline.get(train_request(cfg, "fashion_conv")).file("codes.npy").exists()


@pytest.mark.parametrize("model,part", EXPORTS)
def test_export_matches_keras_in_node(run, model, part):
    _, _, _, exports = run
    art = exports[(model, part)]
    assert art.meta["max_error"] <= 2 / 255
    assert art.file("extent.json").exists() == (part == "decoder")
    result = node_outputs(art)
    got = np.array(result["outputs"], dtype=np.float64)
    probe = json.loads(art.file("probe.json").read_text())
    assert list(result["shape"])[1:] == [28, 28]
    error = float(np.abs(got - np.array(probe["outputs"], dtype=np.float64)).max())
    assert error <= (1e-5 if art.meta["dtype"] == "float32" else art.meta["max_error"] + 2e-5)
    if part == "autoencoder":  # the page feeds the denoiser noisy images: so do the probes
        inputs = np.array(probe["inputs"])
        assert inputs.shape[1:] == (28, 28) and inputs.min() == 0.0 and inputs.max() == 1.0
