"""Image arrays of an author's data set: an .npz or a folder of IDX files.

An .npz holds ``x`` (N, H, W) or (N, H, W, 3) uint8 (``x_train`` is read as ``x``; (N, H, W, 1) is
squeezed), optionally ``y`` (or ``y_train``) integer labels 0-999 ((N, 1) is squeezed) and a test split
``x_test``/``y_test``.
An IDX folder holds ``train-images-idx3-ubyte[.gz]`` and optionally ``train-labels-idx1-ubyte[.gz]`` and
the ``t10k-`` pair (:mod:`.idx` reads them). :func:`check_arrays` reads only headers and labels;
:func:`read_arrays` applies the same rules to what it loads. Problems are :class:`DataError`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import DataError

from .idx import IDX_FILES, find_idx_files, inspect_idx, read_idx
from .images import mixed_sizes, side_problem
from .mnist import npy_header

MAX_CLASSES = 1000
NPZ_EXPECT = (
    "an .npz holds x (N, H, W) or (N, H, W, 3) uint8 images, optionally y (N,) integer labels "
    f"0-{MAX_CLASSES - 1} and a test split x_test, y_test"
)
IDX_EXPECT = (
    "an IDX folder holds train-images-idx3-ubyte[.gz] ((N, H, W) or (N, H, W, 3) uint8), optionally "
    f"train-labels-idx1-ubyte[.gz] (N labels 0-{MAX_CLASSES - 1}) and the t10k- pair as a test split"
)
ROLES = ("x", "y", "x_test", "y_test")
_MISSING = tuple(f"{stem}[.gz]" for stem in IDX_FILES)  # as find_idx_files names a missing file
_NPZ_NAMES = {"x": ("x", "x_train"), "y": ("y", "y_train"), "x_test": ("x_test",), "y_test": ("y_test",)}


def idx_files(folder: Path) -> dict[str, Path]:
    """The IDX files present in ``folder`` by role (x, y, x_test, y_test), as :func:`.idx.find_idx_files` finds them."""
    found, missing = find_idx_files(folder)
    present = iter(found)  # in the order of the roles, without the missing ones
    return {role: next(present) for role, gone in zip(ROLES, _MISSING) if gone not in missing}


def _roles_problem(roles, images: str) -> str | None:
    """None if the roles present make sense: x (named ``images`` in the message), and labels for both splits or
    neither."""
    if "x" not in roles:
        return f"has no {images}"
    if "y_test" in roles and "x_test" not in roles:
        return "has test labels without test images"
    if "x_test" in roles and ("y" in roles) != ("y_test" in roles):
        return "has labels for one split only; give labels for both splits or for neither"
    return None


def image_problem(key: str, dtype: np.dtype, shape: tuple[int, ...], size: Any, expect: str) -> str | None:
    """None if (dtype, shape) are images the build can use; else what is wrong and what is allowed."""
    usable = len(shape) == 3 or (len(shape) == 4 and shape[3] in (1, 3))
    if dtype != np.uint8 or not usable:
        kind = "Python objects" if dtype.hasobject else dtype.name
        hint = "; scale the pixels to 0-255 and store them as uint8" if usable else ""
        return f"{key} holds an array of shape {tuple(shape)} ({kind}); {expect}{hint}"
    if shape[0] < 1:
        return f"{key} holds no images; {expect}"
    if min(shape[1:3]) < 1:
        return f"{key} holds images of {shape[1]}×{shape[2]} pixels (height×width); {expect}"
    problem = None if size is not None else side_problem(shape[1:])
    return f"{key} holds images of {problem}" if problem else None


def label_problem(key: str, y: np.ndarray, n: int, expect: str) -> str | None:
    """None if ``y`` holds ``n`` integer labels from 0 to MAX_CLASSES - 1; else what is wrong."""
    if y.dtype.kind not in "iu" or y.ndim != 1 or len(y) != n:
        kind = "Python objects" if y.dtype.hasobject else y.dtype.name
        return f"{key} holds labels of shape {y.shape} ({kind}) for {n:,} images; {expect}"
    if len(y) and not 0 <= int(y.min()) <= int(y.max()) < MAX_CLASSES:
        return f"{key} holds labels from {int(y.min())} to {int(y.max())}; {expect}"
    return None


def as_labels(y: np.ndarray) -> np.ndarray:
    """Labels shaped (N, 1), as Keras writes them, as (N,); other shapes as they are."""
    return y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y


def _npz_labels(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> np.ndarray:
    """The labels of one .npz member; an array of Python objects (which is not read) as a stand-in of its shape."""
    with archive.open(member) as handle:
        dtype, shape = npy_header(handle)
    if dtype.hasobject:
        return np.broadcast_to(np.empty((), object), shape)
    with archive.open(member) as handle:
        return as_labels(np.lib.format.read_array(handle, allow_pickle=False))


def npz_names(names: list[str], file: Path) -> dict[str, str]:
    """{role: array name} of an .npz's arrays; DataError when they do not fit together."""
    roles = {
        role: next(n for n in options if n in names)
        for role, options in _NPZ_NAMES.items()
        if set(options) & set(names)
    }
    problem = _roles_problem(roles, "array x (or x_train)")
    if problem:
        raise DataError(f"{problem} (found {', '.join(sorted(names)) or 'no arrays'}); {NPZ_EXPECT}", where=str(file))
    return roles


