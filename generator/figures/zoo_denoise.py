"""Figure kind ``zoo-denoise``: corrupt a test image in the page, watch the denoiser clean it.

A slider sets the noise level s (0 to 1): the page adds s * N(0, 1) noise,
drawn from a seeded PRNG (mulberry32 + Box-Muller, ported here in
:func:`gaussian_noise` so the build draws the very same noise), clips to
[0, 1], and runs the exported TF.js denoising autoencoder on the result:
noisy, denoised and clean are shown side by side. A picker chooses the test
image; "New noise" draws another noise pattern.

Payload: ``images.u8`` (one test image per class, uint8, row-major),
``config.json``, ``fallback.png`` (noisy / denoised / clean rows, by Keras) and
``fixture.json`` (private, never copied to the site): a fixed noisy input, the
Keras denoiser's output for it, and the noise the page must draw for image 0.
"""

from __future__ import annotations

import math

import numpy as np

from ..draw import INK, MUTED, font, plain, to_u8
from ..payload import Payload, class_names, export_info, source_of
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.export import export_request
from ..stages.train import train_request

KIND = "zoo-denoise"
OPTIONS = {
    "model": Field("str", "fashion_denoise", "The denoising autoencoder.", choices=("fashion_denoise",)),
    "count": Field("int", 10, "Test images to choose from (the first of each class, in class order).", 1, 10),
    "noise": Field("float", 0.5, "Initial noise level (standard deviation of the Gaussian noise).", 0.0, 1.0),
    "seed": Field("int", 1, "Seed of the page's noise generator.", 0, 2**31 - 1),
}
FALLBACK_ROWS = 4
MASK = 0xFFFFFFFF


def request(options: dict, cfg) -> Request:
    model = options["model"]
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "denoiser": export_request(cfg, model, "autoencoder").params,
            "train": train_request(cfg, model).params,
        },
    )


def _inputs(p: dict) -> dict:
    return {
        "denoiser": Request("export", p["denoiser"]),
        "train": Request("train", p["train"]),
        "data": Request("dataset", p["train"]["data"]),
    }


def _imul(a: int, b: int) -> int:
    return (a * b) & MASK


def mulberry32(seed: int):
    """The page's PRNG (assets/js/lib/seeded-random.js (mulberry32) and assets/js/figures/zoo-denoise/noise.js): uniform floats in [0, 1), bit for bit."""
    state = seed & MASK

    def next_float() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = _imul(state ^ (state >> 15), 1 | state)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & MASK) ^ t
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return next_float


def gaussian_noise(seed: int, count: int) -> np.ndarray:
    """``count`` standard-normal values by Box-Muller from mulberry32(seed), as the page draws them."""
    rand = mulberry32(seed)
    out = np.empty(count, np.float64)
    for i in range(0, count, 2):
        u1, u2 = 1.0 - rand(), rand()  # u1 in (0, 1]: log(u1) is finite
        r = math.sqrt(-2.0 * math.log(u1))
        out[i] = r * math.cos(2 * math.pi * u2)
        if i + 1 < count:
            out[i + 1] = r * math.sin(2 * math.pi * u2)
    return out


def noise_seed(base: int, image: int, draw: int = 0) -> int:
    """The seed of image ``image``'s noise in draw ``draw`` (the page's "New noise" presses)."""
    return (base + 7919 * image + 104729 * draw) & MASK


def corrupt(image: np.ndarray, level: float, seed: int) -> np.ndarray:
    """clip(x + level * N(0, 1), 0, 1) for an image in [0, 1], with the page's noise."""
    flat = np.asarray(image, np.float64).ravel()
    return np.clip(flat + level * gaussian_noise(seed, flat.size), 0, 1).reshape(np.shape(image))


def pick(labels: np.ndarray, count: int) -> list[int]:
    """The first test image of each class, in class order, ``count`` of them."""
    return [int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels)][:count]


