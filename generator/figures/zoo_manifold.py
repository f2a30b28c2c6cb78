"""Figure kind ``zoo-manifold``: a grid of images a decoder (by default the Fashion-MNIST VAE's) draws live.

Any model with a 2-D code works (``model:`` one of
:func:`generator.models.registry.plane_models`): gray or RGB images of any size.
A VAE's grid is centred on the origin (its prior's centre); any other model's on
the middle of its codes' extent (``centre`` in the config), where its decoder has
seen data.

The page decodes ``grid`` x ``grid`` codes (one batched predict) with the
shared TF.js decoder. A slider sets the grid's half-width in latent units; a
toggle switches between even spacing and the guide's Gaussian-percentile
spacing, ``norm.ppf(linspace(0.05, 0.95, grid))`` (computed here with SciPy and
shipped, scaled so the outer rows sit at the chosen half-width).

Payload: ``config.json``, ``fallback.png`` (the grid at the default settings,
decoded by Keras) and ``fixture.json`` (private, never copied to the site): the
Keras decoder's corner images for two settings, for the browser parity test.
"""

from __future__ import annotations

import json
import math

import numpy as np

from ..draw import INK, MUTED, font, plain, to_u8
from ..errors import ContentError
from ..payload import Payload, export_info, source_of
from ..pipeline import Context, Request, stage
from ..plane import decoder_inputs, decoder_request, family, not_plane, plane_model
from ..schema import Field

KIND = "zoo-manifold"
SPACINGS = ("linear", "gaussian")
OPTIONS = {
    "model": Field(
        "str",
        "fashion_vae",
        "Which model's decoder draws the grid: any model with a 2-D code (fashion_vae, fashion_cvae, mnist_vae, "
        "mnist_ae, faces_ae, or a [models.<name>] with latent_dim = 2).",
    ),
    "grid": Field("int", 15, "Images per side of the grid.", 3, 25),
    "spacing": Field(
        "str",
        "linear",
        "Initial spacing: even ('linear') or the guide's Gaussian percentiles "
        "('gaussian', norm.ppf(linspace(0.05, 0.95, grid))).",
        choices=SPACINGS,
    ),
    "half_width": Field(
        "float", 2.0, "Initial half-width of the grid in latent units (the slider's start).", 0.1, 10.0
    ),
    "max_half_width": Field(
        "float", 0.0, "Largest half-width the slider reaches (0: from the codes' extent, at least 3).", 0.0, 20.0
    ),
}
#: slider resolution in latent units
STEP = 0.05


def request(options: dict, cfg) -> Request:
    info = plane_model(cfg, options["model"])
    built = decoder_request(KIND, options, cfg)
    return Request(built.stage, {**built.params, "family": family(info)})


def percentiles(n: int) -> np.ndarray:
    """The guide's spacing: standard-normal quantiles at evenly spaced probabilities 0.05 ... 0.95."""
    from scipy.stats import norm

    return norm.ppf(np.linspace(0.05, 0.95, n))


def axis_values(n: int, half_width: float, spacing: str, ppf: np.ndarray) -> np.ndarray:
    """One axis of the grid, ascending; the outer values are at +- half_width (both spacings).

    Computed as the page does: unit * half_width in float64, then float32.
    """
    unit = -1.0 + 2.0 * np.arange(n) / (n - 1) if spacing == "linear" else np.asarray(ppf) / ppf[-1]
    return (unit * half_width).astype(np.float32)


def grid_codes(n: int, half_width: float, spacing: str, ppf: np.ndarray, centre=(0.0, 0.0)) -> np.ndarray:
    """Row-major (n*n, 2) codes around ``centre``: row 0 at the largest z2 (the plane's top), column 0 at the
    smallest z1. As the page computes them: the float32 axis value plus the centre, then float32."""
    values = axis_values(n, half_width, spacing, ppf).astype(np.float64)
    xs, ys = values + centre[0], values + centre[1]
    return np.array([[x, y] for y in ys[::-1] for x in xs], np.float32)


def grid_centre(extent: dict, vae: bool) -> list[float]:
    """Where the grid is centred: a VAE's prior's centre (the origin), else the middle of the codes' extent."""
    if vae:
        return [0.0, 0.0]
    return [round((lo + hi) / 2, 4) for lo, hi in zip(extent["min"], extent["max"])]


def corners(n: int) -> list[int]:
    """Indices of the top-left, top-right, bottom-left and bottom-right cells."""
    return [0, n - 1, n * (n - 1), n * n - 1]


