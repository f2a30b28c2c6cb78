"""Seeded 3-D toy shapes for the "train an autoencoder in your browser" article.

Each shape is a small point cloud in 3-D that lies on a curve or a surface, so
an autoencoder with a 2-D code can in principle reconstruct it exactly. Points
come with a ``colour`` parameter in [0, 1] (the position along the curve, or
along the surface's main direction) that the figures use to colour every view
consistently, so a reader can match a point across the input, the code and the
reconstruction without relying on colour alone (the index is also shown on hover).

Coordinates are centred and scaled so the largest extent spans [-1, 1], keeping
the shape's aspect. Pure numpy: no TensorFlow import.
"""

from __future__ import annotations

import numpy as np

SHAPES = {
    "ring": "A tilted ring: a closed curve.",
    "swiss-roll": "A Swiss roll: a rolled-up sheet, a 2-D surface.",
    "saddle": "A saddle: the surface z = x² − y².",
    "twisted-cubic": "A twisted cubic: the curve (u, u², u³).",
    "trefoil": "A trefoil knot: a closed curve knotted in space.",
}


def _normalise(points: np.ndarray) -> np.ndarray:
    centre = (points.max(axis=0) + points.min(axis=0)) / 2
    points = points - centre
    half = np.abs(points).max()
    return points / (half if half > 0 else 1.0)


def make_shape(name: str, n: int = 200, seed: int = 0, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of shape ``name`` as float32 (n, 3) in [-1, 1], and float32 colour values in [0, 1].

    Curves are sampled at evenly spaced parameters; surfaces at seeded random
    parameters. ``noise`` adds seeded Gaussian noise (in the normalised units).
    """
    if name not in SHAPES:
        raise ValueError(f"unknown shape {name!r}; choose one of {', '.join(SHAPES)}")
    if not isinstance(n, int) or n < 4:
        raise ValueError(f"n must be an int of at least 4, got {n!r}")
    rng = np.random.default_rng(seed)
    if name == "ring":
        t = np.arange(n) / n
        a = 2 * np.pi * t
        points = np.stack([np.cos(a), np.sin(a) * np.cos(0.6), np.sin(a) * np.sin(0.6)], axis=1)
        colour = t
    elif name == "trefoil":
        t = np.arange(n) / n
        a = 2 * np.pi * t
        points = np.stack([np.sin(a) + 2 * np.sin(2 * a), np.cos(a) - 2 * np.cos(2 * a), -np.sin(3 * a)], axis=1)
        colour = t
    elif name == "twisted-cubic":
        u = np.linspace(-1, 1, n)
        points = np.stack([u, u**2, u**3], axis=1)
        colour = (u + 1) / 2
    elif name == "swiss-roll":
        s = np.sort(rng.uniform(0, 1, n))
        h = rng.uniform(-1, 1, n)
        a = 1.5 * np.pi * (1 + 2 * s)
        points = np.stack([a * np.cos(a), 6 * h, a * np.sin(a)], axis=1)
        colour = s
    else:  # saddle
        xy = rng.uniform(-1, 1, (n, 2))
        xy = xy[np.argsort(xy[:, 0] + 0.25 * xy[:, 1])]
        points = np.stack([xy[:, 0], xy[:, 1], xy[:, 0] ** 2 - xy[:, 1] ** 2], axis=1)
        colour = (xy[:, 0] - xy[:, 0].min()) / np.ptp(xy[:, 0])
    points = _normalise(points.astype(np.float64))
    if noise:
        points = points + rng.normal(0, noise, points.shape)
    return points.astype(np.float32), np.asarray(colour, dtype=np.float32)
