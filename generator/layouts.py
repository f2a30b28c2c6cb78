"""2-D layouts of a data set (UMAP, t-SNE, PCA) and their compact storage.

The pipeline for one layout is ``compute`` -> ``normalize`` -> ``quantize``;
the figures read the quantized bytes back with the numbers in ``meta``.
Encoder and VAE codes are computed elsewhere and enter at ``normalize``.

umap-learn, openTSNE and scikit-learn are imported inside the functions that
need them: the build imports this module on no-op rebuilds, which must stay
fast.
"""

from __future__ import annotations

import logging
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from numbers import Integral, Real

import numpy as np

from generator.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

METHODS = ("umap", "tsne", "pca")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Interval:
    """A number of ``type`` between ``left`` and ``right`` (``None``: unbounded)."""

    type: type
    left: float | None
    right: float | None
    closed: str = "both"  # "both", "left", "right" or "neither", as in sklearn

    def accepts(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.type):
            return False
        if isinstance(value, Real) and not math.isfinite(value):
            return False
        open_left = self.closed in ("right", "neither")
        open_right = self.closed in ("left", "neither")
        left, right = self.left, self.right
        if left is not None and (value < left or (open_left and value == left)):
            return False
        if right is not None and (value > right or (open_right and value == right)):
            return False
        return True

    def __str__(self) -> str:
        kind = "an int" if self.type is Integral else "a number"
        lo = "[" if self.closed in ("both", "left") else "("
        hi = "]" if self.closed in ("both", "right") else ")"
        left = "-inf" if self.left is None else self.left
        right = "inf" if self.right is None else self.right
        return f"{kind} in the range {lo}{left}, {right}{hi}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of strings."""

    choices: tuple[str, ...]

    def accepts(self, value) -> bool:
        return isinstance(value, str) and value in self.choices

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)


# Allowed parameters per method: (constraint, default). Checked before any work.
PARAMETER_CONSTRAINTS: dict[str, dict[str, tuple[Interval | Options, object]]] = {
    "umap": {
        # umap-learn requires n_neighbors >= 2 and 0 <= min_dist <= spread (1.0).
        "n_neighbors": (Interval(Integral, 2, 500), 15),
        "min_dist": (Interval(Real, 0.0, 1.0), 0.1),
        "metric": (Options(("euclidean", "cosine", "manhattan")), "euclidean"),
    },
    "tsne": {
        # openTSNE: n_iter counts the iterations after the 250 early-exaggeration
        # ones, so the default 500 means 750 in total.
        "perplexity": (Interval(Real, 1.0, 500.0), 30.0),
        "n_iter": (Interval(Integral, 50, 5000), 500),
        "metric": (Options(("euclidean", "cosine", "manhattan")), "euclidean"),
    },
    "pca": {},
}

_LIBRARIES = {"umap": "umap-learn", "tsne": "openTSNE", "pca": "scikit-learn"}
_TSNE_EARLY_EXAGGERATION_ITER = 250  # openTSNE's default
# Fixed, not os.cpu_count(): openTSNE's output for a seed changes with n_jobs.
_TSNE_N_JOBS = 2
_MIN_POINTS = 5
# UMAP and t-SNE on images with more than PRE_REDUCE_ABOVE values (e.g. 64 x 64 RGB) first project them on
# their PRE_REDUCE_TO leading principal components (randomised PCA, seeded): the neighbour graph barely
# changes and the time and memory stop growing with the image size. MNIST-sized data (784) is untouched.
PRE_REDUCE_ABOVE = 4096
PRE_REDUCE_TO = 100
# So do more than PRE_REDUCE_POINTS points of more than PRE_REDUCE_TO values (all 70,000 MNIST digits): the
# neighbour search is what grows there, and on 100 components it is 2x faster for openTSNE (49 s -> 23 s at
# 70,000 digits) and 10x for UMAP (26 s -> 3 s). Fewer points (the default scale's 10,000) keep every pixel.
PRE_REDUCE_POINTS = 20_000


def validate_params(method: str, params: dict | None = None) -> dict:
    """Check ``params`` against ``PARAMETER_CONSTRAINTS[method]``; fill in defaults.

    Raises :class:`ConfigError` naming the parameter, the bad value and what is allowed.
    """
    if method not in METHODS:
        raise ConfigError(
            f"unknown layout method {method!r}; choose one of {', '.join(METHODS)}",
            where=f"layout {method}",
        )
    constraints = PARAMETER_CONSTRAINTS[method]
    params = dict(params or {})
    for name in params:
        if name not in constraints:
            allowed = ", ".join(constraints) or "none"
            raise ConfigError(
                f"unknown parameter {name!r} for {method}; allowed parameters: {allowed}",
                where=f"layout {method}: {name}",
            )
    checked = {}
    for name, (constraint, default) in constraints.items():
        value = params.get(name, default)
        if not constraint.accepts(value):
            raise ConfigError(
                f"{name} must be {constraint}, got {value!r} ({type(value).__name__})",
                where=f"layout {method}: {name}",
            )
        if isinstance(constraint, Interval):
            value = int(value) if constraint.type is Integral else float(value)
        checked[name] = value
    return checked


