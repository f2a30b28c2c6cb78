"""Figure kind ``latent-layouts``: every image as a sprite, morphing between 2-D layouts.

The reader switches between UMAP, t-SNE, PCA and the codes of models with a
2-D code; every point glides to its place in the chosen layout. Any dataset
of the registry works (gray or RGB, any image size: sprites are square cells,
other shapes fitted and padded black). A model's layout needs a model of that
data set: ``encoder`` and ``vae`` are MNIST's two built-in ones, and any model
with a 2-D code (a built-in or an author's ``[models.<name>]``, trained or
read from a .keras file) is a layout of its own data set by its name. Without
``layouts``, a figure offers every layout of its data set
(:func:`generator.stages.layout.layout_methods`; MNIST's: umap, tsne, pca,
encoder, vae). The payload is small: ``config.json``, one ``<layout>.u16`` of
quantised positions per layout (4 bytes a point) and ``fallback.png``. The
texture atlases and ``labels.u8`` (absent for unlabelled data: the config's
``labels`` is then null) are shared with other figures through
:meth:`generator.payload.Payload.share`.

Streamed (``images: stream``, or ``auto`` above STREAM_ABOVE points: 70,000
digits would load megabytes of sprites the reader cannot resolve at first):
the payload holds its own ``labels.u8`` and positions in the order of
:func:`generator.tiles.spatial_order` on the first layout, and ``tiles/``, one
small atlas page per patch of that map. The figure draws every point as a dot
first and loads the tiles in view as the reader zooms in; each other layout's
positions load when the reader picks it. Both are listed in the config's
``explore`` (not counted against the page budget at first mount).
"""

from __future__ import annotations

import json

import numpy as np

from ..draw import TABLEAU10, font, hex_rgb, reduce
from ..errors import ContentError
from ..payload import Payload, class_names, dataset_option, source_of
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.atlas import atlas_request
from ..stages.data import load_arrays
from ..stages.layout import TITLES, layout_methods, layout_request
from ..tiles import IMAGE_LOADING, STREAM_ABOVE, streams, write_tiles

KIND = "latent-layouts"
OPTIONS = {
    "dataset": Field(
        "str",
        "mnist",
        "Which data set to lay out: a built-in (mnist, fashion-mnist, faces) or a [datasets.<name>] of the settings.",
    ),
    "layouts": Field(
        "strs",
        [],
        "Layouts the reader can switch between, in button order: umap, tsne, pca; encoder and vae (mnist's "
        "models); or the name of a model with a 2-D code on the data set (its encoder places the points). Default: "
        "every layout of the data set (umap, tsne, pca and its models with a 2-D code; on mnist umap, tsne, pca, "
        "encoder, vae).",
    ),
    "initial": Field("str", "", "Layout shown first (default: the first of `layouts`)."),
    "images": Field(
        "str",
        "auto",
        "How the images load: all (every sprite with the figure), stream (points first as dots; the images in "
        "view load by tile as the reader zooms in, and each other layout when the reader picks it), or auto "
        f"(stream above {STREAM_ABOVE:,} points).",
        choices=IMAGE_LOADING,
    ),
}
FALLBACK_SIZE = 640
INK_DATASETS = ("mnist", "fashion-mnist")
FALLBACK_SPRITES = 2000  # images drawn in the fallback of an unlabelled dataset, evenly spread over the points
LEGEND_HEIGHT = 44


def request(options: dict, cfg) -> Request:
    dataset = options["dataset"]
    dataset_option(cfg, dataset)  # an unknown data set is named before its layouts
    allowed = layout_methods(cfg, dataset)
    layouts = options["layouts"] or allowed  # left out: every layout of the data set
    initial = options["initial"] or layouts[0]
    for method in layouts:
        if method not in allowed:
            layout_request(cfg, method, dataset)  # raises the message that says what is allowed
    if len(set(layouts)) != len(layouts):
        raise ContentError(f"layouts lists {', '.join(layouts)}: each layout may appear once")
    if initial not in layouts:
        raise ContentError(
            f"initial is {initial!r}, which is not one of the figure's layouts "
            f"({', '.join(layouts)}); add it to `layouts` or pick one of those"
        )
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "layouts": layouts,
            "initial": initial,
            "data": dataset_option(cfg, dataset).params,
            "atlas": atlas_request(cfg, dataset).params,
            "positions": {m: layout_request(cfg, m, dataset).params for m in layouts},
        },
    )


