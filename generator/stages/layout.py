"""Stage ``layout``: 2-D positions for every point, normalised and quantised.

UMAP, t-SNE and PCA come from :mod:`generator.layouts`; ``encoder`` and
``vae`` use the codes MNIST's two built-in models give the same points, and
the name of any model with a 2-D code trained on (or, for a .keras file, run
on) the data set uses that model's codes. Any dataset of the registry works,
gray (N, H, W) or RGB (N, H, W, 3): every pixel of every channel is one
input dimension. Every layout records its trustworthiness (k = 10) on a
fixed sample.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..errors import ContentError
from ..models.registry import model_info, model_names, plane_models
from ..pipeline import Context, Request, stage
from . import dataset_request
from .data import load_arrays
from .train import train_request

METHODS = ("umap", "tsne", "pca", "encoder", "vae")
MODEL_OF = {"encoder": "mnist_ae", "vae": "mnist_vae"}
TITLES = {"umap": "UMAP", "tsne": "t-SNE", "pca": "PCA", "encoder": "Autoencoder", "vae": "VAE"}


def layout_methods(cfg: Config, dataset: str) -> list[str]:
    """Every layout a figure may ask for on ``dataset``: umap, tsne, pca, then the models whose codes can
    place its points (encoder and vae on mnist; any model with a 2-D code on that data set, by name)."""

    builtin = [m for m in METHODS if m not in MODEL_OF or dataset == "mnist"]
    own = [name for name in plane_models(cfg) if model_info(cfg, name)["dataset"] == dataset]
    return builtin + [name for name in own if name not in MODEL_OF.values()]


def _why_not(cfg: Config, method, dataset: str) -> str:
    """Why ``method`` is not a layout of ``dataset`` (the start of layout_request's message)."""
    if method in MODEL_OF:
        return (
            f"'{method}' needs a model trained on mnist; on {dataset!r} name a model with a 2-D code trained on it "
            "([models.<name>] with dataset = ...)"
        )

    if not isinstance(method, str) or method not in model_names(cfg):
        return f"no such layout for dataset {dataset!r}"
    info = model_info(cfg, method)
    if info["dataset"] != dataset:
        run = "read from a file and run on" if info["source"] == "file" else "trained on"
        return f"model {method!r} is {run} {info['dataset']!r}, not {dataset!r}: its codes place only that data set"
    if info["source"] == "train":
        has = f"latent_dim = {info['code'][0]}"
    elif info["code"] is not None:
        has = f"a code of shape {tuple(info['code'])}"
    else:
        has = "no 2-D code"
    return f"a model's layout needs a 2-D code (latent_dim = 2) to place points on a plane; model {method!r} has {has}"


def layout_request(cfg: Config, method: str, dataset: str = "mnist") -> Request:
    """Positions of every point of ``dataset`` under ``method`` (one of :func:`layout_methods`); another is a
    ContentError saying why and listing them."""
    allowed = layout_methods(cfg, dataset)
    if method not in allowed:
        raise ContentError(f"layout {method!r}: {_why_not(cfg, method, dataset)}; allowed: {', '.join(allowed)}")
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
    if method not in METHODS:  # an author's model: its codes, titled with its title
        params["model"] = train_request(cfg, method).params
        params["title"] = model_info(cfg, method)["title"]
    elif method in MODEL_OF:
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
    if "model" in p:
        codes = ctx.inputs["model"].file("codes.npy")
        if not codes.exists():
            raise ContentError(
                f"layout {p['method']!r}: the model's code is not 2-D, so it cannot place points on a plane"
            )
        positions = np.load(codes)
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
        "title": p.get("title") or TITLES[p["method"]],
        "trustworthiness": round(float(trust), 4),
        "quant": quant,
        "effective": effective,
        "count": int(len(positions)),
    }
    ctx.write_json("layout.json", info)
    return info
