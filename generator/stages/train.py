"""Stage ``train``: fit one autoencoder, keep its weights, codes and loss history.

Weights are stored as plain .npy files (byte-for-byte deterministic, unlike a
zipped .keras file); :func:`rebuild` makes the same architecture from the same
hyper-parameters and loads them, which is all the export and figure stages need.
"""

from __future__ import annotations

import json

import numpy as np

from ..config import Config
from ..pipeline import Context, Request, stage
from . import dataset_request
from .data import load_arrays

MODELS = {
    "mnist_ae": {"dataset": "mnist", "title": "MNIST dense autoencoder"},
    "mnist_vae": {"dataset": "mnist", "title": "MNIST variational autoencoder"},
    "faces_ae": {"dataset": "faces", "title": "face autoencoder"},
    # Article 3, the autoencoder zoo (generator/models/zoo.py; epochs scaled by zoo_epoch_scale, or by
    # zoo_conv_epoch_scale for the convolutional ones)
    "fashion_simple": {"dataset": "fashion-mnist", "title": "Simple autoencoder (784-32-784)", "zoo": True},
    "fashion_sparse": {"dataset": "fashion-mnist", "title": "Sparse autoencoder (L1 on the code)", "zoo": True},
    "fashion_deep": {"dataset": "fashion-mnist", "title": "Deep autoencoder (784-128-64-32)", "zoo": True},
    "fashion_conv": {"dataset": "fashion-mnist", "title": "Convolutional autoencoder", "zoo": True, "conv": True},
    "fashion_denoise": {"dataset": "fashion-mnist", "title": "Denoising autoencoder", "zoo": True, "conv": True},
    "fashion_vae": {"dataset": "fashion-mnist", "title": "Variational autoencoder (dense)", "zoo": True, "vae": True},
    "fashion_cvae": {
        "dataset": "fashion-mnist",
        "title": "Convolutional variational autoencoder",
        "zoo": True,
        "vae": True,
        "conv": True,
    },
    "mnist_rmsprop": {"dataset": "mnist", "title": "MNIST 784-256-128 autoencoder (RMSProp)", "zoo": True},
}
PARTS = {
    "mnist_ae": ("encoder", "decoder"),
    "mnist_vae": ("encoder", "decoder"),
    "faces_ae": ("encoder", "decoder"),
    "fashion_vae": ("encoder", "decoder"),
    "fashion_cvae": ("encoder", "decoder"),
    "fashion_denoise": ("autoencoder",),
}
"""Parts each model can export for TF.js ("autoencoder" = the whole image -> image model, flattened)."""


def train_request(cfg: Config, model: str) -> Request:
    """The trained-model artifact for ``model`` (a key of MODELS) at the configured scale."""
    hyper = cfg.section(f"models.{model}")
    info = MODELS[model]
    scale = cfg.preset[
        ("zoo_conv_epoch_scale" if info.get("conv") else "zoo_epoch_scale") if info.get("zoo") else "epoch_scale"
    ]
    epochs = max(1, round(hyper["epochs"] * scale))
    return Request(
        "train",
        {
            "model": model,
            "hyper": {**hyper, "epochs": epochs},
            "seed": cfg["build.seed"],
            "data": dataset_request(cfg, MODELS[model]["dataset"]).params,
        },
    )


def build(params: dict, input_shape: tuple[int, int]) -> dict:
    """Fresh Keras models for ``params`` (keys: autoencoder, encoder, decoder)."""
    h = params["hyper"]
    if MODELS[params["model"]].get("zoo"):
        return _build_zoo(params, input_shape)
    if params["model"] == "mnist_ae":
        from ..models.dense import build_autoencoder

        ae, enc, dec = build_autoencoder(input_shape, h["hidden"], h["latent_dim"], h["learning_rate"])
        return {"autoencoder": ae, "encoder": enc, "decoder": dec}
    if params["model"] == "mnist_vae":
        from ..models.vae import build_vae, mean_encoder

        vae, enc, dec = build_vae(input_shape, h["hidden"], h["latent_dim"], h["learning_rate"], seed=params["seed"])
        return {"autoencoder": vae, "full_encoder": enc, "encoder": mean_encoder(enc), "decoder": dec}
    from ..models.faces import build_face_autoencoder

    ae, enc, dec = build_face_autoencoder(input_shape, latent_dim=h["latent_dim"], learning_rate=h["learning_rate"])
    return {"autoencoder": ae, "encoder": enc, "decoder": dec}


