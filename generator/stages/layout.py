"""Stage ``layout``: 2-D positions for every point, normalised and quantised.

UMAP, t-SNE and PCA come from :mod:`generator.layouts`; ``encoder`` and
``vae`` use the codes a trained model gives the same points (MNIST only: no
model is trained on an author's data yet). Any dataset of the registry works,
gray (N, H, W) or RGB (N, H, W, 3): every pixel of every channel is one
input dimension. Every layout records its trustworthiness (k = 10) on a
fixed sample.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..errors import ContentError
from ..pipeline import Context, Request, stage
from . import dataset_request
from .data import load_arrays
from .train import train_request

METHODS = ("umap", "tsne", "pca", "encoder", "vae")
MODEL_OF = {"encoder": "mnist_ae", "vae": "mnist_vae"}
TITLES = {"umap": "UMAP", "tsne": "t-SNE", "pca": "PCA", "encoder": "Autoencoder", "vae": "VAE"}


def layout_request(cfg: Config, method: str, dataset: str = "mnist") -> Request:
    """Positions of every point of ``dataset`` under ``method``; ``encoder`` and ``vae`` on a dataset other than
    mnist are a ContentError (their models are trained on MNIST only)."""
    if method in MODEL_OF and dataset != "mnist":
        raise ContentError(
            f"layout '{method}' needs a model trained on the data set, and only mnist has one (models on other "
            f"data are not yet supported): for dataset '{dataset}' use umap, tsne or pca"
        )
    lay = cfg.section("layouts")
    options = {
        "umap": {"n_neighbors": lay["umap_neighbors"], "min_dist": lay["umap_min_dist"]},
        "tsne": {"perplexity": lay["tsne_perplexity"]},
    }.get(method, {})
    params = {
        "method": method,
        "options": options,
        "seed": cfg["build.seed"],
        "trust_sample": lay["trust_sample"],
        "data": dataset_request(cfg, dataset).params,
    }
    if method in MODEL_OF:
        params["model"] = train_request(cfg, MODEL_OF[method]).params
    return Request("layout", params)


def _inputs(p: dict) -> dict:
    inputs = {"data": Request("dataset", p["data"])}
    if "model" in p:
        inputs["model"] = Request("train", p["model"])
    return inputs


@stage(
    "layout",
    inputs=_inputs,
    libs=("umap-learn", "openTSNE", "scikit-learn", "numpy"),
    label=lambda p: f"layout {p['method']}",
)
def make_layout(ctx: Context) -> dict:
    """Write positions.u16 (little-endian uint16 x,y pairs) and layout.json."""
    from .. import layouts

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    images = np.concatenate([arrays["x_train"], arrays["x_test"]])
    x = images.reshape(len(images), -1).astype("float32") / 255.0  # (N, H*W) or (N, H*W*3)
    if p["method"] in MODEL_OF:
        positions = np.load(ctx.inputs["model"].file("codes.npy"))
        effective = {"method": p["method"], "model": p["model"]["model"]}
    else:
        bar = ctx.progress(100, f"layout {p['method']}")
        positions, effective = layouts.compute(p["method"], x, seed=p["seed"], params=p["options"], progress=bar)
    normalized = layouts.normalize(positions)
    data, quant = layouts.quantize(normalized)
    (ctx.out / "positions.u16").write_bytes(data)
    trust = layouts.trustworthiness(x, positions, k=10, sample=p["trust_sample"], seed=p["seed"])
    info = {
        "method": p["method"],
        "title": TITLES[p["method"]],
        "trustworthiness": round(float(trust), 4),
        "quant": quant,
        "effective": effective,
        "count": int(len(positions)),
    }
    ctx.write_json("layout.json", info)
    return info