def fallback_image(rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]], level: float):
    """Columns noisy / denoised / clean, one row per image, titled."""
    from PIL import Image, ImageDraw

    size, gap, left, top = 112, 10, 96, 44
    cols = ("Noisy input", "Denoised", "Clean original")
    out = Image.new("RGB", (left + 3 * size + 2 * gap + 12, top + len(rows) * (size + gap)), "white")
    draw = ImageDraw.Draw(out)
    f, grey = font(12, unicode=True), MUTED
    draw.text(
        (out.width / 2, 4),
        plain(f"Gaussian noise of \u03c3 = {level:g} (clipped to [0, 1]), cleaned by the denoiser", unicode=True),
        fill=INK,
        font=font(13, unicode=True),
        anchor="ma",
    )
    for c, name in enumerate(cols):
        draw.text(
            (left + c * (size + gap) + size / 2, top - 6), plain(name, unicode=True), fill=grey, font=f, anchor="ms"
        )
    for r, (noisy, clean_out, clean, name) in enumerate(rows):
        y = top + r * (size + gap)
        draw.text((left - 8, y + size / 2), plain(name, unicode=True), fill=grey, font=f, anchor="rm")
        for c, image in enumerate((noisy, clean_out, clean)):
            tile = Image.fromarray(to_u8(image), "L").resize((size, size), Image.NEAREST)
            out.paste(tile.convert("RGB"), (left + c * (size + gap), y))
    return out


@stage(
    f"figure:{KIND}",
    inputs=_inputs,
    libs=("tensorflow-cpu", "keras", "numpy", "pillow"),
    label=lambda p: f"figure zoo-denoise ({p['count']} images)",
)
def payload(ctx: Context) -> dict:
    from ..stages.data import load_arrays
    from ..stages.train import rebuild

    p = ctx.params
    out = Payload(ctx)
    arrays = load_arrays(ctx.inputs["data"])
    names = class_names(p["train"]["data"]["name"])
    chosen = pick(arrays["y_test"], p["count"])
    images = arrays["x_test"][chosen]
    height, width = (int(s) for s in images.shape[1:])
    (ctx.out / "images.u8").write_bytes(np.ascontiguousarray(images, np.uint8).tobytes())
    labels = [names[int(arrays["y_test"][i])] for i in chosen]
    clean = images.astype(np.float32) / 255.0
    denoiser = rebuild(ctx.inputs["train"])["autoencoder"]

    # the parity fixture: image 0 at the default level with the page's own noise, quantised to
    # 1/255 steps so the browser test can hand the page exactly the input Keras saw
    noisy = [corrupt(image, p["noise"], noise_seed(p["seed"], i)) for i, image in enumerate(clean)]
    fixed = to_u8(noisy[0]).astype(np.float32) / 255.0
    expected = np.asarray(denoiser.predict(fixed[None], verbose=0)[0], np.float64).round(6)
    out.fixture(
        "fixture.json",
        {
            "input": to_u8(noisy[0]).ravel().tolist(),
            "expected": expected.ravel().tolist(),
            "noise": {
                "image": 0,
                "level": p["noise"],
                "draw": 0,
                "seed": noise_seed(p["seed"], 0),
                "noisy": to_u8(noisy[0]).ravel().tolist(),
            },
        },
    )

    rows = min(FALLBACK_ROWS, len(images))
    outputs = np.asarray(denoiser.predict(np.stack(noisy[:rows]).astype(np.float32), verbose=0))
    sheet = fallback_image([(noisy[i], outputs[i], clean[i], labels[i]) for i in range(rows)], p["noise"])

    model_url = out.share("denoiser")
    source = source_of(ctx)
    export = export_info(ctx.inputs["denoiser"])
    alt = (
        f"{rows} Fashion-MNIST test images ({', '.join(labels[:rows])}) with Gaussian noise of {p['noise']:g} "
        "added and clipped, beside the denoising autoencoder's output and the clean originals: the noise is "
        "gone and the garments' shapes come back, a little blurred."
    )
    config = {
        "model": p["model"],
        "denoiser": model_url + "model/model.json",
        "images": {"file": "images.u8", "count": len(chosen), "labels": labels},
        "image": [height, width],
        "noise": p["noise"],
        "seed": p["seed"],
        "seed_steps": [7919, 104729],
        "dataset": source.get("title", source["name"]),
        "export": export,
    }
    return out.finish(
        config,
        alt=alt,
        fallback=sheet,
        sources=[source],
        labels=labels,
        noise=p["noise"],
        export_dtype=export["dtype"],
        export_max_error=export["max_error"],
    )
