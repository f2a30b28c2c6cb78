"""Read and write IDX files (the MNIST format), plain or gzip-compressed, and check them cheaply."""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from generator.errors import DataError

from .base import image_problem, label_problem

# IDX type byte -> big-endian numpy dtype
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _DTYPES.items()}
_HEAD = 4 + 4 * 255  # the longest possible header

# The four files of an MNIST-style folder, in the order (x_train, y_train, x_test, y_test).
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_header(head: bytes, where: str) -> tuple[np.dtype, tuple[int, ...], int]:
    """Parse the start of an (uncompressed) IDX file: dtype, shape and header length."""
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _DTYPES or head[3] == 0:
        raise DataError(
            "is not an IDX file (bad magic number); expected an MNIST-format file such as train-images-idx3-ubyte[.gz]",
            where=where,
        )
    ndim = head[3]
    length = 4 + 4 * ndim
    if len(head) < length:
        raise DataError("is truncated (header incomplete); re-download the file", where=where)
    shape = tuple(int(d) for d in np.frombuffer(head, ">u4", ndim, 4))
    return np.dtype(_DTYPES[head[2]]), shape, length


def size_problem(shape: tuple[int, ...], dtype: np.dtype, data_bytes: int) -> str | None:
    """None if ``data_bytes`` is what an IDX header of ``shape`` promises."""
    need = math.prod(shape) * dtype.itemsize
    if data_bytes == need:
        return None
    return (
        f"holds {data_bytes:,} data bytes but its header {shape} needs {need:,}; "
        "the file is corrupt or truncated, re-download it"
    )


def _unreadable(exc: BaseException, path: Path) -> DataError:
    return DataError(f"cannot be read or decompressed ({exc}); re-download the file", where=str(path))


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzip detected by content) into a native-endian array."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise _unreadable(exc, path) from None
    dtype, shape, head = idx_header(raw[:_HEAD], str(path))
    problem = size_problem(shape, dtype, len(raw) - head)
    if problem:
        raise DataError(problem, where=str(path))
    return np.frombuffer(raw, dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))


def _gunzip_length(path: Path) -> int:
    """Decompress ``path`` without keeping it; return its length (this also verifies the CRC)."""
    total = 0
    with gzip.open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            total += len(chunk)
    return total


def inspect_idx(path: str | Path) -> tuple[np.dtype, tuple[int, ...]]:
    """An IDX file's dtype and shape from its header, after checking its length (cheap: no data read).

    A gzip file's length is taken from its trailer; only when that disagrees is it decompressed.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            gz = handle.read(2) == b"\x1f\x8b"
        if gz:
            with gzip.open(path, "rb") as handle:
                head = handle.read(_HEAD)
        else:
            with open(path, "rb") as handle:
                head = handle.read(_HEAD)
        dtype, shape, length = idx_header(head, str(path))
        if gz:
            with open(path, "rb") as handle:  # ISIZE: the uncompressed length mod 2**32
                handle.seek(-4, 2)
                isize = int.from_bytes(handle.read(4), "little")
            total = length + math.prod(shape) * dtype.itemsize
            if isize != total % 2**32:  # damaged, truncated or several gzip members: decompress to be sure
                total = _gunzip_length(path)
        else:
            total = path.stat().st_size
    except (OSError, EOFError, zlib.error) as exc:
        raise _unreadable(exc, path) from None
    problem = size_problem(shape, dtype, total - length)
    if problem:
        raise DataError(problem, where=str(path))
    return dtype, shape


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed if the name ends in .gz."""
    array = np.asarray(array)
    code = _CODES.get(array.dtype)
    if code is None or not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX cannot store dtype {array.dtype} with {array.ndim} dimensions")
    data = (
        bytes([0, 0, code, array.ndim])
        + np.asarray(array.shape, ">u4").tobytes()
        + array.astype(_DTYPES[code]).tobytes()
    )
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


def _missing(folder: Path, missing: list[str], hint: str) -> DataError:
    return DataError(f"is missing {', '.join(missing)}. {hint}", where=str(folder))


def check_idx_folder(folder: Path, title: str, hint: str) -> tuple[int, int]:
    """Check an MNIST-style folder from its headers and labels; return (training, test) image counts."""
    found, missing = find_idx_files(folder)
    if missing:
        raise _missing(folder, missing, hint)
    counts = []
    for images, labels in ((found[0], found[1]), (found[2], found[3])):
        dtype, shape = inspect_idx(images)
        problem = image_problem(title, dtype, shape)
        if problem:
            raise DataError(problem, where=str(images))
        problem = label_problem(*inspect_idx(labels), shape[0], images=f"images in {images.name}")
        if problem is None:  # the header is right: read the (small) labels to check their values
            y = read_idx(labels)
            problem = label_problem(y.dtype, y.shape, shape[0], y, images=f"images in {images.name}")
        if problem:
            raise DataError(problem, where=str(labels))
        counts.append(shape[0])
    return counts[0], counts[1]


def load_idx_folder(folder: Path, hint: str, title: str = "MNIST"):
    """Read and check the four IDX files in ``folder``; return x_tr, y_tr, x_te, y_te."""
    found, missing = find_idx_files(folder)
    if missing:
        raise _missing(folder, missing, hint)
    arrays = [read_idx(p) for p in found]
    for (x, y), (px, py) in zip((arrays[:2], arrays[2:]), (found[:2], found[2:])):
        problem = image_problem(title, x.dtype, x.shape)
        if problem:
            raise DataError(problem, where=str(px))
        problem = label_problem(y.dtype, y.shape, len(x), y, images=f"images in {px.name}")
        if problem:
            raise DataError(problem, where=str(py))
    x_tr, y_tr, x_te, y_te = arrays
    return x_tr, y_tr.astype(np.int64), x_te, y_te.astype(np.int64)
