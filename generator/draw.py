"""Pillow drawing for the figures' static fallback images: what a figure shows before (or without) JavaScript.

One place for the parts every fallback uses: the ink colours, the palettes the JS
figures use (so a fallback and its live figure agree), fonts, tick values, axes,
legends, a class-tinted scatter plot, image sheets and the PNG reductions.
Pillow is imported inside the functions, so importing this module (figure
discovery, no-op rebuilds) stays cheap.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

# ---- colours ----------------------------------------------------------------------------------------------

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
INK = (27, 31, 36)  # text (the site's --fg)
MUTED = (87, 96, 106)  # secondary text and ticks (--muted)
BORDER = (208, 215, 222)  # frames and rules (--border)
ACCENT = (10, 88, 202)
LEGEND_INK = (60, 66, 72)  # legend labels
FRAME = (160, 166, 173)  # the frame of a scatter plot's axes

#: d3.schemeTableau10: ten classes that stay distinguishable under the common colour-vision deficiencies
#: (every class-tinted figure: decoder-sampler, draw-digit, latent-layouts, mnist-live, zoo-latent)
TABLEAU10 = (
    "#4e79a7",
    "#f28e2c",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc949",
    "#af7aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ab",
)
#: one colour per zoo model, in ZOO order: Okabe-Ito's colour-blind-safe set plus a slate grey;
#: dark enough for lines on white (>= 3:1) and light enough on the dark theme
OKABE_ITO = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5195", "#5f6b7a")
#: viridis at t = 0, 0.1, ..., 1 (the toy figures' colour along a shape: assets/js/lib/toy-colour.js RAMP)
VIRIDIS = (
    "#440154",
    "#482475",
    "#414487",
    "#355f8d",
    "#2a788e",
    "#21918c",
    "#22a884",
    "#44bf70",
    "#7ad151",
    "#bddf26",
    "#fde725",
)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` as an (r, g, b) tuple."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


_VIRIDIS_STOPS = np.array([hex_rgb(c) for c in VIRIDIS], np.float64)


def ramp(values) -> np.ndarray:
    """Viridis colours (n, 3) uint8 for values in [0, 1], interpolated between the :data:`VIRIDIS` stops."""
    x = np.clip(np.asarray(values, np.float64), 0, 1) * (len(_VIRIDIS_STOPS) - 1)
    i = np.minimum(np.floor(x).astype(int), len(_VIRIDIS_STOPS) - 2)
    f = (x - i)[:, None]
    return np.round(_VIRIDIS_STOPS[i] * (1 - f) + _VIRIDIS_STOPS[i + 1] * f).astype(np.uint8)


# ---- fonts and text ---------------------------------------------------------------------------------------

UNICODE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
# Stand-ins for the characters Pillow's default font lacks.
_PLAIN = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2192": "->",
        "\u00f7": "/",
        "\u00d7": "x",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2081": "1",
        "\u2082": "2",
        "\u2212": "-",
        "\u00b7": "-",
        "\u2202": "d",
        "\u207b": "^-",
        "\u2070": "0",
        "\u00b9": "1",
        "\u00b2": "2",
        "\u00b3": "3",
        "\u2074": "4",
        "\u2075": "5",
        "\u2076": "6",
        "\u2077": "7",
        "\u2078": "8",
        "\u2079": "9",
    }
)


@functools.cache
def unicode_font_file() -> str | None:
    """A Unicode TrueType font installed here (DejaVu Sans first), or None."""
    return next((f for f in UNICODE_FONTS if Path(f).is_file()), None)


def font(size: int, *, unicode: bool = False):
    """Pillow's default font at ``size`` px; with ``unicode``, a Unicode font where one is installed.

    Without FreeType Pillow has only a fixed-size bitmap font. Text drawn with the
    default font goes through :func:`plain` first (``plain(text, unicode=True)``
    with a ``unicode`` font).
    """
    from PIL import ImageFont

    path = unicode_font_file() if unicode else None
    if path:
        return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def plain(text: str, *, unicode: bool = False) -> str:
    """``text`` as the font of :func:`font` can draw it: ASCII stand-ins for arrows, dashes, sub- and superscripts.

    With ``unicode`` the text is kept as it is when a Unicode font is installed.
    """
    return text if unicode and unicode_font_file() else text.translate(_PLAIN)


# ---- axes -------------------------------------------------------------------------------------------------


def _pow10(e: int) -> float:
    """10^e as the nearest float, as plot-axes.js's pow10 (parsing "1e<e>"; V8's ``10 ** -5`` is an ulp low)."""
    return float(f"1e{e}")


def nice_ticks(lo: float, hi: float, count: int = 5, *, steps: tuple[float, ...] = (1, 2, 5)) -> list[float]:
    """About ``count`` round values covering [lo, hi], as assets/js/lib/plot-axes.js niceTicks chooses them.

    The step is the smallest ``m`` x 10^k (``m`` in ``steps``) that leaves at most
    ``count`` intervals; the values are its multiples inside [lo, hi] (ends included
    with a tolerance for floating-point noise), rounded to 12 significant digits,
    never -0. A range too short to hold a multiple of that step gets the next finer
    step, so a non-empty range always has ticks (``[lo, hi]`` when it is too short
    for any step, below 1e-300); an empty, reversed or non-finite one gives ``[lo]``.
    The arithmetic is plot-axes.js's, operation for operation (tests/test_draw.py
    compares the two). A figure whose page allows other steps passes them (the toy
    planes: 2.5 too, as toy-plane.js), so its fallback shows the page's ticks.
    """
    span = hi - lo
    if not (span > 0 and math.isfinite(span)):
        return [lo]
    n = count if count >= 1 else 1
    if not span / n > 1e-300:  # no power of ten to step by (10^-324 is 0)
        return [lo, hi]
    # climb the ladder 1, 2, 5, 10, 20... x 10^e from the power of ten below span / n
    e, i = math.floor(math.log10(span / n)), 0
    while span / (steps[i] * _pow10(e)) > n:
        i += 1
        if i == len(steps):
            i, e = 0, e + 1
    for _ in range(3):
        step = steps[i] * _pow10(e)
        if not (0 < step < math.inf):
            break
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last >= first:
            return [float(f"{k * step:.12g}") + 0.0 for k in range(first, last + 1)]
        # no multiple of the step inside (a range shorter than the step): one rung finer
        i -= 1
        if i < 0:
            i, e = len(steps) - 1, e - 1
    return [lo, hi]


def pixel_map(box: tuple[float, float, float, float], domain: dict):
    """``to_pixel(x, y)``: data units in ``domain`` ({"x": [x0, x1], "y": [y0, y1]}) to pixels in
    ``box`` = (left, top, width, height), y up."""
    left, top, width, height = box
    (x0, x1), (y0, y1) = domain["x"], domain["y"]

    def to_pixel(x, y):
        return left + (x - x0) / (x1 - x0) * width, top + (y1 - y) / (y1 - y0) * height

    return to_pixel


def axes(draw, box: tuple[float, float, float, float], domain: dict, *, font, frame=FRAME):
    """A frame round ``box`` with tick marks and values along its bottom and left edges; returns ``to_pixel``."""
    to_pixel = pixel_map(box, domain)
    left, top, width, height = box
    (x0, x1), (y0, y1) = domain["x"], domain["y"]
    draw.rectangle((left, top, left + width, top + height), outline=frame)
    for v in nice_ticks(x0, x1):
        px, _ = to_pixel(v, y0)
        draw.line((px, top + height, px, top + height + 4), fill=MUTED)
        draw.text((px, top + height + 6), f"{v:g}", fill=MUTED, font=font, anchor="ma")
    for v in nice_ticks(y0, y1):
        _, py = to_pixel(x0, v)
        draw.line((left - 4, py, left, py), fill=MUTED)
        draw.text((left - 6, py), f"{v:g}", fill=MUTED, font=font, anchor="rm")
    return to_pixel


# ---- legends and scatter plots ----------------------------------------------------------------------------


def legend(
    draw,
    names: list[str],
    colours,
    *,
    width: int,
    y: float,
    font,
    radius: int = 5,
    ink=LEGEND_INK,
    outline=None,
    step: float | None = None,
    lead: float = 0,
    per_row: int | None = None,
    row_height: int = 18,
) -> None:
    """Round swatches with their names, in rows centred across ``width``; ``y`` is the first row's middle.

    With ``step`` every entry takes ``step`` px, its swatch ``lead`` px in; without, an
    entry is its swatch, 4 px, its name and 4 px more, with 14 px between entries.
    ``per_row`` entries to a row (default: one row), ``row_height`` px apart.
    """
    per_row = per_row or len(names)
    for start in range(0, len(names), per_row):
        row = range(start, min(start + per_row, len(names)))
        middle = y + row_height * (start // per_row)
        if step:
            x, advances = (width - step * len(row)) / 2 + lead, [step] * len(row)
        else:
            widths = [2 * radius + 8 + draw.textlength(names[i], font=font) for i in row]
            x, advances = (width - (sum(widths) + 14 * (len(row) - 1))) / 2, [w + 14 for w in widths]
        for i, advance in zip(row, advances):
            draw.ellipse(
                (x, middle - radius, x + 2 * radius, middle + radius),
                fill=hex_rgb(colours[i % len(colours)]),
                outline=outline,
            )
            draw.text((x + 2 * radius + 4, middle), names[i], fill=ink, font=font, anchor="lm")
            x += advance


def with_legend(image, names: list[str], colours, *, height: int, y: float, size: int = 12, **options):
    """``image`` on a white sheet ``height`` px taller with a :func:`legend` in the strip below it
    (its first row's middle ``y`` px under the image)."""
    from PIL import Image, ImageDraw

    sheet = Image.new("RGB", (image.width, image.height + height), "white")
    sheet.paste(image, (0, 0))
    legend(ImageDraw.Draw(sheet), names, colours, width=sheet.width, y=image.height + y, font=font(size), **options)
    return sheet


def scatter(
    codes: np.ndarray,
    labels: np.ndarray,
    domain: dict,
    width: int,
    height: int,
    *,
    margin=(44, 10, 30, 10),
    radius: float = 1.6,
    colours=TABLEAU10,
    alpha: int = 170,
    font_size: int = 11,
):
    """A white image of 2-D points as class-tinted translucent dots over ``domain``, with :func:`axes`.

    ``margin`` is (left, top, bottom, right). Returns ``(image, to_pixel)``, where
    ``to_pixel(x, y)`` maps data units to image pixels (for drawing on top).
    """
    from PIL import Image, ImageDraw

    left, top, bottom, right = margin
    box = (left, top, width - left - right, height - top - bottom)
    to_pixel = pixel_map(box, domain)
    image = Image.new("RGB", (width, height), "white")
    dots = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(dots)
    rgb = [hex_rgb(c) for c in colours]
    for (x, y), label in zip(codes, labels):
        px, py = to_pixel(x, y)
        draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=(*rgb[int(label) % len(rgb)], alpha))
    image.paste(dots, (0, 0), dots)
    axes(ImageDraw.Draw(image), box, domain, font=font(font_size))
    return image, to_pixel


