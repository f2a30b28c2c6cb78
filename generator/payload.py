"""What every figure payload stage shares: finishing the payload, sharing artifacts, credits, upstream requests.

A kind's stage computes what is particular to it, then hands the rest to
:class:`Payload`::

    out = Payload(ctx)
    config = {"decoder": out.share("decoder") + "model/model.json", ...}
    return out.finish(config, alt=alt, fallback=image, sources=[source_of(ctx)], points=n)

``finish`` writes ``config.json`` (with the alt text) and ``fallback.png`` and
returns the stage's meta: ``alt``, ``fallback`` (file, width, height: the page's
``<img>``), ``sources`` (credits), ``share``/``private`` when used, and the
kind's own values, which its template reads as ``fig.meta``.

The zoo lookups import ``generator.stages.zoo`` only when called, so figure
discovery never depends on it (and no-op rebuilds never import TensorFlow).
"""

from __future__ import annotations

import json

import numpy as np

from .pipeline import Artifact, Context, Request

FALLBACK = "fallback.png"
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
MNIST_CLASSES = [str(d) for d in range(10)]


def shared_url(ctx: Context, name: str) -> tuple[str, dict]:
    """Publish upstream artifact ``name`` once for the whole site; return its URL and a share record.

    The URL is relative to the figure's own payload directory (where
    config.json lives), e.g. ``../../artifacts/export-1a2b3c4d5e/``; the build
    copies the artifacts named by the meta's ``"share"`` records (see
    :meth:`Payload.share`). Two figures that use the same artifact load the
    same files, so a page downloads (and the report counts) them once.
    """
    artifact: Artifact = ctx.inputs[name]
    folder = f"{artifact.stage}-{artifact.digest[:10]}"
    return f"../../artifacts/{folder}/", {"stage": artifact.stage, "key": artifact.key, "folder": folder}


