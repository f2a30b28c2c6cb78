"""Figure kind ``draw-digit``: draw a digit, see where the encoder puts it and what the decoder makes of it.

The reader draws on a pad (mouse, touch or pen) or picks a held-out test digit
by keyboard. The page downsamples the drawing to the model's image size as
MNIST was made (fit the ink into 20/28 of the field by area averaging, centre
by centre of mass), runs the TF.js encoder, marks the code among the data's
codes and paints the decoder's reconstruction. Any model with a 2-D code on
gray images works (MNIST's by default; an author's ``[models.<name>]`` on gray
data of any size, labelled or not: the texts then say "image").

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
from ..errors import ContentError
from ..payload import MNIST_CLASSES, Payload, class_names, export_info, pick_per_class, source_of
from ..pipeline import Context, Request, stage
from ..plane import code_transform, image_tile, plane_domain, plane_layout, plane_model
from ..schema import Field
from ..stages.data import load_arrays
from ..stages.export import export_request
from ..stages.train import train_request

KIND = "draw-digit"
OPTIONS = {
    "model": Field(
        "str",
        "mnist_ae",
        "Which trained autoencoder encodes the drawing: a model with a 2-D code on gray images (mnist_ae, "
        "mnist_vae, faces_ae, fashion_vae, fashion_cvae, or a [models.<name>] on a gray data set).",
    ),
    "points": Field("int", 10_000, "Most data points drawn on the plane.", 100, 70_000),
    "test_digits": Field("int", 10, "Held-out test digits offered by the 'Use a test digit' menu.", 2, 30),
}


def request(options: dict, cfg) -> Request:
    model = options["model"]
    info = plane_model(cfg, model)
    from ..datasets.registry import is_user_dataset

    dataset = info["dataset"]
    if is_user_dataset(cfg, dataset) and _in_colour(cfg, model, info):
        raise ContentError(colour_message(model, dataset))
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "encoder": export_request(cfg, model, "encoder").params,
            "decoder": export_request(cfg, model, "decoder").params,
            "layout": plane_layout(cfg, model, dataset).params,
            "train": train_request(cfg, model).params,
        },
    )


def _in_colour(cfg, model: str, info: dict) -> bool:
    """Whether a model (its ``model_info``) of an author's data set is known to be in colour before any stage
    runs: the set's declared or inferred colour (from a few of its images), or, for a model read from a .keras
    file, its decoder's output, (H, W, 3)."""
    from ..datasets.registry import user_datasets
    from ..models.checks import image_shapes, inspect
    from ..models.registry import user_models

    if user_datasets(cfg)[info["dataset"]]["color"] == "rgb":
        return True
    shapes = image_shapes(cfg, info["dataset"])
    if shapes and all(len(shape) == 3 for shape in shapes):
        return True
    if info["source"] != "file":
        return False
    image = inspect(user_models(cfg)[model], cfg.model_origins[model])["image"]
    return image is not None and len(image) == 3