def dashed_line(draw, points: list[tuple[float, float]], fill, *, width: int = 1, dash: float = 6, gap: float = 4):
    """A dashed polyline."""
    on, left = True, dash
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < length - 1e-9:
            step = min(left, length - pos)
            if on:
                a, b = pos / length, (pos + step) / length
                draw.line(
                    [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                    fill=fill,
                    width=width,
                )
            pos += step
            left -= step
            if left <= 1e-9:
                on = not on
                left = dash if on else gap


# ---- images -----------------------------------------------------------------------------------------------


def to_u8(values) -> np.ndarray:
    """Images with values in [0, 1] as uint8 (rounded, clipped)."""
    return np.rint(np.clip(np.asarray(values, np.float64), 0, 1) * 255).astype(np.uint8)


def tile(values, size: int):
    """A decoded image (floats in [0, 1]) as a ``size`` px square grayscale tile, white on black like MNIST.

    Rounded in the model's own precision (float32), not through :func:`to_u8`.
    """
    from PIL import Image

    pixels = np.rint(np.clip(values, 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(pixels, "L").resize((size, size), Image.NEAREST)


def sprite(images, cols: int | None = None) -> np.ndarray:
    """Images (N, H, W) uint8 tiled into one row-major (rows*H, cols*W) sheet; ``cols`` defaults to N."""
    n, h, w = images.shape
    cols = cols or n
    rows = -(-n // cols)
    sheet = np.zeros((rows * h, cols * w), np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        sheet[r * h : (r + 1) * h, c * w : (c + 1) * w] = image
    return sheet


def labelled_grid(images: np.ndarray, labels: list[str], cols: int, *, scale: int = 2, pad: int = 6):
    """A white sheet of enlarged grayscale images (dark ink on white) with a label under each."""
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
        small = Image.fromarray(255 - image if image.mean() < 128 else image, "L")
        sheet.paste(small.resize((w * scale, h * scale), Image.NEAREST), (x, y))
        if labels[i]:
            draw.text((x + w * scale / 2, y + h * scale + 2), labels[i], fill=40, anchor="ma")
    return sheet


def exact_palette(image, exact, colours: int = 128):
    """``image`` as a palette image of ``colours`` entries (about half the bytes of RGB as a PNG).

    The ``exact`` colours ((r, g, b) or "#rrggbb") stay exact; the rest of the palette
    is fitted (median cut) and every pixel takes its nearest entry.
    """
    from PIL import Image

    rgb = np.asarray(image.convert("RGB"))
    exact = [hex_rgb(c) if isinstance(c, str) else tuple(c) for c in exact]
    fitted = Image.fromarray(rgb).quantize(colours - len(exact), method=Image.Quantize.MEDIANCUT)
    palette = np.vstack([exact, np.reshape(fitted.getpalette()[: 3 * (colours - len(exact))], (-1, 3))]).astype(int)
    unique, inverse = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
    nearest = ((unique[:, None, :].astype(int) - palette[None]) ** 2).sum(-1).argmin(1).astype(np.uint8)
    out = Image.fromarray(nearest[inverse.ravel()].reshape(rgb.shape[:2]), "P")
    out.putpalette(palette.astype(np.uint8).ravel().tolist())
    return out


def reduce(image, size: tuple[int, int], colours: int):
    """``image`` drawn larger (for smooth dots) brought down to ``size`` and ``colours`` palette entries."""
    from PIL import Image

    small = image.resize(size, Image.Resampling.LANCZOS)
    return small.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
