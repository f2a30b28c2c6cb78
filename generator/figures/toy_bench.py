"""Figure kind ``toy-bench``: train the toy autoencoder in the reader's browser.

The main figure of article 2. Every shape of :data:`generator.toy.SHAPES`
(or the ``shapes`` chosen) is generated at build with the site's seed and
shipped as little-endian float32; the page builds the 3-h1-h2-2 encoder and
2-h2-h1-3 decoder of ``[models.toy]`` in TF.js and trains it full batch with
Adam (the inputs a constant tensor), drawing on every code the trail
-dL/dz got by automatic differentiation with respect to the codes. No
TensorFlow is needed at build. The payload is:

- ``shapes.f32``: for each shape in ``config.shapes`` order, its n x 3 points
  (row-major) then its n colour values (position along the curve, in [0, 1]);
- ``config.json``: the shapes (name, description, offsets), the model
  settings, the learning rates and activations the reader can pick, the seed;
- ``fallback.png``: every shape drawn from the page's starting viewpoint.
"""

from __future__ import annotations

import numpy as np

from ..draw import BORDER, INK, MUTED, WHITE, font, ramp
from ..errors import ContentError
from ..payload import Payload
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..toy import SHAPES, make_shape
from ..toy_draw import SHAPE_TITLES, SS, finish, project, scene_extent

KIND = "toy-bench"
OPTIONS = {
    "shapes": Field("strs", list(SHAPES), "Shapes the reader can pick, in button order.", choices=tuple(SHAPES)),
    "shape": Field("str", "", "Shape shown first (default: the first of `shapes`).", choices=("", *SHAPES)),
    "autoplay": Field("bool", True, "Start training when the figure first appears (never under reduced motion)."),
    "pause_at": Field("int", 2000, "Each press of Play trains this many steps, then pauses (0: never).", 0, 1_000_000),
}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
ACTIVATIONS = ("tanh", "relu", "sigmoid", "elu")


def request(options: dict, cfg) -> Request:
    shapes, initial = options["shapes"], options["shape"] or options["shapes"][0]
    if initial not in shapes:
        raise ContentError(
            f"shape is {initial!r}, which is not one of the figure's shapes "
            f"({', '.join(shapes)}); add it to `shapes` or pick one of those"
        )
    model = cfg.section("models.toy")
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "shape": initial,
            "seed": cfg["build.seed"],
            "model": {
                "points": model["points"],
                "hidden": list(model["hidden"]),
                "activation": model["activation"],
                "learning_rate": model["learning_rate"],
            },
        },
    )


def fallback_image(shapes: dict[str, tuple[np.ndarray, np.ndarray]], *, cell: int = 176, pad: int = 12):
    """Each shape from the page's starting viewpoint, coloured along the curve, titled."""
    from PIL import Image, ImageDraw

    n = len(shapes)
    title_h, foot_h = 26, 30
    width = n * cell + (n + 1) * pad
    height = title_h + cell + foot_h
    sheet = Image.new("RGB", (width * SS, height * SS), WHITE)
    draw = ImageDraw.Draw(sheet)
    for k, (name, (points, colour)) in enumerate(shapes.items()):
        box = ((pad + k * (cell + pad)) * SS, title_h * SS, cell * SS, cell * SS)
        draw.rectangle([box[0], box[1], box[0] + box[2], box[1] + box[3]], outline=BORDER, width=SS)
        screen, depth, _ = project(points, box, scene_extent(points), dtype=None)
        rgb = ramp(colour)
        r = 3.2 * SS
        for i in np.argsort(-depth):  # far first
            px, py = screen[i]
            draw.ellipse(
                [px - r, py - r, px + r, py + r],
                fill=tuple(int(c) for c in rgb[i]),
                outline=WHITE,
                width=max(1, SS // 2),
            )
        draw.text(
            (box[0] + box[2] / 2, 4 * SS), SHAPE_TITLES.get(name, name), fill=INK, font=font(13 * SS), anchor="ma"
        )
    note = "The shapes the autoencoder learns to squeeze to two numbers and back (colour: position along the shape)."
    draw.text((width * SS / 2, (title_h + cell + 8) * SS), note, fill=MUTED, font=font(12 * SS), anchor="ma")
    # 96 colours keep the ramp and the anti-aliased edges; a third of the bytes of full RGB
    return finish(sheet, 96)


@stage(
    f"figure:{KIND}",
    libs=("numpy", "pillow"),
    label=lambda p: f"figure toy-bench ({len(p['shapes'])} shapes x {p['model']['points']} points)",
)
def payload(ctx: Context) -> dict:
    p = ctx.params
    n = p["model"]["points"]
    shapes = {name: make_shape(name, n, p["seed"]) for name in p["shapes"]}
    blocks, entries, offset = [], [], 0
    for name, (points, colour) in shapes.items():
        blocks += [points.reshape(-1), colour]
        entries.append(
            {
                "name": name,
                "title": SHAPE_TITLES.get(name, name),
                "description": SHAPES[name],
                "offset": offset,
                "count": n,
            }
        )
        offset += 4 * n
    data = np.concatenate(blocks).astype("<f4")
    (ctx.out / "shapes.f32").write_bytes(data.tobytes())

    hidden = p["model"]["hidden"]
    widths = [3, *hidden, 2, *reversed(hidden), 3]
    titles = [SHAPE_TITLES.get(s, s).lower() for s in p["shapes"]]
    alt = (
        f"{len(shapes)} point clouds in 3-D, {n} points each, coloured along their length: "
        f"{', '.join(titles)}. In the interactive figure an autoencoder with layers {'-'.join(map(str, widths))} "
        "trains on the chosen shape in your browser."
    )
    config = {
        "data": "shapes.f32",
        "shapes": entries,
        "shape": p["shape"],
        "points": n,
        "seed": p["seed"],
        "hidden": list(hidden),
        "activation": p["model"]["activation"],
        "learning_rate": p["model"]["learning_rate"],
        "learning_rates": sorted({*LEARNING_RATES, p["model"]["learning_rate"]}),
        "activations": list(ACTIVATIONS),
        "autoplay": p["autoplay"],
        "pause_at": p["pause_at"],
        "layers": widths,
    }
    # The shapes are generated here, not taken from a data set: nothing to credit.
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=fallback_image(shapes),
        sources=[],
        shapes=entries,
        initial=p["shape"],
        points=n,
        layers=widths,
        learning_rate=p["model"]["learning_rate"],
        activation=p["model"]["activation"],
        learning_rates=sorted({*LEARNING_RATES, p["model"]["learning_rate"]}),
        activations=list(ACTIVATIONS),
        payload_bytes=int(data.nbytes),
    )
