"""Figure kind ``zoo-curves``: training and validation loss per epoch of every zoo model.

Read from each ``train`` artifact's ``history.json``. Every curve is a mean
per-pixel loss so the models can share one axis: a VAE's total loss is a sum
over pixels plus the KL term, so its per-pixel reconstruction loss is plotted
when the history records it (divided by the pixel count when it is a sum),
else its total loss divided by the pixel count, and the legend says which.
The payload is ``config.json`` (a few hundred numbers) and ``fallback.png``.
"""

from __future__ import annotations

import json
import math

import numpy as np

from ..draw import INK, MUTED, OKABE_ITO, dashed_line, font, hex_rgb, nice_ticks, plain
from ..payload import Payload, as_input, dataset_inputs, dataset_params, from_input, sources_of, zoo, zoo_keys
from ..pipeline import Context, Request, stage
from ..schema import Field

KIND = "zoo-curves"
OPTIONS = {
    "models": Field("strs", list(zoo_keys()), "Zoo models to plot, in legend order.", choices=zoo_keys()),
    "y_axis": Field("str", "log", "The loss axis shown first.", choices=("log", "linear")),
}
PER_PIXEL_CEILING = 5.0  # a per-pixel BCE or MSE never gets near this; a per-image sum always exceeds it


def request(options: dict, cfg) -> Request:
    from ..stages.train import train_request

    entries = {e["key"]: e for e in zoo()}
    rows = [{**entries[key], "train": as_input(train_request(cfg, key))} for key in options["models"]]
    return Request(f"figure:{KIND}", {**options, "rows": rows, "data": dataset_params(cfg, rows)})


def _per_pixel(values: list[float], pixels: int) -> tuple[list[float], bool]:
    """The series as a per-pixel mean: divided by ``pixels`` when it is clearly a per-image sum."""
    values = [float(v) for v in values]
    if values and float(np.median(values)) > PER_PIXEL_CEILING:
        return [v / pixels for v in values], True
    return values, False


def curve_series(key: str, history: dict, pixels: int) -> dict:
    """Train and validation curves of one model on a per-pixel scale, and what they measure."""
    is_vae = key.endswith("vae") or "kl_loss" in history
    if history.get("reconstruction_loss") and history.get("val_reconstruction_loss"):
        train, divided = _per_pixel(history["reconstruction_loss"], pixels)
        val, _ = _per_pixel(history["val_reconstruction_loss"], pixels)
        measure = "reconstruction"
        note = (
            ("reconstruction term only" + (f", ÷ {pixels} pixels" if divided else ""))
            if is_vae
            else "reconstruction term only (without the penalty)"
        )
    else:
        train, divided = _per_pixel(history["loss"], pixels)
        val, _ = _per_pixel(history["val_loss"], pixels)
        measure = "normalised" if divided else "loss"
        note = f"total loss incl. KL ÷ {pixels} pixels" if divided else ""
        if key.endswith("sparse") and not divided:
            note = "includes the L1 penalty"
        if key.endswith("denoise"):
            note = "noisy input → clean target"
    finite = [v for v in train + val if math.isfinite(v)]
    return {
        "train": [round(v, 6) for v in train],
        "val": [round(v, 6) for v in val],
        "measure": measure,
        "note": note,
        "min": min(finite) if finite else None,
        "max": max(finite) if finite else None,
    }


