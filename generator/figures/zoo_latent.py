"""Figure kind ``zoo-latent``: the Fashion-MNIST VAE's latent plane, decoded live.

The test images' 2-D codes (``z_mean``) are dots tinted by class; hovering,
touching or focusing the plane (then the arrow keys) decodes that place in the
page with the exported TF.js decoder, shown beside the plane with its
coordinates. The payload is small:

- ``points.u16``: the test images' codes, little-endian uint16 (x, y)
  interleaved, quantised over the plane's domain (code = q * scale + offset);
- ``labels.u8``: one class label per test image;
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
from ..payload import Payload, class_names, export_info, source_of
from ..pipeline import Context, Request, stage
from ..plane import VAE_MODELS, decoded_plane, decoder_inputs, decoder_request, plane_domain, probe_codes, quantise
from ..schema import Field

KIND = "zoo-latent"
OPTIONS = {
    "model": Field("str", "fashion_vae", "Which variational autoencoder's latent plane to show.", choices=VAE_MODELS),
    "points": Field("int", 10_000, "Most test images drawn on the plane.", 100, 10_000),
}
GRID = 5  # the fallback decodes a GRID x GRID lattice of codes


def request(options: dict, cfg) -> Request:
    return decoder_request(KIND, options, cfg)


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
    codes_all = np.load(train.file("codes.npy"))
    if codes_all.shape != (n_train + n_test, 2):
        raise ValueError(f"{p['model']}: codes.npy has shape {codes_all.shape}, expected ({n_train + n_test}, 2)")
    n = min(p["points"], n_test)
    codes = codes_all[n_train : n_train + n].astype(np.float64)
    labels = np.asarray(arrays["y_test"][:n], np.uint8)
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    domain = plane_domain(extent)
    positions, code_from_q = quantise(codes, domain)
    (ctx.out / "points.u16").write_bytes(positions)
    (ctx.out / "labels.u8").write_bytes(labels.tobytes())

    decoder = rebuild(train)["decoder"]
    names = class_names(p["train"]["data"]["name"])
    # the parity fixture: the plane's centre and three test images' codes
    probes = probe_codes(codes, [(domain["x"][0] + domain["x"][1]) / 2, (domain["y"][0] + domain["y"][1]) / 2])
    expected = np.asarray(decoder.predict(probes, verbose=0), np.float64)
    height, width = expected.shape[1:]
    out.fixture(
        "expected.json", {"codes": probes.tolist(), "expected": expected.reshape(len(probes), -1).round(6).tolist()}
    )

    # fallback: the plane with decoded images on a GRID x GRID lattice over the codes' extent
    plane, _ = decoded_plane(codes, labels, domain, decoder, extent, size=40, grid=GRID)
    sheet = with_legend(plane, names, TABLEAU10, height=44, y=12, per_row=5)

    decoder_url = out.share("decoder")
    export = export_info(ctx.inputs["decoder"])
    source = source_of(ctx)
    alt = (
        f"The latent plane of the {source.get('title', source['name'])} variational autoencoder: the 2-D codes "
        f"of {n:,} test images as dots coloured by class ({', '.join(names)}), with the decoder's output at a "
        f"{GRID} by {GRID} grid of places on top; neighbouring places decode to similar images."
    )
    config = {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "positions": "points.u16",
        "labels": "labels.u8",
        "count": int(n),
        "code_from_q": {"scale": code_from_q["scale"], "offset": code_from_q["offset"]},
        "extent": extent,
        "domain": domain,
        "image": [int(height), int(width)],
        "initial": np.median(codes, axis=0).round(4).tolist(),
        "colors": list(TABLEAU10),
        "classes": names,
        "dataset": source.get("title", source["name"]),
        "export": export,
    }
    return out.finish(
        config,
        alt=alt,
        fallback=exact_palette(sheet, [WHITE, BLACK, *TABLEAU10]),
        sources=[source],
        points=int(n),
        quant_max_error=code_from_q["max_error"],
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )
