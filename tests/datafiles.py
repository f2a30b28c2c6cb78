"""Small image data sets written on the fly for the tests (numpy, IDX files, Pillow images)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from generator.datasets.idx import IDX_FILES, write_idx


def pixels(*shape: int, dtype=np.uint8) -> np.ndarray:
    rng = np.random.default_rng(sum(shape))
    if np.dtype(dtype).kind == "f":
        return rng.random(shape).astype(dtype)
    return rng.integers(0, 256, shape, dtype=np.uint8).astype(dtype)


def labels(n: int) -> np.ndarray:
    return (np.arange(n) % 10).astype(np.uint8)


def npz(path: Path, x_train, y_train, x_test, y_test, **extra) -> Path:
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, **extra)
    return path


def idx_folder(folder: Path, x_train, y_train, x_test, y_test, gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in zip(IDX_FILES, (x_train, y_train, x_test, y_test)):
        write_idx(folder / (stem + (".gz" if gz else "")), array)
    return folder


def good_idx(folder: Path, n_train: int = 600, n_test: int = 100, gz: bool = False) -> Path:
    return idx_folder(folder, pixels(n_train, 28, 28), labels(n_train), pixels(n_test, 28, 28), labels(n_test), gz)


def image_folder(folder: Path, n: int, mode: str = "RGB", size: tuple[int, int] = (92, 112), fmt: str = "JPEG") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        image = Image.fromarray(pixels(size[1], size[0]), "L").convert(mode)
        image.save(folder / f"{i:06d}.{'jpg' if fmt == 'JPEG' else 'png'}", fmt)
    return folder
