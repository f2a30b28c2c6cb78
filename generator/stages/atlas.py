"""Stage ``atlas``: every image of a dataset packed into power-of-two texture atlases (grayscale or RGB)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import DataError
from ..pipeline import Context, Request, stage
from . import dataset_request
from .data import load_arrays


def atlas_request(cfg: Config, dataset: str = "mnist") -> Request:
    return Request(
        "atlas",
        {
            "cell": cfg["atlas.cell"],
            "side": cfg["atlas.side"],
            "levels": cfg["atlas.levels"],
            "format": cfg["atlas.format"],
            "data": dataset_request(cfg, dataset).params,
        },
    )


def quantised(images: np.ndarray, levels: int) -> np.ndarray:
    """uint8 images with ``levels`` grey levels (per channel): fewer levels compress far better."""
    step = 255 / (levels - 1)
    table = (np.round(np.arange(256) / step) * step).round().astype(np.uint8)
    return table[images]  # a lookup table: no float copy of a large colour set


def write_sheets(sheets: list, out: Path, fmt: str, prefix: str = "atlas") -> list[dict]:
    """Write atlas pages as ``{prefix}-0.webp`` … (lossless) or .png; return ``[{"file", "bytes"}]``."""
    from .. import atlas

    if fmt == "png":
        return atlas.save(sheets, out, prefix)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i, sheet in enumerate(sheets):
        name = f"{prefix}-{i}.webp"
        # method 4: the bytes of method 6 (within 0.3 %) in a tenth of the time (70,000 digits: 118 s -> ~12 s)
        sheet.save(out / name, format="WEBP", lossless=True, quality=100, method=4)
        files.append({"file": name, "bytes": (out / name).stat().st_size})
    return files


@stage(
    "atlas",
    inputs=lambda p: {"data": Request("dataset", p["data"])},
    libs=("pillow", "numpy"),
    label=lambda p: f"atlas {p['data']['name']} ({p['cell']} px)",
)
def make_atlas(ctx: Context) -> dict:
    """Write atlas-0.webp (or .png) … and atlas.json (the index -> (atlas, cell) mapping and ``color``, "gray"
    or "rgb") plus labels.u8 for a labelled dataset. RGB images give RGB atlases; levels apply per channel."""
    from .. import atlas

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    images = quantised(np.concatenate([arrays["x_train"], arrays["x_test"]]), p["levels"])
    bar = ctx.progress(len(images), "atlas")
    sheets = atlas.pack(images, cell=p["cell"], side=p["side"], progress=bar)
    files = write_sheets(sheets, ctx.out, p["format"])
    index = {**atlas.index(len(images), cell=p["cell"], side=p["side"]), "color": "rgb" if images.ndim == 4 else "gray"}
    if arrays["y_train"] is not None:
        labels = np.concatenate([arrays["y_train"], arrays["y_test"]])
        if labels.max(initial=0) > 255:
            raise DataError(
                f"has {int(labels.max()) + 1} classes; the map of images colours at most 256: merge classes",
                where=f"dataset {p['data']['name']}",
            )
        labels = labels.astype(np.uint8)
        (ctx.out / "labels.u8").write_bytes(labels.tobytes())
    ctx.write_json("atlas.json", {**index, "files": [f["file"] for f in files]})
    return {**index, "bytes_png": sum(f["bytes"] for f in files)}
