"""Stage ``export``: a trained encoder or decoder in TF.js layers format.

The smallest weight encoding whose largest error on a fixed probe set stays
under ``[export] max_error`` is chosen; encoding, bytes and error are recorded.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..errors import ModelError
from ..pipeline import Context, Request, stage
from .data import load_arrays
from .train import parts_of, train_request


def export_request(cfg: Config, model: str, part: str) -> Request:
    """``part`` ('encoder', 'decoder' or, for the denoiser, 'autoencoder') of ``model``, exported for TF.js."""
    if part not in parts_of(cfg, model):
        raise ValueError(f"model {model!r} exports parts {parts_of(cfg, model)}, not {part!r}")
    train = train_request(cfg, model)
    max_error = cfg["export.max_error"]
    if part == "autoencoder":
        # A decoder's probes are a grid over the whole code plane it is ever asked about; an image-to-image
        # model's probes are a few dozen of the endless inputs a reader can make, so keep a 2x margin.
        max_error /= 2
    return Request("export", {"part": part, "max_error": max_error, "model": train.params})


PROBES_KEPT = 8


def _inputs(p: dict) -> dict:
    return {"model": Request("train", p["model"]), "data": Request("dataset", p["model"]["data"])}


def probe_set(part: str, codes: np.ndarray | None, images: np.ndarray, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Fixed probe inputs: an 8 x 8 grid over the codes' extent, or 64 evenly spaced images.

    With ``noise`` > 0 (the denoiser's whole-model export) the images are corrupted
    like its training inputs, seeded, since that is what the page feeds it.
    """
    if part == "decoder":
        lo, hi = codes.min(axis=0), codes.max(axis=0)
        axes = [np.linspace(lo[d], hi[d], 8) for d in range(codes.shape[1])]
        grid = np.stack(np.meshgrid(*axes), -1).reshape(-1, codes.shape[1])
        return np.concatenate([grid, codes[:: max(1, len(codes) // 16)][:16]]).astype("float32")
    picks = np.linspace(0, len(images) - 1, 64).astype(int)
    chosen = images[picks].astype("float32") / 255.0
    if noise > 0:
        from ..models.zoo import add_noise

        chosen = add_noise(chosen, noise, seed, 3)
    return chosen


@stage(
    "export",
    inputs=_inputs,
    libs=("tensorflow-cpu", "keras", "numpy"),
    label=lambda p: f"export {p['model']['model']} {p['part']}",
)
def export_model(ctx: Context) -> dict:
    """Write model/ (model.json + weight shards), extent.json, and probe.json.

    probe.json holds a few probe inputs with the Keras outputs, for parity
    tests; it is listed as private, so sharing the artifact never ships it.
    """
    from ..tfjs import export_best
    from .train import rebuild

    p = ctx.params
    models = rebuild(ctx.inputs["model"])
    if p["part"] == "autoencoder":  # the exporter takes flat functional models only
        from ..models.zoo import flat_autoencoder

        model = flat_autoencoder(models["encoder"], models["decoder"], name=p["model"]["model"])
    else:
        model = models[p["part"]]
    codes_file = ctx.inputs["model"].file("codes.npy")
    codes = np.load(codes_file) if codes_file.exists() else None
    if p["part"] == "decoder" and codes is None:  # its probes span the code plane: a 2-D code's
        raise ModelError(
            f"the decoder of {p['model']['model']!r} ships to the page only with a 2-D code (figures draw its code "
            "plane), and this model's code is not 2-D; give it latent_dim = 2 (a file's encoder: 2 outputs) or pick "
            "a model with a 2-D code",
            where=f"[models.{p['model']['model']}]",
        )
    arrays = load_arrays(ctx.inputs["data"])
    noise = p["model"]["hyper"].get("noise", 0.0) if p["part"] == "autoencoder" else 0.0
    probe = probe_set(p["part"], codes, arrays["x_test"], noise, p["model"]["seed"])
    info = export_best(model, ctx.out / "model", probe, max_error=p["max_error"])
    kept = probe[:: max(1, len(probe) // PROBES_KEPT)][:PROBES_KEPT]  # enough for parity tests, small on disk
    expected = model.predict(kept, verbose=0)
    ctx.write_json("probe.json", {"inputs": kept.tolist(), "outputs": np.asarray(expected).round(6).tolist()})
    extent = None
    if codes is not None:
        extent = {"min": codes.min(axis=0).round(5).tolist(), "max": codes.max(axis=0).round(5).tolist()}
        ctx.write_json("extent.json", extent)
    return {
        "part": p["part"],
        "model": p["model"]["model"],
        "dtype": info["dtype"],
        "bytes": info["bytes"],
        "max_error": float(info["max_error"]),
        "tried": info["tried"],
        "params": info["params"],
        "extent": extent,
        "private": ["probe.json"],
    }
