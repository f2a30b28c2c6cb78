"""Sprite tiles (generator/tiles.py): the point order behind a streamed figure's tiles, by its properties."""

from __future__ import annotations

import numpy as np
import pytest

from generator.tiles import spatial_order, tile_geometry


def tile_boxes(xy: np.ndarray, per_tile: int) -> np.ndarray:
    """(tiles, 4) bounding boxes [x0, y0, x1, y1] of each run of ``per_tile`` points."""
    starts = range(0, len(xy), per_tile)
    return np.array([[*xy[i : i + per_tile].min(axis=0), *xy[i : i + per_tile].max(axis=0)] for i in starts])


def blobs(n: int, seed: int = 3) -> np.ndarray:
    """Points in a few clusters, as a UMAP of digits looks."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-1, 1, (8, 2))
    return centres[rng.integers(0, 8, n)] + rng.normal(0, 0.08, (n, 2))


@pytest.mark.parametrize("n, per_tile", [(5000, 324), (1000, 1000), (999, 100), (70, 324), (1, 4)])
def test_the_order_is_a_permutation_and_every_tile_but_the_last_is_full(n, per_tile):
    order = spatial_order(blobs(n), per_tile)
    assert sorted(order.tolist()) == list(range(n))
    for t in range(n // per_tile):  # within a tile the points keep their order (later ones drawn on top)
        chunk = order[t * per_tile : (t + 1) * per_tile]
        assert (np.diff(chunk) > 0).all()


def test_tiles_are_compact_patches_of_the_map():
    xy = blobs(20_000)
    per_tile = 324
    order = spatial_order(xy, per_tile)
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    tiles = area(tile_boxes(xy[order], per_tile))
    shuffled = area(tile_boxes(xy, per_tile))  # the data set's own order: every tile spans the map
    whole = np.ptp(xy[:, 0]) * np.ptp(xy[:, 1])
    assert tiles.sum() < 1.5 * whole  # patches that barely overlap, together about the map's box
    assert np.median(tiles) < np.median(shuffled) / 20


def test_the_order_is_the_same_every_time_and_ties_keep_their_order():
    xy = blobs(3000)
    assert (spatial_order(xy, 256) == spatial_order(xy.copy(), 256)).all()
    same = np.zeros((600, 2))  # every point in one place: the data set's order
    assert spatial_order(same, 100).tolist() == list(range(600))


@pytest.mark.parametrize("cell", [8, 28, 64, 178, 2048])
def test_a_tile_page_is_a_power_of_two_holding_whole_cells(cell):
    g = tile_geometry(cell)
    assert g["side"] & (g["side"] - 1) == 0 and 256 <= g["side"] <= max(2048, cell)
    assert g["per_row"] == max(1, g["side"] // cell) and g["per_tile"] == g["per_row"] ** 2
    if cell <= 128:
        assert g["per_row"] >= 16
