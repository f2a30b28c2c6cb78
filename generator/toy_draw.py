"""Fallback drawings of the toy figures (toy-bench, toy-views, toy-snapshots), as the page draws them.

The same orthographic view as assets/js/lib/toy-3d.js (its starting angles), the
same code plane as toy-plane.js (equal-scale axes, trails -dL/dz), the viridis
colour along a shape (:func:`generator.draw.ramp`). Images are drawn at ``SS``
times their size and reduced by :func:`finish`, for smooth dots.
"""

from __future__ import annotations

import math

import numpy as np

from .draw import BORDER, INK, MUTED, font, nice_ticks, plain, ramp, reduce

#: the shapes' names as headings, and inside a sentence
SHAPE_TITLES = {
    "ring": "Ring",
    "swiss-roll": "Swiss roll",
    "saddle": "Saddle",
    "twisted-cubic": "Twisted cubic",
    "trefoil": "Trefoil knot",
}
SHAPE_NAMES = {
    "ring": "ring",
    "swiss-roll": "Swiss roll",
    "saddle": "saddle",
    "twisted-cubic": "twisted cubic",
    "trefoil": "trefoil knot",
}
YAW, PITCH = 0.6, 0.35  # the JS views' starting angles
SS = 2  # supersampling of the fallback images
HEADS_UP_TO = 60  # trails get arrow heads only when there are at most this many points (else plain lines)
TICK_STEPS = (1, 2, 2.5, 5)  # toy-plane.js niceTicks steps (x 10^k)


def text(value: str) -> str:
    """``value`` as the toy fallbacks' Unicode font draws it (ASCII stand-ins where none is installed)."""
    return plain(value, unicode=True)


def finish(image, colours: int = 192):
    """The supersampled ``image`` at its final size as a palette image (the ramp and the anti-aliased edges kept)."""
    return reduce(image, (image.width // SS, image.height // SS), colours)


def code_extent(*clouds: np.ndarray, pad: float = 0.08) -> list[float]:
    """A square [x0, x1, y0, y1] around all the 2-D points given, padded."""
    pts = np.concatenate([np.asarray(c, np.float64).reshape(-1, 2) for c in clouds])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-6) * (1 + pad)
    return [float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half)]


def scene_extent(*clouds: np.ndarray) -> float:
    """The largest distance from the origin of any 3-D point given (at least 1)."""
    return max([1.0] + [float(np.linalg.norm(np.asarray(c).reshape(-1, 3), axis=1).max()) for c in clouds if len(c)])


def project(
    points: np.ndarray,
    box: tuple[float, float, float, float],
    extent: float,
    *,
    yaw: float = YAW,
    pitch: float = PITCH,
    dtype=np.float64,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Screen x, y (m, 2) and depth (m,) in ``box`` = (left, top, width, height), as toy-3d.js; and the scale.

    Depth is in units of ``extent``, larger = farther.
    """
    left, top, w, h = box
    x, y, z = np.asarray(points, dtype).reshape(-1, 3).T
    cy, sy, cp, sp = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch)
    xr, yr = x * cy - y * sy, x * sy + y * cy
    up, depth = z * cp + yr * sp, yr * cp - z * sp
    s = (min(w, h) / 2 - 10 * SS) / (extent * 1.04)
    return np.stack([left + w / 2 + xr * s, top + h / 2 - up * s], axis=1), depth / extent, s


def draw_3d(draw, box, points, colours, *, ghost=None, links=False, extent=None, title=""):
    """A 3-D scatter like toy-3d.js: faint axes, ghost circles, depth-sorted points."""
    extent = extent or scene_extent(points, *([] if ghost is None else [ghost]))
    left, top, w, h = box
    r = max(2, min(4.5, min(w, h) / SS / 70)) * SS
    axes = np.array([[-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]], np.float64)
    ends, _, _ = project(axes, box, extent)
    f = font(11 * SS, unicode=True)
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
            draw.ellipse(
                [x - rr, y - rr, x + rr, y + rr],
                fill=tuple(int(c) for c in colours[i]),
                outline=(120, 124, 130),
                width=max(1, SS // 2),
            )
    if title:
        draw.text((left + w / 2, top - 4 * SS), text(title), fill=INK, font=font(13 * SS, unicode=True), anchor="md")


def tick_label(v: float) -> str:
    """A tick value as toy-plane.js writes it: short, with a true minus sign."""
    label = f"{v:.0e}" if abs(v) >= 1000 or (0 < abs(v) < 0.01) else f"{float(f'{v:.3g}'):g}"
    return label.replace("-", "\u2212")


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
    f = font(11 * SS, unicode=True)
    if ticks:
        for v in nice_ticks(rx0, rx1, max(2, round(pw / SS / 60)), steps=TICK_STEPS):
            x = to(v, 0)[0]
            draw.line([(x, T), (x, B)], fill=(175, 182, 190) if v == 0 else (228, 232, 236), width=SS // 2 or 1)
            draw.text((x, B + 3 * SS), text(tick_label(v)), fill=MUTED, font=f, anchor="ma")
        for v in nice_ticks(ry0, ry1, max(2, round(ph / SS / 60)), steps=TICK_STEPS):
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
                draw.polygon(
                    [tuple(b), tuple(b - u * head + perp * head * 0.55), tuple(b - u * head - perp * head * 0.55)],
                    fill=col,
                )
    for (zx, zy), c in zip(codes, colours):
        x, y = to(zx, zy)
        if inside(x, y):
            draw.ellipse(
                [x - r, y - r, x + r, y + r],
                fill=tuple(int(v) for v in c),
                outline=(120, 124, 130),
                width=max(1, SS // 2),
            )
    if title:
        draw.text((left + w / 2, top - 4 * SS), text(title), fill=INK, font=font(13 * SS, unicode=True), anchor="md")
    return s


def draw_arrow_block(draw, box, label: str, sub: str, narrowing: bool):
    """The encoder/decoder trapezoid: wide on the 3-D side, narrow on the 2-D side."""
    left, top, w, h = box
    cy = top + h / 2
    big, small = h * 0.36, h * 0.16
    a, b = (big, small) if narrowing else (small, big)
    draw.polygon(
        [(left, cy - a), (left + w, cy - b), (left + w, cy + b), (left, cy + a)],
        fill=(238, 242, 247),
        outline=(170, 178, 188),
        width=SS,
    )
    draw.text((left + w / 2, cy - 2 * SS), text(label), fill=INK, font=font(13 * SS, unicode=True), anchor="md")
    draw.text((left + w / 2, cy + 3 * SS), text(sub), fill=MUTED, font=font(10 * SS, unicode=True), anchor="ma")


def draw_ramp_legend(draw, box, low: str, high: str):
    """The viridis ramp as a bar in ``box``, its two ends named."""
    left, top, w, h = box
    for i in range(int(w)):
        c = ramp([i / max(1, w - 1)])[0]
        draw.line([(left + i, top), (left + i, top + h)], fill=tuple(int(v) for v in c))
    f = font(11 * SS, unicode=True)
    draw.text((left - 6 * SS, top + h / 2), low, fill=MUTED, font=f, anchor="rm")
    draw.text((left + w + 6 * SS, top + h / 2), high, fill=MUTED, font=f, anchor="lm")
