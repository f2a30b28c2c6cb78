"""Figure kind ``draw-digit``: draw a digit, see where the encoder puts it and what the decoder makes of it.

The reader draws on a pad (mouse, touch or pen) or picks a held-out test digit
by keyboard. The page downsamples the drawing to 28 x 28 as MNIST was made
(fit the ink into 20 x 20 by area averaging, centre by centre of mass), runs
the TF.js encoder, marks the code among the data's codes and paints the
decoder's reconstruction.

The models and the code positions are shared artifacts (the same files as
``decoder-sampler``). The payload holds ``config.json``, ``fallback.png``,
``labels.u8`` (one class per plotted point) and ``digits.u8`` (the test
digits, uint8 28 x 28 each) whose Keras codes are in the config: the test
fixture that proves the page's encoder lands where Keras does.
"""

from __future__ import annotations

import json

import numpy as np

from ..draw import BLACK, LEGEND_INK, TABLEAU10, WHITE, exact_palette, font, legend, scatter, tile
from ..payload import MNIST_CLASSES, Payload, export_info, pick_per_class, source_of
from ..pipeline import Context, Request, stage
from ..plane import MNIST_MODELS, code_transform, plane_domain
from ..schema import Field
from ..stages.data import load_arrays
from ..stages.export import export_request
from ..stages.layout import layout_request
from ..stages.train import train_request

KIND = "draw-digit"
OPTIONS = {
    "model": Field(
        "str", "mnist_ae", "Which trained MNIST autoencoder encodes the drawing.", choices=tuple(MNIST_MODELS)
    ),
    "points": Field("int", 10_000, "Most data points drawn on the plane.", 100, 70_000),
    "test_digits": Field("int", 10, "Held-out test digits offered by the 'Use a test digit' menu.", 2, 30),
}


def request(options: dict, cfg) -> Request:
    model = options["model"]
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "encoder": export_request(cfg, model, "encoder").params,
            "decoder": export_request(cfg, model, "decoder").params,
            "layout": layout_request(cfg, MNIST_MODELS[model]).params,
            "train": train_request(cfg, model).params,
        },
    )


def _inputs(p: dict) -> dict:
    return {
        "encoder": Request("export", p["encoder"]),
        "decoder": Request("export", p["decoder"]),
        "layout": Request("layout", p["layout"]),
        "train": Request("train", p["train"]),
        "data": Request("dataset", p["train"]["data"]),
    }


@stage(
    f"figure:{KIND}",
    inputs=_inputs,
    libs=("tensorflow-cpu", "keras", "numpy", "pillow"),
    label=lambda p: f"figure draw-digit ({p['model']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image, ImageDraw

    from ..stages.train import rebuild

    p = ctx.params
    out = Payload(ctx)
    train, layout = ctx.inputs["train"], ctx.inputs["layout"]
    arrays = load_arrays(ctx.inputs["data"])
    codes_all = np.load(train.file("codes.npy"))
    labels_all = np.concatenate([arrays["y_train"], arrays["y_test"]]).astype(np.uint8)
    if len(labels_all) != len(codes_all):
        raise ValueError("the data set and the model's codes do not cover the same points")
    transform = code_transform(
        codes_all,
        layout.file("positions.u16").read_bytes(),
        json.loads(layout.file("layout.json").read_text())["quant"],
    )
    n = min(p["points"], len(codes_all))
    (ctx.out / "labels.u8").write_bytes(labels_all[:n].tobytes())
    extent = json.loads(ctx.inputs["encoder"].file("extent.json").read_text())
    domain = plane_domain(extent)

    picks = pick_per_class(arrays["y_test"], p["test_digits"])
    digits = arrays["x_test"][picks]
    (ctx.out / "digits.u8").write_bytes(digits.astype(np.uint8).tobytes())
    models = rebuild(train)
    codes = np.asarray(models["encoder"].predict(digits.astype(np.float32) / 255.0, verbose=0), np.float64)
    recon = np.asarray(models["decoder"].predict(codes.astype(np.float32), verbose=0))
    height, width = digits.shape[1:]
    test = [
        {
            "label": str(int(arrays["y_test"][i])),
            "index": int(len(arrays["x_train"]) + i),
            "code": [round(float(v), 6) for v in code],
        }
        for i, code in zip(picks, codes)
    ]

    # fallback: test digit -> its place among the codes -> reconstruction
    plane, to_pixel = scatter(codes_all[:n], labels_all[:n], domain, 300, 300, margin=(40, 8, 26, 8))
    mx, my = to_pixel(*codes[0])
    marks = ImageDraw.Draw(plane)
    marks.ellipse((mx - 9, my - 9, mx + 9, my + 9), outline=(27, 31, 36), width=3)
    marks.ellipse((mx - 6, my - 6, mx + 6, my + 6), outline=(255, 255, 255), width=2)
    size = 112
    sheet = Image.new("RGB", (2 * size + plane.width + 80, plane.height + 50), "white")
    top = (plane.height - size) // 2
    sheet.paste(Image.fromarray(digits[0], "L").resize((size, size), Image.NEAREST).convert("RGB"), (10, top))
    sheet.paste(plane, (size + 40, 0))
    sheet.paste(tile(recon[0], size).convert("RGB"), (size + 70 + plane.width, top))
    draw = ImageDraw.Draw(sheet)
    for x in (size + 16, size + 48 + plane.width):
        draw.line((x, plane.height / 2, x + 18, plane.height / 2), fill=LEGEND_INK, width=2)
        draw.polygon(
            [(x + 18, plane.height / 2 - 5), (x + 24, plane.height / 2), (x + 18, plane.height / 2 + 5)],
            fill=LEGEND_INK,
        )
    draw.text(
        (10 + size / 2, top + size + 8), f"test digit ({test[0]['label']})", fill=LEGEND_INK, font=font(13), anchor="ma"
    )
    draw.text(
        (size + 70 + plane.width + size / 2, top + size + 8),
        "reconstruction",
        fill=LEGEND_INK,
        font=font(13),
        anchor="ma",
    )
    legend(draw, MNIST_CLASSES, TABLEAU10, width=sheet.width, y=plane.height + 12, font=font(12), step=34, lead=6)

    encoder_url, decoder_url, layout_url = (out.share(name) for name in ("encoder", "decoder", "layout"))
    x, y = codes[0]
    alt = (
        f"A held-out test digit {test[0]['label']}, the point where the encoder places it, at "
        f"({x:.2f}, {y:.2f}), among the codes of {n:,} MNIST digits coloured by class, and the "
        "decoder's reconstruction of that code."
    )
    config = {
        "model": p["model"],
        "encoder": encoder_url + "model/model.json",
        "decoder": decoder_url + "model/model.json",
        "positions": layout_url + "positions.u16",
        "labels": "labels.u8",
        "count": int(n),
        "code_from_q": {"scale": transform["scale"], "offset": transform["offset"]},
        "extent": extent,
        "domain": domain,
        "image": [int(height), int(width)],
        "digits": {"file": "digits.u8", "items": test},
        "colors": list(TABLEAU10),
        "classes": MNIST_CLASSES,
        "export": {"encoder": export_info(ctx.inputs["encoder"]), "decoder": export_info(ctx.inputs["decoder"])},
    }
    return out.finish(
        config,
        alt=alt,
        fallback=exact_palette(sheet, [WHITE, BLACK, *TABLEAU10]),
        sources=[source_of(ctx)],
        points=int(n),
        digits=[{"label": t["label"]} for t in test],
    )
