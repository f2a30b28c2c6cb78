"""The :class:`Dataset` container plus argument checks and seeded, stratified selection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Images as uint8 (N, H, W), labels as int64 (N,) or None, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray | None
    x_test: np.ndarray
    y_test: np.ndarray | None
    source: dict[str, Any]

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


def source_info(name: str, count: int, credit: str, licence: str, url: str,
                skipped: int = 0) -> dict[str, Any]:
    """Build the ``source`` dict every loader returns."""
    return {"name": name, "count": int(count), "credit": credit, "licence": licence,
            "url": url, "skipped": int(skipped)}


def check_count(count: Any) -> int | None:
    """Return ``count`` if it is None or a positive int, else raise DataError."""
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise DataError(f"must be a positive whole number of images, or unset to use "
                        f"every image; got {count!r}", where="count")
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


def cap_split(x_tr: np.ndarray, y_tr: np.ndarray | None, x_te: np.ndarray,
              y_te: np.ndarray | None, count: int | None, rng: np.random.Generator):
    """Cap an existing train/test split to ``count`` images, keeping the test fraction."""
    n_tr, n_te = len(x_tr), len(x_te)
    if count is None or count >= n_tr + n_te:
        return x_tr, y_tr, x_te, y_te
    k_te = min(n_te, int(round(count * n_te / (n_tr + n_te))))
    i_tr = choose(y_tr, n_tr, count - k_te, rng)
    i_te = choose(y_te, n_te, k_te, rng)
    return (x_tr[i_tr], None if y_tr is None else y_tr[i_tr],
            x_te[i_te], None if y_te is None else y_te[i_te])


def cap_and_split(x: np.ndarray, y: np.ndarray | None, count: int | None, test_frac: float,
                  rng: np.random.Generator, shuffle: bool = False):
    """Cap an unsplit pool to ``count`` images and split off ``test_frac`` as test, stratified."""
    sel = choose(y, len(x), len(x) if count is None else count, rng)
    ys = None if y is None else y[sel]
    test = np.zeros(len(sel), dtype=bool)
    test[choose(ys, len(sel), int(round(len(sel) * test_frac)), rng)] = True
    i_tr, i_te = sel[~test], sel[test]
    if shuffle:
        i_tr, i_te = rng.permutation(i_tr), rng.permutation(i_te)
    return (x[i_tr], None if y is None else y[i_tr],
            x[i_te], None if y is None else y[i_te])
