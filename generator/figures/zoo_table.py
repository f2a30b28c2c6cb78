"""Figure kind ``zoo-table``: every zoo model's measured test loss beside the guide's numbers.

The models are the zoo's or an author's ``[models.<name>]`` (trained by the build or read from a .keras
file; all of one data set). The table is real HTML rendered at build from the ``evaluate`` artifacts'
``metrics.json`` (so it works without JavaScript); the module only adds
sortable column headers. The payload is ``config.json`` (the same rows) and
``fallback.png`` (the table drawn with Pillow, for feeds and print). The guide's
column is left out when every model is the author's.
"""

from __future__ import annotations

import json
import math

from ..draw import ACCENT, BORDER, INK, MUTED, font, plain
from ..payload import (
    Payload,
    as_input,
    dataset_inputs,
    dataset_params,
    evaluate_request,
    from_input,
    sources_of,
    zoo_keys,
)
from ..pipeline import Context, Request, stage
from ..schema import Field

KIND = "zoo-table"
OPTIONS = {
    "models": Field(
        "strs",
        list(zoo_keys()),
        "Models to list, in row order: the zoo's (fashion_simple, fashion_sparse, fashion_deep, fashion_conv, "
        "fashion_denoise, fashion_vae, fashion_cvae, mnist_rmsprop) or the author's [models.<name>] (all of one "
        "data set).",
    ),
}
# Columns: key in a row, header, header note, decimals (0: an integer with thousands separators).
COLUMNS = [
    ("title", "Model", "", "text"),
    ("test_bce", "Test BCE", "measured", 4),
    ("guide_bce", "Guide", "published BCE", 3),
    ("test_mse", "Test MSE", "measured", 4),
    ("params", "Parameters", "", 0),
    ("epochs", "Epochs", "", 0),
    ("train_count", "Images", "trained on", 0),
]
WIDTHS = {  # of each column in the fallback image, px
    "title": 210,
    "test_bce": 90,
    "guide_bce": 100,
    "test_mse": 90,
    "params": 100,
    "epochs": 70,
    "train_count": 120,
}
NUMBERS = (
    "test_bce",
    "test_bce_clean",
    "test_mse",
    "kl",
    "params",
    "epochs",
    "train_count",
    "test_count",
    "guide_bce",
)


def request(options: dict, cfg) -> Request:
    from ..stages.zoo import entries

    models = [{**e, "evaluate": as_input(evaluate_request(cfg, e["key"]))} for e in entries(cfg, options["models"])]
    return Request(
        f"figure:{KIND}", {**options, "rows": models, "scale": cfg.scale, "data": dataset_params(cfg, models)}
    )


def columns_for(entries: list[dict]) -> list[tuple]:
    """The table's columns: all of :data:`COLUMNS`, without the guide's when every model is the author's."""
    if all(e.get("source") for e in entries):
        return [c for c in COLUMNS if c[0] != "guide_bce"]
    return list(COLUMNS)


def fmt(value: float | None, digits: int = 3) -> str:
    """A loss for people: fixed decimals, an en dash for a missing value."""
    return "—" if value is None else f"{value:.{digits}f}"


def cell_text(key: str, value, decimals) -> str:
    """How a table cell shows ``value`` (the template and the fallback image agree)."""
    if value is None:
        return "—"
    if decimals == "text":
        return str(value)
    if decimals == 0:
        return f"{int(value):,}"
    return f"{float(value):.{decimals}f}"


def table_rows(entries: list[dict], metrics: dict[str, dict], columns: list[tuple] = COLUMNS) -> list[dict]:
    """One row per model: the zoo entry's names and the evaluate artifact's numbers, unrounded.

    A model read from a file was not trained on this build's images: its epochs, images and time are None.
    """
    rows = []
    for entry in entries:
        m = metrics[entry["key"]]
        row = {
            "key": entry["key"],
            "title": entry.get("title") or m.get("title") or entry["key"],
            "short": entry.get("short", entry["key"]),
            "dataset": entry.get("dataset") or m.get("dataset"),
            "summary": entry.get("summary", ""),
        }
        for name in NUMBERS:
            value = m.get(name)
            if name == "guide_bce" and value is None:
                value = entry.get("guide_bce")
            if isinstance(value, float) and not math.isfinite(value):  # a model that diverged: shown as a dash
                value = None
            row[name] = value
        if entry.get("source") == "file":
            row["train_count"] = None
        row["source"] = entry.get("source", "builtin")
        row["delta"] = (
            (row["test_bce"] - row["guide_bce"])
            if row["guide_bce"] is not None and row["test_bce"] is not None
            else None
        )
        row["cells"] = [
            {"key": key, "text": cell_text(key, row[key], decimals), "value": row[key] if decimals != "text" else None}
            for key, _, _, decimals in columns
        ]
        notes = []
        if row.get("test_bce_clean") is not None:
            notes.append(f"on noisy inputs; {fmt(row['test_bce_clean'], 4)} on clean ones")
        if row.get("kl") is not None:
            notes.append(f"plus KL {row['kl']:.2f} nats per image")
        if row["dataset"] == "mnist" and row["source"] == "builtin":
            notes.append("MNIST digits")
        if row["source"] == "file":
            notes.append("read from a .keras file, trained elsewhere")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def scale_sentence(scale: str, rows: list[dict]) -> str:
    """Which scale the numbers were measured at, and how it compares with the guide's training.

    Models read from a file were trained elsewhere: the sentence says so instead of counting their training.
    """
    trained = [r for r in rows if r.get("source") != "file"]
    counts = sorted({r["train_count"] for r in trained if r["train_count"] is not None})
    images = " or ".join(f"{c:,}" for c in counts) or "an unknown number of"
    epochs = sorted({r["epochs"] for r in trained if r["epochs"] is not None})
    span = (f"{epochs[0]}" if len(epochs) == 1 else f"{epochs[0]} to {epochs[-1]}") if epochs else "?"
    sentence = f"Measured when this site was built, at scale “{scale}”"
    if trained:
        sentence += f": {images} training images, {span} epochs."
    else:
        sentence += "."
    filed = [r for r in rows if r.get("source") == "file"]
    if filed:
        names = ", ".join(r["short"] for r in filed)
        sentence += f" Read from a .keras file, trained elsewhere: {names}."
    if any(r.get("source", "builtin") == "builtin" for r in rows):
        sentence += (
            " Like the guide, on every training image."
            if counts and min(counts) >= 60_000
            else " The guide trained on all 60,000 images for 50 to 100 epochs."
        )
    return sentence


