"""Helpers for figure payload stages."""

from __future__ import annotations

from ..pipeline import Artifact, Context


def shared_url(ctx: Context, name: str) -> tuple[str, dict]:
    """Publish upstream artifact ``name`` once for the whole site; return its URL and a share record.

    The URL is relative to the figure's own payload directory (where
    config.json lives), e.g. ``../../artifacts/export-1a2b3c4d5e/``. Put the
    record in the stage's meta under ``"share"`` so the build copies it::

        url, record = shared_url(ctx, "decoder")
        config["decoder"] = url + "model/model.json"
        return {..., "share": [record]}

    Two figures that use the same artifact load the same files, so a page
    downloads (and the report counts) them once.
    """
    artifact: Artifact = ctx.inputs[name]
    folder = f"{artifact.stage}-{artifact.digest[:10]}"
    return f"../../artifacts/{folder}/", {"stage": artifact.stage, "key": artifact.key, "folder": folder}


def source_of(ctx: Context, name: str = "data") -> dict:
    """The credit record of a dataset artifact input."""
    return dict(ctx.inputs[name].meta["source"])


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values inside [lo, hi] (1, 2, 5 x 10^k steps), as d3.ticks chooses them."""
    import numpy as np

    span = hi - lo
    if span <= 0:
        return [lo]
    step = 10 ** np.floor(np.log10(span / count))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= count:
            step *= factor
            break
    first = np.ceil(lo / step) * step
    return [round(float(v), 10) + 0.0 for v in np.arange(first, hi + step * 1e-9, step)]


def font(size: int):
    """Pillow's default font at ``size`` px (a fixed-size bitmap font where Pillow lacks FreeType)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` as an (r, g, b) tuple."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def sprite(images, cols: int | None = None):
    """Images (N, H, W) uint8 tiled into one row-major (rows*H, cols*W) sheet; ``cols`` defaults to N."""
    import numpy as np

    n, h, w = images.shape
    cols = cols or n
    rows = -(-n // cols)
    sheet = np.zeros((rows * h, cols * w), np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = image
    return sheet


def tile(values, size: int):
    """A decoded image (floats in [0, 1]) as a grayscale Pillow tile, white on black like MNIST."""
    import numpy as np
    from PIL import Image

    pixels = np.rint(np.clip(values, 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(pixels, "L").resize((size, size), Image.NEAREST)


def paste_decoded_grid(plane, to_pixel, decoder, extent: dict, size: int, grid: int = 5) -> None:
    """Paste the decoder's images at a ``grid`` x ``grid`` lattice inside the codes' extent onto ``plane``.

    ``plane`` and ``to_pixel`` as ``decoder_sampler.scatter`` returns them; each image is
    ``size`` px square on a 1 px white frame, centred on its code.
    """
    import numpy as np

    xs = np.linspace(extent["min"][0], extent["max"][0], grid + 2)[1:-1]
    ys = np.linspace(extent["min"][1], extent["max"][1], grid + 2)[1:-1]
    points = np.array([[x, y] for y in ys for x in xs], np.float32)
    decoded = np.asarray(decoder.predict(points, verbose=0))
    for (x, y), image in zip(points, decoded):
        px, py = to_pixel(x, y)
        box = (round(px - size / 2), round(py - size / 2))
        plane.paste((255, 255, 255), (box[0] - 1, box[1] - 1, box[0] + size + 1, box[1] + size + 1))
        plane.paste(tile(image, size).convert("RGB"), box)