def _idx_roles(folder: Path) -> dict[str, Path]:
    found = idx_files(folder)
    problem = _roles_problem(found, "train-images-idx3-ubyte[.gz]")
    if problem:
        names = ", ".join(p.name for p in found.values())
        raise DataError(f"{problem} (found {names}); {IDX_EXPECT}", where=str(folder))
    return found


def check_arrays(p: Path, form: str, size: Any) -> tuple[int, dict[str, np.ndarray]]:
    """Check an .npz (``form`` 'npz') or IDX folder ('idx') from headers and labels: (images, {role: labels})."""
    shapes: dict[str, tuple[int, ...]] = {}
    labels: dict[str, np.ndarray] = {}
    where: dict[str, Path] = {}
    expect = NPZ_EXPECT if form == "npz" else IDX_EXPECT
    if form == "npz":
        with zipfile.ZipFile(p) as archive:
            members = {i.filename[:-4]: i for i in archive.infolist() if i.filename.endswith(".npy")}
            for role, name in npz_names(sorted(members), p).items():
                where[role] = p
                if role.startswith("y"):
                    labels[role] = _npz_labels(archive, members[name])
                    continue
                with archive.open(members[name]) as handle:
                    dtype, shapes[role] = npy_header(handle)
                problem = image_problem(name, dtype, shapes[role], size, expect)
                if problem:
                    raise DataError(problem, where=str(p))
    else:
        for role, file in _idx_roles(p).items():
            where[role] = file
            if role.startswith("y"):
                labels[role] = as_labels(read_idx(file))
                continue
            dtype, shapes[role] = inspect_idx(file)
            problem = image_problem(file.name, dtype, shapes[role], size, expect)
            if problem:
                raise DataError(problem, where=str(file))
    for role, y in labels.items():
        problem = label_problem(role if form == "npz" else where[role].name, y, shapes[f"x{role[1:]}"][0], expect)
        if problem:
            raise DataError(problem, where=str(where[role]))
    if size is None and "x_test" in shapes and shapes["x_test"][1:3] != shapes["x"][1:3]:
        raise DataError(mixed_sizes(("x", shapes["x"][1:]), ("x_test", shapes["x_test"][1:])), where=str(p))
    return sum(s[0] for s in shapes.values()), labels


def read_arrays(p: Path, form: str, size: Any) -> dict[str, np.ndarray]:
    """The arrays of an .npz or IDX folder by role (x, y, x_test, y_test), checked; labels as int64."""
    check_arrays(p, form, size)  # the rules the check before the build applied, on this very file
    if form == "npz":
        with np.load(p, allow_pickle=False) as npz:
            arrays = {role: npz[name] for role, name in npz_names(list(npz.files), p).items()}
    else:
        arrays = {role: read_idx(file) for role, file in _idx_roles(p).items()}
    for role, a in arrays.items():
        if role.startswith("y"):
            arrays[role] = as_labels(a).astype(np.int64)
        elif a.ndim == 4 and a.shape[3] == 1:
            arrays[role] = a[..., 0]
    return arrays
