"""Figure kind ``mnist-live``: a 2-D autoencoder trained on MNIST in the reader's browser.

The page builds the dense architecture of the build's ``mnist_ae`` model
(``[models.mnist_ae]``: ReLU hidden layers, a linear 2-D code, a sigmoid
output, binary cross-entropy, Adam) in TF.js, fits it on the first ``count``
training digits and redraws their codes as it learns. The payload is:

- ``digits.u4``: the digits at 16 grey levels, two pixels per byte (high
  nibble first, row-major (N, H, W)); 16 levels look the same as 256 and the
  file gzips to about 60 % of the uint8 one;
- ``labels.u8``: one uint8 class per digit;
- ``config.json``: layer widths, hyper-parameters, file names, palette;
- ``fallback.png``: the codes the build-time Keras model gives the same
  digits, tinted by class, with a legend.
"""

from __future__ import annotations

import numpy as np

from ..draw import BORDER, INK, MUTED, TABLEAU10, WHITE, axes, exact_palette, font, hex_rgb, legend
from ..payload import MNIST_CLASSES, Payload, source_of
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages import dataset_request
from ..stages.data import load_arrays
from ..stages.train import train_request

KIND = "mnist-live"
OPTIONS = {
    "count": Field("int", 2000, "Training digits shipped to the page (fewer train faster).", 200, 10_000),
    "batch_size": Field("int", 32, "Digits per gradient step in the page.", 8, 256),
}
MODEL = "mnist_ae"
LEVELS = 16  # grey levels shipped (4 bits)


def request(options: dict, cfg) -> Request:
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "seed": cfg["build.seed"],
            "model": train_request(cfg, MODEL).params,
            "data": dataset_request(cfg, "mnist").params,
        },
    )


def pack4(images: np.ndarray) -> bytes:
    """uint8 images -> 4-bit grey levels (0..15), two per byte, high nibble first."""
    levels = (images.astype(np.uint16) * (LEVELS - 1) + 127) // 255
    flat = levels.astype(np.uint8).ravel()
    if flat.size % 2:
        flat = np.append(flat, np.uint8(0))
    return (flat[0::2] << 4 | flat[1::2]).astype(np.uint8).tobytes()


def unpack4(data: bytes, count: int) -> np.ndarray:
    """Inverse of :func:`pack4`: ``count`` uint8 grey levels 0..15."""
    packed = np.frombuffer(data, np.uint8)
    out = np.empty(packed.size * 2, np.uint8)
    out[0::2], out[1::2] = packed >> 4, packed & 15
    return out[:count]


def scatter_image(codes: np.ndarray, labels: np.ndarray, *, size: int = 520, title: str = ""):
    """Codes as class-tinted dots on equal-scale axes, with a legend row underneath."""
    from PIL import Image, ImageDraw

    left, top, right, legend_h = 52, 30 if title else 12, 14, 70
    plot = size - left - right
    width, height = size, top + plot + legend_h
    lo, hi = codes.min(0), codes.max(0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2 * 1.08 or 1.0
    domain = {"x": [centre[0] - half, centre[0] + half], "y": [centre[1] - half, centre[1] + half]}

    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    small = font(12)
    if title:
        draw.text((width / 2, 8), title, fill=INK, font=font(13), anchor="ma")
    to_pixel = axes(draw, (left, top, plot, plot), domain, font=small, frame=BORDER)
    draw.text((left + plot / 2, top + plot + 22), "code dimension 1 (z1)", fill=MUTED, font=small, anchor="ma")
    draw.text((8, top + plot / 2), "z2", fill=MUTED, font=small, anchor="lm")
    # dots: a shuffled drawing order so no class is always on top
    order = np.random.default_rng(0).permutation(len(codes))
    radius = 2.2 if len(codes) <= 3000 else 1.6
    for i in order:
        px, py = to_pixel(*codes[i])
        draw.ellipse([px - radius, py - radius, px + radius, py + radius], fill=hex_rgb(TABLEAU10[int(labels[i]) % 10]))
    legend(
        draw,
        MNIST_CLASSES,
        TABLEAU10,
        width=width,
        y=top + plot + 46,
        font=small,
        radius=6,
        ink=INK,
        outline=BORDER,
        step=min(48, (width - 20) // 10),
        lead=4,
    )
    return image


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"data": Request("dataset", p["data"]), "model": Request("train", p["model"])},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure mnist-live ({p['count']} digits)",
)
def payload(ctx: Context) -> dict:
    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    x_train, y_train = arrays["x_train"], arrays["y_train"]
    n = min(p["count"], len(x_train))
    image_shape = [int(s) for s in x_train.shape[1:]]
    hyper = p["model"]["hyper"]

    (ctx.out / "digits.u4").write_bytes(pack4(x_train[:n]))
    (ctx.out / "labels.u8").write_bytes(np.ascontiguousarray(y_train[:n], dtype=np.uint8).tobytes())

    # codes.npy holds the codes of concat(x_train, x_test): the first n are these digits
    codes = np.load(ctx.inputs["model"].file("codes.npy"))[:n]
    fallback = scatter_image(
        codes, y_train[:n], title=f"Codes of {n:,} digits from the autoencoder trained at build time"
    )
    fallback = exact_palette(fallback, [WHITE, INK, MUTED, BORDER, *TABLEAU10], 64)

    widths = [
        int(np.prod(image_shape)),
        *hyper["hidden"],
        hyper["latent_dim"],
        *reversed(hyper["hidden"]),
        int(np.prod(image_shape)),
    ]
    alt = (
        f"Scatter plot of the two-number codes that the {'-'.join(map(str, widths))} autoencoder trained "
        f"at build time gives {n:,} MNIST training digits, coloured by digit class 0 to 9 with a legend; "
        "digits of the same class gather in overlapping arms."
    )
    config = {
        "image": image_shape,
        "count": int(n),
        "digits": "digits.u4",
        "levels": LEVELS,
        "labels": "labels.u8",
        "layers": widths,
        "hidden": list(hyper["hidden"]),
        "latent_dim": hyper["latent_dim"],
        "learning_rate": hyper["learning_rate"],
        "batch_size": p["batch_size"],
        "seed": p["seed"],
        "palette": list(TABLEAU10),
        "classes": MNIST_CLASSES,
    }
    return Payload(ctx).finish(
        config, alt=alt, fallback=fallback, sources=[source_of(ctx)], layers=widths, count=int(n)
    )
