"""Figure kind ``toy-views``: the encoder or the decoder of the build-time toy model, linked by hover.

``part: encoder`` shows the 3-D input shape -> the encoder -> its 2-D codes;
``part: decoder`` shows the 2-D codes -> the decoder -> the 3-D reconstruction
*decoded by the model* (with the input drawn faintly for comparison; the 2021
original showed the input itself here). Both come from the final Keras model
of the ``toy-train`` stage. Points are coloured by the shared viridis ramp
(their position along the shape); hovering, tapping or stepping through points
with the arrow keys highlights the same point in both panels.

Payload: ``data.f32`` (float32 LE: points (n, 3), codes (n, 2), recon (n, 3),
colour (n,)), ``config.json``, ``fallback.png``.

This module also holds the Pillow drawing helpers shared with ``toy-snapshots``
(the same projection and colour ramp as assets/js/lib/toy-3d.js and toy-colour.js).
"""

from __future__ import annotations

import math

import numpy as np

from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.toy import load as load_toy
from ..stages.toy import toy_request
from ..toy import SHAPES

KIND = "toy-views"
OPTIONS = {
    "shape": Field("str", "ring", "Which 3-D toy shape.", choices=tuple(SHAPES)),
    "part": Field("str", "encoder", "Show the encoder (3-D -> 2-D) or the decoder (2-D -> 3-D).",
                  choices=("encoder", "decoder")),
}
SHAPE_NAMES = {"ring": "ring", "swiss-roll": "Swiss roll", "saddle": "saddle", "twisted-cubic": "twisted cubic",
               "trefoil": "trefoil knot"}

# ---- drawing helpers (shared with toy_snapshots) -------------------------
RAMP = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
        "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"]  # viridis, as assets/js/lib/toy-colour.js
_STOPS = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in RAMP], np.float64)
YAW, PITCH = 0.6, 0.35  # the JS views' initial angles
FG, MUTED, BORDER, BG = (27, 31, 36), (87, 96, 106), (208, 215, 222), (255, 255, 255)
SS = 2  # supersampling of the fallback images
HEADS_UP_TO = 60  # trails get arrow heads only when there are at most this many points (else plain lines)


def ramp(values) -> np.ndarray:
    """Viridis colours (n, 3) uint8 for values in [0, 1]."""
    x = np.clip(np.asarray(values, np.float64), 0, 1) * (len(_STOPS) - 1)
    i = np.minimum(np.floor(x).astype(int), len(_STOPS) - 2)
    f = (x - i)[:, None]
    return np.round(_STOPS[i] * (1 - f) + _STOPS[i + 1] * f).astype(np.uint8)


_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
               "/System/Library/Fonts/Supplemental/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf",
               "C:/Windows/Fonts/arial.ttf")
_ASCII = str.maketrans({"\u2192": "-", "\u2081": "1", "\u2082": "2", "\u2212": "-", "\u00d7": "x", "\u00b7": "-",
                        "\u2202": "d", "\u207b": "^-", "\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3",
                        "\u2074": "4", "\u2075": "5", "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9"})


def _font_file() -> str | None:
    from pathlib import Path

    return next((f for f in _FONT_FILES if Path(f).is_file()), None)


def font(size: int):
    """A Unicode font (DejaVu Sans where installed), else Pillow's default; see :func:`text`."""
    from PIL import ImageFont

    path = _font_file()
    if path:
        return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def text(value: str) -> str:
    """``value`` as the fallback font can draw it (ASCII stand-ins when no Unicode font is installed)."""
    return value if _font_file() else value.translate(_ASCII)


def code_extent(*clouds: np.ndarray, pad: float = 0.08) -> list[float]:
    """A square [x0, x1, y0, y1] around all the 2-D points given, padded."""
    pts = np.concatenate([np.asarray(c, np.float64).reshape(-1, 2) for c in clouds])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-6) * (1 + pad)
    return [float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half)]


def project(points: np.ndarray, box: tuple[float, float, float, float], extent: float,
            yaw: float = YAW, pitch: float = PITCH) -> tuple[np.ndarray, np.ndarray, float]:
    """Screen x, y (m, 2) and depth (m,) in ``box`` = (left, top, width, height), as toy-3d.js."""
    left, top, w, h = box
    x, y, z = np.asarray(points, np.float64).reshape(-1, 3).T
    cy, sy, cp, sp = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch)
    xr, yr = x * cy - y * sy, x * sy + y * cy
    up, depth = z * cp + yr * sp, yr * cp - z * sp
    s = (min(w, h) / 2 - 10 * SS) / (extent * 1.04)
    return np.stack([left + w / 2 + xr * s, top + h / 2 - up * s], axis=1), depth / extent, s


def scene_extent(*clouds: np.ndarray) -> float:
    return max([1.0] + [float(np.linalg.norm(np.asarray(c).reshape(-1, 3), axis=1).max()) for c in clouds if len(c)])


