"""Stage ``dataset``: load a data source into .npy arrays plus its credit record."""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from ..pipeline import Context, stage

TITLES = {
    "mnist": "MNIST",
    "fashion-mnist": "Fashion-MNIST",
    "orl-faces": "the AT&T Database of Faces (ORL)",
    "celeba": "CelebA",
}


@stage(
    "dataset",
    libs=("numpy", "pillow"),
    sources=("generator/datasets/*.py",),
    label=lambda p: f"dataset {p['name']} ({p['count']:,})",
)
def make_dataset(ctx: Context) -> dict:
    """Write x_train/y_train/x_test/y_test.npy (uint8 images, int64 labels)."""
    from ..datasets import MINIMUM, load, with_option
    from ..datasets.base import count_problem

    p = ctx.params
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
    for name in ("x_train", "y_train", "x_test", "y_test"):
        array = getattr(ds, name)
        if array is not None:
            np.save(ctx.out / f"{name}.npy", array, allow_pickle=False)
    source = {**ds.source, "title": TITLES.get(ds.source["name"], ds.source["name"])}
    return {
        "source": source,
        "shape": list(ds.x_train.shape[1:]),
        "train": int(len(ds.x_train)),
        "test": int(len(ds.x_test)),
        "labels": ds.y_train is not None,
    }


def load_arrays(artifact) -> dict:
    """The arrays of a dataset artifact (missing label files become None)."""
    out = {}
    for name in ("x_train", "y_train", "x_test", "y_test"):
        path = artifact.file(f"{name}.npy")
        out[name] = np.load(path, allow_pickle=False) if path.exists() else None
    return out