def _build_zoo(params: dict, input_shape: tuple[int, int]) -> dict:
    from ..models import zoo
    from ..models.vae import build_vae, mean_encoder

    key, h = params["model"], params["hyper"]
    lr = h["learning_rate"]
    if key == "fashion_simple":
        ae, enc, dec = zoo.build_dense(input_shape, (), 32, lr)
    elif key == "fashion_sparse":
        ae, enc, dec = zoo.build_dense(input_shape, (), 32, lr, l1=h["l1"])
    elif key == "fashion_deep":
        ae, enc, dec = zoo.build_dense(input_shape, (128, 64), 32, lr)
    elif key == "mnist_rmsprop":
        ae, enc, dec = zoo.build_dense(input_shape, (256,), 128, lr, optimizer="rmsprop")
    elif key == "fashion_conv":
        ae, enc, dec = zoo.build_conv(input_shape, learning_rate=lr)
    elif key == "fashion_denoise":
        ae, enc, dec = zoo.build_denoiser(input_shape, learning_rate=lr)
    elif key == "fashion_vae":
        vae, enc, dec = build_vae(input_shape, (512,), 2, lr, seed=params["seed"])
        return {"autoencoder": vae, "full_encoder": enc, "encoder": mean_encoder(enc), "decoder": dec}
    elif key == "fashion_cvae":
        vae, enc, dec = zoo.build_conv_vae(input_shape, learning_rate=lr, seed=params["seed"])
        return {"autoencoder": vae, "full_encoder": enc, "encoder": mean_encoder(enc), "decoder": dec}
    else:  # pragma: no cover - MODELS and this list are kept together
        raise KeyError(key)
    return {"autoencoder": ae, "encoder": enc, "decoder": dec}


def training_inputs(params: dict, x_train, x_val) -> tuple:
    """(inputs, targets) for training and validation: noisy -> clean for the denoiser, else x -> x."""
    h = params["hyper"]
    if "noise" not in h:
        return x_train, x_train, x_val, x_val
    from ..models.zoo import add_noise

    return (
        add_noise(x_train, h["noise"], params["seed"], 1),
        x_train,
        add_noise(x_val, h["noise"], params["seed"], 2),
        x_val,
    )


def _save_weights(model, folder) -> None:
    folder.mkdir()
    for i, w in enumerate(model.get_weights()):
        np.save(folder / f"{i:03d}.npy", w, allow_pickle=False)


def rebuild(artifact) -> dict:
    """The trained models of a ``train`` artifact, weights loaded."""
    params = json.loads(artifact.file("model.json").read_text())
    models = build(params, tuple(params["input_shape"]))
    for part in ("full_encoder", "encoder", "decoder"):  # full_encoder (zoo VAEs: with z_log_var) if saved
        if not (artifact.path / part).is_dir():
            continue
        files = sorted((artifact.path / part).glob("*.npy"))
        models[part].set_weights([np.load(f) for f in files])
    return models


@stage(
    "train",
    inputs=lambda p: {"data": Request("dataset", p["data"])},
    libs=("tensorflow-cpu", "keras", "numpy"),
    label=lambda p: f"train {p['model']} ({p['hyper']['epochs']} epochs)",
)
def train_model(ctx: Context) -> dict:
    """Train, then write encoder/ and decoder/ weights, codes.npy and history.json."""
    from ..models.train import seed_everything, train

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    x_train = arrays["x_train"].astype("float32") / 255.0
    x_val = arrays["x_test"].astype("float32") / 255.0
    input_shape = tuple(int(s) for s in x_train.shape[1:])
    seed_everything(p["seed"])
    models = build(p, input_shape)
    bar = ctx.progress(p["hyper"]["epochs"], f"train {p['model']}")
    x_in, y_in, x_val_in, y_val_in = training_inputs(p, x_train, x_val)
    history = train(
        models["autoencoder"],
        x_in,
        x_val_in,
        y_train=y_in,
        y_val=y_val_in,
        epochs=p["hyper"]["epochs"],
        batch_size=p["hyper"]["batch_size"],
        seed=p["seed"],
        progress=bar,
    )
    if MODELS[p["model"]].get("zoo") and MODELS[p["model"]].get("vae"):
        pixels = float(np.prod(input_shape))  # the VAE sums BCE over pixels; the zoo reports it per pixel too
        for name in ("reconstruction_loss", "val_reconstruction_loss"):
            history[f"{name}_per_image"] = history[name]
            history[name] = [v / pixels for v in history[name]]
    saved = ["encoder", "decoder"]
    if MODELS[p["model"]].get("zoo") and "full_encoder" in models:
        saved.append("full_encoder")  # with z_log_var, for the KL term the evaluate stage reports
    for part in saved:
        _save_weights(models[part], ctx.out / part)
    if tuple(models["encoder"].output.shape[1:]) == (2,):  # codes only where they can be drawn (2-D)
        x_all = np.concatenate([x_train, x_val])
        codes = models["encoder"].predict(x_all, batch_size=1024, verbose=0).astype("float32")
        np.save(ctx.out / "codes.npy", codes, allow_pickle=False)
    ctx.write_json("model.json", {**p, "input_shape": list(input_shape)})
    ctx.write_json("history.json", history)
    return {
        "model": p["model"],
        "epochs": p["hyper"]["epochs"],
        "loss": float(history["loss"][-1]),
        "val_loss": float(history["val_loss"][-1]),
        "seconds_training": round(float(history["seconds"]), 2),
        "params": {part: int(models[part].count_params()) for part in ("encoder", "decoder")},
    }