def draw_3d(draw, box, points, colours, *, ghost=None, links=False, extent=None, title=""):
    """A 3-D scatter like toy-3d.js: faint axes, ghost circles, depth-sorted points."""
    extent = extent or scene_extent(points, *([] if ghost is None else [ghost]))
    left, top, w, h = box
    r = max(2, min(4.5, min(w, h) / SS / 70)) * SS
    axes = np.array([[-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]], np.float64)
    ends, _, _ = project(axes, box, extent)
    f = font(11 * SS)
    cx, cy = left + w / 2, top + h / 2
    for k, name in enumerate("xyz"):
        a, b = ends[2 * k], ends[2 * k + 1]
        draw.line([tuple(a), tuple(b)], fill=(190, 196, 204), width=SS)
        d = b - (cx, cy)
        d = d / (np.hypot(*d) or 1)
        draw.text(tuple(b + d * 8 * SS), name, fill=MUTED, font=f, anchor="mm")
    pts, depth, _ = project(points, box, extent)
    items = [(float(d), i, False) for i, d in enumerate(depth)]
    if ghost is not None:
        gp, gd, _ = project(ghost, box, extent)
        if links and len(gp) == len(pts):
            for a, b in zip(gp, pts):
                draw.line([tuple(a), tuple(b)], fill=(170, 176, 184), width=SS)
        items += [(float(d), i, True) for i, d in enumerate(gd)]
    items.sort(key=lambda t: -t[0])
    for d, i, is_ghost in items:
        rr = r * (1 - 0.18 * max(-1.0, min(1.0, d)))
        if is_ghost:
            x, y = gp[i]
            rr *= 0.8
            draw.ellipse([x - rr, y - rr, x + rr, y + rr], outline=(150, 156, 164), width=SS)
        else:
            x, y = pts[i]
            draw.ellipse([x - rr, y - rr, x + rr, y + rr], fill=tuple(int(c) for c in colours[i]),
                         outline=(120, 124, 130), width=max(1, SS // 2))
    if title:
        draw.text((left + w / 2, top - 4 * SS), text(title), fill=FG, font=font(13 * SS), anchor="md")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), 10 * power)
    out, v = [], math.ceil(lo / step) * step
    while v <= hi + step * 1e-9:
        out.append(0.0 if abs(v) < step * 1e-9 else v)
        v += step
    return out


def tick_label(v: float) -> str:
    text = f"{v:.0e}" if abs(v) >= 1000 or (0 < abs(v) < 0.01) else f"{float(f'{v:.3g}'):g}"
    return text.replace("-", "\u2212")


