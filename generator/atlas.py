"""Texture atlases: many small grayscale images packed into square PNGs.

Cells are laid out row-major, ``per_row = side // cell`` to a row; image ``i``
sits in atlas ``i // per_atlas``. The figures rebuild this mapping from the
numbers that :func:`index` returns, so nothing per image is stored.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from generator.errors import ConfigError, DataError

SIDES = tuple(2**p for p in range(6, 13))  # 64 ... 4096: power of two, as WebGL 1 wants


def _check_geometry(cell, side) -> None:
    if isinstance(cell, bool) or not isinstance(cell, (int, np.integer)) or cell < 1:
        raise ConfigError(f"cell must be a positive int, got {cell!r}", where="atlas cell")
    is_int = isinstance(side, (int, np.integer)) and not isinstance(side, bool)
    if not is_int or side not in SIDES or side < cell:
        allowed = ", ".join(str(s) for s in SIDES if s >= cell)
        raise ConfigError(
            f"atlas side must be a power of two in [64, 4096] and at least the cell "
            f"size {cell}, got {side!r}; allowed: {allowed}",
            where="atlas side",
        )


def index(n: int, *, cell: int, side: int) -> dict:
    """The numbers that map image ``i`` to its atlas and cell (see :func:`locate`)."""
    _check_geometry(cell, side)
    per_row = side // cell
    per_atlas = per_row * per_row
    return {
        "cell": int(cell),
        "side": int(side),
        "per_row": per_row,
        "per_atlas": per_atlas,
        "count": int(n),
        "atlases": -(-int(n) // per_atlas),
    }


def locate(i: int, idx: dict) -> tuple[int, int, int]:
    """(atlas, col, row) of image ``i``; its pixels start at (col * cell, row * cell)."""
    if not 0 <= i < idx["count"]:
        raise IndexError(f"image {i} out of range [0, {idx['count']})")
    atlas, within = divmod(int(i), idx["per_atlas"])
    row, col = divmod(within, idx["per_row"])
    return atlas, col, row


def _fit_cells(images: np.ndarray, cell: int) -> np.ndarray:
    """Images as uint8 (N, cell, cell), resized with Lanczos if they differ."""
    if images.shape[1:] == (cell, cell):
        return images
    return np.stack([np.asarray(Image.fromarray(im).resize((cell, cell), Image.Resampling.LANCZOS)) for im in images])


def pack(
    images: np.ndarray,
    *,
    cell: int = 28,
    side: int = 2048,
    progress: Callable[[int, int], None] | None = None,
) -> list[Image.Image]:
    """Pack uint8 (N, H, W) images into grayscale ``side`` x ``side`` atlases.

    Images whose H, W differ from ``cell`` are resized to a square cell (crop
    non-square images first to keep their proportions). Unused cells are black.
    """
    _check_geometry(cell, side)
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise DataError(
            f"images must be a uint8 array (N, H, W), got {images.dtype} {images.shape}; "
            "scale to 0..255 and cast with .astype(np.uint8) first",
            where="atlas",
        )
    images = _fit_cells(images, cell)
    idx = index(len(images), cell=cell, side=side)
    per_row, per_atlas = idx["per_row"], idx["per_atlas"]
    atlases = []
    for a in range(idx["atlases"]):
        chunk = images[a * per_atlas : (a + 1) * per_atlas]
        cells = np.zeros((per_atlas, cell, cell), dtype=np.uint8)
        cells[: len(chunk)] = chunk
        # (row, col, y, x) -> (row, y, col, x): each grid row becomes `cell` pixel rows.
        grid = cells.reshape(per_row, per_row, cell, cell).transpose(0, 2, 1, 3)
        pixels = np.zeros((side, side), dtype=np.uint8)
        pixels[: per_row * cell, : per_row * cell] = grid.reshape(per_row * cell, -1)
        atlases.append(Image.fromarray(pixels))  # 2-D uint8 -> mode "L"
        if progress:
            progress(min((a + 1) * per_atlas, len(images)), len(images))
    return atlases


def save(atlases: list[Image.Image], out_dir, prefix: str = "atlas") -> list[dict]:
    """Write ``{prefix}-0.png``, ... losslessly; return ``[{"file", "bytes"}]``.

    Each file is written under a temporary name and renamed into place.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for k, atlas in enumerate(atlases):
        name = f"{prefix}-{k}.png"
        target = out_dir / name
        tmp = out_dir / f".{name}.{os.getpid()}.tmp"
        try:
            atlas.save(tmp, format="PNG", optimize=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        written.append({"file": name, "bytes": target.stat().st_size})
    return written
