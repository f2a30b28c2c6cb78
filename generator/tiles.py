"""Sprite tiles: the points of a map grouped into small atlas pages by where they lie, so that a figure loads
only the pages in view (issue 13, "full scale in the reader's page").

A tile is a run of ``per_tile`` consecutive points of :func:`spatial_order`: the leaves of a k-d split of
the map, each a compact patch of it. Tile ``t`` holds points ``t * per_tile`` ... and is one atlas page of
:func:`tile_geometry`'s side, so the figure's renderer draws it exactly as it draws a shared atlas page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .pipeline import Context

TILE_CELLS = 16  # a tile page is at least this many cells across (256 points a tile or more)
MAX_TILE_SIDE = 2048  # pixels: large images (CelebA's 178 px) get fewer a tile, not larger pages
TILES = "tiles/"  # the folder of a figure's payload that holds them
STREAM_ABOVE = 20_000  # images: above this, a figure's `images: auto` streams them
IMAGE_LOADING = ("auto", "all", "stream")  # the values of a figure's `images` option


def streams(option: str, count: int) -> bool:
    """Whether a figure with ``images: option`` streams the images of a data set of ``count`` images."""
    return option == "stream" or (option == "auto" and count > STREAM_ABOVE)


def tile_geometry(cell: int) -> dict:
    """The page of one tile for sprites of ``cell`` px: {"side", "per_row", "per_tile"} (side a power of two)."""
    side = 256
    while side < cell * TILE_CELLS and side < MAX_TILE_SIDE:
        side *= 2
    per_row = max(1, side // cell)
    return {"side": side, "per_row": per_row, "per_tile": per_row * per_row}


def spatial_order(xy: np.ndarray, per_tile: int) -> np.ndarray:
    """A permutation of the points (N, 2) whose runs of ``per_tile`` are compact patches of the map.

    A k-d split: a set of more than one tile's points is cut at the median of its wider side, the first part
    holding a whole number of tiles (half of them, rounded down); the parts are ordered first then second.
    Within a tile the points keep their order (later ones drawn on top, as before). Deterministic.
    """
    xy = np.asarray(xy, np.float64)
    order: list[np.ndarray] = []
    stack = [np.arange(len(xy))]
    while stack:
        idx = stack.pop()
        if len(idx) <= per_tile:
            order.append(np.sort(idx))
            continue
        tiles = -(-len(idx) // per_tile)
        k = (tiles // 2) * per_tile
        span = xy[idx].max(axis=0) - xy[idx].min(axis=0)
        axis = int(span[1] > span[0])
        part = np.argsort(xy[idx, axis], kind="stable")  # stable: equal coordinates keep their order
        stack.append(idx[part[k:]])  # popped after the first part
        stack.append(idx[part[:k]])
    return np.concatenate(order) if order else np.zeros(0, np.int64)


def write_tiles(ctx: Context, images: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, dict]:
    """Write ``images`` (uint8, one a point) as tiles of the map ``xy`` into the figure's ``tiles/``, with the
    atlas settings of the figure's ``params["atlas"]`` (cell, levels, format); return the point order (the
    figure writes its positions and labels in it) and the config's ``atlas`` (``lazy``: load pages on demand)."""
    from . import atlas
    from .stages.atlas import quantised, write_sheets

    cell, levels, fmt = (ctx.params["atlas"][k] for k in ("cell", "levels", "format"))
    geometry = tile_geometry(cell)
    order = spatial_order(xy, geometry["per_tile"])
    bar = ctx.progress(len(images), "tiles")
    sheets = atlas.pack(quantised(images[order], levels), cell=cell, side=geometry["side"], progress=bar)
    files = write_sheets(sheets, ctx.out / TILES, fmt, prefix="tile")
    sheet = {
        "base": TILES,
        "files": [f["file"] for f in files],
        "cell": cell,
        "side": geometry["side"],
        "per_row": geometry["per_row"],
        "per_atlas": geometry["per_tile"],
        "lazy": True,
    }
    return order, sheet
