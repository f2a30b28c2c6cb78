"""Fashion-MNIST from Debian's ``dataset-fashion-mnist`` or a user's IDX folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.errors import DataError

from .base import Dataset, cap_split, check_path, source_info
from .idx import load_idx_folder

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CREDIT = "Fashion-MNIST: Zalando Research (MIT licence)"
LICENCE = "MIT"
URL = "https://github.com/zalandoresearch/fashion-mnist"
HINT = ("Install it with `apt install dataset-fashion-mnist`, or pass the path to a folder "
        "holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
        "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz].")
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def load_fashion(count: int | None, seed: int, path: str | Path | None) -> Dataset:
    """Load Fashion-MNIST from ``path`` or, if None, from the Debian package's files."""
    if path is None:
        folder = DEBIAN_DIR
        if not folder.is_dir():
            raise DataError(f"Fashion-MNIST is not installed. {HINT}", where=str(folder))
    else:
        folder = check_path(path, HINT)
        if not folder.is_dir():
            raise DataError(f"is not a folder. {HINT}", where=str(folder))
    arrays = load_idx_folder(folder, HINT, "Fashion-MNIST")
    x_tr, y_tr, x_te, y_te = cap_split(*arrays, count, np.random.default_rng(seed))
    n = len(x_tr) + len(x_te)
    return Dataset(x_tr, y_tr, x_te, y_te, source_info("fashion-mnist", n, CREDIT, LICENCE, URL))
