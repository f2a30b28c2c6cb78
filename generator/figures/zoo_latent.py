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

The TF.js decoder is a shared artifact (``shared_url``), so a page with both
``zoo-latent`` and ``zoo-manifold`` downloads it once.

The helpers here are shared with ``zoo-manifold`` and ``zoo-denoise``.
"""

from __future__ import annotations

import json

import numpy as np

from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.export import export_request
from ..stages.train import train_request
from .common import paste_decoded_grid, shared_url, source_of
from .zoo_common import class_names

KIND = "zoo-latent"
#: 2-D latent models whose decoder exports (fashion_cvae only if its decoder exports cleanly)
MODELS = ("fashion_vae", "fashion_cvae", "mnist_vae")
OPTIONS = {
    "model": Field("str", "fashion_vae", "Which variational autoencoder's latent plane to show.", choices=MODELS),
    "points": Field("int", 10_000, "Most test images drawn on the plane.", 100, 10_000),
}
#: Tableau 10 (as decoder-sampler): distinguishable under the common colour-vision deficiencies
TABLEAU10 = ("#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f",
             "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab")
FIXTURE_CODES = 4
U16 = 65535


def model_inputs(p: dict) -> dict:
    """The inputs of a figure over one trained model: its train artifact, data set and ``decoder`` export."""
    return {"decoder": Request("export", p["decoder"]), "train": Request("train", p["train"]),
            "data": Request("dataset", p["train"]["data"])}


def model_request(kind: str, options: dict, cfg, part: str = "decoder") -> Request:
    model = options["model"]
    return Request(f"figure:{kind}", {**options, "decoder": export_request(cfg, model, part).params,
                                      "train": train_request(cfg, model).params})


def request(options: dict, cfg) -> Request:
    return model_request(KIND, options, cfg)


def quantise(codes: np.ndarray, domain: dict) -> tuple[bytes, dict]:
    """Codes as little-endian uint16 pairs over ``domain``, and the map back (code = q * scale + offset)."""
    lo = np.array([domain["x"][0], domain["y"][0]], np.float64)
    hi = np.array([domain["x"][1], domain["y"][1]], np.float64)
    scale = (hi - lo) / U16
    q = np.rint((np.asarray(codes, np.float64) - lo) / scale).clip(0, U16).astype("<u2")
    error = np.abs(q * scale + lo - codes).max(axis=0) if len(codes) else np.zeros(2)
    return q.tobytes(), {"scale": scale.tolist(), "offset": lo.tolist(), "max_error": float(error.max())}


def to_u8(values: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(np.asarray(values, np.float64), 0, 1) * 255).astype(np.uint8)


def font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def named_legend(image, top: int, names: list[str], colours=TABLEAU10, *, per_row: int = 5) -> None:
    """Class swatches with names, ``per_row`` to a row, centred, from ``top``."""
    from PIL import ImageDraw

    from .decoder_sampler import _hex

    draw = ImageDraw.Draw(image)
    f = font(12)
    widths = [18 + draw.textlength(n, font=f) for n in names]
    for start in range(0, len(names), per_row):
        row = list(range(start, min(start + per_row, len(names))))
        total = sum(widths[i] for i in row) + 14 * (len(row) - 1)
        x = (image.width - total) / 2
        y = top + 18 * (start // per_row)
        for i in row:
            draw.ellipse((x, y + 3, x + 10, y + 13), fill=_hex(colours[i % len(colours)]))
            draw.text((x + 14, y + 8), names[i], fill=(60, 66, 72), font=f, anchor="lm")
            x += widths[i] + 14


def private_fixture(ctx: Context, name: str, obj) -> None:
    """A test fixture written beside the payload but never copied to the site (meta lists it as private)."""
    (ctx.out / name).write_text(json.dumps(obj, separators=(",", ":")))


@stage(f"figure:{KIND}", inputs=model_inputs, libs=("tensorflow-cpu", "keras", "numpy", "pillow"),
       label=lambda p: f"figure zoo-latent ({p['model']})")
def payload(ctx: Context) -> dict:
    from PIL import Image

    from ..stages.data import load_arrays
    from ..stages.train import rebuild
    from .decoder_sampler import plane_domain, save_png, scatter

    p = ctx.params
    train = ctx.inputs["train"]
    arrays = load_arrays(ctx.inputs["data"])
    n_train, n_test = len(arrays["x_train"]), len(arrays["x_test"])
    codes_all = np.load(train.file("codes.npy"))
    if codes_all.shape != (n_train + n_test, 2):
        raise ValueError(f"{p['model']}: codes.npy has shape {codes_all.shape}, expected ({n_train + n_test}, 2)")
    n = min(p["points"], n_test)
    codes = codes_all[n_train:n_train + n].astype(np.float64)
    labels = np.asarray(arrays["y_test"][:n], np.uint8)
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    domain = plane_domain(extent)
    positions, code_from_q = quantise(codes, domain)
    (ctx.out / "points.u16").write_bytes(positions)
    (ctx.out / "labels.u8").write_bytes(labels.tobytes())

    decoder = rebuild(train)["decoder"]
    names = class_names(p["train"]["data"]["name"])
    # the parity fixture: the plane's centre and three test images' codes
    picks = [n // 7, n // 3, (2 * n) // 3]
    centre = [(domain["x"][0] + domain["x"][1]) / 2, (domain["y"][0] + domain["y"][1]) / 2]
    probes = np.vstack([centre, codes[picks]]).astype(np.float32).round(4)[:FIXTURE_CODES]
    expected = np.asarray(decoder.predict(probes, verbose=0), np.float64)
    height, width = expected.shape[1:]
    private_fixture(ctx, "expected.json", {"codes": probes.tolist(),
                                           "expected": expected.reshape(len(probes), -1).round(6).tolist()})

    # fallback: the plane with decoded images on a 5 x 5 grid over the codes' extent
    plane, to_pixel = scatter(codes, labels, domain, 560, 430)
    grid = 5
    paste_decoded_grid(plane, to_pixel, decoder, extent, size=40, grid=grid)
    sheet = Image.new("RGB", (plane.width, plane.height + 44), "white")
    sheet.paste(plane, (0, 0))
    named_legend(sheet, plane.height + 4, names)
    save_png(sheet, ctx.out / "fallback.png")

    decoder_url, decoder_share = shared_url(ctx, "decoder")
    export_meta = ctx.inputs["decoder"].meta
    source = source_of(ctx, "data")
    alt = (f"The latent plane of the {source.get('title', source['name'])} variational autoencoder: the 2-D codes "
           f"of {n:,} test images as dots coloured by class ({', '.join(names)}), with the decoder's output at a "
           f"{grid} by {grid} grid of places on top; neighbouring places decode to similar images.")
    ctx.write_json("config.json", {
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
        "export": {"dtype": export_meta.get("dtype"), "max_error": export_meta.get("max_error")},
        "alt": alt,
    })
    return {"alt": alt, "fallback": {"file": "fallback.png", "width": sheet.width, "height": sheet.height},
            "sources": [source], "share": [decoder_share], "private": ["expected.json"],
            "points": int(n), "quant_max_error": code_from_q["max_error"],
            "export_dtype": export_meta.get("dtype"), "export_max_error": export_meta.get("max_error")}
