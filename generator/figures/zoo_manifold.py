"""Figure kind ``zoo-manifold``: a grid of images the VAE's decoder draws live in the page.

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
from ..payload import Payload, export_info, source_of
from ..pipeline import Context, Request, stage
from ..plane import VAE_MODELS, decoder_inputs, decoder_request
from ..schema import Field

KIND = "zoo-manifold"
SPACINGS = ("linear", "gaussian")
OPTIONS = {
    "model": Field("str", "fashion_vae", "Which variational autoencoder's decoder draws the grid.", choices=VAE_MODELS),
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
    return decoder_request(KIND, options, cfg)


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


def grid_codes(n: int, half_width: float, spacing: str, ppf: np.ndarray) -> np.ndarray:
    """Row-major (n*n, 2) codes: row 0 at the largest z2 (the plane's top), column 0 at the smallest z1."""
    values = axis_values(n, half_width, spacing, ppf)
    return np.array([[x, y] for y in values[::-1] for x in values], np.float32)


def corners(n: int) -> list[int]:
    """Indices of the top-left, top-right, bottom-left and bottom-right cells."""
    return [0, n - 1, n * (n - 1), n * n - 1]


def sheet_image(images: np.ndarray, n: int, values: np.ndarray, title: str):
    """The decoded grid with its axis values, as a white sheet (the fallback)."""
    from PIL import Image, ImageDraw

    h, w = images.shape[1:]
    grid = Image.new("L", (n * w, n * h), 0)
    for i, image in enumerate(to_u8(images)):
        r, c = divmod(i, n)
        grid.paste(Image.fromarray(image, "L"), (c * w, r * h))
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
    cell = grid.width / n
    for i in sorted({0, n // 2, n - 1}):
        x = left + (i + 0.5) * cell
        draw.text(
            (x, top + grid.height + 4),
            plain(f"{values[i]:.2f}".replace("-", "\u2212"), unicode=True),
            fill=grey,
            font=f,
            anchor="ma",
        )
        y = top + (n - 1 - i + 0.5) * cell
        draw.text(
            (left - 5, y),
            plain(f"{values[i]:.2f}".replace("-", "\u2212"), unicode=True),
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
    from ..stages.train import rebuild

    p = ctx.params
    out = Payload(ctx)
    n = p["grid"]
    ppf = np.round(percentiles(n), 7)  # the values shipped to the page
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())
    reach = max(abs(v) for v in (*extent["min"], *extent["max"]))
    max_half = p["max_half_width"] or max(3.0, math.ceil(reach * 2) / 2)
    half = min(p["half_width"], max_half)
    decoder = rebuild(ctx.inputs["train"])["decoder"]

    # parity fixture: the corners at the initial setting and at the guide's own grid
    cases = []
    for spacing, width in ((p["spacing"], half), ("gaussian" if p["spacing"] == "linear" else "linear", 1.0)):
        codes = grid_codes(n, width, spacing, ppf)[corners(n)]
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

    codes = grid_codes(n, half, p["spacing"], ppf)
    images = np.asarray(decoder.predict(codes, batch_size=256, verbose=0))
    height, width = images.shape[1:]
    spacing_name = "evenly spaced" if p["spacing"] == "linear" else "spaced by Gaussian percentiles"
    values = axis_values(n, half, p["spacing"], ppf)
    sheet = sheet_image(images, n, values, f"{n} \u00d7 {n} images decoded at codes {spacing_name}")

    decoder_url = out.share("decoder")
    source = source_of(ctx)
    export = export_info(ctx.inputs["decoder"])
    alt = (
        f"A {n} by {n} grid of images the variational autoencoder's decoder drew from codes {spacing_name} "
        f"between \u2212{half:g} and {half:g} on both latent axes; neighbouring images differ a little, and "
        f"across the grid one {'kind of garment' if source['name'] == 'fashion-mnist' else 'digit'} morphs into another."
    )
    config = {
        "model": p["model"],
        "decoder": decoder_url + "model/model.json",
        "grid": n,
        "image": [int(height), int(width)],
        "spacing": p["spacing"],
        "half_width": half,
        "max_half_width": max_half,
        "min_half_width": 0.25,
        "step": STEP,
        "ppf": [float(v) for v in ppf],
        "extent": extent,
        "dataset": source.get("title", source["name"]),
        "export": export,
    }
    # all grays: a third of RGB's bytes
    return out.finish(
        config,
        alt=alt,
        fallback=sheet.convert("L"),
        sources=[source],
        grid=n,
        half_width=half,
        max_half_width=max_half,
        step=STEP,
        spacing=p["spacing"],
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )
