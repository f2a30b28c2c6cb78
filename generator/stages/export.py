"""Stage ``export``: a trained encoder or decoder in TF.js layers format.

The smallest weight encoding whose largest error on a fixed probe set stays
under ``[export] max_error`` is chosen; encoding, bytes and error are recorded.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..pipeline import Context, Request, stage
from .data import load_arrays
from .train import train_request


def export_request(cfg: Config, model: str, part: str) -> Request:
    """``part`` ('encoder' or 'decoder') of ``model``, exported for TF.js."""
    train = train_request(cfg, model)
    return Request("export", {"part": part, "max_error": cfg["export.max_error"], "model": train.params})


PROBES_KEPT = 8


def _inputs(p: dict) -> dict:
    return {"model": Request("train", p["model"]), "data": Request("dataset", p["model"]["data"])}


def probe_set(part: str, codes: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Fixed probe inputs: an 8 x 8 grid over the codes' extent, or 64 evenly spaced images."""
    if part == "decoder":
        lo, hi = codes.min(axis=0), codes.max(axis=0)
        axes = [np.linspace(lo[d], hi[d], 8) for d in range(codes.shape[1])]
        grid = np.stack(np.meshgrid(*axes), -1).reshape(-1, codes.shape[1])
        return np.concatenate([grid, codes[:: max(1, len(codes) // 16)][:16]]).astype("float32")
    picks = np.linspace(0, len(images) - 1, 64).astype(int)
    return images[picks].astype("float32") / 255.0


@stage("export", inputs=_inputs, libs=("tensorflow-cpu", "keras", "numpy"), sources=("generator/tfjs.py",),
       label=lambda p: f"export {p['model']['model']} {p['part']}")
def export_model(ctx: Context) -> dict:
    """Write model/ (model.json + weight shards), extent.json, and probe.json.

    probe.json holds a few probe inputs with the Keras outputs, for parity
    tests; it is listed as private, so sharing the artifact never ships it.
    """
    from ..tfjs import export_best
    from .train import rebuild

    p = ctx.params
    models = rebuild(ctx.inputs["model"])
    model = models[p["part"]]
    codes = np.load(ctx.inputs["model"].file("codes.npy"))
    arrays = load_arrays(ctx.inputs["data"])
    probe = probe_set(p["part"], codes, arrays["x_test"])
    info = export_best(model, ctx.out / "model", probe, max_error=p["max_error"])
    kept = probe[:: max(1, len(probe) // PROBES_KEPT)][:PROBES_KEPT]  # enough for parity tests, small on disk
    expected = model.predict(kept, verbose=0)
    ctx.write_json("probe.json", {"inputs": kept.tolist(), "outputs": np.asarray(expected).round(6).tolist()})
    extent = {"min": codes.min(axis=0).round(5).tolist(), "max": codes.max(axis=0).round(5).tolist()}
    ctx.write_json("extent.json", extent)
    return {"part": p["part"], "model": p["model"]["model"], "dtype": info["dtype"], "bytes": info["bytes"],
            "max_error": float(info["max_error"]), "tried": info["tried"], "params": info["params"],
            "extent": extent, "private": ["probe.json"]}
