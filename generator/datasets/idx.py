"""Read and write IDX files (the MNIST format), plain or gzip-compressed."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from generator.errors import DataError

# IDX type byte -> big-endian numpy dtype
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _DTYPES.items()}

# The four files of an MNIST-style folder, in the order (x_train, y_train, x_test, y_test).
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzip detected by content) into a native-endian array."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"cannot be read or decompressed ({exc}); re-download the file",
                        where=str(path)) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES or raw[3] == 0:
        raise DataError("is not an IDX file (bad magic number); expected an MNIST-format "
                        "file such as train-images-idx3-ubyte[.gz]", where=str(path))
    ndim = raw[3]
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise DataError("is truncated (header incomplete); re-download the file", where=str(path))
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, 4))
    dtype = np.dtype(_DTYPES[raw[2]])
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - head != size:
        raise DataError(f"holds {len(raw) - head} data bytes but its header {shape} needs "
                        f"{size}; the file is corrupt or truncated, re-download it",
                        where=str(path))
    return np.frombuffer(raw, dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed if the name ends in .gz."""
    array = np.asarray(array)
    code = _CODES.get(array.dtype)
    if code is None or not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX cannot store dtype {array.dtype} with {array.ndim} dimensions")
    data = (bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
            + array.astype(_DTYPES[code]).tobytes())
    path = Path(path)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def find_idx_files(folder: Path) -> tuple[list[Path], list[str]]:
    """Locate the four MNIST-style IDX files in ``folder``; return (found, missing names)."""
    found, missing = [], []
    for stem in IDX_FILES:
        dotted = stem.replace("-idx", ".idx")  # e.g. train-images.idx3-ubyte
        options = [folder / f"{s}{ext}" for s in (stem, dotted) for ext in (".gz", "")]
        hit = next((p for p in options if p.is_file()), None)
        if hit is None:
            missing.append(f"{stem}[.gz]")
        else:
            found.append(hit)
    return found, missing


def load_idx_folder(folder: Path, hint: str, n_classes: int = 10):
    """Read and check the four IDX files in ``folder``; return x_tr, y_tr, x_te, y_te."""
    found, missing = find_idx_files(folder)
    if missing:
        raise DataError(f"is missing {', '.join(missing)}. {hint}", where=str(folder))
    arrays = [read_idx(p) for p in found]
    for (x, y), (px, py) in zip((arrays[:2], arrays[2:]), (found[:2], found[2:])):
        if x.ndim != 3 or x.dtype != np.uint8:
            raise DataError(f"should hold uint8 images of shape (N, H, W); got {x.dtype} "
                            f"{x.shape}", where=str(px))
        if y.ndim != 1 or len(y) != len(x) or (len(y) and not 0 <= y.min() <= y.max() < n_classes):
            raise DataError(f"should hold {len(x)} labels in 0..{n_classes - 1}; got shape "
                            f"{y.shape}", where=str(py))
    x_tr, y_tr, x_te, y_te = arrays
    if x_tr.shape[1:] != x_te.shape[1:]:
        raise DataError(f"training images are {x_tr.shape[1:]} but test images are "
                        f"{x_te.shape[1:]}; both must match", where=str(folder))
    return x_tr, y_tr.astype(np.int64), x_te, y_te.astype(np.int64)
