"""Figure kind ``train-in-page``: train the MNIST dense autoencoder in the reader's browser.

The page builds the same dense architecture as the build's ``mnist_ae`` model
(``[models.mnist_ae]`` in site.toml: ReLU hidden layers, linear 2-D code,
sigmoid output, binary cross-entropy, Adam) in TF.js and fits it on a few
hundred training digits. A separate set of held-out test digits, never trained
on, is what *Sample* shows. The payload is:

- ``train.u8`` / ``test.u8``: uint8 images (N, H, W), row-major;
- ``test-labels.u8``: one uint8 label per held-out image (named when sampled);
- ``config.json``: layer widths, hyper-parameters, file names, the build
  model's held-out loss (a reference line in the loss chart);
- ``fallback.png``: the layer diagram plus input/reconstruction pairs made by
  the build-time Keras model on held-out digits.
"""

from __future__ import annotations

import math

import numpy as np

from ..draw import ACCENT, BORDER, INK, MUTED, WHITE, font
from ..payload import Payload, source_of
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages import dataset_request
from ..stages.data import load_arrays
from ..stages.train import train_request

KIND = "train-in-page"
OPTIONS = {
    "train_count": Field("int", 500, "Training digits shipped to the page.", 20, 2000),
    "test_count": Field("int", 100, "Held-out digits shipped for Sample (never trained on).", 10, 500),
    "epochs": Field("int", 10, "Epochs one click on Train runs.", 1, 200),
    "batch_size": Field("int", 32, "Digits per gradient step in the page.", 4, 256),
}
MODEL = "mnist_ae"
FALLBACK_PAIRS = 6


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


def layer_widths(image_shape, hidden, latent_dim) -> list[int]:
    """Units per layer of the dense autoencoder, input to output (e.g. 784-256-128-2-128-256-784)."""
    pixels = math.prod(image_shape)
    return [pixels, *hidden, latent_dim, *reversed(hidden), pixels]


def layer_roles(widths: list[int]) -> list[str]:
    """What each layer of ``layer_widths`` computes."""
    middle = len(widths) // 2
    return [
        "input" if i == 0 else "sigmoid" if i == len(widths) - 1 else "code" if i == middle else "ReLU"
        for i in range(len(widths))
    ]


def draw_diagram(
    draw, widths: list[int], box: tuple[int, int, int, int], *, fg=40, bar=ACCENT, link=BORDER, min_height=4
) -> None:
    """Layers as bars whose heights are proportional to their widths, joined by fans."""
    left, top, right, bottom = box
    label_h = 34
    height = bottom - top - label_h
    mid = top + height / 2
    step = (right - left) / len(widths)
    bar_w = max(6, min(18, step * 0.3))
    big = max(widths)
    spans = []
    for i, n in enumerate(widths):
        h = max(min_height, height * n / big)
        cx = left + step * (i + 0.5)
        spans.append((cx, mid - h / 2, mid + h / 2))
    for (x0, t0, b0), (x1, t1, b1) in zip(spans, spans[1:]):
        draw.polygon(
            [(x0 + bar_w / 2, t0), (x1 - bar_w / 2, t1), (x1 - bar_w / 2, b1), (x0 + bar_w / 2, b0)], fill=link
        )
    big_font, small = font(13), font(11)
    for (cx, t, b), n, role in zip(spans, widths, layer_roles(widths)):
        draw.rectangle([cx - bar_w / 2, t, cx + bar_w / 2, b], fill=bar)
        draw.text((cx, top + height + 4), f"{n:,}", fill=fg, font=big_font, anchor="ma")
        draw.text((cx, top + height + 20), role, fill=MUTED, font=small, anchor="ma")