def _inputs(p: dict) -> dict:
    inputs = {"data": Request("dataset", p["data"]), "atlas": Request("atlas", p["atlas"])}
    inputs.update({f"layout-{m}": Request("layout", p["positions"][m]) for m in p["layouts"]})
    return inputs


def positions_of(q: np.ndarray, quant: dict) -> np.ndarray:
    """Float (N, 2) positions in normalised coordinates from the uint16 (N, 2) pairs of a positions.u16 file."""
    return q.astype(np.float64) * np.asarray(quant["scale"]) + np.asarray(quant["offset"])


def scatter(
    xy: np.ndarray,
    labels: np.ndarray | None,
    names: list[str],
    title: str,
    size: int = FALLBACK_SIZE,
    sprites: np.ndarray | None = None,
):
    """A static scatter of dots tinted by class with a legend of ``names``: what the figure shows before it is
    live. ``labels`` None (an unlabelled dataset): every dot the first colour, or, given ``sprites`` (uint8
    (N, H, W) or (N, H, W, 3), one a point), each point drawn as its image (at most FALLBACK_SPRITES of them)."""
    from PIL import Image, ImageDraw

    ss = 2  # draw at twice the size, then downsample for smooth dots
    side, legend = size * ss, LEGEND_HEIGHT * ss
    image = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(image, "RGBA")
    plot = side - legend - 12 * ss
    half = plot / 2 * 0.96
    cx, cy = side / 2, 12 * ss + plot / 2
    radius = max(1.6, min(4.0, 260 / np.sqrt(max(len(xy), 1)))) * ss
    alpha = int(np.clip(200 * np.sqrt(2000 / max(len(xy), 1)), 110, 210))
    rgb = [hex_rgb(c) for c in TABLEAU10]
    if labels is None and sprites is not None:
        _paste_sprites(image, xy, sprites, (cx, cy, half))
        labels = np.zeros(0, np.uint8)
    elif labels is None:
        labels = np.zeros(len(xy), np.uint8)
    for (x, y), label in zip(xy, labels):
        px, py = cx + x * half, cy - y * half
        draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=(*rgb[int(label) % 10], alpha))
    label_font = font(13 * ss)
    draw.text((10 * ss, 8 * ss), title, fill=(40, 44, 52), font=label_font)
    # legend: a centred row of swatches and class names (whole-pixel widths at twice the size, so not draw.legend)
    items = [(rgb[i % 10], name) for i, name in enumerate(names)]
    widths = [int(draw.textlength(name, font=label_font)) + 26 * ss for _, name in items]
    x = (side - sum(widths)) / 2
    y = side - legend / 2
    for (colour, name), width in zip(items, widths):
        draw.ellipse((x, y - 6 * ss, x + 12 * ss, y + 6 * ss), fill=(*colour, 255))
        draw.text((x + 17 * ss, y), name, fill=(60, 64, 72), font=label_font, anchor="lm")
        x += width
    return reduce(image, (size, size), 64)


def describe(count: int, title: str, method: str, names: list[str], *, digits: bool = False) -> str:
    """The alt text: how many images of which data set, placed by which layout, coloured by which classes
    (``digits``: MNIST's own wording)."""
    if digits:
        return (
            f"A scatter plot of {count:,} MNIST digits placed by {method}, coloured by digit "
            f"class 0 to 9; digits that look alike sit close together."
        )
    coloured = f"coloured by class ({', '.join(names)})" if names else "each drawn as its image (there are no labels)"
    return f"A scatter plot of {count:,} images from {title} placed by {method}, {coloured}; images that look alike sit close together."


def _paste_sprites(image, xy: np.ndarray, sprites: np.ndarray, frame: tuple[float, float, float]) -> None:
    """Paste images centred on their points (``frame``: the plot's centre x, y and half width, in pixels)."""
    from PIL import Image

    from ..atlas import fitted_size

    cx, cy, half = frame
    chosen = np.unique(np.linspace(0, len(xy) - 1, min(len(xy), FALLBACK_SPRITES)).round().astype(int))
    side = int(np.clip(1200 / np.sqrt(len(chosen)), 12, 48))
    h, w = fitted_size(*sprites.shape[1:3], side)
    for i in chosen:
        tile = Image.fromarray(sprites[i]).convert("RGB").resize((w, h), Image.Resampling.LANCZOS)
        x, y = cx + xy[i, 0] * half, cy - xy[i, 1] * half
        image.paste(tile, (round(x - w / 2), round(y - h / 2)))


