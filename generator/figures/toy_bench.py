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

import math

import numpy as np

from ..errors import ContentError
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..toy import SHAPES, make_shape
from .common import font as _font

KIND = "toy-bench"
OPTIONS = {
    "shapes": Field("strs", list(SHAPES), "Shapes the reader can pick, in button order.", choices=tuple(SHAPES)),
    "shape": Field("str", "", "Shape shown first (default: the first of `shapes`).", choices=("", *SHAPES)),
    "autoplay": Field("bool", True, "Start training when the figure first appears (never under reduced motion)."),
    "pause_at": Field("int", 2000, "Each press of Play trains this many steps, then pauses (0: never).", 0, 1_000_000),
}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
ACTIVATIONS = ("tanh", "relu", "sigmoid", "elu")
# The page's starting camera (assets/js/lib/toy-3d.js defaults), so the fallback matches the first frame.
YAW, PITCH = 0.6, 0.35
# viridis at t = 0, 0.1, ..., 1 (assets/js/lib/toy-colour.js RAMP)
RAMP = ("#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151",
        "#bddf26", "#fde725")
TITLES = {"ring": "Ring", "swiss-roll": "Swiss roll", "saddle": "Saddle", "twisted-cubic": "Twisted cubic",
          "trefoil": "Trefoil knot"}


def request(options: dict, cfg) -> Request:
    shapes, initial = options["shapes"], options["shape"] or options["shapes"][0]
    if initial not in shapes:
        raise ContentError(f"shape is {initial!r}, which is not one of the figure's shapes "
                           f"({', '.join(shapes)}); add it to `shapes` or pick one of those")
    model = cfg.section("models.toy")
    return Request(f"figure:{KIND}", {**options, "shape": initial, "seed": cfg["build.seed"], "model": {
        "points": model["points"], "hidden": list(model["hidden"]), "activation": model["activation"],
        "learning_rate": model["learning_rate"]}})


def ramp(values: np.ndarray) -> np.ndarray:
    """Viridis RGB (uint8, shape (n, 3)) for values in [0, 1]."""
    stops = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in RAMP], dtype=np.float64)
    x = np.clip(values, 0, 1) * (len(RAMP) - 1)
    i = np.minimum(np.floor(x).astype(int), len(RAMP) - 2)
    f = (x - i)[:, None]
    return np.rint(stops[i] + (stops[i + 1] - stops[i]) * f).astype(np.uint8)


def project(points: np.ndarray, yaw: float = YAW, pitch: float = PITCH) -> tuple[np.ndarray, np.ndarray]:
    """Orthographic screen coordinates (x right, y up) and depth (larger = farther), as toy-3d.js draws."""
    x, y, z = points[:, 0], points[:, 1], points[:, 2]
    xr = x * math.cos(yaw) - y * math.sin(yaw)
    yr = x * math.sin(yaw) + y * math.cos(yaw)
    up = z * math.cos(pitch) + yr * math.sin(pitch)
    depth = yr * math.cos(pitch) - z * math.sin(pitch)
    return np.stack([xr, up], axis=1), depth


def fallback_image(shapes: dict[str, tuple[np.ndarray, np.ndarray]], *, cell: int = 176, pad: int = 12):
    """Each shape from the page's starting viewpoint, coloured along the curve, titled."""
    from PIL import Image, ImageDraw

    scale = 2  # drawn at twice the size, then reduced, for smooth dots
    n = len(shapes)
    title_h, foot_h = 26, 30
    width = n * cell + (n + 1) * pad
    height = title_h + cell + foot_h
    sheet = Image.new("RGB", (width * scale, height * scale), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = _font(13 * scale)
    for k, (name, (points, colour)) in enumerate(shapes.items()):
        left = (pad + k * (cell + pad)) * scale
        top = title_h * scale
        draw.rectangle([left, top, left + cell * scale, top + cell * scale], outline=(208, 215, 222), width=scale)
        screen, depth = project(points)
        extent = max(1.0, float(np.linalg.norm(points, axis=1).max()))
        s = (cell / 2 - 10) / (extent * 1.04) * scale
        cx, cy = left + cell * scale / 2, top + cell * scale / 2
        rgb = ramp(colour)
        r = 3.2 * scale
        for i in np.argsort(-depth):  # far first
            px, py = cx + screen[i, 0] * s, cy - screen[i, 1] * s
            draw.ellipse([px - r, py - r, px + r, py + r], fill=tuple(int(c) for c in rgb[i]),
                         outline=(255, 255, 255), width=max(1, scale // 2))
        draw.text((left + cell * scale / 2, 4 * scale), TITLES.get(name, name), fill=(27, 31, 36), font=font,
                  anchor="ma")
    note = "The shapes the autoencoder learns to squeeze to two numbers and back (colour: position along the shape)."
    draw.text((width * scale / 2, (title_h + cell + 8) * scale), note, fill=(87, 96, 106), font=_font(12 * scale),
              anchor="ma")
    # 96 colours keep the ramp and the anti-aliased edges; a third of the bytes of full RGB
    return sheet.resize((width, height), Image.LANCZOS).quantize(96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


@stage(f"figure:{KIND}", libs=("numpy", "pillow"),
       label=lambda p: f"figure toy-bench ({len(p['shapes'])} shapes x {p['model']['points']} points)")
def payload(ctx: Context) -> dict:
    p = ctx.params
    n = p["model"]["points"]
    shapes = {name: make_shape(name, n, p["seed"]) for name in p["shapes"]}
    blocks, entries, offset = [], [], 0
    for name, (points, colour) in shapes.items():
        blocks += [points.reshape(-1), colour]
        entries.append({"name": name, "title": TITLES.get(name, name), "description": SHAPES[name],
                        "offset": offset, "count": n})
        offset += 4 * n
    data = np.concatenate(blocks).astype("<f4")
    (ctx.out / "shapes.f32").write_bytes(data.tobytes())

    fallback = fallback_image(shapes)
    fallback.save(ctx.out / "fallback.png", optimize=True)
    hidden = p["model"]["hidden"]
    widths = [3, *hidden, 2, *reversed(hidden), 3]
    titles = [TITLES.get(s, s).lower() for s in p["shapes"]]
    alt = (f"{len(shapes)} point clouds in 3-D, {n} points each, coloured along their length: "
           f"{', '.join(titles)}. In the interactive figure an autoencoder with layers {'-'.join(map(str, widths))} "
           "trains on the chosen shape in your browser.")
    ctx.write_json("config.json", {
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
        "alt": alt,
    })
    # The shapes are generated here, not taken from a data set: nothing to credit.
    return {"alt": alt, "fallback": {"file": "fallback.png", "width": fallback.width, "height": fallback.height},
            "sources": [], "shapes": entries, "initial": p["shape"], "points": n, "layers": widths,
            "learning_rate": p["model"]["learning_rate"], "activation": p["model"]["activation"],
            "learning_rates": sorted({*LEARNING_RATES, p["model"]["learning_rate"]}),
            "activations": list(ACTIVATIONS), "payload_bytes": int(data.nbytes)}
