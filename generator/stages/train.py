"""Stage ``train``: fit one autoencoder, keep its weights, codes and loss history.

Weights are stored as plain .npy files (byte-for-byte deterministic, unlike a
zipped .keras file); :func:`rebuild` makes the same architecture from the same
hyper-parameters and loads them, which is all the export and figure stages need.

A stage's key covers the text of every module its module imports (``pipeline.imported_modules``), except
the harness: the model registry (titles, which model is which) is one, so :func:`train_request` puts all the
stage needs in the params (the data set, the hyper-parameters, ``zoo`` for a built-in of the zoo, an author's
files with their content hashes).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from .. import distribute
from ..config import Config
from ..errors import ModelError
from ..models.registry import BUILTIN as MODELS  # noqa: F401  (the built-in models; stages/zoo.py reads them here)
from ..models.registry import TRAINING_KEYS, model_info, reads_file, user_models
from ..pipeline import Context, Request, stage
from . import dataset_request, fingerprint
from .data import load_arrays

PARTS = {
    "mnist_ae": ("encoder", "decoder"),
    "mnist_vae": ("encoder", "decoder"),
    "faces_ae": ("encoder", "decoder"),
    "fashion_vae": ("encoder", "decoder"),
    "fashion_cvae": ("encoder", "decoder"),
    "fashion_denoise": ("autoencoder",),
}
"""Parts each built-in model can export for TF.js ("autoencoder" = the whole image -> image model, flattened)."""


def parts_of(cfg: Config, model: str) -> tuple[str, ...]:
    """The parts of ``model`` that export for TF.js (an author's: its encoder and decoder)."""
    return ("encoder", "decoder") if model in cfg.model_origins else PARTS.get(model, ())


def train_request(cfg: Config, model: str) -> Request:
    """The trained-model artifact for ``model`` (a built-in or an author's) at the configured scale.

    An author's model read from a file has the same artifact, made by reading the file(s) (their content
    hashes in the key) instead of training. An unknown name is a ContentError listing the models.
    """
    info = model_info(cfg, model)
    if info["source"] != "builtin":
        return _user_request(cfg, model)
    hyper = cfg.section(f"models.{model}")
    scale = cfg.preset[
        ("zoo_conv_epoch_scale" if info["conv"] else "zoo_epoch_scale") if info["zoo"] else "epoch_scale"
    ]
    epochs = max(1, round(hyper["epochs"] * scale))
    return Request(
        "train",
        {
            "model": model,
            "hyper": {**hyper, "epochs": epochs},
            "seed": cfg["build.seed"],
            "data": dataset_request(cfg, info["dataset"]).params,
            "zoo": info["zoo"],
        },
    )


def _user_request(cfg: Config, model: str) -> Request:
    spec = user_models(cfg)[model]
    params = {"model": model, "seed": cfg["build.seed"], "data": dataset_request(cfg, spec["dataset"]).params}
    if reads_file(spec):
        keys = ("file",) if spec["file"] else ("encoder", "decoder")
        # the files' content hashes are in the key; where the table is declared (a settings line, shown relative to
        # the working folder) is not, so moving the table or building from another folder reads nothing again
        params["files"] = {key: {"path": spec[key], "fingerprint": fingerprint(spec[key], whole=True)} for key in keys}
    else:
        hyper = {key: spec[key] for key in TRAINING_KEYS}
        hyper["epochs"] = max(1, round(spec["epochs"] * cfg.preset["epoch_scale"]))
        params["hyper"] = hyper
    return Request("train", params)


def build(params: dict, input_shape: tuple[int, ...]) -> dict:
    """Fresh Keras models for ``params`` (keys: autoencoder, encoder, decoder)."""
    h = params["hyper"]
    if "architecture" in h:  # an author's [models.<name>]: one of the families, any size, gray or RGB
        from ..models.families import build_family, conv_advice, conv_problem

        problem = conv_problem(*input_shape[:2]) if h["architecture"] in ("conv", "conv-vae") else None
        if problem:  # the check before the build names the settings line where it knows the size
            data = params["data"]
            raise ModelError(conv_advice(params["model"], h["architecture"], data["name"], "spec" in data, problem))
        return build_family(
            h["architecture"],
            input_shape,
            hidden=h["hidden"] or (),
            filters=h["filters"] or 0,
            latent_dim=h["latent_dim"],
            learning_rate=h["learning_rate"],
            seed=params["seed"],
        )
    if params.get("zoo"):
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
    from ..models.vae import build_vae, mean_encoder
    from ..models.zoo import build_conv, build_conv_vae, build_denoiser, build_dense

    key, h = params["model"], params["hyper"]
    lr = h["learning_rate"]
    if key == "fashion_simple":
        ae, enc, dec = build_dense(input_shape, (), 32, lr)
    elif key == "fashion_sparse":
        ae, enc, dec = build_dense(input_shape, (), 32, lr, l1=h["l1"])
    elif key == "fashion_deep":
        ae, enc, dec = build_dense(input_shape, (128, 64), 32, lr)
    elif key == "mnist_rmsprop":
        ae, enc, dec = build_dense(input_shape, (256,), 128, lr, optimizer="rmsprop")
    elif key == "fashion_conv":
        ae, enc, dec = build_conv(input_shape, learning_rate=lr)
    elif key == "fashion_denoise":
        ae, enc, dec = build_denoiser(input_shape, learning_rate=lr)
    elif key == "fashion_vae":
        vae, enc, dec = build_vae(input_shape, (512,), 2, lr, seed=params["seed"])
        return {"autoencoder": vae, "full_encoder": enc, "encoder": mean_encoder(enc), "decoder": dec}
    elif key == "fashion_cvae":
        vae, enc, dec = build_conv_vae(input_shape, learning_rate=lr, seed=params["seed"])
        return {"autoencoder": vae, "full_encoder": enc, "encoder": mean_encoder(enc), "decoder": dec}
    else:  # pragma: no cover - MODELS's zoo models and this list are kept together
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


def _file_spec(params: dict, folder) -> dict:
    """The author's file spec with paths pointing at the copies in ``folder`` (a train artifact's)."""
    return {key: str(folder / f"{key}.keras") for key in params["files"]}


def _where(params: dict) -> str:
    """Where this stage's messages about a model point: its settings table (a file model's messages name the files)."""
    return f"[models.{params['model']}]"


def rebuild(artifact) -> dict:
    """The trained models of a ``train`` artifact, weights loaded."""
    params = json.loads(artifact.file("model.json").read_text())
    if "files" in params:  # read from the author's .keras file(s), kept in the artifact
        from ..models.keras_file import load

        shown = {key: entry["path"] for key, entry in params["files"].items()}
        return load(_file_spec(params, artifact.path), tuple(params["input_shape"]), _where(params), shown)
    models = build(params, tuple(params["input_shape"]))
    for part in ("full_encoder", "encoder", "decoder"):  # full_encoder (zoo VAEs: with z_log_var) if saved
        if not (artifact.path / part).is_dir():
            continue
        files = sorted((artifact.path / part).glob("*.npy"))
        models[part].set_weights([np.load(f) for f in files])
    return models


def _label(p: dict) -> str:
    if "files" in p:
        return f"read {p['model']} ({', '.join(Path(f['path']).name for f in p['files'].values())})"
    return f"train {p['model']} ({p['hyper']['epochs']} epochs)"


def _read_model(ctx: Context, x_train, x_val, input_shape) -> dict:
    """The artifact of an author's model read from .keras file(s): the files, codes.npy, its loss on the data."""
    from ..models.keras_file import load

    p = ctx.params
    for key, entry in p["files"].items():
        shutil.copyfile(entry["path"], ctx.out / f"{key}.keras")
    shown = {key: entry["path"] for key, entry in p["files"].items()}  # messages name the author's files
    models = load(_file_spec(p, ctx.out), input_shape, _where(p), shown)
    losses = {}
    for name, x in (("loss", x_train), ("val_loss", x_val)):
        recon = models["decoder"].predict(models["encoder"].predict(x, batch_size=256, verbose=0), verbose=0)
        recon = np.clip(recon, 1e-7, 1 - 1e-7)
        losses[name] = float(-np.mean(x * np.log(recon) + (1 - x) * np.log(1 - recon)))
    codes = _codes(models["encoder"], x_train, x_val)
    if not all(np.isfinite(value) for value in losses.values()) or not _finite(codes):
        files = ", ".join(shown.values())
        what = "reconstructions" if _finite(codes) else "codes"
        raise ModelError(
            f"{files}: the model's {what} of the data set's images are NaN or infinite; allowed: a model whose codes "
            "and reconstructions are finite numbers (was its training diverging? retrain it with a smaller "
            "learning rate)",
            where=_where(p),
        )
    if codes is not None:
        np.save(ctx.out / "codes.npy", codes, allow_pickle=False)
    ctx.write_json("model.json", {**p, "input_shape": list(input_shape)})
    ctx.write_json("history.json", {key: [value] for key, value in losses.items()})
    return {
        "model": p["model"],
        "epochs": 0,
        **losses,
        "read_from": [Path(entry["path"]).name for entry in p["files"].values()],
        "params": {part: int(models[part].count_params()) for part in ("encoder", "decoder")},
    }


def _codes(encoder, x_train, x_val) -> np.ndarray | None:
    """The codes of every image (training images first) where they can be drawn (a 2-D code), else None."""
    if tuple(encoder.outputs[0].shape[1:]) != (2,):
        return None
    x_all = np.concatenate([x_train, x_val])
    return encoder.predict(x_all, batch_size=1024, verbose=0).astype("float32")


def _finite(codes: np.ndarray | None) -> bool:
    return codes is None or bool(np.isfinite(codes).all())


@stage(
    "train",
    inputs=lambda p: {"data": Request("dataset", p["data"])},
    libs=("tensorflow-cpu", "keras", "numpy"),
    label=_label,
)
def train_model(ctx: Context) -> dict:
    """Train, then write encoder/ and decoder/ weights, codes.npy and history.json.

    An author's model read from a file is not trained: its file(s) are kept in the artifact instead.
    """
    from ..models.train import seed_everything, train

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    x_train = arrays["x_train"].astype("float32") / 255.0
    x_val = arrays["x_test"].astype("float32") / 255.0
    input_shape = tuple(int(s) for s in x_train.shape[1:])
    if "files" in p:
        return _read_model(ctx, x_train, x_val, input_shape)
    seed_everything(p["seed"])
    with distribute.scope():  # one device, or replicas over GPUs / workers (--strategy)
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
    # the zoo's VAEs and an author's: losses per pixel like the other models, z_log_var kept for the KL term
    per_pixel = (p.get("zoo") or "architecture" in p["hyper"]) and "full_encoder" in models
    if per_pixel:
        pixels = float(np.prod(input_shape))  # the VAE sums BCE over pixels; the zoo reports it per pixel too
        for name in ("reconstruction_loss", "val_reconstruction_loss"):
            history[f"{name}_per_image"] = history[name]
            history[name] = [v / pixels for v in history[name]]
    codes = _codes(models["encoder"], x_train, x_val)
    if not all(np.isfinite(history[key][-1]) for key in ("loss", "val_loss")) or not _finite(codes):
        what = "loss" if codes is None or _finite(codes) else "codes"
        raise ModelError(
            f"training diverged: the model's {what} became NaN or infinite after {p['hyper']['epochs']} epochs; "
            f"try a smaller learning_rate (it is {p['hyper']['learning_rate']:g})",
            where=_where(p),
        )
    saved = ["encoder", "decoder"]
    if per_pixel:
        saved.append("full_encoder")  # with z_log_var, for the KL term the evaluate stage reports
    for part in saved:
        _save_weights(models[part], ctx.out / part)
    if codes is not None:
        np.save(ctx.out / "codes.npy", codes, allow_pickle=False)
    ctx.write_json("model.json", {**p, "input_shape": list(input_shape)})
    ctx.write_json("history.json", {k: v for k, v in history.items() if k != "seconds"})  # time: in the meta
    return {
        "model": p["model"],
        "epochs": p["hyper"]["epochs"],
        "loss": float(history["loss"][-1]),
        "val_loss": float(history["val_loss"][-1]),
        "seconds_training": round(float(history["seconds"]), 2),
        "params": {part: int(models[part].count_params()) for part in ("encoder", "decoder")},
        **distribute.describe(),
    }
