"""The toy shapes and the build-time Keras toy autoencoder of article 2 (no browser).

Properties: shapes lie in [-1, 1] and are deterministic for a seed; the model's
loss falls under full-batch Adam; the inputs are never changed by training; the
trails (-dL/dz by autodiff w.r.t. the codes) equal float64 central finite
differences within 1e-3 relative; the ``toy-train`` stage writes what its
index says and is deterministic.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from generator.models import toy as model
from generator.toy import SHAPES, make_shape

HIDDEN, ACT, LR = (32, 32), "tanh", 0.01


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shapes_in_unit_cube_and_deterministic(shape):
    x, colour = make_shape(shape, 200, seed=3)
    assert x.shape == (200, 3) and x.dtype == np.float32
    assert np.abs(x).max() <= 1.0 + 1e-6 and np.isclose(np.abs(x).max(), 1.0, atol=1e-5)
    assert colour.shape == (200,) and colour.min() >= 0 and colour.max() <= 1
    again, colour_again = make_shape(shape, 200, seed=3)
    assert np.array_equal(x, again) and np.array_equal(colour, colour_again)


@pytest.fixture(scope="module")
def trained():
    """The toy model trained 300 steps on the ring, with snapshots."""
    from generator.models.train import seed_everything

    x, _ = make_shape("ring", 120, seed=0)
    before = x.copy()
    seed_everything(0)
    encoder, decoder = model.build_toy(HIDDEN, ACT, seed=0)
    result = model.train_toy(encoder, decoder, x, 300, LR, snapshots=(0, 30, 300))
    return {"x": x, "before": before, "encoder": encoder, "decoder": decoder, "result": result}


def test_architecture(trained):
    enc, dec = trained["encoder"], trained["decoder"]
    assert enc.input_shape == (None, 3) and enc.output_shape == (None, 2)
    assert dec.input_shape == (None, 2) and dec.output_shape == (None, 3)
    assert [layer.units for layer in enc.layers[1:]] == [32, 32, 2]
    assert [layer.units for layer in dec.layers[1:]] == [32, 32, 3]
    assert enc.layers[-1].activation.__name__ == "linear" and enc.layers[1].activation.__name__ == "tanh"
    # zero biases at build, Glorot kernels: a fresh model has biases all zero
    fresh_enc, _ = model.build_toy(HIDDEN, ACT, seed=0)
    assert all(not np.any(w) for w in fresh_enc.get_weights()[1::2])


def test_loss_falls_and_inputs_unchanged(trained):
    loss = trained["result"]["loss"]
    assert len(loss) == 301
    assert loss[-1] < 0.1 * loss[0], (loss[0], loss[-1])
    snaps = trained["result"]["snapshots"]
    assert sorted(snaps) == [0, 30, 300]
    assert snaps[300]["loss"] < snaps[30]["loss"] < snaps[0]["loss"]
    assert np.array_equal(trained["x"], trained["before"])  # the inputs are constants


def test_trails_equal_finite_differences(trained):
    snap = trained["result"]["snapshots"][300]
    x = trained["x"]
    decode = model.numpy_decoder(trained["decoder"].get_weights(), ACT)
    assert np.allclose(decode(snap["codes"]), snap["recon"], atol=1e-5)  # the NumPy decoder is the Keras one
    index = list(range(0, len(x), 7))
    fd = model.finite_difference_trails(decode, snap["codes"], x, index)
    assert model.check_trails(snap["trails"][index], fd, rtol=1e-3) < 1e-3
    # and the check really checks: a mis-signed or wrong-axis gradient fails it
    with pytest.raises(AssertionError):
        model.check_trails(-snap["trails"][index], fd)
    with pytest.raises(AssertionError):
        model.check_trails(snap["trails"][index][:, ::-1], fd)


def test_snapshots_are_consistent(trained):
    x = trained["x"]
    for step, snap in trained["result"]["snapshots"].items():
        assert snap["codes"].shape == (len(x), 2) and snap["trails"].shape == (len(x), 2), step
        assert np.isfinite(snap["trails"]).all() and np.abs(snap["trails"]).max() > 0, step
        assert np.isclose(snap["loss"], np.mean((snap["recon"] - x) ** 2), rtol=1e-4), step


def test_trails_are_descent_directions(trained):
    """Moving every code a little along its trail lowers the loss (decoder fixed)."""
    snap = trained["result"]["snapshots"][300]
    decode = model.numpy_decoder(trained["decoder"].get_weights(), ACT)
    x = trained["x"].astype(np.float64)
    loss = lambda z: np.mean((decode(z) - x) ** 2)  # noqa: E731
    z = snap["codes"].astype(np.float64)
    step = 1e-2 / max(np.abs(snap["trails"]).max(), 1e-12) * 1e-2
    assert loss(z + step * snap["trails"]) < loss(z)


def test_training_is_deterministic():
    from generator.models.train import seed_everything

    x, _ = make_shape("saddle", 64, seed=1)
    weights = []
    for _ in range(2):
        seed_everything(1)
        enc, dec = model.build_toy((8, 8), "relu", seed=1)
        model.train_toy(enc, dec, x, 40, LR)
        weights.append(enc.get_weights() + dec.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(*weights))


def test_bad_hyper_parameters():
    with pytest.raises(ValueError, match="activation"):
        model.check_hyper((4,), "softmax")
    with pytest.raises(ValueError, match="hidden"):
        model.check_hyper((), "tanh")


def test_stage_writes_its_index(tmp_path):
    from generator.pipeline import Pipeline, Request
    from generator.stages import toy as stage

    assert stage.snapshot_steps(1500) == [0, 10, 50, 200, 600, 1500]
    steps = stage.snapshot_steps(150)
    assert steps[0] == 0 and steps[-1] == 150 and steps == sorted(set(steps))
    params = {
        "shape": "twisted-cubic",
        "points": 64,
        "seed": 0,
        "hidden": [16, 16],
        "activation": "tanh",
        "learning_rate": 0.01,
        "steps": 150,
    }
    art = Pipeline(tmp_path / "cache", show_progress=False).get(Request("toy-train", params))
    index = json.loads(art.file("toy.json").read_text())
    assert index["n"] == 64 and [s["step"] for s in index["snapshots"]] == steps
    assert index["fd_error"] < 1e-3
    data = stage.load(art)
    x, _ = make_shape("twisted-cubic", 64, seed=0)
    assert np.array_equal(data["points"], x)
    assert len(data["loss"]) == 151 and data["loss"][-1] < data["loss"][0]
    last = data["snapshots"][-1]
    assert last["codes"].shape == (64, 2) and last["trails"].shape == (64, 2) and last["recon"].shape == (64, 3)
    assert np.isclose(last["loss"], np.mean((last["recon"] - x) ** 2), rtol=1e-4)
    assert art.meta["loss"] == index["snapshots"][-1]["loss"]
    # a clean re-run gives the same bytes
    again = Pipeline(tmp_path / "cache2", show_progress=False, clean=True).get(Request("toy-train", params))
    for name in ("points.f32", "snapshots.f32", "loss.f32"):
        assert art.file(name).read_bytes() == again.file(name).read_bytes(), name
