"""Fashion-MNIST from a user's IDX folder, Debian's ``dataset-fashion-mnist``, or a verified download."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.errors import DataError

from .base import Dataset, cap_split, check_path, source_info
from .download import fashion_mnist_dir
from .idx import load_idx_folder

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CREDIT = "Fashion-MNIST: Zalando Research (MIT licence)"
LICENCE = "MIT"
URL = "https://github.com/zalandoresearch/fashion-mnist"
HINT = (
    "Pass the path to a folder "
    "holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
    "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] (or leave it empty: the build uses Debian's "
    "dataset-fashion-mnist, or downloads the files once)."
)
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def default_folder(show_progress: bool = True) -> Path:
    """Debian's files where the package is installed, else the verified download (made now if missing)."""
    if DEBIAN_DIR.is_dir():
        return DEBIAN_DIR
    return fashion_mnist_dir(show_progress)


def load_fashion(count: int | None, seed: int, path: str | Path | None) -> Dataset:
    """Load Fashion-MNIST from ``path`` or, if None, from :func:`default_folder`."""
    if path is None:
        folder = default_folder()
    else:
        folder = check_path(path, HINT)
        if not folder.is_dir():
            raise DataError(f"is not a folder. {HINT}", where=str(folder))
    arrays = load_idx_folder(folder, HINT, "Fashion-MNIST")
    x_tr, y_tr, x_te, y_te = cap_split(*arrays, count, np.random.default_rng(seed))
    n = len(x_tr) + len(x_te)
    return Dataset(x_tr, y_tr, x_te, y_te, source_info("fashion-mnist", n, CREDIT, LICENCE, URL))
