"""Figure kind ``zoo-anomaly``: how unusual each test image looks to one autoencoder.

The score is a test image's reconstruction error (mean per-pixel binary
cross-entropy of the clean input), from the ``evaluate`` artifact's
``errors.f32``. The page draws its distribution per class and the images with
the highest scores. The payload: ``errors.f32`` (little-endian float32, one per
test image), ``labels.u8``, ``unusual.png`` (the top images above the model's
reconstructions of them), ``config.json`` and ``fallback.png``.

The model may be an author's ``[models.<name>]`` (trained, or read from a .keras file): RGB images stay
in colour; an unlabelled data set is one row, "all images", and its images are named by number
(``labelled`` false in ``config.json``).
"""

from __future__ import annotations

import json
import math

import numpy as np

from ..draw import ACCENT, INK, MUTED, font, nice_ticks, plain, sprite, to_u8
from ..errors import ContentError
from ..payload import (
    Payload,
    as_input,
    class_names,
    dataset_inputs,
    dataset_params,
    evaluate_request,
    from_input,
    sources_of,
)
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.data import load_arrays

KIND = "zoo-anomaly"
OPTIONS = {
    "model": Field(
        "str",
        "fashion_conv",
        "The model whose reconstruction error scores the images: one of the zoo's (as for zoo-table) or the "
        "author's [models.<name>].",
    ),
    "top": Field("int", 12, "Most unusual test images shown as thumbnails.", 1, 40),
}


UNLABELLED = "all images"  # the one row of an unlabelled data set
MAX_CLASSES = 256  # labels travel as uint8


def request(options: dict, cfg) -> Request:
    from ..stages.train import train_request
    from ..stages.zoo import entries

    (entry,) = entries(cfg, [options["model"]], "model")
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "entry": entry,
            "evaluate": as_input(evaluate_request(cfg, options["model"])),
            "train": as_input(train_request(cfg, options["model"])),
            "data": dataset_params(cfg, [entry]),
        },
    )


def class_stats(errors: np.ndarray, labels: np.ndarray, classes: int) -> list[dict]:
    """Per-class count, quartiles, whiskers (1.5 IQR, clamped to the data) and maximum."""
    out = []
    for c in range(classes):
        e = np.sort(errors[labels == c])
        if not len(e):
            out.append({"class": c, "count": 0})
            continue
        q1, median, q3 = (float(np.quantile(e, q)) for q in (0.25, 0.5, 0.75))
        iqr = q3 - q1
        low = float(e[e >= q1 - 1.5 * iqr].min())
        high = float(e[e <= q3 + 1.5 * iqr].max())
        out.append(
            {
                "class": c,
                "count": int(len(e)),
                "q1": q1,
                "median": median,
                "q3": q3,
                "low": low,
                "high": high,
                "min": float(e[0]),
                "max": float(e[-1]),
                "mean": float(e.mean()),
                "outliers": int((e > high).sum()),
            }
        )
    return out