@stage(
    f"figure:{KIND}",
    inputs=_inputs,
    libs=("numpy", "pillow"),
    label=lambda p: f"figure latent-layouts ({', '.join(p['layouts'])})",
)
def payload(ctx: Context) -> dict:
    p = ctx.params
    out = Payload(ctx)
    atlas = ctx.inputs["atlas"]
    atlas_info = json.loads(atlas.file("atlas.json").read_text())
    data = ctx.inputs["data"]
    labelled = atlas.file("labels.u8").exists()
    labels = np.frombuffer(atlas.file("labels.u8").read_bytes(), np.uint8) if labelled else None
    count = int(atlas_info["count"])
    layouts, positions = [], {}
    for method in p["layouts"]:
        artifact = ctx.inputs[f"layout-{method}"]
        info = json.loads(artifact.file("layout.json").read_text())
        if info["count"] != count:
            raise ContentError(
                f"layout {method} has {info['count']} points but the atlas has {count}; "
                "clear the cache (--clean) and build again"
            )
        positions[method] = np.frombuffer(artifact.file("positions.u16").read_bytes(), "<u2").reshape(-1, 2)
        quant = info["quant"]
        layouts.append(
            {
                "id": method,
                "title": info.get("title") or TITLES.get(method, method),
                "trust": round(float(info["trustworthiness"]), 2),
                "file": f"{method}.u16",
                "quant": {"scale": quant["scale"], "offset": quant["offset"], "aspect": quant["aspect"]},
            }
        )
    names = class_names(data) if labelled else []
    first = next(layout for layout in layouts if layout["id"] == p["initial"])
    xy = positions_of(positions[first["id"]], first["quant"])
    arrays = None
    if not labelled:  # no classes to colour by: the fallback draws the images themselves
        arrays = load_arrays(data)
    fallback = scatter(
        xy,
        labels,
        names,
        f"{first['title']} · trustworthiness {first['trust']:.2f}",
        sprites=None if arrays is None else np.concatenate([arrays["x_train"], arrays["x_test"]]),
    )
    stream = streams(p["images"], count)
    if stream:  # the images in tiles of the first layout's map, loaded as the reader zooms in
        arrays = arrays or load_arrays(data)
        images = np.concatenate([arrays["x_train"], arrays["x_test"]])
        order, sheet = write_tiles(ctx, images, xy)
        out.explore(sheet["base"])
        for layout in layouts:
            if layout["id"] != first["id"]:
                out.explore(layout["file"])  # loaded when the reader picks the layout
        if labelled:
            (ctx.out / "labels.u8").write_bytes(labels[order].tobytes())
        labels_url = "labels.u8"
    else:
        order, sheet = None, {"base": out.share("atlas"), "files": atlas_info["files"], "lazy": False}
        sheet.update({k: atlas_info[k] for k in ("cell", "side", "per_row", "per_atlas")})
        labels_url = sheet["base"] + "labels.u8"
    for method, q in positions.items():
        (ctx.out / f"{method}.u16").write_bytes((q if order is None else q[order]).tobytes())
    source = source_of(ctx)
    alt = describe(count, source.get("title") or source["name"], first["title"], names, digits=p["dataset"] == "mnist")
    shape = data.meta["shape"]
    config = {
        "dataset": p["dataset"],
        "count": count,
        "initial": p["initial"],
        "layouts": layouts,
        "classes": names,
        "palette": list(TABLEAU10),
        "labels": labels_url if labelled else None,
        "color": atlas_info.get("color", "gray"),
        # MNIST and Fashion-MNIST are white ink on black, drawn as ink in the class colour; other images as they are
        "look": "ink" if p["dataset"] in INK_DATASETS else "image",
        "cell_aspect": [int(shape[0]), int(shape[1])],
        "atlas": sheet,
    }
    return out.finish(
        config,
        alt=alt,
        fallback=fallback,
        sources=[source],
        count=count,
        initial=p["initial"],
        stream=stream,
        layouts=[{k: layout[k] for k in ("id", "title", "trust")} for layout in layouts],
    )
