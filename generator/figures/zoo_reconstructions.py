"""Figure kind ``zoo-reconstructions``: test images above each zoo model's reconstructions.

At build, every model (``generator.stages.train.rebuild``) reconstructs the
same fixed test images: the first of each class, then the second, up to
``count``. The denoising model gets those images with seeded Gaussian noise
(sigma 0.5, clipped, like its training) and its row shows the noisy input too.
The payload holds one uint8 PNG strip per data set (the originals), one per
model (its reconstructions; the denoiser also its noisy inputs), per-image
losses in ``config.json``, and a fallback image with every model at once.

The models may be an author's ``[models.<name>]`` (trained, or read from a .keras file; all of one data
set): RGB images stay in colour (RGB PNG strips), and an unlabelled data set shows its first test images,
named "image 1", "image 2", ... (``labelled`` false in the data set's entry of ``config.json``).
"""

from __future__ import annotations

import numpy as np

from ..draw import INK, MUTED, OKABE_ITO, font, plain, sprite, to_u8
from ..errors import ContentError
from ..payload import (
    Payload,
    as_input,
    class_names,
    dataset_inputs,
    dataset_params,
    from_input,
    pick_per_class,
    sources_of,
    zoo_keys,
)
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.data import load_arrays

KIND = "zoo-reconstructions"
OPTIONS = {
    "models": Field(
        "strs",
        list(zoo_keys()),
        "Models in the picker, in order: the zoo's (as for zoo-table) or the author's [models.<name>] (all of one "
        "data set).",
    ),
    "count": Field("int", 10, "Test images shown (spread over the classes: one per class, then two...).", 1, 20),
    "initial": Field("str", "", "Model shown first, one of `models` (default: the first)."),
}
NOISE = 0.5  # the denoiser's training noise when its hyper-parameters do not say: x + 0.5 * N(0, 1), clipped
NOISE_SALT = 3  # a noise stream of its own (training uses 1, validation 2)


def request(options: dict, cfg) -> Request:
    from ..stages.train import train_request
    from ..stages.zoo import entries

    chosen = entries(cfg, options["models"])
    if options["initial"] and options["initial"] not in options["models"]:
        raise ContentError(
            f"figure option 'initial' is {options['initial']!r}, which is not one of the figure's models "
            f"({', '.join(options['models'])}); add it to `models` or pick one of those"
        )
    rows = [{**e, "train": as_input(train_request(cfg, e["key"]))} for e in chosen]
    return Request(
        f"figure:{KIND}", {**options, "rows": rows, "seed": cfg["build.seed"], "data": dataset_params(cfg, rows)}
    )


def denoises(row: dict) -> bool:
    """True for the zoo's denoiser: trained on noisy inputs (its hyper-parameters have a noise factor)."""
    return "noise" in row["train"]["params"].get("hyper", {})


def strip(images: np.ndarray) -> np.ndarray:
    """Images (N, H, W) or (N, H, W, 3) uint8 side by side: (H, N*W) or (H, N*W, 3)."""
    return np.concatenate(list(images), axis=1) if len(images) else images.reshape(images.shape[1:])


def picture(pixels: np.ndarray):
    """A uint8 array as a Pillow image: gray (H, W) or RGB (H, W, 3)."""
    from PIL import Image

    return Image.fromarray(pixels, "RGB" if pixels.ndim == 3 else "L")


def noisy(images: np.ndarray, factor: float, seed: int) -> np.ndarray:
    """``images`` in [0, 1] plus seeded Gaussian noise of sigma ``factor``, clipped (as in training)."""
    from ..models.zoo import add_noise

    return add_noise(images, factor, seed, NOISE_SALT)


