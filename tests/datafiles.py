"""Small image data sets written on the fly for the tests (numpy, IDX files, Pillow images)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

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


def shape_image(kind: str, colour, rng: np.random.Generator, size=(24, 32), span: int = 18) -> Image.Image:
    """A coloured circle, square or triangle (``span`` px wide) on a dark background of ``size`` (height,
    width), jittered so no two images are the same."""
    height, width = size
    image = Image.new("RGB", (width, height), tuple(int(v) for v in rng.integers(0, 30, 3)))
    draw = ImageDraw.Draw(image)
    x, y = (int(v) for v in rng.integers(2, 7, 2))
    box = (x, y, x + span, y + 15)
    if kind == "circle":
        draw.ellipse(box, fill=colour)
    elif kind == "square":
        draw.rectangle(box, fill=colour)
    else:
        draw.polygon([(box[0], box[3]), (box[2], box[3]), ((box[0] + box[2]) // 2, box[1])], fill=colour)
    return image