def compute(
    method: str,
    x: np.ndarray,
    *,
    seed: int,
    params: dict | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, dict]:
    """Lay out the rows of ``x`` (N, D) in 2-D with ``method``.

    Returns ``(positions, effective)``: float32 (N, 2) positions and the
    parameters actually used (defaults filled, values bent to the data size),
    plus ``seed`` and ``library`` (name and version), to store beside the layout.
    ``progress(done, total)`` is called as work advances, if given.
    """
    params = validate_params(method, params)
    x = _check_data(method, x)
    notify = progress or _no_progress
    n = x.shape[0]
    reduced = None
    wide = x.shape[1] > PRE_REDUCE_ABOVE or (n > PRE_REDUCE_POINTS and x.shape[1] > PRE_REDUCE_TO)
    if method in ("umap", "tsne") and wide:
        x = _reduce(x, seed)
        reduced = int(x.shape[1])
    if method == "umap":
        if params["n_neighbors"] >= n:
            logger.warning(
                "layout umap: n_neighbors=%d is not smaller than the %d points; using %d",
                params["n_neighbors"],
                n,
                n - 1,
            )
            params["n_neighbors"] = n - 1
        positions = _umap(x, seed, params, notify)
    elif method == "tsne":
        limit = (n - 1) / 3  # t-SNE looks at 3 * perplexity neighbours
        if params["perplexity"] > limit:
            logger.warning(
                "layout tsne: perplexity=%g needs more than the %d points; using %g",
                params["perplexity"],
                n,
                limit,
            )
            params["perplexity"] = limit
        positions = _tsne(x, seed, params, notify)
    else:
        positions = _pca(x, seed, notify)
    effective = {"method": method, **params, "seed": seed, "library": _library(method)}
    if reduced:
        effective["pre_pca"] = reduced
    return np.ascontiguousarray(positions, dtype=np.float32), effective


def _reduce(x: np.ndarray, seed: int) -> np.ndarray:
    """``x`` projected on its leading principal components (at most PRE_REDUCE_TO; seeded randomised PCA)."""
    from sklearn.decomposition import PCA

    components = min(PRE_REDUCE_TO, x.shape[0] - 1, x.shape[1])
    reduced = PCA(n_components=components, svd_solver="randomized", random_state=seed).fit_transform(x)
    return np.ascontiguousarray(reduced, dtype=np.float32)


def _no_progress(done: int, total: int) -> None:
    pass


def _check_data(method: str, x) -> np.ndarray:
    """Return ``x`` as a finite float32 (N, D) array, else raise DataError."""
    x = np.asarray(x, dtype=np.float32)
    where = f"layout {method}"
    if x.ndim != 2 or x.shape[0] < _MIN_POINTS or x.shape[1] < 2:
        raise DataError(
            f"data must be a 2-D array (N, D) with N >= {_MIN_POINTS} and D >= 2, got shape {x.shape}",
            where=where,
        )
    if not np.isfinite(x).all():
        raise DataError("data contains NaN or infinite values", where=where)
    return x


def _library(method: str) -> str:
    name = _LIBRARIES[method]
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return name


def _import_umap():
    """Import ``umap.UMAP`` without TensorFlow.

    ``umap/__init__.py`` imports ``parametric_umap``, which imports TensorFlow
    (seconds to tens of seconds). Unless TensorFlow is loaded already, that one
    submodule is masked during the import, so umap falls back to its dummy
    ``umap.ParametricUMAP``; ``from umap.parametric_umap import ...`` still works later.
    """
    if "umap" in sys.modules or "tensorflow" in sys.modules:
        from umap import UMAP

        return UMAP
    sys.modules["umap.parametric_umap"] = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ImportWarning)
            from umap import UMAP
    finally:
        if sys.modules.get("umap.parametric_umap", 0) is None:
            del sys.modules["umap.parametric_umap"]
    return UMAP


def _umap(x, seed, params, notify) -> np.ndarray:
    UMAP = _import_umap()
    notify(0, 1)
    # A seed makes umap single-threaded anyway; saying so avoids its warning.
    model = UMAP(n_components=2, random_state=seed, n_jobs=1, **params)
    positions = model.fit_transform(x)
    notify(1, 1)
    return positions


def _tsne(x, seed, params, notify) -> np.ndarray:
    from openTSNE import TSNE

    total = _TSNE_EARLY_EXAGGERATION_ITER + params["n_iter"]
    state = {"offset": 0, "last": 0}

    def callback(iteration, error, embedding):
        if iteration <= state["last"]:  # the second phase restarts its count
            state["offset"] = _TSNE_EARLY_EXAGGERATION_ITER
        state["last"] = iteration
        notify(state["offset"] + iteration, total)

    notify(0, total)
    model = TSNE(
        n_components=2,
        perplexity=params["perplexity"],
        n_iter=params["n_iter"],
        early_exaggeration_iter=_TSNE_EARLY_EXAGGERATION_ITER,
        metric=params["metric"],
        random_state=seed,
        n_jobs=_TSNE_N_JOBS,
        callbacks=None if notify is _no_progress else callback,
        callbacks_every_iters=50,
    )
    positions = np.asarray(model.fit(x))
    if state["offset"] + state["last"] != total:
        notify(total, total)
    return positions