def bce_per_image(x: np.ndarray, y: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """Mean per-pixel binary cross-entropy of reconstructions ``y`` against targets ``x`` (both in [0, 1])."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    y = np.clip(np.asarray(y, dtype=np.float64).reshape(len(y), -1), eps, 1 - eps)
    return -(x * np.log(y) + (1 - x) * np.log(1 - y)).mean(axis=1)


def draw_fallback(rows: list[tuple[str, np.ndarray]], labels: list[str], *, scale: int = 2):
    """Labelled image rows (label, uint8 (N, H, W) or (N, H, W, 3)); class names above the first row."""
    from PIL import Image, ImageDraw

    n, h, w = rows[0][1].shape[:3]
    label_w, gap, pad, head = 190, 2, 12, 18
    width = pad * 2 + label_w + n * (w * scale + gap)
    row_h = h * scale + gap
    height = (
        pad * 2
        + head
        + sum(row_h + (8 if text.startswith("Original") and i else 0) for i, (text, _) in enumerate(rows))
    )
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fg, muted = INK, MUTED
    for j, name in enumerate(labels):
        draw.text(
            (pad + label_w + j * (w * scale + gap) + w * scale / 2, pad + head - 4),
            name[:11],
            fill=muted,
            font=font(10),
            anchor="ms",
        )
    y = pad + head
    for i, (text, images) in enumerate(rows):
        if text.startswith("Original") and i:
            y += 8
        draw.text(
            (pad + label_w - 8, y + h * scale / 2),
            plain(text),
            fill=fg if text.startswith("Original") else muted,
            font=font(12),
            anchor="rm",
        )
        for j, image in enumerate(images):
            tile = picture(image).resize((w * scale, h * scale), Image.NEAREST)
            img.paste(tile.convert("RGB"), (pad + label_w + j * (w * scale + gap), y))
        y += row_h
    return img


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {**{row["key"]: from_input(row["train"]) for row in p["rows"]}, **dataset_inputs(p)},
    libs=("numpy", "pillow", "tensorflow-cpu", "keras"),
    label=lambda p: f"figure zoo-reconstructions ({len(p['rows'])} models, {p['count']} images)",
)
def payload(ctx: Context) -> dict:
    from ..stages.train import rebuild
    from ..stages.zoo import reconstruct

    p = ctx.params
    originals, cell = {}, None
    for dataset in p["data"]:
        data = ctx.inputs[f"data:{dataset}"]
        arrays = load_arrays(data)
        labelled = arrays["y_test"] is not None
        if labelled:
            chosen = pick_per_class(arrays["y_test"], p["count"])
            names = class_names(dataset if dataset in ("mnist", "fashion-mnist") else data)
            labels = [names[int(arrays["y_test"][i])] for i in chosen]
        else:  # no classes: the first test images, by number
            chosen = np.arange(min(p["count"], len(arrays["x_test"])))
            labels = [f"image {k + 1}" for k in range(len(chosen))]
        images = arrays["x_test"][chosen]
        cell = list(images.shape[1:3])
        file = f"original-{dataset}.png"
        gray = images.ndim == 3
        (picture(sprite(images)) if gray else picture(strip(images))).save(ctx.out / file, optimize=True)
        originals[dataset] = {
            "file": file,
            "labels": labels,
            "labelled": labelled,
            "color": not gray,
            "indices": chosen.tolist(),
            "images": images,
            "title": data.meta.get("source", {}).get("title") or dataset,
        }
    bar = ctx.progress(len(p["rows"]), "reconstruct")
    models, fallback_rows = [], []
    last_dataset = None
    for i, row in enumerate(p["rows"]):
        key, dataset = row["key"], row["dataset"]
        clean = originals[dataset]["images"].astype("float32") / 255.0
        denoiser = denoises(row)
        noise = float(row["train"]["params"].get("hyper", {}).get("noise", NOISE))
        inputs = noisy(clean, noise, p["seed"]) if denoiser else clean
        output = reconstruct(rebuild(ctx.inputs[key]), inputs)
        recon = to_u8(output)
        losses = bce_per_image(clean, output)
        entry = {
            "key": key,
            "title": row.get("title", key),
            "short": row.get("short", key),
            "dataset": dataset,
            "summary": row.get("summary", ""),
            "colour": OKABE_ITO[i % len(OKABE_ITO)],
            "reconstructions": f"recon-{key}.png",
            "noisy": None,
            "bce": [round(float(v), 5) for v in losses],
            "mean_bce": round(float(losses.mean()), 5),
            "noise": noise if denoiser else None,
        }
        picture(sprite(recon) if recon.ndim == 3 else strip(recon)).save(
            ctx.out / entry["reconstructions"], optimize=True
        )
        if dataset != last_dataset:
            title = {"fashion-mnist": "Fashion-MNIST", "mnist": "MNIST"}.get(dataset, originals[dataset]["title"])
            fallback_rows.append((f"Original ({title})", originals[dataset]["images"]))
            last_dataset = dataset
        if denoiser:
            entry["noisy"] = f"noisy-{key}.png"
            noisy_u8 = to_u8(inputs)
            picture(sprite(noisy_u8)).save(ctx.out / entry["noisy"], optimize=True)
            fallback_rows.append((f"{entry['short']}: noisy input", noisy_u8))
        fallback_rows.append((entry["short"], recon))
        models.append(entry)
        bar(i + 1)
    bar.close()
    first = next(iter(originals.values()))
    image = draw_fallback(fallback_rows, first["labels"])
    initial = p["initial"] if p["initial"] in [m["key"] for m in models] else models[0]["key"]
    count = len(first["labels"])
    alt = (
        f"{count} test images and their reconstructions by each of {len(models)} autoencoders "
        f"({', '.join(m['short'] for m in models)})"
        + ("; the denoiser's row also shows its noisy input." if any(m["noisy"] for m in models) else ".")
    )
    config = {
        "cell": cell,
        "count": count,
        "initial": initial,
        "datasets": {d: {k: v for k, v in o.items() if k != "images"} for d, o in originals.items()},
        "models": models,
    }
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=image,
        sources=sources_of(ctx, p),
        initial=initial,
        models=[{k: m[k] for k in ("key", "title", "short", "dataset", "mean_bce")} for m in models],
    )
