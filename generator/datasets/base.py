"""The :class:`Dataset` container plus argument checks and seeded, stratified selection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Images as uint8 (N, H, W) grey or (N, H, W, 3) RGB, labels as int64 (N,) or None, and where they came from.

    ``classes`` names the labels (label i is ``classes[i]``; empty when unlabelled); ``color`` is "gray" or "rgb".
    """

    x_train: np.ndarray
    y_train: np.ndarray | None
    x_test: np.ndarray
    y_test: np.ndarray | None
    source: dict[str, Any]
    classes: tuple[str, ...] = ()
    color: str = "gray"

    @property
    def n(self) -> int:
        """Total number of images, train plus test."""
        return len(self.x_train) + len(self.x_test)

    def all(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Return (x, y) with the training images first, then the test images."""
        x = np.concatenate([self.x_train, self.x_test])
        if self.y_train is None or self.y_test is None:
            return x, None
        return x, np.concatenate([self.y_train, self.y_test])


def source_info(name: str, count: int, credit: str, licence: str, url: str, skipped: int = 0) -> dict[str, Any]:
    """Build the ``source`` dict every loader returns."""
    return {
        "name": name,
        "count": int(count),
        "credit": credit,
        "licence": licence,
        "url": url,
        "skipped": int(skipped),
    }


def check_count(count: Any) -> int | None:
    """Return ``count`` if it is None or a positive int, else raise DataError."""
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise DataError(
            f"must be a positive whole number of images, or unset to use every image; got {count!r}", where="count"
        )
    return int(count)


def check_seed(seed: Any) -> int:
    """Return ``seed`` if it is a non-negative int, else raise DataError."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"must be a non-negative whole number; got {seed!r}", where="seed")
    return int(seed)


def check_path(path: Any, hint: str) -> Path:
    """Return ``path`` as an existing Path, else raise DataError ending with ``hint``."""
    if not isinstance(path, (str, Path)) or str(path).strip() == "":
        raise DataError(f"must be a file or folder path; got {path!r}. {hint}", where="path")
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"does not exist. {hint}", where=str(p))
    return p


def allocate(total: int, sizes: np.ndarray) -> np.ndarray:
    """Split ``total`` over groups proportionally to ``sizes`` (largest remainder, >=1 each if possible)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = min(int(total), int(sizes.sum()))
    exact = total * sizes / max(int(sizes.sum()), 1)
    quota = np.minimum(np.floor(exact).astype(np.int64), sizes)
    order = np.argsort(-(exact - quota), kind="stable")
    for g in order:
        if quota.sum() >= total:
            break
        if quota[g] < sizes[g]:
            quota[g] += 1
    while quota.sum() < total:  # only reachable when some groups are full
        g = int(np.argmax(sizes - quota))
        quota[g] += 1
    if total >= np.count_nonzero(sizes):
        for g in np.flatnonzero((quota == 0) & (sizes > 0)):
            quota[int(np.argmax(quota))] -= 1
            quota[g] += 1
    return quota


def choose(y: np.ndarray | None, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Pick ``k`` of ``n`` indices, stratified by label ``y`` when given; sorted ascending."""
    if k >= n:
        return np.arange(n)
    if y is None:
        return np.sort(rng.choice(n, size=k, replace=False))
    classes, inverse = np.unique(y, return_inverse=True)
    members = [np.flatnonzero(inverse == c) for c in range(len(classes))]
    quota = allocate(k, np.array([len(m) for m in members]))
    picked = [rng.choice(m, size=q, replace=False) for m, q in zip(members, quota)]
    return np.sort(np.concatenate(picked))


def cap_split(
    x_tr: np.ndarray,
    y_tr: np.ndarray | None,
    x_te: np.ndarray,
    y_te: np.ndarray | None,
    count: int | None,
    rng: np.random.Generator,
):
    """Cap an existing train/test split to ``count`` images, keeping the test fraction."""
    n_tr, n_te = len(x_tr), len(x_te)
    if count is None or count >= n_tr + n_te:
        return x_tr, y_tr, x_te, y_te
    k_te = min(n_te, int(round(count * n_te / (n_tr + n_te))))
    if n_te and n_tr and count >= 2:  # a few test images would round to none: keep one
        k_te = min(max(k_te, 1), count - 1)
    i_tr = choose(y_tr, n_tr, count - k_te, rng)
    i_te = choose(y_te, n_te, k_te, rng)
    return (x_tr[i_tr], None if y_tr is None else y_tr[i_tr], x_te[i_te], None if y_te is None else y_te[i_te])


def cap_and_split(
    x: np.ndarray,
    y: np.ndarray | None,
    count: int | None,
    test_frac: float,
    rng: np.random.Generator,
    shuffle: bool = False,
):
    """Cap an unsplit pool to ``count`` images and split off ``test_frac`` as test, stratified."""
    sel = choose(y, len(x), len(x) if count is None else count, rng)
    ys = None if y is None else y[sel]
    test = np.zeros(len(sel), dtype=bool)
    test[choose(ys, len(sel), int(round(len(sel) * test_frac)), rng)] = True
    i_tr, i_te = sel[~test], sel[test]
    if shuffle:
        i_tr, i_te = rng.permutation(i_tr), rng.permutation(i_te)
    return (x[i_tr], None if y is None else y[i_tr], x[i_te], None if y is None else y[i_te])