def sheet_image(images: np.ndarray, n: int, values: np.ndarray, title: str, centre=(0.0, 0.0)):
    """The decoded grid with its axis values (``values`` around ``centre``), as a white sheet (the fallback);
    ``images`` (N, H, W) gray or (N, H, W, 3) RGB floats in [0, 1]."""
    from PIL import Image, ImageDraw

    h, w = images.shape[1:3]
    mode = "RGB" if images.ndim == 4 else "L"
    grid = Image.new(mode, (n * w, n * h), 0)
    for i, image in enumerate(to_u8(images)):
        r, c = divmod(i, n)
        grid.paste(Image.fromarray(image, mode), (c * w, r * h))
    scale = max(1, round(480 / (n * w)))
    grid = grid.resize((n * w * scale, n * h * scale), Image.NEAREST).convert("RGB")
    left, top, bottom = 62, 26, 34
    out = Image.new("RGB", (left + grid.width + 14, top + grid.height + bottom), "white")
    out.paste(grid, (left, top))
    draw = ImageDraw.Draw(out)
    f, grey = font(11, unicode=True), MUTED
    draw.text(
        (left + grid.width / 2, 6), plain(title, unicode=True), fill=INK, font=font(13, unicode=True), anchor="ma"
    )
    cell, cell_h = grid.width / n, grid.height / n
    for i in sorted({0, n // 2, n - 1}):
        x = left + (i + 0.5) * cell
        draw.text(
            (x, top + grid.height + 4),
            plain(f"{values[i] + centre[0]:.2f}".replace("-", "\u2212"), unicode=True),
            fill=grey,
            font=f,
            anchor="ma",
        )
        y = top + (n - 1 - i + 0.5) * cell_h
        draw.text(
            (left - 5, y),
            plain(f"{values[i] + centre[1]:.2f}".replace("-", "\u2212"), unicode=True),
            fill=grey,
            font=f,
            anchor="rm",
        )
    draw.text(
        (left + grid.width / 2, top + grid.height + 19), plain("z\u2081", unicode=True), fill=grey, font=f, anchor="ma"
    )
    draw.text((4, top + grid.height / 2), plain("z\u2082", unicode=True), fill=grey, font=f, anchor="lm")
    return out


@stage(
    f"figure:{KIND}",
    inputs=decoder_inputs,
    libs=("tensorflow-cpu", "keras", "numpy", "pillow", "scipy"),
    label=lambda p: f"figure zoo-manifold ({p['model']}, {p['grid']}x{p['grid']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image

    from ..stages.train import rebuild

    p = ctx.params
    out = Payload(ctx)
    n = p["grid"]
    ppf = np.round(percentiles(n), 7)  # the values shipped to the page
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    centre = grid_centre(extent, p["family"] == "variational autoencoder")
    reach = max(abs(v - c) for c, lo, hi in zip(centre, extent["min"], extent["max"]) for v in (lo, hi))
    max_half = p["max_half_width"] or max(3.0, math.ceil(reach * 2) / 2)
    half = min(p["half_width"], max_half)
    if not ctx.inputs["train"].file("codes.npy").exists():  # an author's .keras model whose code is not 2-D
        raise ContentError(not_plane(p["model"]))
    decoder = rebuild(ctx.inputs["train"])["decoder"]

    # parity fixture: the corners at the initial setting and at the guide's own grid
    cases = []
    for spacing, width in ((p["spacing"], half), ("gaussian" if p["spacing"] == "linear" else "linear", 1.0)):
        codes = grid_codes(n, width, spacing, ppf, centre)[corners(n)]
        expected = np.asarray(decoder.predict(codes, verbose=0), np.float64).round(6)
        cases.append(
            {
                "spacing": spacing,
                "half_width": width,
                "codes": codes.tolist(),
                "expected": expected.reshape(len(codes), -1).tolist(),
            }
        )
    out.fixture("fixture.json", {"cases": cases})

    codes = grid_codes(n, half, p["spacing"], ppf, centre)
    images = np.asarray(decoder.predict(codes, batch_size=256, verbose=0))
    shape = [int(v) for v in images.shape[1:]]  # [H, W] or [H, W, 3]
    spacing_name = "evenly spaced" if p["spacing"] == "linear" else "spaced by Gaussian percentiles"
    values = axis_values(n, half, p["spacing"], ppf)
    sheet = sheet_image(images, n, values, f"{n} \u00d7 {n} images decoded at codes {spacing_name}", centre)

    decoder_url = out.share("decoder")
    source = source_of(ctx)
    export = export_info(ctx.inputs["decoder"])
    thing = {"fashion-mnist": "kind of garment", "mnist": "digit"}.get(source["name"], "kind of image")
    if centre == [0.0, 0.0]:
        where = f"between \u2212{half:g} and {half:g} on both latent axes"
    else:
        where = f"within {half:g} of ({centre[0]:g}, {centre[1]:g}), the middle of the codes, on both latent axes"
    alt = (
        f"A {n} by {n} grid of images the {p['family']}'s decoder drew from codes {spacing_name} "
        f"{where}; neighbouring images differ a little, and across the grid one {thing} morphs into another."
    )
    config = {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "grid": n,
        "image": shape,
        "spacing": p["spacing"],
        "half_width": half,
        "max_half_width": max_half,
        "min_half_width": 0.25,
        "centre": centre,
        "step": STEP,
        "ppf": [float(v) for v in ppf],
        "extent": extent,
        "dataset": source.get("title", source["name"]),
        "export": export,
    }
    # all grays: a third of RGB's bytes; colour images keep their colours (a 256-colour palette)
    fallback = sheet.convert("L") if len(shape) == 2 else sheet.quantize(256, method=Image.Quantize.MEDIANCUT)
    return out.finish(
        config,
        alt=alt,
        fallback=fallback,
        sources=[source],
        grid=n,
        half_width=half,
        max_half_width=max_half,
        step=STEP,
        spacing=p["spacing"],
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )
