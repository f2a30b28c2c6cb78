"""Stage ``dataset``: load a data source into .npy arrays plus its description.

The artifact is the same for every data set, built-in or an author's ``[datasets.<name>]``:
``x_train.npy`` / ``x_test.npy`` uint8 (N, H, W) grey or (N, H, W, 3) RGB, ``y_train.npy`` /
``y_test.npy`` int64 (absent when unlabelled), and the meta ``shape`` ([H, W] or [H, W, 3]),
``color`` ("gray" | "rgb"), ``classes`` (label names, [] when unlabelled), ``train``, ``test``,
``labels`` (bool) and ``source`` ({name, title, credit, licence, url, count, skipped}: the credit record).
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import DataError
from ..pipeline import Context, stage

log = logging.getLogger(__name__)

TITLES = {
    "mnist": "MNIST",
    "fashion-mnist": "Fashion-MNIST",
    "orl-faces": "the AT&T Database of Faces (ORL)",
    "celeba": "CelebA",
}


def _label(p: dict) -> str:
    if p["count"] is None:
        return f"dataset {p['name']} (all)"
    return f"dataset {p['name']} ({'up to ' if 'spec' in p else ''}{p['count']:,})"


def _builtin(p: dict):
    from ..datasets import MINIMUM, load, with_option
    from ..datasets.base import count_problem

    size = tuple(p["size"]) if p.get("size") else None
    try:
        ds = load(p["name"], count=p["count"], seed=p["seed"], path=p["path"] or None, size=size)
        if p["path"]:  # the same rule check_inputs applied before the build, now on the images actually read
            problem = count_problem(
                p["name"], len(ds.x_train), len(ds.x_test), min(MINIMUM[p["name"]], p["count"]), ds.source["skipped"]
            )
            if problem:
                raise DataError(problem, where=p["path"])
    except DataError as exc:
        raise with_option(exc, p["name"]) if p["path"] else exc from None
    return ds


@stage(
    "dataset",
    libs=("numpy", "pillow"),
    sources=("generator/datasets/*.py",),
    label=_label,
)
def make_dataset(ctx: Context) -> dict:
    """Write x_train/y_train/x_test/y_test.npy (uint8 images, int64 labels); return the meta described above."""
    from ..datasets import load_user

    p = ctx.params
    ds = load_user(p["name"], p["spec"], p["count"], p["seed"]) if "spec" in p else _builtin(p)
    skipped = ds.source["skipped"]
    if skipped and "spec" in p:
        log.warning(
            "[datasets.%s]: %s of its image files could not be read and were skipped (%s images used)",
            p["name"],
            f"{skipped:,}",
            f"{ds.n:,}",
        )
    for name in ("x_train", "y_train", "x_test", "y_test"):
        array = getattr(ds, name)
        if array is not None:
            np.save(ctx.out / f"{name}.npy", array, allow_pickle=False)
    title = ds.source.get("title") or TITLES.get(ds.source["name"], ds.source["name"])
    labelled = ds.y_train is not None
    return {
        "source": {**ds.source, "title": title},
        "shape": list(ds.x_train.shape[1:]),
        "color": ds.color,
        "classes": list(ds.classes) if labelled else [],
        "train": int(len(ds.x_train)),
        "test": int(len(ds.x_test)),
        "labels": labelled,
    }


def load_arrays(artifact) -> dict:
    """The arrays of a dataset artifact (missing label files become None)."""
    out = {}
    for name in ("x_train", "y_train", "x_test", "y_test"):
        path = artifact.file(f"{name}.npy")
        out[name] = np.load(path, allow_pickle=False) if path.exists() else None
    return out
