"""Figure kind ``image-grid``: real images from a dataset, one or more per class.

The digit strip of article 1 is ``dataset: mnist, per_class: 1``. Any dataset of the registry works (a
built-in or an author's ``[datasets.<name>]``), gray or RGB, at any image size. The payload is one sprite
sheet (``grid.png``: grayscale, or RGB for a colour dataset), a labelled fallback image and
``config.json``; class names come from the dataset's meta.
"""

from __future__ import annotations

import numpy as np

from ..draw import labelled_grid
from ..payload import Payload, class_names, dataset_option, source_record
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.data import load_arrays

KIND = "image-grid"
OPTIONS = {
    "dataset": Field(
        "str",
        "mnist",
        "Which data set to draw from: a built-in (mnist, fashion-mnist, faces) or a [datasets.<name>] of the settings.",
    ),
    "per_class": Field("int", 1, "Images of each class (labelled data sets).", 1, 10),
    "count": Field("int", 10, "Images to show when the data set has no labels.", 1, 100),
    "split": Field("str", "test", "Draw from the training or the test split.", choices=("train", "test")),
}
CELL_CSS = 84  # about how wide the page draws a cell, in CSS px (28-pixel digits at 3x); the JS fits it to the page
FALLBACK_CELL = 56  # narrower images are enlarged by a whole factor to about this width in the fallback
FALLBACK_MAX_WIDTH = 1200  # a wider fallback (large images) is scaled down to this width


def request(options: dict, cfg) -> Request:
    return Request(f"figure:{KIND}", {**options, "data": dataset_option(cfg, options["dataset"]).params})


def pick(images: np.ndarray, labels: np.ndarray | None, per_class: int, count: int) -> tuple[np.ndarray, list[str]]:
    """The first ``per_class`` images of each class in label order (or the first ``count``)."""
    if labels is None:
        chosen = np.arange(min(count, len(images)))
        return images[chosen], ["" for _ in chosen]
    chosen = []
    for label in np.unique(labels):
        chosen.extend(np.flatnonzero(labels == label)[:per_class].tolist())
    return images[chosen], [str(int(labels[i])) for i in chosen]


def sheet(images: np.ndarray, cols: int) -> np.ndarray:
    """Images (N, H, W) or (N, H, W, 3) tiled row-major into one (rows*H, cols*W[, 3]) sheet, black where no
    image falls."""
    n, h, w = images.shape[:3]
    rows = -(-n // cols)
    blank = np.zeros((rows * cols - n, *images.shape[1:]), np.uint8)
    tiles = np.concatenate([images, blank]).reshape(rows, cols, *images.shape[1:])
    return tiles.swapaxes(1, 2).reshape(rows * h, cols * w, *images.shape[3:])


def colour_grid(images: np.ndarray, labels: list[str], cols: int, *, scale: int, pad: int = 6):
    """A white sheet of RGB images (N, H, W, 3), each enlarged ``scale`` times, with a label under each."""
    from PIL import Image, ImageDraw

    n, h, w = images.shape[:3]
    rows = -(-n // cols)
    label_h = 16 if any(labels) else 0
    cw, ch = w * scale + pad, h * scale + pad + label_h
    out = Image.new("RGB", (cols * cw + pad, rows * ch + pad), (255, 255, 255))
    draw = ImageDraw.Draw(out)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        x, y = pad + c * cw, pad + r * ch
        out.paste(Image.fromarray(image, "RGB").resize((w * scale, h * scale), Image.NEAREST), (x, y))
        if labels[i]:
            draw.text((x + w * scale / 2, y + h * scale + 2), labels[i], fill=(40, 40, 40), anchor="ma")
    return out


def fallback_image(images: np.ndarray, labels: list[str], cols: int):
    """The labelled picture the page shows before (or without) JavaScript: small images enlarged with
    crisp pixels, a very wide sheet (large images) scaled down."""
    from PIL import Image

    w = images.shape[2]
    scale = max(1, FALLBACK_CELL // w) if w < FALLBACK_CELL else 1
    if images.ndim == 4:
        image = colour_grid(images, labels, cols, scale=scale)
    else:
        image = labelled_grid(images, labels, cols, scale=scale)
    if image.width > FALLBACK_MAX_WIDTH:
        height = max(1, round(image.height * FALLBACK_MAX_WIDTH / image.width))
        image = image.resize((FALLBACK_MAX_WIDTH, height), Image.LANCZOS)
    return image


def describe(count: int, noun: str, title: str, labels: list[str], per_class: int) -> str:
    """The alt text: how many images of which data set and, when labelled, which classes."""
    text = f"{count} {noun} from {title}"
    if any(labels):
        shown = list(dict.fromkeys(labels))
        if per_class == 1:
            text += f", labelled {', '.join(labels)}"
        elif all(labels.count(name) == per_class for name in shown):
            text += f", {per_class} of each class: {', '.join(shown)}"
        else:
            text += f", of the classes {', '.join(shown)}"
    return text + "."


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"data": Request("dataset", p["data"])},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure image-grid ({p['dataset']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image

    p = ctx.params
    data = ctx.inputs["data"]
    arrays = load_arrays(data)
    images, labels = pick(arrays[f"x_{p['split']}"], arrays[f"y_{p['split']}"], p["per_class"], p["count"])
    if any(labels):
        names = class_names(data)
        labels = [names[int(label)] for label in labels]
    colour = images.ndim == 4
    h, w = images.shape[1:3]
    cols = min(len(images), 10)
    rows = -(-len(images) // cols)
    Image.fromarray(sheet(images, cols), "RGB" if colour else "L").save(ctx.out / "grid.png", optimize=True)
    source = source_record(ctx, data)
    noun = "digits" if p["dataset"] == "mnist" else "colour images" if colour else "images"
    alt = describe(len(images), noun, source.get("title") or source["name"], labels, p["per_class"])
    config = {
        "image": "grid.png",
        "cell": w if w == h else None,
        "cell_width": w,
        "cell_height": h,
        "cols": cols,
        "rows": rows,
        "count": len(images),
        "labels": labels,
        "color": "rgb" if colour else "gray",
        "scale": max(1, round(CELL_CSS / max(h, w))),
    }
    fallback = fallback_image(images, labels, cols)
    return Payload(ctx).finish(config, alt=alt, fallback=fallback, sources=[source])