def heading(rows: list[dict]) -> str:
    """The table's title: beside the guide's numbers when a zoo model is in it."""
    if any(r.get("source", "builtin") == "builtin" for r in rows):
        return "Test loss of each model, measured at build beside the guide’s published numbers"
    return "Test loss of each model, measured on the held-out test images when this site was built"


def draw_table(rows: list[dict], caption: str, columns: list[tuple] = COLUMNS):
    """The table as a picture (Pillow): header, one line per model, a BCE bar with the guide's mark."""
    from PIL import Image, ImageDraw

    pad, line = 14, 30
    widths = [WIDTHS[key] for key, *_ in columns]
    bar_w = 150
    width = pad * 2 + sum(widths) + bar_w
    height = pad * 2 + 26 + 34 + line * len(rows) + 28
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    fg, muted, border, accent = INK, MUTED, BORDER, ACCENT
    draw.text((pad, pad), heading(rows), fill=fg, font=font(15))
    guide = any(key == "guide_bce" for key, *_ in columns)
    y = pad + 30
    x = pad
    for (_key, header, note, decimals), w in zip(columns, widths):
        anchor = "la" if decimals == "text" else "ra"
        tx = x if anchor == "la" else x + w - 8
        draw.text((tx, y), header, fill=fg, font=font(13), anchor=anchor)
        if note:
            draw.text((tx, y + 15), note, fill=muted, font=font(11), anchor=anchor)
        x += w
    draw.text((x + 8, y), "BCE (bar) and guide (mark)" if guide else "BCE (bar)", fill=fg, font=font(12))
    y += 34
    draw.line([(pad, y - 2), (width - pad, y - 2)], fill=muted, width=2)
    top = max([r["test_bce"] or 0 for r in rows] + [r["guide_bce"] or 0 for r in rows] + [1e-6]) * 1.1
    for row in rows:
        x = pad
        for cell, (_key, _, _, decimals), w in zip(row["cells"], columns, widths):
            text = plain(cell["text"] if decimals != "text" else row["short"])
            if decimals == "text":
                draw.text((x, y + 8), text, fill=fg, font=font(13))
            else:
                draw.text((x + w - 8, y + 8), text, fill=fg, font=font(13), anchor="ra")
            x += w
        if row["test_bce"] is not None:
            draw.rectangle([x + 8, y + 9, x + 8 + (bar_w - 16) * row["test_bce"] / top, y + 21], fill=accent)
        if guide and row["guide_bce"] is not None:
            gx = x + 8 + (bar_w - 16) * row["guide_bce"] / top
            draw.line([(gx, y + 4), (gx, y + 26)], fill=fg, width=2)
        y += line
        draw.line([(pad, y), (width - pad, y)], fill=border)
    draw.text((pad, y + 8), plain(caption), fill=muted, font=font(12))
    return img


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {**{row["key"]: from_input(row["evaluate"]) for row in p["rows"]}, **dataset_inputs(p)},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure zoo-table ({len(p['rows'])} models)",
)
def payload(ctx: Context) -> dict:
    p = ctx.params
    metrics = {row["key"]: json.loads(ctx.inputs[row["key"]].file("metrics.json").read_text()) for row in p["rows"]}
    chosen = columns_for(p["rows"])
    rows = table_rows(p["rows"], metrics, chosen)
    scale = scale_sentence(p["scale"], rows)
    image = draw_table(rows, scale, chosen)
    builtin = any(r["source"] == "builtin" for r in rows)
    if builtin:
        best = min(
            (r for r in rows if r["dataset"] == "fashion-mnist" and r["test_bce"] is not None),
            key=lambda r: r["test_bce"],
            default=None,
        )
        alt = (
            f"Table of {len(rows)} autoencoders' test losses measured at build (scale {p['scale']}) beside the "
            "guide's published binary cross-entropies"
            + (f"; lowest on Fashion-MNIST: {best['title']}, {best['test_bce']:.4f}." if best else ".")
        )
    else:
        best = min((r for r in rows if r["test_bce"] is not None), key=lambda r: r["test_bce"], default=None)
        title = ctx.inputs[f"data:{rows[0]['dataset']}"].meta["source"].get("title") or rows[0]["dataset"]
        alt = (
            f"Table of {len(rows)} autoencoders' test losses on the held-out images of {title}, measured at build "
            f"(scale {p['scale']})" + (f"; lowest: {best['title']}, {best['test_bce']:.4f}." if best else ".")
        )
    columns = [
        {"key": key, "header": header, "note": note, "numeric": decimals != "text"}
        for key, header, note, decimals in chosen
    ]
    config = {
        "columns": columns,
        "scale": p["scale"],
        "rows": [{k: v for k, v in r.items() if k != "cells"} for r in rows],
    }
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=image,
        sources=sources_of(ctx, p),
        rows=rows,
        columns=columns,
        scale=p["scale"],
        scale_sentence=scale,
        heading=heading(rows),
        guide=builtin,
    )
