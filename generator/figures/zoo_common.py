"""Shared pieces of the autoencoder-zoo figures (article 3).

Class names, the models' colours, and lazy access to the zoo's model list and
evaluation requests. ``generator.stages.zoo`` is imported only when a zoo
figure is requested, so figure discovery never depends on it (and no-op
rebuilds never import TensorFlow).
"""

from __future__ import annotations

import numpy as np

from ..pipeline import Request
from .common import sprite

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]
MNIST_CLASSES = [str(d) for d in range(10)]
# One colour per model, in ZOO order: Okabe-Ito's colour-blind-safe set plus a slate grey.
# Dark enough for lines on white (>= 3:1) and light enough on the dark theme.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5195", "#5f6b7a"]


def class_names(dataset: str) -> list[str]:
    """Human names of the ten classes of ``dataset`` ("fashion-mnist" or "mnist")."""
    return FASHION_CLASSES if dataset == "fashion-mnist" else MNIST_CLASSES


def zoo() -> list[dict]:
    """The zoo's models in table order (``generator.stages.zoo.ZOO``)."""
    from ..stages.zoo import ZOO

    return [dict(entry) for entry in ZOO]


def zoo_keys() -> tuple[str, ...]:
    """Model keys of the zoo, or the contract's keys when the zoo module is not importable yet."""
    try:
        return tuple(entry["key"] for entry in zoo())
    except ImportError:
        return ("fashion_simple", "fashion_sparse", "fashion_deep", "fashion_conv", "fashion_denoise",
                "fashion_vae", "fashion_cvae", "mnist_rmsprop")


def evaluate_request(cfg, key: str) -> Request:
    from ..stages.zoo import evaluate_request as make

    return make(cfg, key)


def as_input(request: Request) -> dict:
    """A request as JSON params (stage + params), so a stage can ask for it again in ``inputs``."""
    return {"stage": request.stage, "params": request.params}


def from_input(record: dict) -> Request:
    return Request(record["stage"], record["params"])


def dataset_params(cfg, rows: list[dict]) -> dict:
    """Dataset request params of every data set the ``rows`` (zoo entries) use, for credit records."""
    from ..stages import dataset_request

    return {d: dataset_request(cfg, d).params for d in sorted({r["dataset"] for r in rows})}


def dataset_inputs(params: dict) -> dict[str, Request]:
    """Stage inputs ``data:<name>`` for the ``params["data"]`` made by :func:`dataset_params`."""
    return {f"data:{d}": Request("dataset", p) for d, p in params["data"].items()}


def sources_of(ctx, params: dict) -> list[dict]:
    """The credit records of the data sets behind a zoo figure."""
    return [dict(ctx.inputs[f"data:{d}"].meta["source"]) for d in sorted(params["data"])]


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def font(size: int):
    """Pillow's default font at ``size`` px (a bitmap font on Pillow without FreeType)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:
        return ImageFont.load_default()


PIL_SAFE = str.maketrans({"—": "-", "–": "-", "→": "->", "÷": "/", "×": "x", "≤": "<=", "≥": ">="})


def pil_text(text: str) -> str:
    """``text`` with the characters Pillow's default font lacks replaced by ASCII look-alikes."""
    return text.translate(PIL_SAFE)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten)."""
    import math

    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 12) for k in range(first, int(math.floor(hi / step + 1e-9)) + 1)]


def dashed_line(draw, points: list[tuple[float, float]], fill, *, width: int = 1, dash: float = 6, gap: float = 4):
    """A dashed polyline on a Pillow ``ImageDraw``."""
    import math

    on, left = True, dash
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < length - 1e-9:
            step = min(left, length - pos)
            if on:
                a, b = pos / length, (pos + step) / length
                draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                          fill=fill, width=width)
            pos += step
            left -= step
            if left <= 1e-9:
                on = not on
                left = dash if on else gap


def to_u8(images: np.ndarray) -> np.ndarray:
    """Images in [0, 1] as uint8 (rounded, clipped)."""
    return np.clip(np.rint(np.asarray(images, dtype=np.float64) * 255), 0, 255).astype(np.uint8)


def bce_per_image(x: np.ndarray, y: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """Mean per-pixel binary cross-entropy of reconstructions ``y`` against targets ``x`` (both in [0, 1])."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    y = np.clip(np.asarray(y, dtype=np.float64).reshape(len(y), -1), eps, 1 - eps)
    return -(x * np.log(y) + (1 - x) * np.log(1 - y)).mean(axis=1)


def pick_per_class(labels: np.ndarray, count: int) -> np.ndarray:
    """Indices of ``count`` test images spread over the classes: the first of each class, then the second..."""
    classes = np.unique(labels)
    per = -(-count // len(classes))
    columns = [np.flatnonzero(labels == c)[:per] for c in classes]
    chosen = [col[i] for i in range(per) for col in columns if i < len(col)]
    return np.array(chosen[:count], dtype=np.int64)


def fmt(value: float | None, digits: int = 3) -> str:
    """A loss for people: fixed decimals, an en dash for a missing value."""
    return "—" if value is None else f"{value:.{digits}f}"