def draw_plane(draw, box, codes, colours, extent, *, trails=None, scale=1.0, title="", ticks=True):
    """The 2-D code plane like toy-plane.js: equal scale axes, ticks, trails, points."""
    left, top, w, h = box
    ml, mb = (34 * SS, 30 * SS) if ticks else (6 * SS, 6 * SS)
    pw, ph = w - ml - 10 * SS, h - mb - 10 * SS
    x0, x1, y0, y1 = extent
    s = min(pw / (x1 - x0), ph / (y1 - y0))
    cxd, cyd = (x0 + x1) / 2, (y0 + y1) / 2
    ox, oy = left + ml + pw / 2, top + 10 * SS + ph / 2
    to = lambda x, y: (ox + (x - cxd) * s, oy - (y - cyd) * s)  # noqa: E731
    rx0, rx1, ry0, ry1 = cxd - pw / 2 / s, cxd + pw / 2 / s, cyd - ph / 2 / s, cyd + ph / 2 / s
    L, T = to(rx0, ry1)
    R, B = to(rx1, ry0)
    f = font(11 * SS)
    if ticks:
        for v in nice_ticks(rx0, rx1, max(2, round(pw / SS / 60))):
            x = to(v, 0)[0]
            draw.line([(x, T), (x, B)], fill=(175, 182, 190) if v == 0 else (228, 232, 236), width=SS // 2 or 1)
            draw.text((x, B + 3 * SS), text(tick_label(v)), fill=MUTED, font=f, anchor="ma")
        for v in nice_ticks(ry0, ry1, max(2, round(ph / SS / 60))):
            y = to(0, v)[1]
            draw.line([(L, y), (R, y)], fill=(175, 182, 190) if v == 0 else (228, 232, 236), width=SS // 2 or 1)
            draw.text((L - 4 * SS, y), text(tick_label(v)), fill=MUTED, font=f, anchor="rm")
        draw.text((R, top + h - 3 * SS), text("z\u2081"), fill=MUTED, font=f, anchor="rs")
        draw.text((left + 4 * SS, T), text("z\u2082"), fill=MUTED, font=f, anchor="lt")
    draw.rectangle([L, T, R, B], outline=BORDER, width=SS // 2 or 1)
    r = max(2.2, min(4, min(w, h) / SS / 75)) * SS
    codes = np.asarray(codes, np.float64)
    inside = lambda x, y: L <= x <= R and T <= y <= B  # noqa: E731
    if trails is not None:
        heads = len(codes) <= HEADS_UP_TO
        for (zx, zy), (tx, ty), c in zip(codes, np.asarray(trails, np.float64), colours):
            a = np.array(to(zx, zy))
            b = np.array(to(zx + tx * scale, zy + ty * scale))
            if not inside(*a):
                continue
            b = np.clip(b, (L, T), (R, B))
            length = float(np.hypot(*(b - a)))
            if length < 0.5 * SS:
                continue
            col = tuple(int(v) for v in c)
            draw.line([tuple(a), tuple(b)], fill=col, width=max(1, round((1.4 if heads else 1.0) * SS)))
            if heads and length > 5 * SS:
                u = (b - a) / length
                head = min(5 * SS, length * 0.45)
                perp = np.array([-u[1], u[0]])
                draw.polygon([tuple(b), tuple(b - u * head + perp * head * 0.55), tuple(b - u * head - perp * head * 0.55)],
                             fill=col)
    for (zx, zy), c in zip(codes, colours):
        x, y = to(zx, zy)
        if inside(x, y):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(v) for v in c), outline=(120, 124, 130),
                         width=max(1, SS // 2))
    if title:
        draw.text((left + w / 2, top - 4 * SS), text(title), fill=FG, font=font(13 * SS), anchor="md")
    return s


def draw_arrow_block(draw, box, label: str, sub: str, narrowing: bool):
    """The encoder/decoder trapezoid: wide on the 3-D side, narrow on the 2-D side."""
    left, top, w, h = box
    cy = top + h / 2
    big, small = h * 0.36, h * 0.16
    a, b = (big, small) if narrowing else (small, big)
    draw.polygon([(left, cy - a), (left + w, cy - b), (left + w, cy + b), (left, cy + a)],
                 fill=(238, 242, 247), outline=(170, 178, 188), width=SS)
    draw.text((left + w / 2, cy - 2 * SS), text(label), fill=FG, font=font(13 * SS), anchor="md")
    draw.text((left + w / 2, cy + 3 * SS), text(sub), fill=MUTED, font=font(10 * SS), anchor="ma")


def draw_ramp_legend(draw, box, low: str, high: str):
    left, top, w, h = box
    for i in range(int(w)):
        c = ramp([i / max(1, w - 1)])[0]
        draw.line([(left + i, top), (left + i, top + h)], fill=tuple(int(v) for v in c))
    f = font(11 * SS)
    draw.text((left - 6 * SS, top + h / 2), low, fill=MUTED, font=f, anchor="rm")
    draw.text((left + w + 6 * SS, top + h / 2), high, fill=MUTED, font=f, anchor="lm")


def finish(image, path):
    from PIL import Image

    small = image.resize((image.width // SS, image.height // SS), Image.LANCZOS)
    small.quantize(colors=192, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    return small


def arch(index: dict) -> str:
    return "3\u2192" + "\u2192".join(str(h) for h in index["hidden"]) + "\u21922"


# ---- the figure kind -----------------------------------------------------
def request(options: dict, cfg) -> Request:
    return Request(f"figure:{KIND}", {**options, "toy": toy_request(cfg, options["shape"]).params})


@stage(f"figure:{KIND}", inputs=lambda p: {"toy": Request("toy-train", p["toy"])}, libs=("numpy", "pillow"),
       label=lambda p: f"figure toy-views ({p['shape']}, {p['part']})")
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
        alt = (f"The decoder of the trained toy model: the 2-D codes of {n} points of a {name} on the left are "
               f"decoded into a 3-D reconstruction on the right, which lies close to the input "
               f"(mean squared error {final['loss']:.2g}).")
    else:
        alt = (f"The encoder of the trained toy model: {n} points of a 3-D {name}, coloured from one end to the "
               f"other, are squeezed into a 2-D code in which the colours keep their order.")

    W, H = 720 * SS, 330 * SS
    image = Image.new("RGB", (W, H), BG)
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
    draw_arrow_block(draw, (left0 + side + 15 * SS, 30 * SS, gap - 30 * SS, side), "decoder" if decoder else "encoder",
                     sub, narrowing=not decoder)
    draw_ramp_legend(draw, (W // 2 - 90 * SS, H - 20 * SS, 180 * SS, 8 * SS), "start of the shape", "end")
    small = finish(image, ctx.out / "fallback.png")

    ctx.write_json("config.json", {
        "shape": p["shape"], "shapeName": name, "part": p["part"], "n": n, "file": "data.f32",
        "layout": [["points", 3], ["codes", 2], ["recon", 3], ["colour", 1]],
        "extent": extent, "steps": index["steps"], "loss": final["loss"], "rmsError": error,
        "hidden": index["hidden"], "activation": index["activation"], "alt": alt,
    })
    return {"alt": alt, "fallback": {"file": "fallback.png", "width": small.width, "height": small.height},
            "sources": [], "loss": final["loss"], "points": n}
