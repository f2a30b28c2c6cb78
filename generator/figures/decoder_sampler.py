"""Figure kind ``decoder-sampler``: move a probe over the code plane, watch the decoder draw.

The reader sees the 2-D codes of the data (dots tinted by class), a probe they
move by pointer, touch or keyboard, the decoder's output at the probe
(computed in the page with TF.js), the real images whose codes are nearest,
and, with a second probe, a strip of decoded images between the two.

Any model with a 2-D code works (``model:`` one of
:func:`generator.models.registry.plane_models`, built-in or an author's), on its
own data set: gray or RGB images of any size, labelled or not (unlabelled: the
config's ``labels`` is null, every dot one colour, no legend).

Nothing big is copied into the payload: the TF.js decoder, the code positions
(the layout of the model's codes) and the image atlas are shared site-wide artifacts.
The payload itself is ``config.json``, ``fallback.png`` and ``expected.u8``: a
test fixture of the Keras decoder's outputs at a few probe codes (H * W * C values each).

Streamed (``images: stream``, or ``auto`` on a data set of more than 20,000
images, whose whole atlas would outweigh the page): the payload holds its
points' positions and labels in the order of :func:`generator.tiles.spatial_order`
on the code plane and ``tiles/``, small atlas pages of images whose codes lie
together. The page fetches the tiles of the neighbours it shows; every tile but
those of the first probe's neighbours is listed in the config's ``explore``.
"""

from __future__ import annotations

import json

import numpy as np

from ..atlas import fitted_size
from ..draw import BLACK, TABLEAU10, WHITE, exact_palette, with_legend
from ..errors import ContentError
from ..payload import MNIST_CLASSES, Payload, class_names, export_info, source_of
from ..pipeline import Context, Request, stage
from ..plane import (
    code_transform,
    decoded_plane,
    family,
    image_noun,
    not_plane,
    plane_domain,
    plane_layout,
    plane_model,
    probe_codes,
    to_pixels,
)
from ..schema import Field
from ..stages.atlas import atlas_request
from ..stages.data import load_arrays
from ..stages.export import export_request
from ..stages.train import train_request
from ..tiles import IMAGE_LOADING, STREAM_ABOVE, streams, write_tiles

KIND = "decoder-sampler"
OPTIONS = {
    "model": Field(
        "str",
        "mnist_ae",
        "Which trained autoencoder to sample: any model with a 2-D code (mnist_ae, mnist_vae, faces_ae, "
        "fashion_vae, fashion_cvae, or a [models.<name>] with latent_dim = 2), shown on its own data set.",
    ),
    "points": Field("int", 10_000, "Most data points drawn on the plane (and searched for neighbours).", 100, 70_000),
    "neighbours": Field("int", 5, "Real images shown nearest to the probe.", 1, 10),
    "steps": Field("int", 8, "Images in the strip between two probes.", 3, 12),
    "images": Field(
        "str",
        "auto",
        "How the real images of the neighbour row load: all (the data set's shared atlas), stream (in tiles of "
        "the code plane, only those of the neighbours shown), or auto (stream when the data set has more than "
        f"{STREAM_ABOVE:,} images, whose atlas would outweigh the page).",
        choices=IMAGE_LOADING,
    ),
}
GRID = 5  # the fallback decodes a GRID x GRID lattice of codes


def request(options: dict, cfg) -> Request:
    model = options["model"]
    info = plane_model(cfg, model)
    dataset = info["dataset"]
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "decoder": export_request(cfg, model, "decoder").params,
            "layout": plane_layout(cfg, model, dataset).params,
            "atlas": atlas_request(cfg, dataset).params,
            "train": train_request(cfg, model).params,
            "family": family(info),
            "title": info["title"],
        },
    )


def _inputs(p: dict) -> dict:
    return {
        "decoder": Request("export", p["decoder"]),
        "layout": Request("layout", p["layout"]),
        "atlas": Request("atlas", p["atlas"]),
        "train": Request("train", p["train"]),
        "data": Request("dataset", p["train"]["data"]),
    }


