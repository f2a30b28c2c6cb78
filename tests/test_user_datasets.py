"""An author's own data sets, ``[datasets.<name>]`` in site.toml: settings, every path form, checks, the stage.

The data is generated here (numpy, Pillow, zipfile, IDX); the helpers are shared with
tests/test_user_dataset_errors.py, which covers bad data through ``python build.py``.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.config import load_config
from generator.datasets import check_user, load, load_user
from generator.datasets.registry import dataset_count, dataset_names, user_datasets
from generator.errors import ConfigError
from generator.pipeline import Pipeline
from generator.stages import dataset_request
from tests.datafiles import idx_folder

# --- data written on the fly --------------------------------------------------------------------------------------


def noise(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def save(path: Path, array: np.ndarray, fmt: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, fmt)
    return path


def class_folders(root: Path, classes=("circle", "square", "triangle"), n=6, shape=(8, 8), ext="png") -> Path:
    for c, name in enumerate(classes):
        for i in range(n):
            save(root / name / f"{i:03d}.{ext}", noise(*shape, seed=10 * c + i))
    return root


def flat_folder(root: Path, n=12, shape=(40, 30, 3), ext="jpg") -> Path:
    for i in range(n):
        save(root / f"{i:03d}.{ext}", noise(*shape, seed=i))
    return root


def zipped(folder: Path, path: Path, inside: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, str(Path(inside) / file.relative_to(folder)))
    return path


def spec(path: Path, **keys) -> dict:
    base = {"path": str(path), "title": "t", "credit": "", "licence": "", "url": "", "size": None, "color": ""}
    return {**base, "classes": None, "count": None, **keys}


def check_contract(ds, shape: tuple, color: str, classes: list[str] | None) -> None:
    """The Dataset every loader returns: uint8 images of one shape, int64 labels or None, names, credits."""
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.uint8 and x.shape[1:] == shape and len(x) >= 1
        if classes is None:
            assert y is None
        else:
            assert y.dtype == np.int64 and y.shape == (len(x),) and 0 <= y.min() and y.max() < len(classes)
    assert ds.color == color and list(ds.classes) == (classes or [])
    assert set(ds.source) == {"name", "title", "credit", "licence", "url", "count", "skipped"}
    assert ds.source["count"] == ds.n


# --- settings -----------------------------------------------------------------------------------------------------


def settings(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.toml").write_text(text)
    return tmp_path


def test_datasets_tables_are_read_in_file_order_with_defaults(tmp_path):
    root = settings(
        tmp_path,
        '[datasets.shapes]\npath = "data/shapes.zip"\nlicence = "CC0"\nsize = [32, 32]\ncolor = "rgb"\n\n'
        '[datasets.digits-2]\npath = "digits"\ntitle = "Digits"\nlicence = "CC BY 4.0"\nclasses = ["a", "b"]\n'
        "count = 50\n",
    )
    cfg = load_config(root)
    assert dataset_names(cfg) == ["mnist", "fashion-mnist", "faces", "shapes", "digits-2"]
    specs = user_datasets(cfg)
    assert specs["shapes"] == {
        "path": str(tmp_path / "data" / "shapes.zip"),
        "title": "shapes",
        "credit": "",
        "licence": "CC0",
        "url": "",
        "size": [32, 32],
        "color": "rgb",
        "classes": None,
        "count": None,
    }
    assert specs["digits-2"]["title"] == "Digits" and specs["digits-2"]["classes"] == ["a", "b"]
    assert cfg["datasets.digits-2.count"] == 50
    assert {name: where.rsplit("/", 1)[-1] for name, where in cfg.origins.items()} == {
        "shapes": "site.toml:1",
        "digits-2": "site.toml:7",
    }
    assert cfg.warnings == ()


def test_the_scale_caps_the_count(tmp_path):
    root = settings(
        tmp_path, '[datasets.a]\npath = "a"\nlicence = "x"\n[datasets.b]\npath = "b"\nlicence = "x"\ncount = 100\n'
    )
    tiny, full = (load_config(root, overrides={"build.scale": s}) for s in ("tiny", "full"))
    assert (dataset_count(tiny, "a"), dataset_count(tiny, "b")) == (600, 100)
    assert (dataset_count(full, "a"), dataset_count(full, "b")) == (None, 100)
    assert load_config(root).preset["dataset_count"] == 20_000


def test_a_dataset_without_licence_warns_and_strict_refuses(tmp_path, caplog):
    root = settings(tmp_path, '[site]\ntitle = "x"\n\n[datasets.shapes]\npath = "s"\n')
    with caplog.at_level(logging.WARNING):
        cfg = load_config(root)
    message = "site.toml:4: [datasets.shapes] has no licence: the credits page will say 'licence not stated'"
    assert len(cfg.warnings) == 1 and cfg.warnings[0].endswith(message) and message in caplog.text
    with pytest.raises(ConfigError, match=r"site.toml:4: \[datasets.shapes\] has no licence.*--strict"):
        load_config(root, strict=True)


def test_dataset_request_knows_every_name_and_refuses_others(tmp_path):
    folder = class_folders(tmp_path / "shapes")
    cfg = load_config(
        settings(tmp_path, '[datasets.shapes]\npath = "shapes"\nlicence = "CC0"\ncount = 9\n'),
        overrides={"build.scale": "tiny"},
    )
    request = dataset_request(cfg, "shapes")
    spec = user_datasets(cfg)["shapes"]
    presentation = ("title", "credit", "licence", "url")  # how it is credited: not in the dataset's key
    assert request.params["spec"] == {k: v for k, v in spec.items() if k not in presentation}
    assert request.params["count"] == 9
    assert request.params["path"] == str(folder) and request.params["seed"] == 0 and request.params["fingerprint"]
    assert dataset_request(cfg, "mnist").params["name"] == "mnist"
    with pytest.raises(
        ConfigError, match=r"unknown data set 'digits'; allowed: one of 'mnist', 'fashion-mnist', 'faces', 'shapes'"
    ):
        dataset_request(cfg, "digits")


# --- every path form, grey and colour, any size -------------------------------------------------------------------


def _npz_gray(t):
    np.savez(t / "d.npz", x=noise(30, 8, 8), y=np.arange(30) % 3)
    return t / "d.npz", (8, 8), "gray", ["0", "1", "2"]


def _npz_rgb_split(t):
    np.savez(
        t / "d.npz",
        x_train=noise(24, 40, 30, 3),
        y_train=np.arange(24) % 4,
        x_test=noise(6, 40, 30, 3, seed=1),
        y_test=np.arange(6) % 4,
    )
    return t / "d.npz", (40, 30, 3), "rgb", ["0", "1", "2", "3"]


def _npz_unlabelled_channel(t):
    np.savez(t / "d.npz", x=noise(10, 12, 12, 1))
    return t / "d.npz", (12, 12), "gray", None


def _npz_keras_labels(t):
    np.savez(t / "d.npz", x=noise(12, 8, 8), y=(np.arange(12) % 2).reshape(12, 1))
    return t / "d.npz", (8, 8), "gray", ["0", "1"]


def _idx(t):
    idx_folder(
        t / "idx",
        noise(20, 8, 8),
        (np.arange(20) % 2).astype(np.uint8),
        noise(4, 8, 8, seed=1),
        np.arange(4).astype(np.uint8) % 2,
        gz=True,
    )
    return t / "idx", (8, 8), "gray", ["0", "1"]


def _idx_images_only(t):
    folder = t / "idx"
    folder.mkdir()
    from generator.datasets.idx import write_idx

    write_idx(folder / "train-images-idx3-ubyte", noise(12, 40, 30, 3))
    return folder, (40, 30, 3), "rgb", None


def _classes_png(t):
    return class_folders(t / "shapes"), (8, 8), "gray", ["circle", "square", "triangle"]


def _classes_webp_ppm(t):
    root = t / "mixed"
    for i in range(4):
        save(root / "cats" / f"{i}.webp", noise(40, 30, 3, seed=i), "WEBP")
        save(root / "dogs" / f"{i}.ppm", noise(40, 30, 3, seed=9 + i))
    return root, (40, 30, 3), "rgb", ["cats", "dogs"]


def _flat_jpeg(t):
    return flat_folder(t / "flat"), (40, 30, 3), "rgb", None


def _flat_pgm(t):
    return flat_folder(t / "flat", shape=(8, 8), ext="pgm"), (8, 8), "gray", None


def _zip_flat(t):
    return zipped(flat_folder(t / "flat", shape=(8, 8), ext="png"), t / "flat.zip", "flat"), (8, 8), "gray", None


def _zip_classes(t):
    return (
        zipped(class_folders(t / "shapes", shape=(40, 30, 3)), t / "s.zip"),
        (40, 30, 3),
        "rgb",
        ["circle", "square", "triangle"],
    )


def _zip_odd_member_names(t):
    folder = class_folders(t / "shapes", n=3)
    path = t / "odd.zip"
    with zipfile.ZipFile(path, "w") as archive:  # ZipInfo keeps the names as written, as other zip tools do
        for i, file in enumerate(sorted(folder.rglob("*.png"))):
            name = file.relative_to(folder).as_posix()
            archive.writestr(zipfile.ZipInfo(f"./{name}" if i % 2 else name.replace("/", "//")), file.read_bytes())
    return path, (8, 8), "gray", ["circle", "square", "triangle"]


FORMS = {
    "npz-gray": _npz_gray,
    "npz-rgb-with-test-split": _npz_rgb_split,
    "npz-unlabelled-(N,H,W,1)": _npz_unlabelled_channel,
    "npz-keras-labels-(N,1)": _npz_keras_labels,
    "idx-gz": _idx,
    "idx-images-only-rgb": _idx_images_only,
    "class-folders-png": _classes_png,
    "class-folders-webp-ppm": _classes_webp_ppm,
    "flat-folder-jpeg": _flat_jpeg,
    "flat-folder-pgm": _flat_pgm,
    "zip-flat": _zip_flat,
    "zip-of-class-folders": _zip_classes,
    "zip-names-with-./-and-//": _zip_odd_member_names,
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_path_form_loads(tmp_path, form):
    path, shape, color, classes = FORMS[form](tmp_path)
    n = check_user("x", spec(path))
    ds = load_user("x", spec(path), None, 0)
    check_contract(ds, shape, color, classes)
    assert ds.n == n and ds.source["name"] == "x" and ds.source["skipped"] == 0
    again = load_user("x", spec(path), None, 0)
    assert np.array_equal(ds.x_train, again.x_train) and np.array_equal(ds.x_test, again.x_test)


def test_a_test_split_of_a_sixth_is_held_out_seeded_and_stratified(tmp_path):
    folder = class_folders(tmp_path / "shapes", n=12)
    ds = load_user("x", spec(folder), None, 0)
    assert (len(ds.x_train), len(ds.x_test)) == (30, 6)
    assert np.bincount(ds.y_test).tolist() == [2, 2, 2]
    other = load_user("x", spec(folder), None, 1)
    assert not np.array_equal(ds.x_test, other.x_test)
    few = load_user("x", spec(folder), 2, 0)
    assert (len(few.x_train), len(few.x_test)) == (1, 1)


def test_count_takes_a_seeded_stratified_subset(tmp_path):
    folder = class_folders(tmp_path / "shapes", n=20)
    ds = load_user("x", spec(folder), 30, 3)
    assert ds.n == 30 and np.bincount(ds.all()[1]).tolist() == [10, 10, 10]
    assert np.array_equal(ds.x_train, load_user("x", spec(folder), 30, 3).x_train)
    np.savez(
        tmp_path / "d.npz", x=noise(100, 8, 8), y=np.arange(100) % 5, x_test=noise(20, 8, 8), y_test=np.arange(20) % 5
    )
    arrays = load_user("x", spec(tmp_path / "d.npz"), 60, 0)
    assert (len(arrays.x_train), len(arrays.x_test)) == (50, 10)


def test_colour_is_inferred_and_can_be_forced(tmp_path):
    grey_rgb = tmp_path / "grey"
    for i in range(4):
        save(grey_rgb / f"{i}.png", np.repeat(noise(8, 8, seed=i)[..., None], 3, axis=2))
    ds = load_user("x", spec(grey_rgb), None, 0)
    assert ds.color == "gray" and ds.x_train.ndim == 3  # greyscale RGB images count as grey
    save(grey_rgb / "9.png", noise(8, 8, 3))
    assert load_user("x", spec(grey_rgb), None, 0).color == "rgb"  # one colour image makes the set colour
    forced = load_user("x", spec(grey_rgb, color="gray"), None, 0)
    assert forced.color == "gray" and forced.x_train.shape[1:] == (8, 8)
    np.savez(tmp_path / "g.npz", x=noise(6, 8, 8))
    rgb = load_user("x", spec(tmp_path / "g.npz", color="rgb"), None, 0)
    assert rgb.color == "rgb" and rgb.x_train.shape[1:] == (8, 8, 3)
    assert np.array_equal(rgb.x_train[..., 0], rgb.x_train[..., 2])


def test_transparent_and_sixteen_bit_images_are_converted(tmp_path):
    folder = tmp_path / "modes"
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 0  # red but fully transparent: black
    save(folder / "a.png", rgba)
    Image.fromarray(np.full((8, 8), 65535, np.uint16)).save(folder / "b.png")
    save(folder / "c.png", np.full((8, 8), 255, np.uint8).astype(bool))
    ds = load_user("x", spec(folder), None, 0)
    x = ds.all()[0]
    assert ds.color == "gray" and sorted(int(a.max()) for a in x) == [0, 255, 255]


def test_mixed_sizes_are_resized_keeping_aspect_with_size(tmp_path):
    folder = tmp_path / "mixed"
    save(folder / "a.png", np.full((40, 30), 255, np.uint8))
    save(folder / "b.png", np.full((30, 40), 255, np.uint8))
    save(folder / "c.png", np.full((8, 8), 255, np.uint8))
    ds = load_user("x", spec(folder, size=[20, 20]), None, 0)
    x = ds.all()[0]
    assert x.shape == (3, 20, 20)
    columns = sorted(int((img.max(axis=0) > 128).sum()) for img in x)
    rows = sorted(int((img.max(axis=1) > 128).sum()) for img in x)
    assert columns == [15, 20, 20] and rows == [15, 20, 20]  # 40×30 fits as 20×15, padded with black


def test_large_photos_are_decoded_small_and_turned_upright(tmp_path, monkeypatch):
    from generator.datasets import images

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        exif = Image.Exif()
        exif[0x0112] = 6  # stored sideways: turn 90° clockwise to show
        Image.fromarray(noise(600, 800, 3, seed=i)).save(folder / f"{i}.jpg", exif=exif)
    decoded = []
    real = images.to_array
    monkeypatch.setattr(images, "to_array", lambda im: decoded.append(im.size) or real(im))
    ds = load_user("x", spec(folder, size=[32, 16]), None, 0)
    assert ds.all()[0].shape == (3, 32, 16, 3)
    assert decoded == [(75, 100)] * 3  # (width, height) after the turn, decoded at 1/8 scale
    small = tmp_path / "small"
    small.mkdir()
    for i in range(3):
        Image.fromarray(noise(8, 16, seed=i)).save(small / f"{i}.png", exif=exif)
    assert load_user("x", spec(small), None, 0).x_train.shape[1:] == (16, 8)  # without size too


def test_unreadable_files_are_counted_and_skipped(tmp_path):
    folder = flat_folder(tmp_path / "flat", n=6, shape=(8, 8), ext="png")
    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    (folder / "notes.txt").write_text("not an image: ignored")
    ds = load_user("x", spec(folder), None, 0)
    assert ds.n == 6 and ds.source["skipped"] == 1


def test_builtin_datasets_name_their_classes():
    ds = load("mnist", count=600)
    assert ds.color == "gray" and ds.classes == tuple("0123456789")


def test_the_folder_to_label_mapping_is_logged_once(tmp_path, caplog):
    folder = class_folders(tmp_path / "pets", classes=("cats", "dogs"), n=3)
    with caplog.at_level(logging.INFO, logger="generator"):
        load_user("pets", spec(folder, classes=["kitty", "dogs"]), None, 0)
    said = [r.getMessage() for r in caplog.records if "sorted sub-folder names" in r.getMessage()]
    assert said == ["[datasets.pets]: labels from the sorted sub-folder names: 0 = cats/ as 'kitty', 1 = dogs/"]


# --- the dataset stage and its cache key --------------------------------------------------------------------------


def _cfg(tmp_path: Path, body: str):
    return load_config(settings(tmp_path, body), overrides={"build.scale": "tiny"})


def test_the_stage_writes_the_contract_and_warns_about_skipped_files(tmp_path, caplog):
    folder = class_folders(tmp_path / "shapes", shape=(40, 30, 3))
    (folder / "square" / "zz.png").write_bytes(b"broken")
    cfg = _cfg(
        tmp_path,
        '[datasets.shapes]\npath = "shapes"\ntitle = "Shapes"\ncredit = "Us"\nlicence = "CC0"\nurl = "https://example.org"\n',
    )
    with caplog.at_level(logging.WARNING):
        artifact = Pipeline(tmp_path / "cache", show_progress=False).get(dataset_request(cfg, "shapes"))
    meta = artifact.meta
    assert meta["shape"] == [40, 30, 3] and meta["color"] == "rgb" and meta["labels"] is True
    assert meta["classes"] == ["circle", "square", "triangle"] and meta["train"] + meta["test"] == 18
    # the credit (title, credit, licence, url) is not the dataset's: figures get it from their requests
    assert meta["source"] == {"name": "shapes", "title": "shapes", "credit": "", "licence": "", "url": ""} | {
        "count": 18,
        "skipped": 1,
    }
    assert "[datasets.shapes]: 1 of its image files could not be read" in caplog.text
    x = np.load(artifact.file("x_train.npy"))
    assert x.dtype == np.uint8 and x.shape[1:] == (40, 30, 3)
    assert np.load(artifact.file("y_test.npy")).dtype == np.int64


def test_the_stage_meta_of_builtin_and_unlabelled_sets(tmp_path):
    flat_folder(tmp_path / "flat", n=8, shape=(8, 8), ext="png")
    cfg = _cfg(tmp_path, '[datasets.flat]\npath = "flat"\nlicence = "CC0"\n')
    pipeline = Pipeline(tmp_path / "cache", show_progress=False)
    meta = pipeline.get(dataset_request(cfg, "flat")).meta
    assert meta["classes"] == [] and meta["labels"] is False and meta["color"] == "gray" and meta["shape"] == [8, 8]
    assert not pipeline.get(dataset_request(cfg, "flat")).file("y_train.npy").exists()
    mnist = pipeline.get(dataset_request(cfg, "mnist")).meta
    assert mnist["color"] == "gray" and mnist["classes"] == list("0123456789") and mnist["source"]["title"] == "MNIST"


def test_the_cache_key_changes_when_one_image_changes(tmp_path):
    folder = flat_folder(tmp_path / "flat", n=40, shape=(8, 8), ext="pgm")
    cfg = _cfg(tmp_path, '[datasets.flat]\npath = "flat"\nlicence = "CC0"\n')
    first = dataset_request(cfg, "flat").ident
    assert dataset_request(cfg, "flat").ident == first
    file = folder / "033.pgm"  # past the files a cheap fingerprint samples; same name, same size
    data = bytearray(file.read_bytes())
    data[-1] ^= 0xFF
    file.write_bytes(bytes(data))
    assert dataset_request(cfg, "flat").ident != first


def test_a_new_credit_line_rebuilds_the_pages_but_reads_and_trains_nothing_again(tmp_path):
    """title, credit, licence and url say how a data set is credited, not what its images are: editing them
    reruns the payloads that print them (and the pages), never the dataset, the model or the layouts."""
    import json
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    shutil.copytree(ROOT / "examples" / "shapes" / "data", tmp_path / "data")
    table = '[datasets.shapes]\npath = "data"\ncredit = "Drawn by A"\nlicence = "CC0 1.0"\n'
    model = '[models.shapes_ae]\ndataset = "shapes"\nhidden = [32]\nepochs = 7\n'
    (tmp_path / "site.toml").write_text(f'[site]\ntitle = "Credits"\n\n{table}\n{model}')
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(
        "---\ntitle: A\n---\n\n```figure\nkind: latent-layouts\ndataset: shapes\nlayouts: [shapes_ae, pca]\n```\n\n"
        "```figure\nkind: data-note\ndatasets: [shapes]\n```\n"
    )
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(tmp_path / "site.toml"), "--scale", "tiny"]

    def build() -> dict:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads((tmp_path / "_site" / "build-report.json").read_text())
        return {stage["name"].split(" (")[0]: stage["status"] for stage in report["stages"]}

    build()
    (tmp_path / "site.toml").write_text((tmp_path / "site.toml").read_text().replace("Drawn by A", "Drawn by B"))
    again = build()
    assert {again[name] for name in again if name.split()[0] in ("dataset", "train", "layout", "atlas")} == {"cached"}
    assert again["figure data-note"] == "ran" and again["figure latent-layouts"] == "ran", again
    credits_page = (tmp_path / "_site" / "credits" / "index.html").read_text()
    assert "Drawn by B" in credits_page and "Drawn by A" not in credits_page
    note = json.loads(next((tmp_path / "_site" / "figures").rglob("data-note*/config.json")).read_text())
    assert "Drawn by B" in note["items"][0]["credit"]