def draw_curves(series: list[dict], *, log: bool):
    """The chart as a picture: every model's train (solid) and validation (dotted) curve, and a legend."""
    from PIL import Image, ImageDraw

    width, plot_h = 960, 380
    left, right, top = 64, 250, 36
    bottom = top + plot_h
    height = bottom + 56
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fg, muted = INK, MUTED
    values = [v for s in series for v in s["train"] + s["val"] if v > 0 and math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.1, 1.0)
    if log:
        lo, hi = math.log10(lo) - 0.02, math.log10(hi) + 0.02
    else:
        lo, hi = max(0.0, lo - (hi - lo) * 0.05), hi + (hi - lo) * 0.05
    epochs = max([len(s["train"]) for s in series] + [2])
    x = lambda e: left + (width - right - left) * (e - 1) / max(1, epochs - 1)  # noqa: E731
    y = lambda v: bottom - plot_h * ((math.log10(v) if log else v) - lo) / max(1e-12, hi - lo)  # noqa: E731
    draw.text(
        (left, 8),
        "Loss per epoch (per pixel), training solid, validation dashed" + (" (log scale)" if log else ""),
        fill=fg,
        font=font(15),
    )
    draw.line([(left, top), (left, bottom), (width - right, bottom)], fill=muted)
    for t in _ticks(lo, hi, log):
        draw.line([(left - 4, y(t)), (width - right, y(t))], fill=(236, 239, 242))
        draw.text((left - 8, y(t)), f"{t:.3g}", fill=muted, font=font(11), anchor="rm")
    for e in [1, *(int(t) for t in nice_ticks(1, epochs, 8) if t > 1 and t == int(t))]:
        draw.text((x(e), bottom + 6), str(e), fill=muted, font=font(11), anchor="ma")
    draw.text(((left + width - right) / 2, bottom + 24), "epoch", fill=muted, font=font(12), anchor="ma")
    for s in series:
        c = hex_rgb(s["colour"])
        for values, dotted in ((s["train"], False), (s["val"], True)):
            pts = [(x(i + 1), y(v)) for i, v in enumerate(values) if v > 0 and math.isfinite(v)]
            if dotted and len(pts) > 1:
                dashed_line(draw, pts, c, width=2, dash=5, gap=4)
            elif len(pts) > 1:
                draw.line(pts, fill=c, width=2, joint="curve")
    ly = top
    for s in series:
        c = hex_rgb(s["colour"])
        draw.line([(width - right + 16, ly + 7), (width - right + 36, ly + 7)], fill=c, width=3)
        draw.text((width - right + 42, ly), plain(s["title"]), fill=fg, font=font(12))
        if s["note"]:
            draw.text((width - right + 42, ly + 14), plain(s["note"]), fill=muted, font=font(10))
        ly += 34
    return img


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    """Tick values for an axis spanning [lo, hi] (log10 units when ``log``)."""
    if not log:
        return nice_ticks(lo, hi, 5)
    if hi - lo < 1:  # less than a decade: round values, placed on the log axis
        return [v for v in nice_ticks(10**lo, 10**hi, 5) if v > 0]
    return [
        m * 10**p
        for p in range(math.floor(lo), math.ceil(hi) + 1)
        for m in (1, 2, 5)
        if lo <= math.log10(m * 10**p) <= hi
    ]


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {**{row["key"]: from_input(row["train"]) for row in p["rows"]}, **dataset_inputs(p)},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure zoo-curves ({len(p['rows'])} models)",
)
def payload(ctx: Context) -> dict:
    p = ctx.params
    series = []
    for i, row in enumerate(p["rows"]):
        artifact = ctx.inputs[row["key"]]
        history = json.loads(artifact.file("history.json").read_text())
        model = json.loads(artifact.file("model.json").read_text())
        pixels = int(np.prod(model.get("input_shape", [28, 28])))
        curves = curve_series(row["key"], history, pixels)
        series.append(
            {
                "key": row["key"],
                "title": row.get("title", row["key"]),
                "short": row.get("short", row["key"]),
                "dataset": row.get("dataset", ""),
                "colour": OKABE_ITO[i % len(OKABE_ITO)],
                "seconds": round(float(history.get("seconds", 0.0)), 2),
                **curves,
            }
        )
    image = draw_curves(series, log=p["y_axis"] == "log")
    best = min((s for s in series if s["val"]), key=lambda s: s["val"][-1], default=None)
    alt = f"Line chart of training and validation loss per epoch for {len(series)} autoencoders" + (
        f"; the lowest final validation loss is {best['title']}'s, {best['val'][-1]:.4f} per pixel." if best else "."
    )
    config = {"series": series, "y_axis": p["y_axis"], "epochs": max([len(s["train"]) for s in series] + [1])}
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=image,
        sources=sources_of(ctx, p),
        y_axis=p["y_axis"],
        series=[{k: s[k] for k in ("key", "title", "short", "colour", "note", "dataset")} for s in series],
    )
