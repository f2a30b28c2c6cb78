"""Figure kind ``decoder-sampler``: move a probe over the code plane, watch the decoder draw.

The reader sees the 2-D codes of the data (dots tinted by class), a probe they
move by pointer, touch or keyboard, the decoder's 28 x 28 output at the probe
(computed in the page with TF.js), the real digits whose codes are nearest,
and, with a second probe, a strip of decoded images between the two.

Nothing big is copied into the payload: the TF.js decoder, the code positions
(the ``encoder`` layout) and the digit atlas are shared site-wide artifacts.
The payload itself is ``config.json``, ``fallback.png`` and ``expected.u8``: a
test fixture of the Keras decoder's outputs at a few probe codes.

The helpers at the top are shared with ``draw-digit`` (generator/figures/draw_digit.py).
"""

from __future__ import annotations

import json

import numpy as np

from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.atlas import atlas_request
from ..stages.export import export_request
from ..stages.layout import layout_request
from ..stages.train import train_request
from .common import nice_ticks, paste_decoded_grid, shared_url, source_of, hex_rgb as _hex, tile

KIND = "decoder-sampler"
#: model -> the layout method that holds its codes
MODELS = {"mnist_ae": "encoder", "mnist_vae": "vae"}
OPTIONS = {
    "model": Field("str", "mnist_ae", "Which trained MNIST autoencoder to sample.", choices=tuple(MODELS)),
    "points": Field("int", 10_000, "Most data points drawn on the plane (and searched for neighbours).", 100, 70_000),
    "neighbours": Field("int", 5, "Real digits shown nearest to the probe.", 1, 10),
    "steps": Field("int", 8, "Images in the strip between two probes.", 3, 12),
}
#: Tableau 10, a palette that stays distinguishable for the common colour-vision deficiencies
TABLEAU10 = ("#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f",
             "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab")
#: the plane's axes reach this fraction of the codes' range beyond their extent on each side
DOMAIN_PAD = 0.04


def request(options: dict, cfg) -> Request:
    model = options["model"]
    return Request(f"figure:{KIND}", {
        **options,
        "decoder": export_request(cfg, model, "decoder").params,
        "layout": layout_request(cfg, MODELS[model]).params,
        "atlas": atlas_request(cfg, "mnist").params,
        "train": train_request(cfg, model).params,
    })


# ----------------------------------------------------------------- shared helpers


def code_transform(codes: np.ndarray, positions: bytes, quant: dict) -> dict:
    """The per-axis affine map from the layout's uint16 positions back to code units.

    The layout stage normalised the codes (centre the box, divide by half the
    longer side) and quantised each axis; ``code = q * scale + offset`` undoes
    both. The map is checked against the real codes, so a change upstream
    fails the build instead of misplacing every dot.
    """
    codes = np.asarray(codes, np.float64)
    lo, hi = codes.min(axis=0), codes.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2
    scale = np.asarray(quant["scale"]) * half
    offset = np.asarray(quant["offset"]) * half + centre
    q = np.frombuffer(positions, "<u2").reshape(-1, 2).astype(np.float64)
    if q.shape != codes.shape:
        raise ValueError(f"layout has {len(q)} positions for {len(codes)} codes")
    error = np.abs(q * scale + offset - codes).max(axis=0)
    if (error > 1e-3 * np.maximum(hi - lo, 1e-9)).any():
        raise ValueError(f"layout positions do not match the model's codes (error {error.tolist()})")
    return {"scale": scale.tolist(), "offset": offset.tolist(), "max_error": error.max().item()}


def plane_domain(extent: dict, pad: float = DOMAIN_PAD) -> dict:
    """Axis ranges of the plane: the codes' real extent plus a thin margin."""
    lo, hi = np.asarray(extent["min"], float), np.asarray(extent["max"], float)
    margin = (hi - lo) * pad
    return {"x": [lo[0] - margin[0], hi[0] + margin[0]], "y": [lo[1] - margin[1], hi[1] + margin[1]], "pad": pad}


def scatter(codes: np.ndarray, labels: np.ndarray, domain: dict, width: int, height: int, *,
            margin=(44, 10, 30, 10), radius: float = 1.6, font=None):
    """A white Pillow image of the codes as class-tinted dots with labelled axes.

    Returns ``(image, to_pixel)`` where ``to_pixel(x, y)`` maps code units to
    image pixels (for placing markers or decoded tiles on top).
    """
    from PIL import Image, ImageDraw, ImageFont

    font = font or ImageFont.load_default(size=11)
    left, top, bottom, right = margin
    (x0, x1), (y0, y1) = domain["x"], domain["y"]
    pw, ph = width - left - right, height - top - bottom

    def to_pixel(x, y):
        return left + (x - x0) / (x1 - x0) * pw, top + (y1 - y) / (y1 - y0) * ph

    image = Image.new("RGB", (width, height), "white")
    dots = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(dots)
    colours = [_hex(c) for c in TABLEAU10]
    for (x, y), label in zip(codes, labels):
        px, py = to_pixel(x, y)
        draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=(*colours[int(label) % 10], 170))
    image.paste(dots, (0, 0), dots)
    axes = ImageDraw.Draw(image)
    axes.rectangle((left, top, left + pw, top + ph), outline=(160, 166, 173))
    for v in nice_ticks(x0, x1):
        px, _ = to_pixel(v, y0)
        axes.line((px, top + ph, px, top + ph + 4), fill=(87, 96, 106))
        axes.text((px, top + ph + 6), f"{v:g}", fill=(87, 96, 106), font=font, anchor="ma")
    for v in nice_ticks(y0, y1):
        _, py = to_pixel(x0, v)
        axes.line((left - 4, py, left, py), fill=(87, 96, 106))
        axes.text((left - 6, py), f"{v:g}", fill=(87, 96, 106), font=font, anchor="rm")
    return image, to_pixel


