"""Figure kind ``data-note``: a sentence stating which data this build used.

Prose cannot know whether the site was built from the 10,000 offline MNIST
digits or all 70,000, from the ORL faces or CelebA, or how many of an author's
own images; this block says so, from the dataset artifacts themselves: each
data set's title, image count and size, credit and licence. It renders as
plain HTML (no JavaScript).
"""

from __future__ import annotations

from ..payload import dataset_option, source_record
from ..pipeline import Context, Request, stage
from ..schema import Field

KIND = "data-note"
STATIC = True  # no module: the template renders everything
OPTIONS = {
    "datasets": Field(
        "strs",
        ["mnist"],
        "The data sets to describe: built-ins (mnist, fashion-mnist, faces) or [datasets.<name>] of the settings.",
    ),
}
BUILT_IN = ("mnist", "fashion-mnist", "faces")
HOW_TO_GROW = {
    "mnist": "pass --mnist PATH (mnist.npz or the IDX files) with --scale full to use all 70,000 digits",
    "faces": "pass --celeba PATH (img_align_celeba/ as a folder or zip) to use CelebA",
    "fashion-mnist": "--scale full uses all 70,000 images",
}


def request(options: dict, cfg) -> Request:
    return Request(
        f"figure:{KIND}",
        {
            "datasets": {name: dataset_option(cfg, name, "datasets").params for name in options["datasets"]},
            "scale": cfg.scale,
        },
    )


def credit_line(name: str, source: dict) -> str:
    """Who to credit for data set ``name`` and under which licence.

    A built-in's credit already names its data set, as written since the first release; an author's data
    set is named by its title. The licence follows unless the credit already states it.
    """
    title = source.get("title") or source["name"]
    credit, licence = source.get("credit", ""), source.get("licence", "")
    notes = [] if credit else ["credit not stated"]
    if name not in BUILT_IN:
        credit = f"{title}: {credit}" if credit else title
    if not licence:
        notes.append("licence not stated")
    elif licence.lower() not in credit.lower():
        notes.append(f"licence: {licence}")
    return f"{credit} ({', '.join(notes)})" if notes else credit


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {name: Request("dataset", params) for name, params in p["datasets"].items()},
    label=lambda p: "figure data-note",
)
def payload(ctx: Context) -> dict:
    items = []
    for name, artifact in ctx.inputs.items():
        source = source_record(ctx, artifact)
        shape = list(artifact.meta["shape"])
        items.append(
            {
                "dataset": name,
                "name": source.get("title") or source["name"],
                "count": source["count"],
                "credit": credit_line(name, source),
                "licence": source.get("licence", ""),
                "url": source.get("url", ""),
                "train": artifact.meta["train"],
                "test": artifact.meta["test"],
                "shape": shape[:2],
                "colour": artifact.meta.get("color") == "rgb" or len(shape) == 3,
                "skipped": source.get("skipped", 0),
                "grow": HOW_TO_GROW.get(name, ""),
            }
        )
    ctx.write_json("config.json", {"items": items, "scale": ctx.params["scale"]})
    return {
        "items": items,
        "scale": ctx.params["scale"],
        "sources": [source_record(ctx, a) for a in ctx.inputs.values()],
    }
