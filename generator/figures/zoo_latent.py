"""Figure kind ``zoo-latent``: a model's latent plane (by default the Fashion-MNIST VAE's), decoded live.

Any model with a 2-D code works (``model:`` one of
:func:`generator.models.registry.plane_models`), on its own data set: gray or
RGB images of any size, labelled or not (unlabelled: ``labels`` is null in the
config and no labels.u8 is written; every dot one colour, no legend).

The test images' 2-D codes (``z_mean``) are dots tinted by class; hovering,
touching or focusing the plane (then the arrow keys) decodes that place in the
page with the exported TF.js decoder, shown beside the plane with its
coordinates. The payload is small:

- ``points.u16``: the test images' codes, little-endian uint16 (x, y)
  interleaved, quantised over the plane's domain (code = q * scale + offset);
- ``labels.u8``: one class label per test image (labelled data only);
- ``config.json`` and ``fallback.png`` (the plane with decoded tiles on top);
- ``expected.json`` (private, never copied to the site): the Keras decoder's
  outputs at a few codes, which the browser test compares with the page.

The TF.js decoder is a shared artifact (``Payload.share``), so a page with both
``zoo-latent`` and ``zoo-manifold`` downloads it once.
"""

from __future__ import annotations

import json

import numpy as np

from ..draw import BLACK, TABLEAU10, WHITE, exact_palette, with_legend
from ..errors import ContentError, DataError
from ..payload import Payload, class_names, export_info, source_of
from ..pipeline import Context, Request, stage
from ..plane import (
    decoded_plane,
    decoder_inputs,
    decoder_request,
    family,
    not_plane,
    plane_domain,
    plane_model,
    probe_codes,
    quantise,
)
from ..schema import Field

KIND = "zoo-latent"
OPTIONS = {
    "model": Field(
        "str",
        "fashion_vae",
        "Which model's latent plane to show: any model with a 2-D code (fashion_vae, fashion_cvae, mnist_vae, "
        "mnist_ae, faces_ae, or a [models.<name>] with latent_dim = 2), on its own data set.",
    ),
    "points": Field("int", 10_000, "Most test images drawn on the plane.", 100, 10_000),
}
GRID = 5  # the fallback decodes a GRID x GRID lattice of codes


def request(options: dict, cfg) -> Request:
    info = plane_model(cfg, options["model"])
    built = decoder_request(KIND, options, cfg)
    return Request(built.stage, {**built.params, "family": family(info)})


@stage(
    f"figure:{KIND}",
    inputs=decoder_inputs,
    libs=("tensorflow-cpu", "keras", "numpy", "pillow"),
    label=lambda p: f"figure zoo-latent ({p['model']})",
)
def payload(ctx: Context) -> dict:
    from ..stages.data import load_arrays
    from ..stages.train import rebuild

    p = ctx.params
    out = Payload(ctx)
    train = ctx.inputs["train"]
    arrays = load_arrays(ctx.inputs["data"])
    n_train, n_test = len(arrays["x_train"]), len(arrays["x_test"])
    if not train.file("codes.npy").exists():  # an author's .keras model whose code is not 2-D
        raise ContentError(not_plane(p["model"]))
    codes_all = np.load(train.file("codes.npy"))
    if codes_all.shape != (n_train + n_test, 2):
        raise ValueError(f"{p['model']}: codes.npy has shape {codes_all.shape}, expected ({n_train + n_test}, 2)")
    n = min(p["points"], n_test)
    codes = codes_all[n_train : n_train + n].astype(np.float64)
    labelled = arrays["y_test"] is not None
    labels = None
    if labelled:
        top = max(int(arrays[key].max(initial=0)) for key in ("y_train", "y_test"))
        if top > 255:  # the atlas's rule (stages/atlas.py): labels.u8 holds one byte a point
            raise DataError(
                f"has {top + 1} classes; the map of images colours at most 256: merge classes",
                where=f"dataset {p['train']['data']['name']}",
            )
        labels = np.asarray(arrays["y_test"][:n], np.uint8)
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    domain = plane_domain(extent)
    positions, code_from_q = quantise(codes, domain)
    (ctx.out / "points.u16").write_bytes(positions)
    if labelled:
        (ctx.out / "labels.u8").write_bytes(labels.tobytes())

    decoder = rebuild(train)["decoder"]
    names = class_names(ctx.inputs["data"]) if labelled else []
    # the parity fixture: the plane's centre and three test images' codes
    probes = probe_codes(codes, [(domain["x"][0] + domain["x"][1]) / 2, (domain["y"][0] + domain["y"][1]) / 2])
    expected = np.asarray(decoder.predict(probes, verbose=0), np.float64)
    shape = [int(v) for v in expected.shape[1:]]  # [H, W] or [H, W, 3]
    out.fixture(
        "expected.json", {"codes": probes.tolist(), "expected": expected.reshape(len(probes), -1).round(6).tolist()}
    )

    # fallback: the plane with decoded images on a GRID x GRID lattice over the codes' extent
    plane, _ = decoded_plane(codes, labels, domain, decoder, extent, size=40, grid=GRID)
    sheet = (
        with_legend(plane, names, TABLEAU10, height=8 + 18 * -(-len(names) // 5), y=12, per_row=5) if names else plane
    )
    colour = len(shape) == 3

    decoder_url = out.share("decoder")
    export = export_info(ctx.inputs["decoder"])
    source = source_of(ctx)
    dataset = source.get("title", source["name"])
    dots = f"as dots coloured by class ({', '.join(names)})" if names else "as dots"
    alt = (
        f"The latent plane of the {dataset} {p['family']}: the 2-D codes "
        f"of {n:,} test images {dots}, with the decoder's output at a "
        f"{GRID} by {GRID} grid of places on top; neighbouring places decode to similar images."
    )
    config = {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "positions": "points.u16",
        "labels": "labels.u8" if labelled else None,
        "count": int(n),
        "code_from_q": {"scale": code_from_q["scale"], "offset": code_from_q["offset"]},
        "extent": extent,
        "domain": domain,
        "image": shape,
        "initial": np.median(codes, axis=0).round(4).tolist(),
        "colors": list(TABLEAU10),
        "classes": names,
        "dataset": dataset,
        "family": p["family"],
        "export": export,
    }
    return out.finish(
        config,
        alt=alt,
        fallback=exact_palette(sheet, [WHITE, BLACK, *TABLEAU10], colours=256 if colour else 128),
        sources=[source],
        points=int(n),
        quant_max_error=code_from_q["max_error"],
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )
