"""Draw the example's dataset: 4 classes of coloured shapes, 60 images each, 32 x 32 RGB PNGs.

    python examples/shapes/make_data.py [--out FOLDER] [--count 60] [--size 32] [--seed 0]

Writes one sub-folder per class (circle, square, star, triangle) under ``data/`` beside this
file, the layout ``[datasets.shapes]`` reads. Everything is drawn offline with Pillow from a fixed
seed, so the same command writes the same pictures; each shape has a random colour, size, position
and turn on a background of another colour. Drawn at four times the size, then scaled down, so the
edges are smooth.
"""

from __future__ import annotations

import argparse
import colorsys
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "star", "triangle")
SUPERSAMPLE = 4


def _colour(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def _polygon(cx: float, cy: float, radius: float, corners: int, turn: float, inner: float = 1.0) -> list:
    """Corners of a regular polygon (or, with ``inner`` < 1, a star with that ratio of radii)."""
    points = []
    steps = corners * (2 if inner < 1.0 else 1)
    for i in range(steps):
        r = radius if i % 2 == 0 or inner >= 1.0 else radius * inner
        angle = turn + 2 * math.pi * i / steps
        points.append((cx + r * math.sin(angle), cy - r * math.cos(angle)))
    return points


def draw(kind: str, rng: random.Random, size: int) -> Image.Image:
    """One picture of ``kind``: a shape of random colour, size, place and turn on a plain background."""
    big = size * SUPERSAMPLE
    hue = rng.random()
    background = _colour(hue + rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.45), rng.uniform(0.2, 0.95))
    fill = _colour(hue, rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0))
    image = Image.new("RGB", (big, big), background)
    pen = ImageDraw.Draw(image)
    radius = rng.uniform(0.22, 0.38) * big
    margin = 1.2 * radius + 0.02 * big
    cx, cy = rng.uniform(margin, big - margin), rng.uniform(margin, big - margin)
    turn = rng.uniform(0, 2 * math.pi)
    if kind == "circle":
        pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)
    elif kind == "square":
        pen.polygon(_polygon(cx, cy, radius * 1.15, 4, turn), fill=fill)  # corners reach out as far as a circle
    elif kind == "triangle":
        pen.polygon(_polygon(cx, cy, radius * 1.2, 3, turn), fill=fill)
    elif kind == "star":
        pen.polygon(_polygon(cx, cy, radius, 5, turn, inner=0.45), fill=fill)
    else:
        raise ValueError(f"unknown shape {kind!r}; allowed: {', '.join(CLASSES)}")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def make(out: Path, *, count: int = 60, size: int = 32, seed: int = 0) -> list[Path]:
    """Write ``count`` pictures of each class into ``out/<class>/``; return the files written."""
    rng = random.Random(seed)
    written = []
    for kind in CLASSES:
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"{kind}-*.png"):
            stale.unlink()
        for i in range(count):
            path = folder / f"{kind}-{i:03d}.png"
            draw(kind, rng, size).save(path, optimize=True)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the shapes example's dataset (class folders of PNGs).")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data", help="folder to write")
    parser.add_argument("--count", type=int, default=60, help="pictures of each class (default 60)")
    parser.add_argument("--size", type=int, default=32, help="side in pixels (default 32)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    written = make(args.out, count=args.count, size=args.size, seed=args.seed)
    total = sum(path.stat().st_size for path in written)
    print(f"wrote {len(written)} pictures ({total / 1024:.0f} KiB) into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