def save_png(image, path, colours: int = 128) -> None:
    """Save a fallback as a palette PNG: half the bytes of RGB; white, black and the class colours stay exact."""
    from PIL import Image

    rgb = np.asarray(image.convert("RGB"))
    exact = [(255, 255, 255), (0, 0, 0), *(_hex(c) for c in TABLEAU10)]
    fitted = Image.fromarray(rgb).quantize(colours - len(exact), method=Image.Quantize.MEDIANCUT)
    palette = np.vstack([exact, np.reshape(fitted.getpalette()[:3 * (colours - len(exact))], (-1, 3))]).astype(int)
    unique, inverse = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
    nearest = ((unique[:, None, :].astype(int) - palette[None]) ** 2).sum(-1).argmin(1).astype(np.uint8)
    out = Image.fromarray(nearest[inverse.ravel()].reshape(rgb.shape[:2]), "P")
    out.putpalette(palette.astype(np.uint8).ravel().tolist())
    out.save(path, optimize=True)


def legend(image, top: int, *, font=None) -> None:
    """Class swatches 0-9 in one row at ``top``, centred."""
    from PIL import ImageDraw, ImageFont

    font = font or ImageFont.load_default(size=12)
    draw = ImageDraw.Draw(image)
    step = 34
    x = (image.width - step * 10) / 2 + 6
    for label, colour in enumerate(TABLEAU10):
        draw.ellipse((x, top + 3, x + 10, top + 13), fill=_hex(colour))
        draw.text((x + 14, top + 8), str(label), fill=(60, 66, 72), font=font, anchor="lm")
        x += step


# ---------------------------------------------------------------------- payload


def _inputs(p: dict) -> dict:
    return {"decoder": Request("export", p["decoder"]), "layout": Request("layout", p["layout"]),
            "atlas": Request("atlas", p["atlas"]), "train": Request("train", p["train"]),
            "data": Request("dataset", p["train"]["data"])}


def fixture_codes(codes: np.ndarray, extent: dict) -> np.ndarray:
    """Four probe codes for the parity test: the centre of the extent and three data points."""
    picks = [len(codes) // 7, len(codes) // 3, (2 * len(codes)) // 3]
    centre = (np.asarray(extent["min"]) + np.asarray(extent["max"])) / 2
    return np.vstack([centre, codes[picks]]).astype(np.float32).round(4)


@stage(f"figure:{KIND}", inputs=_inputs, libs=("tensorflow-cpu", "keras", "numpy", "pillow"),
       label=lambda p: f"figure decoder-sampler ({p['model']})")
def payload(ctx: Context) -> dict:
    from PIL import Image

    from ..stages.train import rebuild

    p = ctx.params
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

    probes = fixture_codes(codes, extent)
    expected = np.asarray(decoder.predict(probes, verbose=0))
    height, width = expected.shape[1:]
    (ctx.out / "expected.u8").write_bytes(np.rint(np.clip(expected, 0, 1) * 255).astype(np.uint8).tobytes())

    # fallback: the plane with decoded digits on a 5 x 5 grid over the codes' extent
    fallback, to_pixel = scatter(codes, labels, domain, 560, 430)
    grid = 5
    paste_decoded_grid(fallback, to_pixel, decoder, extent, size=44, grid=grid)
    sheet = Image.new("RGB", (fallback.width, fallback.height + 24), "white")
    sheet.paste(fallback, (0, 0))
    legend(sheet, fallback.height + 2)
    save_png(sheet, ctx.out / "fallback.png")

    decoder_url, decoder_share = shared_url(ctx, "decoder")
    layout_url, layout_share = shared_url(ctx, "layout")
    atlas_url, atlas_share = shared_url(ctx, "atlas")
    model_meta = ctx.inputs["decoder"].meta
    title = "variational autoencoder" if p["model"] == "mnist_vae" else "autoencoder"
    alt = (f"The 2-D codes of {n:,} MNIST digits from the {title}, as dots coloured by digit class, "
           f"with the decoder's output drawn at a {grid} by {grid} grid of codes: the decoded digits "
           "change smoothly from one class region to the next.")
    ctx.write_json("config.json", {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "positions": layout_url + "positions.u16",
        "labels": atlas_url + "labels.u8",
        "atlas": {"base": atlas_url, "files": atlas_info["files"], "cell": atlas_info["cell"],
                  "per_row": atlas_info["per_row"], "per_atlas": atlas_info["per_atlas"]},
        "count": int(n),
        "code_from_q": {"scale": transform["scale"], "offset": transform["offset"]},
        "extent": extent,
        "domain": domain,
        "image": [int(height), int(width)],
        "initial": np.median(codes, axis=0).round(4).tolist(),
        "neighbours": p["neighbours"],
        "steps": p["steps"],
        "colors": list(TABLEAU10),
        "classes": [str(i) for i in range(10)],
        "fixture": {"codes": probes.tolist(), "expected": "expected.u8"},
        "export": {"dtype": model_meta.get("dtype"), "max_error": model_meta.get("max_error")},
        "alt": alt,
    })
    return {"alt": alt, "fallback": {"file": "fallback.png", "width": sheet.width, "height": sheet.height},
            "sources": [source_of(ctx, "data")],
            "share": [decoder_share, layout_share, atlas_share],
            "points": int(n), "export_dtype": model_meta.get("dtype"), "export_max_error": model_meta.get("max_error")}
