"""Figure kind ``decoder-sampler``: move a probe over the code plane, watch the decoder draw.

The reader sees the 2-D codes of the data (dots tinted by class), a probe they
move by pointer, touch or keyboard, the decoder's 28 x 28 output at the probe
(computed in the page with TF.js), the real digits whose codes are nearest,
and, with a second probe, a strip of decoded images between the two.

Nothing big is copied into the payload: the TF.js decoder, the code positions
(the ``encoder`` layout) and the digit atlas are shared site-wide artifacts.
The payload itself is ``config.json``, ``fallback.png`` and ``expected.u8``: a
test fixture of the Keras decoder's outputs at a few probe codes.
"""

from __future__ import annotations

import json

import numpy as np

from ..draw import BLACK, TABLEAU10, WHITE, exact_palette, with_legend
from ..payload import MNIST_CLASSES, Payload, export_info, source_of
from ..pipeline import Context, Request, stage
from ..plane import MNIST_MODELS, code_transform, decoded_plane, plane_domain, probe_codes
from ..schema import Field
from ..stages.atlas import atlas_request
from ..stages.export import export_request
from ..stages.layout import layout_request
from ..stages.train import train_request

KIND = "decoder-sampler"
OPTIONS = {
    "model": Field("str", "mnist_ae", "Which trained MNIST autoencoder to sample.", choices=tuple(MNIST_MODELS)),
    "points": Field("int", 10_000, "Most data points drawn on the plane (and searched for neighbours).", 100, 70_000),
    "neighbours": Field("int", 5, "Real digits shown nearest to the probe.", 1, 10),
    "steps": Field("int", 8, "Images in the strip between two probes.", 3, 12),
}
GRID = 5  # the fallback decodes a GRID x GRID lattice of codes


def request(options: dict, cfg) -> Request:
    model = options["model"]
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "decoder": export_request(cfg, model, "decoder").params,
            "layout": layout_request(cfg, MNIST_MODELS[model]).params,
            "atlas": atlas_request(cfg, "mnist").params,
            "train": train_request(cfg, model).params,
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
    train, layout, atlas = ctx.inputs["train"], ctx.inputs["layout"], ctx.inputs["atlas"]
    codes_all = np.load(train.file("codes.npy"))
    layout_info = json.loads(layout.file("layout.json").read_text())
    transform = code_transform(codes_all, layout.file("positions.u16").read_bytes(), layout_info["quant"])
    atlas_info = json.loads(atlas.file("atlas.json").read_text())
    labels_all = np.frombuffer(atlas.file("labels.u8").read_bytes(), np.uint8)
    if atlas_info["count"] != len(codes_all) or len(labels_all) != len(codes_all):
        raise ValueError("the atlas and the model's codes do not cover the same points")
    n = min(p["points"], len(codes_all))
    codes, labels = codes_all[:n], labels_all[:n]
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    domain = plane_domain(extent)
    decoder = rebuild(train)["decoder"]

    # test fixture: the Keras decoder at the centre of the extent and three data points
    probes = probe_codes(codes, (np.asarray(extent["min"]) + np.asarray(extent["max"])) / 2)
    expected = np.asarray(decoder.predict(probes, verbose=0))
    height, width = expected.shape[1:]
    (ctx.out / "expected.u8").write_bytes(np.rint(np.clip(expected, 0, 1) * 255).astype(np.uint8).tobytes())

    # fallback: the plane with decoded digits on a GRID x GRID lattice over the codes' extent
    plane, _ = decoded_plane(codes, labels, domain, decoder, extent, size=44, grid=GRID)
    sheet = with_legend(plane, MNIST_CLASSES, TABLEAU10, height=24, y=10, step=34, lead=6)

    decoder_url, layout_url, atlas_url = (out.share(name) for name in ("decoder", "layout", "atlas"))
    export = export_info(ctx.inputs["decoder"])
    title = "variational autoencoder" if p["model"] == "mnist_vae" else "autoencoder"
    alt = (
        f"The 2-D codes of {n:,} MNIST digits from the {title}, as dots coloured by digit class, "
        f"with the decoder's output drawn at a {GRID} by {GRID} grid of codes: the decoded digits "
        "change smoothly from one class region to the next."
    )
    config = {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "positions": layout_url + "positions.u16",
        "labels": atlas_url + "labels.u8",
        "atlas": {
            "base": atlas_url,
            "files": atlas_info["files"],
            "cell": atlas_info["cell"],
            "per_row": atlas_info["per_row"],
            "per_atlas": atlas_info["per_atlas"],
        },
        "count": int(n),
        "code_from_q": {"scale": transform["scale"], "offset": transform["offset"]},
        "extent": extent,
        "domain": domain,
        "image": [int(height), int(width)],
        "initial": np.median(codes, axis=0).round(4).tolist(),
        "neighbours": p["neighbours"],
        "steps": p["steps"],
        "colors": list(TABLEAU10),
        "classes": MNIST_CLASSES,
        "fixture": {"codes": probes.tolist(), "expected": "expected.u8"},
        "export": export,
    }
    return out.finish(
        config,
        alt=alt,
        fallback=exact_palette(sheet, [WHITE, BLACK, *TABLEAU10]),
        sources=[source_of(ctx)],
        points=int(n),
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )
