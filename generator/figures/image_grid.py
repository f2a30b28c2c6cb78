"""Figure kind ``image-grid``: real images from a dataset, one or more per class.

The digit strip of article 1 is ``dataset: mnist, per_class: 1``. The payload
is one grayscale sprite sheet (``grid.png``), a labelled fallback image and
``config.json``.
"""

from __future__ import annotations

import numpy as np

from ..draw import labelled_grid, sprite
from ..payload import Payload, class_names
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages import DATASETS, dataset_request
from ..stages.data import load_arrays

KIND = "image-grid"
OPTIONS = {
    "dataset": Field("str", "mnist", "Which data set to draw from.", choices=DATASETS),
    "per_class": Field("int", 1, "Images of each class (labelled data sets).", 1, 10),
    "count": Field("int", 10, "Images to show when the data set has no labels (faces).", 1, 100),
    "split": Field("str", "test", "Draw from the training or the test split.", choices=("train", "test")),
}


def request(options: dict, cfg) -> Request:
    return Request(f"figure:{KIND}", {**options, "data": dataset_request(cfg, options["dataset"]).params})


def pick(images: np.ndarray, labels: np.ndarray | None, per_class: int, count: int) -> tuple[np.ndarray, list[str]]:
    """The first ``per_class`` images of each class in label order (or the first ``count``)."""
    if labels is None:
        chosen = np.arange(min(count, len(images)))
        return images[chosen], ["" for _ in chosen]
    chosen = []
    for label in np.unique(labels):
        chosen.extend(np.flatnonzero(labels == label)[:per_class].tolist())
    return images[chosen], [str(int(labels[i])) for i in chosen]


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"data": Request("dataset", p["data"])},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure image-grid ({p['dataset']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    images, labels = pick(arrays[f"x_{p['split']}"], arrays[f"y_{p['split']}"], p["per_class"], p["count"])
    if any(labels):
        labels = [class_names(p["dataset"])[int(label)] for label in labels]
    h, w = images.shape[1:]
    cols = min(len(images), 10)
    rows = -(-len(images) // cols)
    Image.fromarray(sprite(images, cols), "L").save(ctx.out / "grid.png", optimize=True)
    source = ctx.inputs["data"].meta["source"]
    what = "digits" if p["dataset"] == "mnist" else "images"
    alt = (
        f"{len(images)} {what} from {source['name']}" + (f", labelled {', '.join(labels)}" if any(labels) else "") + "."
    )
    fallback = labelled_grid(images, labels, cols, scale=max(1, 56 // w) if w < 56 else 1)
    config = {
        "image": "grid.png",
        "cell": w if w == h else None,
        "cell_width": w,
        "cell_height": h,
        "cols": cols,
        "rows": rows,
        "count": len(images),
        "labels": labels,
    }
    return Payload(ctx).finish(config, alt=alt, fallback=fallback, sources=[source])