def fallback_image(widths: list[int], inputs: np.ndarray, outputs: np.ndarray, labels: np.ndarray):
    """The diagram above a row of held-out input / reconstruction pairs."""
    from PIL import Image, ImageDraw

    scale, pad = 3, 10
    n, h, w = inputs.shape
    cell_w = 2 * w * scale + pad
    width = max(640, n * (cell_w + pad) + pad)
    diagram_h = 200
    height = diagram_h + h * scale + 60
    sheet = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(sheet)
    draw.text((pad, pad), "Encoder", fill=MUTED, font=font(13))
    draw.text((width - pad, pad), "Decoder", fill=MUTED, font=font(13), anchor="ra")
    draw_diagram(draw, widths, (pad, pad + 20, width - pad, diagram_h), fg=INK)
    y = diagram_h + 24
    draw.text(
        (width / 2, diagram_h + 4),
        "Held-out digits (left) and the build model's reconstructions (right)",
        fill=MUTED,
        font=font(13),
        anchor="ma",
    )
    x0 = (width - n * (cell_w + pad) + pad) / 2
    for i in range(n):
        x = int(x0 + i * (cell_w + pad))
        for j, image in enumerate((inputs[i], outputs[i])):
            tile = Image.fromarray(255 - image, "L").resize((w * scale, h * scale), Image.NEAREST)
            sheet.paste(tile.convert("RGB"), (x + j * (w * scale + 2), y))
        draw.rectangle([x - 1, y - 1, x + cell_w - pad + 2, y + h * scale], outline=BORDER)
        draw.text(
            (x + cell_w / 2 - pad / 2, y + h * scale + 6), f"a {int(labels[i])}", fill=MUTED, font=font(12), anchor="ma"
        )
    return sheet


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"data": Request("dataset", p["data"]), "model": Request("train", p["model"])},
    libs=("numpy", "pillow", "tensorflow-cpu", "keras"),
    label=lambda p: f"figure train-in-page ({p['train_count']} + {p['test_count']} digits)",
)
def payload(ctx: Context) -> dict:
    from ..stages.train import rebuild

    p = ctx.params
    arrays = load_arrays(ctx.inputs["data"])
    x_train, x_test, y_test = (arrays[k] for k in ("x_train", "x_test", "y_test"))
    n_train, n_test = min(p["train_count"], len(x_train)), min(p["test_count"], len(x_test))
    image_shape = tuple(int(s) for s in x_train.shape[1:])
    hyper = p["model"]["hyper"]
    widths = layer_widths(image_shape, hyper["hidden"], hyper["latent_dim"])

    files = {"train.u8": x_train[:n_train], "test.u8": x_test[:n_test], "test-labels.u8": y_test[:n_test]}
    for name, array in files.items():
        (ctx.out / name).write_bytes(np.ascontiguousarray(array, dtype=np.uint8).tobytes())

    # The build-time Keras model reconstructs a few held-out digits for the fallback image.
    models = rebuild(ctx.inputs["model"])
    picks = np.linspace(0, n_test - 1, FALLBACK_PAIRS).astype(int)
    shown = x_test[picks]
    decoded = models["autoencoder"].predict(shown.astype("float32") / 255.0, verbose=0)
    decoded = np.clip(np.rint(np.asarray(decoded) * 255), 0, 255).astype(np.uint8)
    fallback = fallback_image(widths, shown, decoded, y_test[picks])

    train_meta = ctx.inputs["model"].meta
    source = source_of(ctx)
    alt = (
        f"Diagram of the dense autoencoder, layer widths {'-'.join(map(str, widths))}, and "
        f"{FALLBACK_PAIRS} held-out digits beside their reconstructions by the model trained at build time."
    )
    config = {
        "image": list(image_shape),
        "layers": widths,
        "roles": layer_roles(widths),
        "hidden": list(hyper["hidden"]),
        "latent_dim": hyper["latent_dim"],
        "learning_rate": hyper["learning_rate"],
        "batch_size": p["batch_size"],
        "epochs": p["epochs"],
        "seed": p["seed"],
        "loss": "binary cross-entropy",
        "train": {"images": "train.u8", "count": int(n_train)},
        "test": {"images": "test.u8", "labels": "test-labels.u8", "count": int(n_test)},
        "reference": {
            "val_loss": round(train_meta["val_loss"], 5),
            "epochs": train_meta["epochs"],
            "train_count": int(len(x_train)),
        },
    }
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=fallback,
        sources=[source],
        layers=widths,
        train_count=int(n_train),
        test_count=int(n_test),
    )
