"""Texture atlases: many small images (grayscale or RGB) packed into square PNGs.

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


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """One uint8 (H, W) or (H, W, 3) image resized with Lanczos to ``size`` = (width, height)."""
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))


def fitted_size(height: int, width: int, cell: int) -> tuple[int, int]:
    """(height, width) of an image of that shape scaled to fit a ``cell`` x ``cell`` square, keeping aspect."""
    scale = cell / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def _fit_cells(images: np.ndarray, cell: int) -> np.ndarray:
    """Images as uint8 (N, cell, cell[, 3]). Square images of another size are resized with Lanczos;
    non-square ones are scaled to fit the cell keeping their aspect and centred on black."""
    h, w = images.shape[1:3]
    if (h, w) == (cell, cell):
        return images
    if h == w:
        return np.stack([_resize(im, (cell, cell)) for im in images])
    fh, fw = fitted_size(h, w, cell)
    top, left = (cell - fh) // 2, (cell - fw) // 2
    out = np.zeros((len(images), cell, cell, *images.shape[3:]), np.uint8)
    for k, im in enumerate(images):
        out[k, top : top + fh, left : left + fw] = _resize(im, (fw, fh))
    return out


def pack(
    images: np.ndarray,
    *,
    cell: int = 28,
    side: int = 2048,
    progress: Callable[[int, int], None] | None = None,
) -> list[Image.Image]:
    """Pack uint8 (N, H, W) images into grayscale (mode "L") ``side`` x ``side`` atlases, or
    (N, H, W, 3) images into RGB ones.

    Images whose H, W differ from ``cell`` are fitted to the square cell: square ones resized, others
    scaled keeping their aspect and centred on black (see :func:`fitted_size`). Unused cells are black.
    """
    _check_geometry(cell, side)
    images = np.asarray(images)
    if images.dtype != np.uint8 or not (images.ndim == 3 or (images.ndim == 4 and images.shape[3] == 3)):
        raise DataError(
            f"images must be a uint8 array (N, H, W) or (N, H, W, 3), got {images.dtype} {images.shape}; "
            "scale to 0..255 and cast with .astype(np.uint8) first",
            where="atlas",
        )
    images = _fit_cells(images, cell)
    channels = images.shape[3:]  # () for gray, (3,) for RGB
    idx = index(len(images), cell=cell, side=side)
    per_row, per_atlas = idx["per_row"], idx["per_atlas"]
    atlases = []
    for a in range(idx["atlases"]):
        chunk = images[a * per_atlas : (a + 1) * per_atlas]
        cells = np.zeros((per_atlas, cell, cell, *channels), dtype=np.uint8)
        cells[: len(chunk)] = chunk
        # (row, col, y, x) -> (row, y, col, x): each grid row becomes `cell` pixel rows.
        grid = cells.reshape(per_row, per_row, cell, cell, *channels).swapaxes(1, 2)
        pixels = np.zeros((side, side, *channels), dtype=np.uint8)
        pixels[: per_row * cell, : per_row * cell] = grid.reshape(per_row * cell, per_row * cell, *channels)
        atlases.append(Image.fromarray(pixels, "RGB" if channels else "L"))
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
