"""Figure kind ``zoo-curves``: training and validation loss per epoch of every zoo model.

Read from each ``train`` artifact's ``history.json``. Every curve is a mean
per-pixel loss so the models can share one axis: a VAE's total loss is a sum
over pixels plus the KL term, so its per-pixel reconstruction loss is plotted
when the history records it (divided by the pixel count when it is a sum),
else its total loss divided by the pixel count, and the legend says which.
The payload is ``config.json`` (a few hundred numbers) and ``fallback.png``.

The models are the zoo's or an author's ``[models.<name>]`` (all of one data set). A model read from a
.keras file was trained elsewhere and has no curve per epoch: it is left out of the chart, and a note under
it (also in the alt text and the fallback image) names it with its loss on this build's images. A loss that
is not a finite number (a model that diverged) is a gap in its curve (null in ``config.json``).
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np

from ..draw import INK, MUTED, OKABE_ITO, dashed_line, font, hex_rgb, nice_ticks, plain
from ..errors import ContentError
from ..payload import Payload, as_input, dataset_inputs, dataset_params, from_input, sources_of, zoo_keys
from ..pipeline import Context, Request, stage
from ..schema import Field

KIND = "zoo-curves"
OPTIONS = {
    "models": Field(
        "strs",
        list(zoo_keys()),
        "Models to plot, in legend order: the zoo's (as for zoo-table) or the author's [models.<name>] (all of one "
        "data set; one read from a .keras file has no curve and is named in a note instead).",
    ),
    "y_axis": Field("str", "log", "The loss axis shown first.", choices=("log", "linear")),
}
PER_PIXEL_CEILING = 5.0  # a per-pixel BCE or MSE never gets near this; a per-image sum always exceeds it


def request(options: dict, cfg) -> Request:
    from ..stages.train import train_request
    from ..stages.zoo import entries

    chosen = entries(cfg, options["models"])
    if all(e.get("source") == "file" for e in chosen):
        names = ", ".join(repr(e["key"]) for e in chosen)
        raise ContentError(
            f"figure option 'models': {names} {'is' if len(chosen) == 1 else 'are'} read from .keras files, "
            "trained elsewhere: there is no loss per epoch to plot; list at least one model the build trains "
            "(a zoo model or a [models.<name>] with an architecture), or show it in a zoo-table"
        )
    rows = [{**e, "train": as_input(train_request(cfg, e["key"]))} for e in chosen]
    return Request(f"figure:{KIND}", {**options, "rows": rows, "data": dataset_params(cfg, rows)})


def _per_pixel(values: list[float], pixels: int) -> tuple[list[float], bool]:
    """The series as a per-pixel mean: divided by ``pixels`` when it is clearly a per-image sum."""
    values = [float(v) for v in values]
    if values and float(np.median(values)) > PER_PIXEL_CEILING:
        return [v / pixels for v in values], True
    return values, False


def _finite(values: list[float]) -> list[float | None]:
    """Losses rounded for the page; one that is not a finite number (a diverged model) becomes None (a gap)."""
    return [round(v, 6) if math.isfinite(v) else None for v in values]


def curve_series(key: str, history: dict, pixels: int, builtin: bool = True) -> dict:
    """Train and validation curves of one model on a per-pixel scale, and what they measure.

    ``builtin``: a zoo model, whose name says what it is (an author's name says nothing: "my_sparse" is a
    plain model).
    """
    is_vae = (builtin and key.endswith("vae")) or "kl_loss" in history
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
        if builtin and key.endswith("sparse") and not divided:
            note = "includes the L1 penalty"
        if builtin and key.endswith("denoise"):
            note = "noisy input → clean target"
    finite = [v for v in train + val if math.isfinite(v)]
    return {
        "train": _finite(train),
        "val": _finite(val),
        "measure": measure,
        "note": note,
        "min": min(finite) if finite else None,
        "max": max(finite) if finite else None,
    }


def _drawable(v) -> bool:
    return v is not None and math.isfinite(v) and v > 0


def omitted_note(omitted: list[dict]) -> str:
    """The sentence naming the models left out of the chart (read from a file), with their measured loss."""
    if not omitted:
        return ""

    def loss(o):
        if o["loss"] is None or o["val_loss"] is None:
            return o["short"]
        return (
            f"{o['short']}, loss per pixel {o['loss']:.4f} on this build’s training images, "
            f"{o['val_loss']:.4f} on its validation images"
        )

    return (
        "Not plotted, read from a .keras file and trained elsewhere (no loss per epoch): "
        + "; ".join(loss(o) for o in omitted)
        + "."
    )


def draw_curves(series: list[dict], *, log: bool, note: str = ""):
    """The chart as a picture: every model's train (solid) and validation (dotted) curve, and a legend.

    A series of one epoch is drawn as dots; ``note`` (models left out) goes under the chart.
    """
    from PIL import Image, ImageDraw

    width, plot_h = 960, 380
    left, right, top = 64, 250, 36
    bottom = top + plot_h
    note_lines = textwrap.wrap(plain(note), 150) if note else []
    height = bottom + 56 + 16 * len(note_lines) + (8 if note_lines else 0)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fg, muted = INK, MUTED
    values = [v for s in series for v in s["train"] + s["val"] if _drawable(v)]
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
            pts = [(x(i + 1), y(v)) for i, v in enumerate(values) if _drawable(v)]
            if len(pts) == 1:  # one epoch: a dot, filled for training, hollow for validation
                (px, py) = pts[0]
                draw.ellipse([px - 4, py - 4, px + 4, py + 4], outline=c, width=2, fill=None if dotted else c)
            elif dotted and len(pts) > 1:
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
    for k, text in enumerate(note_lines):
        draw.text((left, bottom + 48 + 16 * k), text, fill=muted, font=font(11))
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
    series, omitted = [], []
    for row in p["rows"]:
        artifact = ctx.inputs[row["key"]]
        history = json.loads(artifact.file("history.json").read_text())
        if row.get("source") == "file":  # trained elsewhere: one loss on this build's images, no curve
            losses = {k: (history.get(k) or [None])[-1] for k in ("loss", "val_loss")}
            omitted.append(
                {
                    "key": row["key"],
                    "title": row.get("title", row["key"]),
                    "short": row.get("short", row["key"]),
                    **{k: round(v, 6) if v is not None and math.isfinite(v) else None for k, v in losses.items()},
                }
            )
            continue
        model = json.loads(artifact.file("model.json").read_text())
        pixels = int(np.prod(model.get("input_shape", [28, 28])))
        curves = curve_series(row["key"], history, pixels, builtin="source" not in row)
        series.append(
            {
                "key": row["key"],
                "title": row.get("title", row["key"]),
                "short": row.get("short", row["key"]),
                "dataset": row.get("dataset", ""),
                "colour": OKABE_ITO[len(series) % len(OKABE_ITO)],
                **curves,
            }
        )
    note = omitted_note(omitted)
    image = draw_curves(series, log=p["y_axis"] == "log", note=note)
    best = min((s for s in series if s["val"] and s["val"][-1] is not None), key=lambda s: s["val"][-1], default=None)
    alt = f"Line chart of training and validation loss per epoch for {len(series)} autoencoders" + (
        f"; the lowest final validation loss is {best['title']}'s, {best['val'][-1]:.4f} per pixel." if best else "."
    )
    if note:
        alt += f" {note}"
    config = {
        "series": series,
        "y_axis": p["y_axis"],
        "epochs": max([len(s["train"]) for s in series] + [1]),
        "omitted": omitted,
        "omitted_note": note,
    }
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=image,
        sources=sources_of(ctx, p),
        y_axis=p["y_axis"],
        series=[{k: s[k] for k in ("key", "title", "short", "colour", "note", "dataset")} for s in series],
        omitted=[o["key"] for o in omitted],
    )
