"""Stage ``atlas``: every image of a dataset packed into power-of-two texture atlases."""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..pipeline import Context, Request, stage
from . import dataset_request
from .data import load_arrays


def atlas_request(cfg: Config, dataset: str = "mnist") -> Request:
    return Request("atlas", {"cell": cfg["atlas.cell"], "side": cfg["atlas.side"],
                             "data": dataset_request(cfg, dataset).params})


@stage("atlas", inputs=lambda p: {"data": Request("dataset", p["data"])}, libs=("pillow", "numpy"),
       sources=("generator/atlas.py",), label=lambda p: f"atlas {p['data']['name']} ({p['cell']} px)")
def make_atlas(ctx: Context) -> dict:
    """Write atlas-0.png … and atlas.json (the index -> (atlas, cell) mapping) plus labels.u8."""
    from .. import atlas

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    images = np.concatenate([arrays["x_train"], arrays["x_test"]])
    bar = ctx.progress(len(images), "atlas")
    sheets = atlas.pack(images, cell=p["cell"], side=p["side"], progress=bar)
    files = atlas.save(sheets, ctx.out)
    index = atlas.index(len(images), cell=p["cell"], side=p["side"])
    if arrays["y_train"] is not None:
        labels = np.concatenate([arrays["y_train"], arrays["y_test"]]).astype(np.uint8)
        (ctx.out / "labels.u8").write_bytes(labels.tobytes())
    ctx.write_json("atlas.json", {**index, "files": [f["file"] for f in files]})
    return {**index, "bytes_png": sum(f["bytes"] for f in files)}
