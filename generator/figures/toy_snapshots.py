"""Figure kind ``toy-snapshots``: the code plane of the build-time toy model at a few training steps.

A slider moves between snapshots (about six steps spread log-wise, from the
untrained model to the last step). Each shows the codes z with their trails
-dL/dz (the gradient of the batch loss with respect to each point's code,
by automatic differentiation at build), the step and the loss, on one fixed
axis range for all snapshots; beside it, the reconstruction at that step in
3-D over the faint input.

Trails are tiny late in training, so each snapshot has its own length
multiplier, chosen so the longer trails are visible; the legend always shows a
reference bar and the gradient magnitude it stands for.

Payload: ``snapshots.f32`` (per snapshot codes (n, 2), trails (n, 2), recon
(n, 3), float32 LE), ``shape.f32`` (points (n, 3), colour (n,)),
``config.json``, ``fallback.png`` (all snapshots as small multiples).
"""

from __future__ import annotations

import math

import numpy as np

from ..draw import INK, MUTED, WHITE, font, ramp
from ..payload import Payload
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.toy import FIELDS, toy_request
from ..stages.toy import load as load_toy
from ..toy import SHAPES
from ..toy_draw import SHAPE_NAMES, SS, code_extent, draw_plane, finish, text

KIND = "toy-snapshots"
OPTIONS = {
    "shape": Field("str", "ring", "Which 3-D toy shape.", choices=tuple(SHAPES)),
}
TRAIL_SHARE = 0.06  # the 90th-percentile trail is drawn this fraction of the axis span long


def nice(value: float) -> float:
    """The 1-2-5 number nearest ``value`` (in log terms)."""
    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda v: abs(math.log(v / value)))


def trail_scale(trails: np.ndarray, span: float) -> tuple[float, float]:
    """(multiplier, reference gradient) for one snapshot: see TRAIL_SHARE; ref is a round magnitude."""
    lengths = np.linalg.norm(np.asarray(trails, np.float64), axis=1)
    typical = float(np.percentile(lengths, 90)) if len(lengths) else 0.0
    if typical <= 0:
        return 1.0, 0.0
    raw = TRAIL_SHARE * span / typical
    scale = nice(raw)
    return scale, nice(typical)


def request(options: dict, cfg) -> Request:
    return Request(f"figure:{KIND}", {**options, "toy": toy_request(cfg, options["shape"]).params})


def superscript(exponent: int) -> str:
    return str(exponent).translate(
        str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
    )


def sci(value: float) -> str:
    """2.0e-04 -> '2×10⁻⁴' (1 and 10 shown plainly)."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    if abs(exponent) <= 1:
        return f"{value:.3g}"
    m = f"{mantissa:.2g}"
    return (f"{m}\u00d7" if m != "1" else "") + "10" + superscript(exponent)


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"toy": Request("toy-train", p["toy"])},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure toy-snapshots ({p['shape']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image, ImageDraw

    p = ctx.params
    toy = load_toy(ctx.inputs["toy"])
    index, snaps = toy["index"], toy["snapshots"]
    x, colour = toy["points"], toy["colour"]
    n = len(x)
    with open(ctx.out / "shape.f32", "wb") as handle:
        for array in (x, colour):
            handle.write(np.ascontiguousarray(array, "<f4").tobytes())
    with open(ctx.out / "snapshots.f32", "wb") as handle:
        for snap in snaps:
            for name, _ in FIELDS:
                handle.write(np.ascontiguousarray(snap[name], "<f4").tobytes())
    extent = code_extent(*(s["codes"] for s in snaps))
    span = extent[1] - extent[0]
    info = []
    for snap in snaps:
        scale, ref = trail_scale(snap["trails"], span)
        info.append(
            {
                "step": snap["step"],
                "loss": snap["loss"],
                "scale": scale,
                "ref": ref,
                "scaleText": sci(scale),
                "refText": sci(ref),
            }
        )
    name = SHAPE_NAMES.get(p["shape"], p["shape"])
    steps = ", ".join(str(s["step"]) for s in info)
    alt = (
        f"The 2-D codes of {n} points of a {name} at training steps {steps}: untrained, the codes sit bunched "
        f"together; as the loss falls from {info[0]['loss']:.2g} to {info[-1]['loss']:.2g} they spread into the "
        f"shape's order of colours, and the trails (the direction that lowers each point's error) shrink."
    )

    cols = 3 if len(info) > 4 else len(info)
    rows = -(-len(info) // cols)
    cell = 240 * SS
    W, H = cols * cell, rows * (cell + 30 * SS) + 30 * SS
    image = Image.new("RGB", (W, H), WHITE)
    draw = ImageDraw.Draw(image)
    rgb = ramp(colour)
    for k, (snap, meta) in enumerate(zip(snaps, info)):
        r, c = divmod(k, cols)
        box = (c * cell + 4 * SS, r * (cell + 30 * SS) + 56 * SS, cell - 8 * SS, cell)
        draw_plane(
            draw,
            box,
            snap["codes"],
            rgb,
            extent,
            trails=snap["trails"],
            scale=meta["scale"],
            title=f"step {meta['step']} \u00b7 loss {meta['loss']:.2g}",
        )
        draw.text(
            (box[0] + box[2] - 14 * SS, box[1] + 14 * SS),
            text(f"trails \u00d7{meta['scaleText']}"),
            fill=MUTED,
            font=font(10 * SS, unicode=True),
            anchor="ra",
        )
    draw.text(
        (W // 2, 6 * SS),
        text(f"Codes of the {name} during training, with trails \u2212\u2202L/\u2202z"),
        fill=INK,
        font=font(13 * SS, unicode=True),
        anchor="ma",
    )

    config = {
        "shape": p["shape"],
        "shapeName": name,
        "n": n,
        "files": {"shape": "shape.f32", "snapshots": "snapshots.f32"},
        "fields": [list(f) for f in FIELDS],
        "snapshots": info,
        "extent": extent,
        "steps": index["steps"],
        "hidden": index["hidden"],
        "activation": index["activation"],
        "learningRate": index["learning_rate"],
    }
    return Payload(ctx).finish(
        config, alt=alt, fallback=finish(image), sources=[], snapshots=[s["step"] for s in info], loss=info[-1]["loss"]
    )