@stage(
    f"figure:{KIND}",
    inputs=_inputs,
    libs=("tensorflow-cpu", "keras", "numpy", "pillow"),
    label=lambda p: f"figure decoder-sampler ({p['model']})",
)
def payload(ctx: Context) -> dict:
    from ..stages.train import rebuild

    p = ctx.params
    out = Payload(ctx)
    train, layout, atlas, data = (ctx.inputs[name] for name in ("train", "layout", "atlas", "data"))
    dataset = p["train"]["data"]["name"]
    if not train.file("codes.npy").exists():  # an author's .keras model whose code is not 2-D
        raise ContentError(not_plane(p["model"]))
    codes_all = np.load(train.file("codes.npy"))
    layout_info = json.loads(layout.file("layout.json").read_text())
    positions = layout.file("positions.u16").read_bytes()
    transform = code_transform(codes_all, positions, layout_info["quant"])
    atlas_info = json.loads(atlas.file("atlas.json").read_text())
    labelled = atlas.file("labels.u8").exists()
    labels_all = np.frombuffer(atlas.file("labels.u8").read_bytes(), np.uint8) if labelled else None
    if atlas_info["count"] != len(codes_all) or (labelled and len(labels_all) != len(codes_all)):
        raise ValueError("the atlas and the model's codes do not cover the same points")
    n = min(p["points"], len(codes_all))
    codes = codes_all[:n]
    labels = labels_all[:n] if labelled else None
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    domain = plane_domain(extent)
    decoder = rebuild(train)["decoder"]

    # test fixture: the Keras decoder at the centre of the extent and three data points
    probes = probe_codes(codes, (np.asarray(extent["min"]) + np.asarray(extent["max"])) / 2)
    expected = np.asarray(decoder.predict(probes, verbose=0))
    shape = [int(v) for v in expected.shape[1:]]  # [H, W] or [H, W, 3]
    (ctx.out / "expected.u8").write_bytes(to_pixels(expected).tobytes())

    # fallback: the plane with decoded images on a GRID x GRID lattice over the codes' extent
    plane, _ = decoded_plane(codes, labels, domain, decoder, extent, size=44, grid=GRID)
    names = class_names(data) if labelled else []
    if dataset == "mnist":
        names = MNIST_CLASSES
        sheet = with_legend(plane, names, TABLEAU10, height=24, y=10, step=34, lead=6)
    elif names:
        sheet = with_legend(plane, names, TABLEAU10, height=8 + 18 * -(-len(names) // 5), y=12, per_row=5)
    else:
        sheet = plane
    colour = len(shape) == 3
    fallback = exact_palette(sheet, [WHITE, BLACK, *TABLEAU10], colours=256 if colour else 128)

    decoder_url = out.share("decoder")
    cell = atlas_info["cell"]
    if streams(p["images"], int(atlas_info["count"])):
        initial = np.median(codes, axis=0)
        positions_url, labels_url, sheet = _stream(
            ctx, out, positions, layout_info["quant"], labels, transform, initial
        )
    else:
        layout_url, atlas_url = out.share("layout"), out.share("atlas")
        positions_url, labels_url = layout_url + "positions.u16", atlas_url + "labels.u8"
        sheet = {"base": atlas_url, "files": atlas_info["files"], "cell": cell}
        sheet.update({k: atlas_info[k] for k in ("per_row", "per_atlas")})
    export = export_info(ctx.inputs["decoder"])
    source = source_of(ctx)
    noun = image_noun(dataset)
    if dataset == "mnist":
        title = "variational autoencoder" if p["family"] == "variational autoencoder" else "autoencoder"
        alt = (
            f"The 2-D codes of {n:,} MNIST digits from the {title}, as dots coloured by digit class, "
            f"with the decoder's output drawn at a {GRID} by {GRID} grid of codes: the decoded digits "
            "change smoothly from one class region to the next."
        )
    else:
        dots = f"as dots coloured by class ({', '.join(names)})" if names else "as dots"
        alt = (
            f"The 2-D codes of {n:,} {noun} from {source.get('title') or source['name']}, placed by the "
            f"{p['family']} \u201c{p['title']}\u201d, {dots}, with the decoder's output drawn at a {GRID} by {GRID} grid "
            "of codes: neighbouring codes decode to similar images."
        )
    fh, fw = fitted_size(*shape[:2], cell)
    config = {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "positions": positions_url,
        "labels": labels_url if labelled else None,
        # where an image sits in its square cell: fitted keeping its aspect, centred (generator/atlas.py)
        "atlas": {**sheet, "box": [(cell - fh) // 2, (cell - fw) // 2, fh, fw]},
        "count": int(n),
        "code_from_q": {"scale": transform["scale"], "offset": transform["offset"]},
        "extent": extent,
        "domain": domain,
        "image": shape,
        "initial": np.median(codes, axis=0).round(4).tolist(),
        "neighbours": p["neighbours"],
        "steps": p["steps"],
        "colors": list(TABLEAU10),
        "classes": names,
        "noun": noun,
        "fixture": {"codes": probes.tolist(), "expected": "expected.u8"},
        "export": export,
    }
    return out.finish(
        config,
        alt=alt,
        fallback=fallback,
        sources=[source],
        points=int(n),
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )


def _stream(
    ctx: Context, out: Payload, positions: bytes, quant: dict, labels, transform: dict, initial: np.ndarray
) -> tuple[str, str, dict]:
    """Write the first ``points`` images as tiles of the code plane (``positions``: the layout's positions.u16,
    ``quant`` its quantisation), with their positions and labels in the tiles' order; list under ``explore``
    every tile but those that hold the first probe's neighbours (the page fetches those at mount). Returns the
    URLs of the positions and labels and the config's ``atlas``."""
    q = np.frombuffer(positions, "<u2").reshape(-1, 2)[: ctx.params["points"]]
    arrays = load_arrays(ctx.inputs["data"])
    images = np.concatenate([arrays["x_train"], arrays["x_test"]])[: len(q)]
    order, sheet = write_tiles(ctx, images, q * np.asarray(quant["scale"]) + np.asarray(quant["offset"]))
    q = q[order]
    (ctx.out / "positions.u16").write_bytes(q.tobytes())
    if labels is not None:
        (ctx.out / "labels.u8").write_bytes(labels[order].tobytes())
    # the page's first neighbours, from the codes it restores (float32, as there); a margin of 3x the row, so a
    # near tie decided the other way there still finds its tile listed as first mount
    codes = (q * np.asarray(transform["scale"], np.float32) + np.asarray(transform["offset"], np.float32)).astype(
        np.float32
    )
    distance = ((codes - initial.round(4).astype(np.float32)) ** 2).sum(axis=1)
    first = set((np.argsort(distance, kind="stable")[: 3 * ctx.params["neighbours"]] // sheet["per_atlas"]).tolist())
    for t, file in enumerate(sheet["files"]):
        if t not in first:
            out.explore(sheet["base"] + file)
    return "positions.u16", "labels.u8", sheet
