"""Static fallback images: what a figure shows before (or without) JavaScript."""

from __future__ import annotations

import numpy as np


def labelled_grid(images: np.ndarray, labels: list[str], cols: int, *, scale: int = 2, pad: int = 6):
    """A white sheet of enlarged grayscale images with a label under each."""
    from PIL import Image, ImageDraw

    n, h, w = images.shape
    rows = -(-n // cols)
    label_h = 16 if any(labels) else 0
    cw, ch = w * scale + pad, h * scale + pad + label_h
    sheet = Image.new("L", (cols * cw + pad, rows * ch + pad), 255)
    draw = ImageDraw.Draw(sheet)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        x, y = pad + c * cw, pad + r * ch
        tile = Image.fromarray(255 - image if image.mean() < 128 else image, "L").resize((w * scale, h * scale), Image.NEAREST)
        sheet.paste(tile, (x, y))
        if labels[i]:
            draw.text((x + w * scale / 2, y + h * scale + 2), labels[i], fill=40, anchor="ma")
    return sheet