# The flag and site.toml key behind each dataset name, for messages.
OPTION = {
    "mnist": "--mnist / [data] mnist",
    "fashion-mnist": "--fashion-mnist / [data] fashion_mnist",
    "faces": "--celeba / [data] celeba",
}
TITLE = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST", "faces": "CelebA"}
# Fewest images a user-supplied dataset may hold: the smallest count a scale preset allows
# ([scales.*] mnist_count / fashion_count >= 500, faces_count and [data] celeba_count >= 20).
# Kept here, not read from config.py, so editing the settings schema does not re-run the dataset stage;
# tests/test_data_inputs.py checks that the two agree.
MINIMUM = {"mnist": 500, "fashion-mnist": 500, "faces": 20}
MINIMUM_KEY = {
    "mnist": "[scales.*] mnist_count",
    "fashion-mnist": "[scales.*] fashion_count",
    "faces": "[scales.*] faces_count",
}
IMAGE_SIZE = (28, 28)


def with_option(exc: DataError, name: str) -> DataError:
    """``exc`` with the flag / site.toml key that named the data added to where it happened."""
    option = OPTION[name]
    where = exc.where or ""
    if option in where:
        return exc
    return DataError(exc.message, where=f"{where} ({option})" if where else option)


# --- rules shared by the checks before a build and the loaders ---------------------------


def found_images(dtype: Any, shape: tuple[int, ...]) -> str:
    """Describe an image array for a message, e.g. '100 images of 10×10 pixels (uint8)'."""
    dtype = np.dtype(dtype)
    kind = dtype.name if not dtype.hasobject else "Python objects"
    if len(shape) == 3:
        return f"{shape[0]:,} images of {shape[1]}×{shape[2]} pixels ({kind})"
    if len(shape) == 4:
        what = "colour images" if shape[3] in (3, 4) else "images"
        return f"{shape[0]:,} {what} of {shape[1]}×{shape[2]}×{shape[3]} values ({kind})"
    return f"an array of shape {tuple(shape)} ({kind})"


def image_problem(title: str, dtype: Any, shape: tuple[int, ...]) -> str | None:
    """None if (dtype, shape) are greyscale uint8 28×28 images; else what is wrong and what is allowed."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8 and len(shape) == 3 and tuple(shape[1:]) == IMAGE_SIZE:
        return None
    hint = ""
    if len(shape) == 4 and shape[3] in (3, 4):
        hint = "; convert colour images to greyscale"
    elif dtype != np.uint8 and dtype.kind in "fiu":
        hint = "; scale the pixels to 0-255 and store them as uint8"
    return (
        f"holds {found_images(dtype, shape)}, but {title} images must be 28×28 greyscale uint8 "
        f"(0-255), an array of shape (N, 28, 28){hint}"
    )


def label_problem(
    dtype: Any, shape: tuple[int, ...], n: int, values: np.ndarray | None = None, images: str = "images"
) -> str | None:
    """None if these are ``n`` integer labels 0-9; else what is wrong and what is allowed."""
    dtype = np.dtype(dtype)
    allowed = f"labels must be integers 0-9, one per image ({n:,} for the {n:,} {images})"
    if dtype.hasobject or dtype.kind not in "iu":
        return f"holds labels of type {dtype.name if not dtype.hasobject else 'Python objects'}; {allowed}"
    if len(shape) != 1:
        return f"holds labels of shape {tuple(shape)}; {allowed}"
    if shape[0] != n:
        return f"holds {shape[0]:,} labels; {allowed}"
    if values is not None and len(values) and not 0 <= int(values.min()) <= int(values.max()) <= 9:
        return f"holds labels from {int(values.min())} to {int(values.max())}; {allowed}"
    return None


def count_problem(name: str, n_train: int, n_test: int, minimum: int | None, skipped: int = 0) -> str | None:
    """None if there are enough images to split and build with; else a message with the minimum.

    ``skipped``: images that were passed over as unreadable (the count is then of usable images).
    """
    usable = "usable " if skipped else ""
    note = f"; {skipped:,} more were skipped as unreadable or too small" if skipped else ""
    if n_train < 1 or n_test < 1:
        return (
            f"holds {n_train:,} training and {n_test:,} test {usable}images; both splits need at least one "
            "image" + (f" and the build at least {minimum:,} in all" if minimum else "") + note
        )
    if minimum and n_train + n_test < minimum:
        return (
            f"holds only {n_train + n_test:,} {usable}images ({n_train:,} training + {n_test:,} test); a build "
            f"needs at least {minimum:,} {TITLE[name]} images (the smallest {MINIMUM_KEY[name]} allows){note}"
        )
    return None