def colour_message(model: str, dataset: str) -> str:
    return (
        f"draw-digit draws in gray, and model {model!r} is trained on colour images ({dataset!r}); "
        "use a model of a gray data set, or decoder-sampler for this one"
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
    data = ctx.inputs["data"]
    arrays = load_arrays(data)
    if arrays["x_train"].ndim == 4:  # a colour data set whose colour was inferred when it was read
        raise ContentError(colour_message(p["model"], data.meta["source"]["name"]))
    codes_all = np.load(train.file("codes.npy"))
    labelled = arrays["y_train"] is not None
    names = class_names(data) if labelled else []
    mnist = data.meta["source"]["name"] == "mnist"
    noun = "digit" if mnist else "image"
    if labelled:
        labels_all = np.concatenate([arrays["y_train"], arrays["y_test"]]).astype(np.uint8)
    else:
        labels_all = np.zeros(len(codes_all), np.uint8)
    if len(labels_all) != len(codes_all):
        raise ValueError("the data set and the model's codes do not cover the same points")
    transform = code_transform(
        codes_all,
        layout.file("positions.u16").read_bytes(),
        json.loads(layout.file("layout.json").read_text())["quant"],
    )
    n = min(p["points"], len(codes_all))
    if labelled:
        (ctx.out / "labels.u8").write_bytes(labels_all[:n].tobytes())
    extent = json.loads(ctx.inputs["encoder"].file("extent.json").read_text())
    domain = plane_domain(extent)

    if labelled:
        picks = pick_per_class(arrays["y_test"], p["test_digits"])
    else:
        picks = np.arange(min(p["test_digits"], len(arrays["x_test"])))
    digits = arrays["x_test"][picks]
    (ctx.out / "digits.u8").write_bytes(digits.astype(np.uint8).tobytes())
    models = rebuild(train)
    codes = np.asarray(models["encoder"].predict(digits.astype(np.float32) / 255.0, verbose=0), np.float64)
    recon = np.asarray(models["decoder"].predict(codes.astype(np.float32), verbose=0))
    height, width = digits.shape[1:]

    def label(i: int) -> str:
        if mnist:
            return str(int(arrays["y_test"][i]))
        return names[int(arrays["y_test"][i])] if labelled else f"image {int(i) + 1}"

    test = [
        {
            "label": label(i),
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
    if digits.shape[1:] == (28, 28):  # MNIST's fallback, as it always was
        shown, rebuilt = Image.fromarray(digits[0], "L").resize((size, size), Image.NEAREST), tile(recon[0], size)
    else:  # any other size: its own aspect
        shown, rebuilt = image_tile(digits[0] / 255.0, size), image_tile(recon[0], size)
    sheet.paste(shown.convert("RGB"), (10 + (size - shown.width) // 2, top + (size - shown.height) // 2))
    sheet.paste(plane, (size + 40, 0))
    left = size + 70 + plane.width
    sheet.paste(rebuilt.convert("RGB"), (left + (size - rebuilt.width) // 2, top + (size - rebuilt.height) // 2))
    draw = ImageDraw.Draw(sheet)
    for x in (size + 16, size + 48 + plane.width):
        draw.line((x, plane.height / 2, x + 18, plane.height / 2), fill=LEGEND_INK, width=2)
        draw.polygon(
            [(x + 18, plane.height / 2 - 5), (x + 24, plane.height / 2), (x + 18, plane.height / 2 + 5)],
            fill=LEGEND_INK,
        )
    draw.text(
        (10 + size / 2, top + size + 8),
        f"test {noun} ({test[0]['label']})",
        fill=LEGEND_INK,
        font=font(13),
        anchor="ma",
    )
    draw.text(
        (size + 70 + plane.width + size / 2, top + size + 8),
        "reconstruction",
        fill=LEGEND_INK,
        font=font(13),
        anchor="ma",
    )
    if names:
        legend(draw, names, TABLEAU10, width=sheet.width, y=plane.height + 12, font=font(12), step=34, lead=6)

    encoder_url, decoder_url, layout_url = (out.share(name) for name in ("encoder", "decoder", "layout"))
    x, y = codes[0]
    source = source_of(ctx)
    points = (
        f"{n:,} MNIST digits coloured by class"
        if mnist
        else f"{n:,} images from {source.get('title') or source['name']}"
    )
    if names and not mnist:
        points += " coloured by class"
    alt = (
        f"A held-out test {noun} {test[0]['label']}, the point where the encoder places it, at "
        f"({x:.2f}, {y:.2f}), among the codes of {points}, and the decoder's reconstruction of that code."
    )
    config = {
        "model": p["model"],
        "encoder": encoder_url + "model/model.json",
        "decoder": decoder_url + "model/model.json",
        "positions": layout_url + "positions.u16",
        "labels": "labels.u8" if labelled else None,
        "count": int(n),
        "code_from_q": {"scale": transform["scale"], "offset": transform["offset"]},
        "extent": extent,
        "domain": domain,
        "image": [int(height), int(width)],
        "digits": {"file": "digits.u8", "items": test},
        "colors": list(TABLEAU10),
        "classes": MNIST_CLASSES if mnist else names,
        "noun": noun,
        "export": {"encoder": export_info(ctx.inputs["encoder"]), "decoder": export_info(ctx.inputs["decoder"])},
    }
    return out.finish(
        config,
        alt=alt,
        fallback=exact_palette(sheet, [WHITE, BLACK, *TABLEAU10]),
        sources=[source],
        points=int(n),
        noun=noun,
        digits=[{"label": t["label"], "text": f"a {t['label']}" if mnist else t["label"]} for t in test],
    )