class Payload:
    """A figure's payload while its stage writes it (into ``ctx.out``)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.shares: list[dict] = []
        self.private: list[str] = []
        self.explored: set[str] = set()

    def share(self, name: str) -> str:
        """The URL of upstream artifact ``name``, published once for the whole site (:func:`shared_url`)."""
        url, record = shared_url(self.ctx, name)
        self.shares.append(record)
        return url

    def explore(self, url: str) -> str:
        """Record that the figure fetches ``url`` only when the reader explores (zooms in, switches layout, moves
        a probe), never at mount: a file (``"tsne.u16"``) or a folder ending in ``/`` (``"tiles/"``,
        ``out.share("atlas")``), relative to the payload folder like every URL of config.json. ``finish`` lists
        them in config.json as ``"explore"``; the build report counts their files as explored, not against the
        page budget (first mount). Returns ``url``."""
        if not isinstance(url, str) or not url or url.startswith("/") or "://" in url:
            raise ValueError(f"Payload.explore: {url!r} is not a URL relative to the payload folder")
        self.explored.add(url)
        return url

    def fixture(self, name: str, value) -> None:
        """A JSON test fixture written beside the payload but never copied to the site."""
        (self.ctx.out / name).write_text(json.dumps(value, separators=(",", ":")))
        self.private.append(name)

    def finish(self, config: dict, *, alt: str, fallback, sources: list[dict], **meta) -> dict:
        """Write ``config.json`` (``config`` plus ``alt``) and ``fallback`` (a Pillow image) as fallback.png;
        return the stage's meta (``meta`` holds the kind's own values)."""
        fallback.save(self.ctx.out / FALLBACK, optimize=True)
        explore = {"explore": sorted(self.explored)} if self.explored else {}
        self.ctx.write_json("config.json", {**config, **explore, "alt": alt})
        extra = {"share": self.shares} if self.shares else {}
        if self.private:
            extra["private"] = self.private
        return {
            "alt": alt,
            "fallback": {"file": FALLBACK, "width": fallback.width, "height": fallback.height},
            "sources": list(sources),
            **extra,
            **meta,
        }


# ---- upstream artifacts -----------------------------------------------------------------------------------


def source_record(ctx: Context, artifact: Artifact) -> dict:
    """The credit record of a dataset artifact: its meta's (name, count, skipped, and a built-in set's title and
    credit), with an author's title, credit, licence and URL from the figure's request (``params["credits"]``,
    set when the build plans the figure: they are not part of the dataset's key)."""
    source = dict(artifact.meta["source"])
    source.update(ctx.params.get("credits", {}).get(source["name"], {}))
    return source


def source_of(ctx: Context, name: str = "data") -> dict:
    """The credit record of the dataset artifact input ``name`` (see :func:`source_record`)."""
    return source_record(ctx, ctx.inputs[name])


def export_info(artifact: Artifact) -> dict:
    """An exported TF.js model's weight precision and its measured error against Keras."""
    return {k: artifact.meta.get(k) for k in ("dtype", "max_error")}


def as_input(request: Request) -> dict:
    """A request as JSON params (stage + params), so a stage can ask for it again in ``inputs``."""
    return {"stage": request.stage, "params": request.params}


def from_input(record: dict) -> Request:
    """The request :func:`as_input` recorded."""
    return Request(record["stage"], record["params"])


def dataset_params(cfg, rows: list[dict]) -> dict:
    """Dataset request params of every data set the ``rows`` (zoo entries) use, for credit records."""
    from .stages import dataset_request

    return {d: dataset_request(cfg, d).params for d in sorted({r["dataset"] for r in rows})}


def dataset_inputs(params: dict) -> dict[str, Request]:
    """Stage inputs ``data:<name>`` for the ``params["data"]`` made by :func:`dataset_params`."""
    return {f"data:{d}": Request("dataset", p) for d, p in params["data"].items()}


def sources_of(ctx: Context, params: dict) -> list[dict]:
    """The credit records of the data sets of :func:`dataset_inputs`."""
    return [source_record(ctx, ctx.inputs[f"data:{d}"]) for d in sorted(params["data"])]


# ---- the autoencoder zoo (article 3) ----------------------------------------------------------------------


def zoo() -> list[dict]:
    """The zoo's models in table order (``generator.stages.zoo.ZOO``)."""
    from .stages.zoo import ZOO

    return [dict(entry) for entry in ZOO]


def zoo_keys() -> tuple[str, ...]:
    """Model keys of the zoo, or the contract's keys when the zoo module is not importable yet."""
    try:
        return tuple(entry["key"] for entry in zoo())
    except ImportError:
        return (
            "fashion_simple",
            "fashion_sparse",
            "fashion_deep",
            "fashion_conv",
            "fashion_denoise",
            "fashion_vae",
            "fashion_cvae",
            "mnist_rmsprop",
        )


def evaluate_request(cfg, key: str) -> Request:
    """The request of zoo model ``key``'s ``evaluate`` artifact (test losses, per-image errors)."""
    from .stages.zoo import evaluate_request as make

    return make(cfg, key)


# ---- data -------------------------------------------------------------------------------------------------


def class_names(dataset: str | Artifact | dict) -> list[str]:
    """Human names of the classes of a labelled data set, in label order.

    ``dataset`` is a dataset artifact (or its meta), whose meta lists the names (``classes``; a built-in
    whose meta predates that falls back to its name), or the name of a built-in ("mnist",
    "fashion-mnist") for a figure that knows only the name.
    """
    if isinstance(dataset, str):
        return FASHION_CLASSES if dataset == "fashion-mnist" else MNIST_CLASSES
    meta = dataset if isinstance(dataset, dict) else dataset.meta
    if meta.get("classes"):
        return [str(name) for name in meta["classes"]]
    return class_names(meta["source"]["name"])


def dataset_option(cfg, name: str, option: str = "dataset") -> Request:
    """The dataset request for a figure option's value ``name``: a built-in or a ``[datasets.<name>]`` of the
    settings. Any other name is a :class:`ContentError` listing the valid names (the build's plan step adds the
    article's file and line)."""
    from .datasets.registry import dataset_names, unknown_dataset
    from .errors import ContentError
    from .stages import dataset_request

    if name not in dataset_names(cfg):
        raise ContentError(f"figure option '{option}': {unknown_dataset(cfg, name)}")
    return dataset_request(cfg, name)


def pick_per_class(labels: np.ndarray, count: int) -> np.ndarray:
    """Indices of ``count`` images spread over the classes: the first of each class in label order, then the
    second of each, ... (fewer only when there are fewer images)."""
    by_class = [np.flatnonzero(labels == c).tolist() for c in np.unique(labels)]
    picks = []
    for round_ in range(max((len(c) for c in by_class), default=0)):
        if len(picks) >= count:
            break
        for members in by_class:
            if round_ < len(members) and len(picks) < count:
                picks.append(members[round_])
    return np.asarray(picks, np.int64)
