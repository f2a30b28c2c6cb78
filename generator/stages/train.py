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
}
PARTS = {"mnist_ae": ("encoder", "decoder"), "mnist_vae": ("encoder", "decoder"), "faces_ae": ("encoder", "decoder")}


def train_request(cfg: Config, model: str) -> Request:
    """The trained-model artifact for ``model`` (a key of MODELS) at the configured scale."""
    hyper = cfg.section(f"models.{model}")
    epochs = max(1, round(hyper["epochs"] * cfg.preset["epoch_scale"]))
    return Request("train", {"model": model, "hyper": {**hyper, "epochs": epochs}, "seed": cfg["build.seed"],
                             "data": dataset_request(cfg, MODELS[model]["dataset"]).params})


def build(params: dict, input_shape: tuple[int, int]) -> dict:
    """Fresh Keras models for ``params`` (keys: autoencoder, encoder, decoder)."""
    h = params["hyper"]
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


def _save_weights(model, folder) -> None:
    folder.mkdir()
    for i, w in enumerate(model.get_weights()):
        np.save(folder / f"{i:03d}.npy", w, allow_pickle=False)


def rebuild(artifact) -> dict:
    """The trained models of a ``train`` artifact, weights loaded."""
    params = json.loads(artifact.file("model.json").read_text())
    models = build(params, tuple(params["input_shape"]))
    for part in ("encoder", "decoder"):
        files = sorted((artifact.path / part).glob("*.npy"))
        models[part].set_weights([np.load(f) for f in files])
    return models


@stage("train", inputs=lambda p: {"data": Request("dataset", p["data"])},
       libs=("tensorflow-cpu", "keras", "numpy"), sources=("generator/models/*.py",),
       label=lambda p: f"train {p['model']} ({p['hyper']['epochs']} epochs)")
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
    history = train(models["autoencoder"], x_train, x_val, epochs=p["hyper"]["epochs"],
                    batch_size=p["hyper"]["batch_size"], seed=p["seed"], progress=bar)
    for part in ("encoder", "decoder"):
        _save_weights(models[part], ctx.out / part)
    x_all = np.concatenate([x_train, x_val])
    codes = models["encoder"].predict(x_all, batch_size=1024, verbose=0).astype("float32")
    np.save(ctx.out / "codes.npy", codes, allow_pickle=False)
    ctx.write_json("model.json", {**p, "input_shape": list(input_shape)})
    ctx.write_json("history.json", history)
    return {
        "model": p["model"], "epochs": p["hyper"]["epochs"],
        "loss": float(history["loss"][-1]), "val_loss": float(history["val_loss"][-1]),
        "seconds_training": round(float(history["seconds"]), 2),
        "params": {part: int(models[part].count_params()) for part in ("encoder", "decoder")},
    }