def _pca(x, seed, notify) -> np.ndarray:
    from sklearn.decomposition import PCA

    notify(0, 1)
    positions = PCA(n_components=2, random_state=seed).fit_transform(x)
    notify(1, 1)
    return positions


def _check_positions(positions: np.ndarray) -> None:
    if positions.ndim != 2 or positions.shape[1] != 2 or not np.isfinite(positions).all():
        raise DataError(f"positions must be finite (N, 2), got shape {positions.shape}")


def normalize(positions: np.ndarray, *, clip_percentile: float | None = None) -> np.ndarray:
    """Centre the bounding box on 0 and scale uniformly so the longer axis spans [-1, 1].

    The aspect ratio is kept (the 2019 original stretched every layout into a
    square). Outliers are not clipped by default: the far islands UMAP and
    t-SNE produce are real structure, and clipping would move points.
    ``clip_percentile=p`` instead takes the box from the p and 100 - p
    percentiles and clips the points outside it onto its edge.
    """
    positions = np.asarray(positions, dtype=np.float64)
    _check_positions(positions)
    if len(positions) == 0:
        return positions.astype(np.float32)
    if clip_percentile is None:
        lo, hi = positions.min(axis=0), positions.max(axis=0)
    else:
        lo = np.percentile(positions, clip_percentile, axis=0)
        hi = np.percentile(positions, 100 - clip_percentile, axis=0)
        positions = np.clip(positions, lo, hi)
    centre = (lo + hi) / 2
    half = (hi - lo).max() / 2
    scaled = (positions - centre) / half if half > 0 else positions - centre
    return np.clip(scaled, -1.0, 1.0).astype(np.float32)


_Q_MAX = 65535


def quantize(normalized: np.ndarray) -> tuple[bytes, dict]:
    """Store (N, 2) positions as little-endian uint16, x and y interleaved (4 B a point).

    Each axis maps its own [min, max] onto [0, 65535]; ``value = q * scale + offset``
    restores it to within half a step. ``aspect`` is width / height of the extents
    (an extent below 2 / 65535, one step of a [-1, 1] axis, counts as that).
    """
    values = np.asarray(normalized, dtype=np.float64)
    _check_positions(values)
    n = len(values)
    lo = values.min(axis=0) if n else np.zeros(2)
    hi = values.max(axis=0) if n else np.zeros(2)
    scale = (hi - lo) / _Q_MAX
    step = np.where(scale > 0, scale, 1.0)
    q = np.rint((values - lo) / step).clip(0, _Q_MAX).astype("<u2")
    extent = np.maximum(hi - lo, 2.0 / _Q_MAX)
    meta = {
        "count": n,
        "scale": [float(s) for s in scale],
        "offset": [float(o) for o in lo],
        "aspect": float(extent[0] / extent[1]),
        "dtype": "uint16",
    }
    return q.tobytes(), meta


def dequantize(data: bytes, meta: dict) -> np.ndarray:
    """Inverse of :func:`quantize`: float32 (N, 2) positions."""
    if meta.get("dtype") != "uint16" or len(data) != 4 * meta["count"]:
        raise DataError(
            f"expected {4 * meta.get('count', 0)} bytes of uint16, got {len(data)} bytes of {meta.get('dtype')}"
        )
    q = np.frombuffer(data, dtype="<u2").reshape(-1, 2).astype(np.float64)
    return (q * np.asarray(meta["scale"]) + np.asarray(meta["offset"])).astype(np.float32)


def trustworthiness(
    x: np.ndarray,
    positions: np.ndarray,
    *,
    k: int = 10,
    sample: int = 2000,
    seed: int = 0,
) -> float:
    """sklearn's trustworthiness of ``positions`` for ``x`` on a seeded sample of points.

    The sample is ``min(sample, N)`` rows drawn without replacement, the same
    for every layout of the same N and seed, so layouts can be compared.
    """
    from sklearn.manifold import trustworthiness as sk_trustworthiness

    x = np.asarray(x, dtype=np.float32)
    positions = np.asarray(positions, dtype=np.float32)
    n = len(x)
    if len(positions) != n:
        raise DataError(f"{n} data rows but {len(positions)} positions")
    m = min(sample, n)
    rows = np.sort(np.random.default_rng(seed).choice(n, size=m, replace=False))
    k_max = (m - 1) // 2  # sklearn requires k < m / 2
    if k > k_max:
        logger.warning("trustworthiness: k=%d is too large for %d points; using %d", k, m, k_max)
        k = k_max
    if k < 1:
        raise DataError(f"trustworthiness needs at least 3 points, got {m}")
    return float(sk_trustworthiness(x[rows], positions[rows], n_neighbors=k))
