"""Article 3's autoencoder zoo: the model list figures iterate, and stage ``evaluate``.

``evaluate`` measures one trained zoo model on the test split of its dataset:
``metrics.json`` (test BCE and MSE per pixel, the VAEs' KL, parameters, training
time and budget, the guide's number) and ``errors.f32`` (each test image's mean
per-pixel BCE on its clean input, little-endian float32, in ``x_test`` order).
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..pipeline import Context, Request, stage
from .train import MODELS, train_request

ZOO = [
    {
        "key": "fashion_simple",
        "title": "Simple autoencoder",
        "short": "Simple",
        "dataset": "fashion-mnist",
        "guide_bce": 0.282,
        "summary": "One dense layer squeezes 784 pixels into a 32-number code; one more expands it back.",
    },
    {
        "key": "fashion_sparse",
        "title": "Sparse autoencoder",
        "short": "Sparse",
        "dataset": "fashion-mnist",
        "guide_bce": None,
        "summary": "The simple model with an L1 penalty on the code, so most code units stay at zero.",
    },
    {
        "key": "fashion_deep",
        "title": "Deep autoencoder",
        "short": "Deep",
        "dataset": "fashion-mnist",
        "guide_bce": 0.277,
        "summary": "Three dense layers down (128, 64, 32) and three back up.",
    },
    {
        "key": "fashion_conv",
        "title": "Convolutional autoencoder",
        "short": "Convolutional",
        "dataset": "fashion-mnist",
        "guide_bce": 0.265,
        "summary": "Convolutions and max-pooling shrink the image to a 4 x 4 x 8 code; up-sampling restores it.",
    },
    {
        "key": "fashion_denoise",
        "title": "Denoising autoencoder",
        "short": "Denoising",
        "dataset": "fashion-mnist",
        "guide_bce": 0.287,
        "summary": "A convolutional autoencoder trained to map noisy images to the clean originals.",
    },
    {
        "key": "fashion_vae",
        "title": "Variational autoencoder",
        "short": "VAE",
        "dataset": "fashion-mnist",
        "guide_bce": None,
        "summary": "A dense VAE: each image becomes a Gaussian in a 2-D latent plane you can sample.",
    },
    {
        "key": "fashion_cvae",
        "title": "Convolutional VAE",
        "short": "Conv VAE",
        "dataset": "fashion-mnist",
        "guide_bce": None,
        "summary": "A VAE with a convolutional encoder and a transposed-convolution decoder, 2-D latent.",
    },
    {
        "key": "mnist_rmsprop",
        "title": "MNIST 784-256-128 autoencoder",
        "short": "MNIST RMSProp",
        "dataset": "mnist",
        "guide_bce": None,
        "summary": "A dense 784-256-128 autoencoder on handwritten digits, trained with RMSProp.",
    },
]
"""The zoo's models in article order (keys of generator.stages.train.MODELS)."""

GUIDE_BCE = {m["key"]: m["guide_bce"] for m in ZOO}
EPS = 1e-7  # Keras clips predictions to [eps, 1 - eps] in binary cross-entropy


def evaluate_request(cfg: Config, key: str) -> Request:
    """The test-set metrics of zoo model ``key`` at the configured scale."""
    if key not in GUIDE_BCE:
        raise ValueError(f"{key!r} is not a zoo model; zoo models: {', '.join(GUIDE_BCE)}")
    return Request("evaluate", {"model": train_request(cfg, key).params, "scale": cfg.scale})


def pixel_bce(targets: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Mean per-pixel binary cross-entropy of each image (float64, shape (N,))."""
    y = targets.astype(np.float64).reshape(len(targets), -1)
    p = np.clip(outputs.astype(np.float64).reshape(len(outputs), -1), EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log1p(-p)).mean(axis=1)


def _inputs(p: dict) -> dict:
    return {"model": Request("train", p["model"]), "data": Request("dataset", p["model"]["data"])}


@stage(
    "evaluate",
    inputs=_inputs,
    libs=("tensorflow-cpu", "keras", "numpy"),
    label=lambda p: f"evaluate {p['model']['model']}",
)
def evaluate_model(ctx: Context) -> dict:
    """Write metrics.json and errors.f32 for one zoo model."""
    from ..models.zoo import add_noise
    from .data import load_arrays
    from .train import rebuild

    p = ctx.params
    key, hyper, seed = p["model"]["model"], p["model"]["hyper"], p["model"]["seed"]
    train_art = ctx.inputs["model"]
    models = rebuild(train_art)
    arrays = load_arrays(ctx.inputs["data"])
    x_test = arrays["x_test"].astype("float32") / 255.0

    def reconstruct(x):
        return models["decoder"].predict(
            models["encoder"].predict(x, batch_size=512, verbose=0), batch_size=512, verbose=0
        )

    clean = reconstruct(x_test)
    errors = pixel_bce(x_test, clean)
    metrics = {"model": key, "title": MODELS[key]["title"], "dataset": MODELS[key]["dataset"]}
    if "noise" in hyper:  # like the guide: noisy inputs, clean targets (seeded as in training's validation)
        noisy_out = reconstruct(add_noise(x_test, hyper["noise"], seed, 2))
        metrics["test_bce"] = float(pixel_bce(x_test, noisy_out).mean())
        metrics["test_bce_clean"] = float(errors.mean())
        metrics["test_mse"] = float(np.mean((noisy_out.astype(np.float64) - x_test) ** 2))
    else:
        metrics["test_bce"] = float(errors.mean())
        metrics["test_mse"] = float(np.mean((clean.astype(np.float64) - x_test) ** 2))
    if "full_encoder" in models:  # VAE: KL(q(z|x) || N(0, I)) per image, averaged over the test set
        z_mean, z_log_var = (
            np.asarray(a, np.float64) for a in models["full_encoder"].predict(x_test, batch_size=512, verbose=0)
        )
        kl = -0.5 * np.sum(1 + z_log_var - z_mean**2 - np.exp(z_log_var), axis=1)
        metrics["kl"] = float(kl.mean())
        params = models["full_encoder"].count_params() + models["decoder"].count_params()
    else:
        params = models["encoder"].count_params() + models["decoder"].count_params()
    metrics.update(
        {
            "params": int(params),
            "seconds_training": train_art.meta["seconds_training"],
            "epochs": int(hyper["epochs"]),
            "train_count": int(len(arrays["x_train"])),
            "test_count": int(len(x_test)),
            "guide_bce": GUIDE_BCE[key],
            "scale": p["scale"],
        }
    )
    for name in ("test_bce", "test_bce_clean", "test_mse", "kl"):
        if name in metrics:
            metrics[name] = round(metrics[name], 6)
    (ctx.out / "errors.f32").write_bytes(errors.astype("<f4").tobytes())
    ctx.write_json("metrics.json", metrics)
    return dict(metrics)
