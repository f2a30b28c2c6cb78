"""Figure kind ``toy-views``: the encoder or the decoder of the build-time toy model, linked by hover.

``part: encoder`` shows the 3-D input shape -> the encoder -> its 2-D codes;
``part: decoder`` shows the 2-D codes -> the decoder -> the 3-D reconstruction
*decoded by the model* (with the input drawn faintly for comparison; the 2021
original showed the input itself here). Both come from the final Keras model
of the ``toy-train`` stage. Points are coloured by the shared viridis ramp
(their position along the shape); hovering, tapping or stepping through points
with the arrow keys highlights the same point in both panels.

Payload: ``data.f32`` (float32 LE: points (n, 3), codes (n, 2), recon (n, 3),
colour (n,)), ``config.json``, ``fallback.png`` (drawn with :mod:`generator.toy_draw`).
"""

from __future__ import annotations

import numpy as np

from ..draw import WHITE, ramp
from ..payload import Payload
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.toy import load as load_toy
from ..stages.toy import toy_request
from ..toy import SHAPES
from ..toy_draw import (
    SHAPE_NAMES,
    SS,
    code_extent,
    draw_3d,
    draw_arrow_block,
    draw_plane,
    draw_ramp_legend,
    finish,
    scene_extent,
)

KIND = "toy-views"
OPTIONS = {
    "shape": Field("str", "ring", "Which 3-D toy shape.", choices=tuple(SHAPES)),
    "part": Field(
        "str", "encoder", "Show the encoder (3-D -> 2-D) or the decoder (2-D -> 3-D).", choices=("encoder", "decoder")
    ),
}


def request(options: dict, cfg) -> Request:
    return Request(f"figure:{KIND}", {**options, "toy": toy_request(cfg, options["shape"]).params})


@stage(
    f"figure:{KIND}",
    inputs=lambda p: {"toy": Request("toy-train", p["toy"])},
    libs=("numpy", "pillow"),
    label=lambda p: f"figure toy-views ({p['shape']}, {p['part']})",
)
def payload(ctx: Context) -> dict:
    from PIL import Image, ImageDraw

    p = ctx.params
    toy = load_toy(ctx.inputs["toy"])
    index, final = toy["index"], toy["snapshots"][-1]
    x, colour, codes, recon = toy["points"], toy["colour"], final["codes"], final["recon"]
    n = len(x)
    with open(ctx.out / "data.f32", "wb") as handle:
        for array in (x, codes, recon, colour):
            handle.write(np.ascontiguousarray(array, "<f4").tobytes())
    extent = code_extent(codes)
    name = SHAPE_NAMES.get(p["shape"], p["shape"])
    decoder = p["part"] == "decoder"
    error = float(np.sqrt(np.mean(np.sum((recon - x) ** 2, axis=1))))
    if decoder:
        alt = (
            f"The decoder of the trained toy model: the 2-D codes of {n} points of a {name} on the left are "
            f"decoded into a 3-D reconstruction on the right, which lies close to the input "
            f"(mean squared error {final['loss']:.2g})."
        )
    else:
        alt = (
            f"The encoder of the trained toy model: {n} points of a 3-D {name}, coloured from one end to the "
            f"other, are squeezed into a 2-D code in which the colours keep their order."
        )

    W, H = 720 * SS, 330 * SS
    image = Image.new("RGB", (W, H), WHITE)
    draw = ImageDraw.Draw(image)
    side, gap = 270 * SS, 150 * SS
    left0 = (W - 2 * side - gap) // 2
    boxes = [(left0, 30 * SS, side, side), (left0 + side + gap, 30 * SS, side, side)]
    rgb = ramp(colour)
    extent3 = scene_extent(x, recon)
    if decoder:
        draw_plane(draw, boxes[0], codes, rgb, extent, title="Codes z (2-D)")
        draw_3d(draw, boxes[1], recon, rgb, ghost=x, extent=extent3, title="Reconstruction (3-D)")
    else:
        draw_3d(draw, boxes[0], x, rgb, extent=extent3, title=f"Input: {name} (3-D)")
        draw_plane(draw, boxes[1], codes, rgb, extent, title="Codes z (2-D)")
    hidden = "\u2192".join(str(h) for h in (index["hidden"][::-1] if decoder else index["hidden"]))
    sub = f"2\u2192{hidden}\u21923" if decoder else f"3\u2192{hidden}\u21922"
    draw_arrow_block(
        draw,
        (left0 + side + 15 * SS, 30 * SS, gap - 30 * SS, side),
        "decoder" if decoder else "encoder",
        sub,
        narrowing=not decoder,
    )
    draw_ramp_legend(draw, (W // 2 - 90 * SS, H - 20 * SS, 180 * SS, 8 * SS), "start of the shape", "end")

    config = {
        "shape": p["shape"],
        "shapeName": name,
        "part": p["part"],
        "n": n,
        "file": "data.f32",
        "layout": [["points", 3], ["codes", 2], ["recon", 3], ["colour", 1]],
        "extent": extent,
        "steps": index["steps"],
        "loss": final["loss"],
        "rmsError": error,
        "hidden": index["hidden"],
        "activation": index["activation"],
    }
    return Payload(ctx).finish(config, alt=alt, fallback=finish(image), sources=[], loss=final["loss"], points=n)