def draw_fallback(
    stats: list[dict],
    names: list[str],
    errors: np.ndarray,
    labels: np.ndarray,
    top: list[dict],
    thumbs: np.ndarray,
    title: str,
):
    """Horizontal box plots per class with outlier dots, then the top images with their scores."""
    from PIL import Image, ImageDraw

    width, left, right, top_y = 960, 120, 24, 40
    row_h = 30
    plot_h = row_h * len(stats)
    thumb_scale = 2
    n_top, h, w = thumbs.shape[:3]
    per_row = max(1, (width - 2 * 16) // (w * thumb_scale + 18))
    thumb_rows = -(-n_top // per_row)
    height = top_y + plot_h + 46 + 26 + thumb_rows * (h * thumb_scale + 34) + 10
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fg, muted, accent, hot = INK, MUTED, ACCENT, (213, 94, 0)
    per = " by class" if len(stats) > 1 or names != [UNLABELLED] else ""
    draw.text((16, 10), plain(f"Reconstruction error per test image{per} ({title})"), fill=fg, font=font(15))
    lo, hi = (float(errors.min()), float(errors.max())) if len(errors) else (0.0, 1.0)
    lo, hi = max(0.0, lo - (hi - lo) * 0.04), hi + (hi - lo) * 0.04 + 1e-9
    x = lambda v: left + (width - left - right) * (v - lo) / (hi - lo)  # noqa: E731
    ticks = [t for t in nice_ticks(lo, hi, 6) if lo <= t <= hi]
    step = min((b - a for a, b in zip(ticks, ticks[1:])), default=0.1)
    decimals = max(2, -math.floor(math.log10(step))) if step > 0 else 2  # a narrow range needs more digits
    for t in ticks:
        draw.line([(x(t), top_y), (x(t), top_y + plot_h)], fill=(236, 239, 242))
        draw.text((x(t), top_y + plot_h + 6), f"{t:.{decimals}f}", fill=muted, font=font(11), anchor="ma")
    draw.text(
        ((left + width - right) / 2, top_y + plot_h + 24),
        "mean per-pixel binary cross-entropy",
        fill=muted,
        font=font(12),
        anchor="ma",
    )
    flagged = {t["index"] for t in top}
    for i, s in enumerate(stats):
        cy = top_y + i * row_h + row_h / 2
        draw.text((left - 10, cy), names[s["class"]], fill=fg, font=font(12), anchor="rm")
        if not s["count"]:
            continue
        draw.line([(x(s["low"]), cy), (x(s["high"]), cy)], fill=muted)
        for v in (s["low"], s["high"]):
            draw.line([(x(v), cy - 5), (x(v), cy + 5)], fill=muted)
        draw.rectangle([x(s["q1"]), cy - 9, x(s["q3"]), cy + 9], fill=(214, 228, 248), outline=accent)
        draw.line([(x(s["median"]), cy - 9), (x(s["median"]), cy + 9)], fill=accent, width=3)
        for idx in np.flatnonzero((labels == s["class"]) & (errors > s["high"])):
            draw.ellipse([x(errors[idx]) - 2, cy - 2, x(errors[idx]) + 2, cy + 2], fill=muted)
        for idx in (i for i in flagged if labels[i] == s["class"]):  # the thumbnails' images, wherever they fall
            draw.ellipse([x(errors[idx]) - 4, cy - 4, x(errors[idx]) + 4, cy + 4], fill=hot, outline=(255, 255, 255))
    y0 = top_y + plot_h + 46
    draw.text(
        (16, y0),
        f"The {n_top} most unusual test images (highest error), above the model's reconstructions",
        fill=fg,
        font=font(13),
    )
    y0 += 22
    for k, (t, pair) in enumerate(zip(top, thumbs)):
        r, c = divmod(k, per_row)
        px, py = 16 + c * (w * thumb_scale + 18), y0 + r * (h * thumb_scale + 34)
        tile = Image.fromarray(pair, "RGB" if pair.ndim == 3 else "L")
        img.paste(tile.resize((w * thumb_scale, h * thumb_scale), Image.NEAREST).convert("RGB"), (px, py))
        draw.text(
            (px + w * thumb_scale / 2, py + h * thumb_scale + 3),
            (t.get("name") or names[t["label"]])[:11],
            fill=fg,
            font=font(10),
            anchor="ma",
        )
        draw.text(
            (px + w * thumb_scale / 2, py + h * thumb_scale + 16),
            f"{t['error']:.3f}",
            fill=muted,
            font=font(10),
            anchor="ma",
        )
    return img


def sheet(images: np.ndarray) -> np.ndarray:
    """Images (N, H, W) or (N, H, W, 3) uint8 side by side in one row."""
    if images.ndim == 3:
        return sprite(images)
    return np.concatenate(list(images), axis=1)


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"evaluate": from_input(p["evaluate"]), "train": from_input(p["train"]), **dataset_inputs(p)},
    libs=("numpy", "pillow", "tensorflow-cpu", "keras"),
    label=lambda p: f"figure zoo-anomaly ({p['model']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image

    from ..stages.train import rebuild
    from ..stages.zoo import reconstruct

    p = ctx.params
    entry, dataset = p["entry"], p["entry"]["dataset"]
    data = ctx.inputs[f"data:{dataset}"]
    arrays = load_arrays(data)
    x_test = arrays["x_test"]
    labelled = arrays["y_test"] is not None
    if labelled:
        names = class_names(dataset if dataset in ("mnist", "fashion-mnist") else data)
        if len(names) > MAX_CLASSES:
            raise ContentError(
                f"zoo-anomaly draws one row per class, and data set {dataset!r} has {len(names)} classes; allowed: at "
                f"most {MAX_CLASSES}"
            )
        y_test = arrays["y_test"].astype(np.uint8)
    else:  # one row for every image
        names, y_test = [UNLABELLED], np.zeros(len(x_test), np.uint8)
    errors = np.frombuffer(ctx.inputs["evaluate"].file("errors.f32").read_bytes(), "<f4")
    if len(errors) != len(y_test):
        raise ValueError(f"errors.f32 of {p['model']} has {len(errors)} scores for {len(y_test)} test images")
    order = np.argsort(-errors, kind="stable")[: p["top"]]
    images = x_test[order]
    recon = to_u8(reconstruct(rebuild(ctx.inputs["train"]), images.astype("float32") / 255.0))
    pairs = np.concatenate([images, recon], axis=1)  # each thumb: original above reconstruction
    Image.fromarray(sheet(pairs), "L" if pairs.ndim == 3 else "RGB").save(ctx.out / "unusual.png", optimize=True)
    (ctx.out / "errors.f32").write_bytes(errors.astype("<f4").tobytes())
    (ctx.out / "labels.u8").write_bytes(y_test.tobytes())
    stats = class_stats(errors, y_test, len(names))
    top = [
        {"rank": r + 1, "index": int(i), "label": int(y_test[i]), "error": round(float(errors[i]), 5)}
        for r, i in enumerate(order)
    ]
    if not labelled:  # named by number (1-based, in test order)
        for t in top:
            t["name"] = f"image {t['index'] + 1}"
    metrics = json.loads(ctx.inputs["evaluate"].file("metrics.json").read_text())
    image = draw_fallback(stats, names, errors, y_test, top, pairs, entry.get("title", p["model"]))
    ranked = sorted((s for s in stats if s["count"]), key=lambda s: -s["median"])
    title = entry.get("title", p["model"])
    if labelled:
        alt = (
            f"Box plots of {title}'s reconstruction error for each of {len(names)} classes "
            f"of {len(errors):,} test images; highest median: {names[ranked[0]['class']]} "
            f"({ranked[0]['median']:.3f}), lowest: {names[ranked[-1]['class']]} ({ranked[-1]['median']:.3f}); then "
            f"the {len(top)} most unusual images with their scores."
        )
    else:
        alt = (
            f"Box plot of {title}'s reconstruction error over {len(errors):,} test images (median "
            f"{stats[0]['median']:.3f}); then the {len(top)} most unusual images with their scores."
        )
    config = {
        "model": {
            "key": p["model"],
            "title": title,
            "short": entry.get("short", ""),
            "own": bool(entry.get("source")),
        },
        "classes": names,
        "labelled": labelled,
        "count": int(len(errors)),
        "errors": "errors.f32",
        "labels": "labels.u8",
        "thumbs": {
            "file": "unusual.png",
            "cell": [int(pairs.shape[1]), int(pairs.shape[2])],
            "image": [int(images.shape[1]), int(images.shape[2])],
            "color": pairs.ndim == 4,
        },
        "top": top,
        "stats": stats,
        "test_bce": metrics.get("test_bce"),
    }
    return Payload(ctx).finish(config, alt=alt, fallback=image, sources=sources_of(ctx, p), model=p["model"])
