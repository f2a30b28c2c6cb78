"""Figure kind ``data-note``: a sentence stating which data this build used.

Prose cannot know whether the site was built from the 10,000 offline MNIST
digits or all 70,000, from the ORL faces or CelebA; this block says so, from
the dataset artifacts themselves. It renders as plain HTML (no JavaScript).
"""

from __future__ import annotations

from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages import DATASETS, dataset_request

KIND = "data-note"
STATIC = True  # no module: the template renders everything
OPTIONS = {
    "datasets": Field("strs", ["mnist"], "The data sets to describe.", choices=DATASETS),
}
HOW_TO_GROW = {
    "mnist": "pass --mnist PATH (mnist.npz or the IDX files) with --scale full to use all 70,000 digits",
    "faces": "pass --celeba PATH (img_align_celeba/ as a folder or zip) to use CelebA",
    "fashion-mnist": "--scale full uses all 70,000 images",
}


def request(options: dict, cfg) -> Request:
    return Request(
        f"figure:{KIND}",
        {"datasets": {name: dataset_request(cfg, name).params for name in options["datasets"]}, "scale": cfg.scale},
    )


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {name: Request("dataset", params) for name, params in p["datasets"].items()},
    label=lambda p: "figure data-note",
)
def payload(ctx: Context) -> dict:
    items = []
    for name, artifact in ctx.inputs.items():
        source = dict(artifact.meta["source"])
        items.append(
            {
                "dataset": name,
                "name": source.get("title", source["name"]),
                "count": source["count"],
                "credit": source["credit"],
                "train": artifact.meta["train"],
                "test": artifact.meta["test"],
                "shape": artifact.meta["shape"],
                "grow": HOW_TO_GROW.get(name, ""),
            }
        )
    ctx.write_json("config.json", {"items": items, "scale": ctx.params["scale"]})
    return {
        "items": items,
        "scale": ctx.params["scale"],
        "sources": [dict(a.meta["source"]) for a in ctx.inputs.values()],
    }
