"""Article 3's autoencoder zoo: the model list figures iterate, and stage ``evaluate``.

The zoo figures (zoo-table, zoo-curves, zoo-reconstructions, zoo-anomaly) show the built-in zoo's models
(:data:`ZOO`) or an author's ``[models.<name>]`` (trained by the build or read from a .keras file):
:func:`zoo_names` lists what they accept, :func:`entries` checks a figure's list (one message naming the
allowed models, or the data sets when an author's models would mix them) and gives each model's entry.

``evaluate`` measures one model, gray or RGB, on the test split of its dataset:
``metrics.json`` (test BCE and MSE per pixel, the VAEs' KL, parameters, training
time and budget, the guide's number) and ``errors.f32`` (each test image's mean
per-pixel BCE on its clean input, little-endian float32, in ``x_test`` order).
A model read from a file has no epochs and no training time (None).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import ContentError
from ..models.registry import is_user_model, reads_file, user_models
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


ARCHITECTURE_WORDS = {
    "dense": "A dense autoencoder",
    "conv": "A convolutional autoencoder",
    "vae": "A variational autoencoder (dense)",
    "conv-vae": "A convolutional variational autoencoder",
}
SHORT_MAX = 24  # a longer title is shortened to the model's name in pickers and legends


def zoo_names(cfg: Config) -> list[str]:
    """Every model a zoo figure may show: the zoo's, then the author's ``[models.<name>]``."""
    return [*GUIDE_BCE, *user_models(cfg)]


def own_entry(cfg: Config, key: str) -> dict:
    """The zoo entry of an author's model: its title, a short name, its data set and a summary of how it was made.

    ``source`` is "train" (the build trains it) or "file" (read from a .keras file, trained elsewhere).
    """
    spec = user_models(cfg)[key]
    if reads_file(spec):
        files = [Path(spec[part]).name for part in ("file", "encoder", "decoder") if spec[part]]
        summary = f"Read from {' and '.join(files)}: trained elsewhere, not by this build."
        source = "file"
    else:
        arch = spec["architecture"]
        sizes = (
            f"hidden layers {', '.join(str(n) for n in spec['hidden'])}"
            if spec.get("hidden")
            else f"up to {spec['filters']} filters"
        )
        summary = (
            f"{ARCHITECTURE_WORDS[arch]} trained when this site was built: {sizes}, a {spec['latent_dim']}-number code."
        )
        source = "train"
    title = spec["title"] or key
    return {
        "key": key,
        "title": title,
        "short": title if len(title) <= SHORT_MAX else key,
        "dataset": spec["dataset"],
        "guide_bce": None,
        "summary": summary,
        "source": source,
    }


def entries(cfg: Config, names: list, option: str = "models") -> list[dict]:
    """The zoo entries of a figure's models, in order (built-in ones as in :data:`ZOO`).

    ContentError (naming ``option``) for a name that is neither a zoo model nor an author's, a name listed twice,
    or an author's model beside models of another data set (the built-in zoo alone mixes Fashion-MNIST and MNIST).
    """
    allowed = zoo_names(cfg)
    if not names:
        raise ContentError(f"figure option '{option}' lists no model; allowed: {_listed(allowed)}")
    for name in names:
        if name not in allowed:
            own = " (declare your own as [models.<name>] in site.toml)" if not user_models(cfg) else ""
            raise ContentError(
                f"figure option '{option}': {name!r} is not a model this figure can show; allowed: the zoo's "
                f"models or the author's: {_listed(allowed)}{own}"
            )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ContentError(
            f"figure option '{option}' lists {', '.join(map(repr, twice))} more than once; list each model once"
        )
    builtin = {entry["key"]: entry for entry in ZOO}
    out = [dict(builtin[n]) if n in builtin else own_entry(cfg, n) for n in names]
    datasets = {e["dataset"] for e in out}
    if len(datasets) > 1 and any(is_user_model(cfg, e["key"]) for e in out):
        which = ", ".join(f"{e['key']!r} ({e['dataset']})" for e in out)
        raise ContentError(
            f"figure option '{option}': the models are of different data sets: {which}; a figure compares an "
            "author's models on one data set: list models of one data set only"
        )
    return out


def _listed(names: list[str]) -> str:
    return "one of " + ", ".join(repr(n) for n in names)


def evaluate_request(cfg: Config, key: str) -> Request:
    """The test-set metrics of zoo model ``key`` (or of an author's model) at the configured scale."""
    if key not in GUIDE_BCE and not is_user_model(cfg, key):
        raise ValueError(f"{key!r} is not a zoo model; zoo models: {', '.join(GUIDE_BCE)}")
    return Request("evaluate", {"model": train_request(cfg, key).params, "scale": cfg.scale})


def reconstruct(models: dict, images: np.ndarray) -> np.ndarray:
    """The model's output for ``images`` in [0, 1] ((N, H, W) or (N, H, W, 3)), as float64 of the same shape.

    The built-in models run their whole autoencoder (:func:`generator.plane.reconstruct`); an author's model
    read from a file has only its encoder and decoder, which run one after the other.
    """
    if "autoencoder" in models:
        from ..plane import reconstruct as whole

        return whole(models, images)
    x = images.astype("float32")
    codes = models["encoder"].predict(x, batch_size=256, verbose=0)
    out = models["decoder"].predict(codes, batch_size=256, verbose=0)
    return np.asarray(out, dtype=np.float64).reshape(images.shape)


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
    """Write metrics.json and errors.f32 for one zoo model (or an author's)."""
    from ..models.zoo import add_noise
    from .data import load_arrays
    from .train import rebuild

    p = ctx.params
    key, hyper, seed = p["model"]["model"], p["model"].get("hyper", {}), p["model"]["seed"]
    builtin = key in MODELS
    train_art = ctx.inputs["model"]
    models = rebuild(train_art)
    arrays = load_arrays(ctx.inputs["data"])
    x_test = arrays["x_test"].astype("float32") / 255.0

    def round_trip(x):
        return models["decoder"].predict(
            models["encoder"].predict(x, batch_size=512, verbose=0), batch_size=512, verbose=0
        )

    clean = round_trip(x_test)
    errors = pixel_bce(x_test, clean)
    dataset = MODELS[key]["dataset"] if builtin else p["model"]["data"]["name"]
    metrics = {"model": key, "title": MODELS[key]["title"] if builtin else key, "dataset": dataset}
    if "noise" in hyper:  # like the guide: noisy inputs, clean targets (seeded as in training's validation)
        noisy_out = round_trip(add_noise(x_test, hyper["noise"], seed, 2))
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
            "epochs": int(hyper["epochs"]) if "epochs" in hyper else None,
            "train_count": int(len(arrays["x_train"])),
            "test_count": int(len(x_test)),
            "guide_bce": GUIDE_BCE.get(key),
            "scale": p["scale"],
        }
    )
    if not builtin:
        metrics["source"] = "file" if "files" in p["model"] else "train"
    for name in ("test_bce", "test_bce_clean", "test_mse", "kl"):
        if name in metrics:
            metrics[name] = round(metrics[name], 6)
    (ctx.out / "errors.f32").write_bytes(errors.astype("<f4").tobytes())
    ctx.write_json("metrics.json", metrics)
    # the training time is measured, not computed: in the meta (out of the digest, for bench/zoo.py and the build
    # report), never in a file a page shows, so the same inputs give the same site (--jobs 2 as --jobs 1)
    return {**metrics, "seconds_training": train_art.meta.get("seconds_training")}  # None: read from a file
