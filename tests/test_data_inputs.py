"""User data behind --mnist / --fashion-mnist / --celeba: checked before any stage runs, never a traceback.

Each bad file is generated here (numpy, gzip, zipfile, Pillow) and built through ``python build.py``;
the build must exit 1 with one message naming the file, the option and what is allowed, and must not
have started any stage. Valid small user datasets still build. The dataset stage's own loaders are
tested too (they must raise DataError, not crash, if data goes bad after the check).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile

import numpy as np
import pytest
from PIL import Image

from generator.datasets import MINIMUM, check_source, load
from generator.datasets.base import cap_split
from generator.datasets.idx import IDX_FILES
from generator.errors import DataError
from tests.datafiles import good_idx, idx_folder, image_folder, labels, npz, pixels

MORE = """\
---
title: More data sets
description: Clothes and faces.
date: 2026-01-03
authors: [Test Author]
---

```figure
kind: image-grid
dataset: fashion-mnist
caption: Clothes.
```

```figure
kind: image-grid
dataset: faces
caption: Faces.
```
"""

OPTION = {
    "--mnist": "--mnist / [data] mnist",
    "--fashion-mnist": "--fashion-mnist / [data] fashion_mnist",
    "--celeba": "--celeba / [data] celeba",
}


# Each case: (flag, make(tmp) -> path, regexes the message must match besides the path and the option).


def _npz_small(t):
    return npz(t / "mnist.npz", pixels(600, 10, 10), labels(600), pixels(100, 10, 10), labels(100))


def _npz_colour(t):
    return npz(t / "mnist.npz", pixels(600, 28, 28, 3), labels(600), pixels(100, 28, 28, 3), labels(100))


def _npz_float(t):
    return npz(
        t / "mnist.npz",
        pixels(600, 28, 28, dtype=np.float32),
        labels(600),
        pixels(100, 28, 28, dtype=np.float32),
        labels(100),
    )


def _npz_missing(t):
    path = t / "mnist.npz"
    np.savez(path, x_train=pixels(600, 28, 28), y_train=labels(600))
    return path


def _npz_label_length(t):
    return npz(t / "mnist.npz", pixels(600, 28, 28), labels(590), pixels(100, 28, 28), labels(100))


def _npz_label_range(t):
    return npz(t / "mnist.npz", pixels(600, 28, 28), np.arange(600), pixels(100, 28, 28), labels(100))


def _npz_three(t):
    return npz(t / "mnist.npz", pixels(2, 28, 28), labels(2), pixels(1, 28, 28), labels(1))


def _npz_corrupt(t):
    path = t / "mnist.npz"
    path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    return path


def _npz_truncated(t):
    buffer = io.BytesIO()
    np.savez(buffer, x_train=pixels(600, 28, 28), y_train=labels(600), x_test=pixels(100, 28, 28), y_test=labels(100))
    path = t / "mnist.npz"
    path.write_bytes(buffer.getvalue()[:-5000])
    return path


def _idx_small(t):
    return idx_folder(t / "idx", pixels(600, 10, 10), labels(600), pixels(100, 10, 10), labels(100))


def _idx_magic(t):
    folder = good_idx(t / "idx")
    file = folder / IDX_FILES[0]
    file.write_bytes(b"\x12\x34" + file.read_bytes()[2:])
    return folder


def _idx_short(t):
    folder = good_idx(t / "idx")
    file = folder / IDX_FILES[0]
    file.write_bytes(file.read_bytes()[:-1000])  # the header promises more bytes than there are
    return folder


def _idx_not_gzip(t):
    folder = good_idx(t / "idx", gz=True)
    (folder / f"{IDX_FILES[0]}.gz").write_bytes(b"\x1f\x8b" + b"not gzip at all" * 20)
    return folder


def _idx_missing(t):
    folder = good_idx(t / "idx", gz=True)
    (folder / f"{IDX_FILES[3]}.gz").unlink()
    return folder


def _idx_few(t):
    return good_idx(t / "idx", 4, 1)


def _idx_no_test(t):
    return good_idx(t / "idx", 600, 0)


def _fashion_small_gz(t):
    return idx_folder(t / "fashion", pixels(600, 14, 14), labels(600), pixels(100, 14, 14), labels(100), gz=True)


def _fashion_truncated_gz(t):
    folder = good_idx(t / "fashion", gz=True)
    file = folder / f"{IDX_FILES[2]}.gz"
    file.write_bytes(file.read_bytes()[:-200])
    return folder


def _fashion_file(t):
    return _npz_small(t)


def _celeba_empty(t):
    (t / "faces").mkdir()
    return t / "faces"


def _celeba_not_images(t):
    folder = t / "faces"
    folder.mkdir()
    (folder / "list_attr_celeba.txt").write_text("attributes")
    (folder / "identity.csv").write_text("a,b")
    return folder


def _celeba_corrupt(t):
    folder = t / "faces"
    folder.mkdir()
    for i in range(25):
        (folder / f"{i:06d}.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    return folder


def _celeba_tiny(t):
    return image_folder(t / "faces", 25, size=(8, 8))


def _celeba_few(t):
    return image_folder(t / "faces", 3)


def _celeba_one(t):
    return image_folder(t / "faces", 1)


def _celeba_zip_without_images(t):
    path = t / "faces.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("img_align_celeba/readme.txt", "no faces")
    return path


def _celeba_corrupt_zip(t):
    folder = image_folder(t / "faces", 25)
    path = t / "faces.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"img_align_celeba/{file.name}")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


TOO_SMALL = r"must be 28×28 greyscale uint8 \(0-255\)"
CASES = {
    "npz-10x10": ("--mnist", _npz_small, [r"x_train holds 600 images of 10×10 pixels", TOO_SMALL]),
    "npz-colour": ("--mnist", _npz_colour, [r"colour images of 28×28×3", TOO_SMALL, "greyscale"]),
    "npz-float": ("--mnist", _npz_float, [r"\(float32\)", TOO_SMALL, "store them as uint8"]),
    "npz-missing-keys": ("--mnist", _npz_missing, [r"missing x_test, y_test", r"x_train \(N, 28, 28\) uint8"]),
    "npz-label-length": ("--mnist", _npz_label_length, [r"y_train holds 590 labels", r"integers 0-9, one per image"]),
    "npz-label-range": ("--mnist", _npz_label_range, [r"labels from 0 to 599", r"integers 0-9"]),
    "npz-three-images": ("--mnist", _npz_three, [r"only 3 images", r"at least 500 MNIST images"]),
    "npz-corrupt": ("--mnist", _npz_corrupt, [r"damaged or truncated", r"x_train \(N, 28, 28\)"]),
    "npz-truncated": ("--mnist", _npz_truncated, [r"damaged or truncated"]),
    "idx-10x10": ("--mnist", _idx_small, [IDX_FILES[0], r"600 images of 10×10 pixels", TOO_SMALL]),
    "idx-bad-magic": ("--mnist", _idx_magic, [IDX_FILES[0], r"bad magic number", r"MNIST-format"]),
    "idx-short": ("--mnist", _idx_short, [IDX_FILES[0], r"header \(600, 28, 28\) needs 470,400", "truncated"]),
    "idx-not-gzip": ("--mnist", _idx_not_gzip, [IDX_FILES[0] + r"\.gz", r"cannot be read or decompressed"]),
    "idx-missing-file": ("--mnist", _idx_missing, [r"missing t10k-labels-idx1-ubyte\[\.gz\]", r"mnist\.npz"]),
    "idx-five-images": ("--mnist", _idx_few, [r"only 5 images \(4 training \+ 1 test\)", r"at least 500"]),
    "idx-no-test": ("--mnist", _idx_no_test, [r"0 test images", r"both splits need at least one"]),
    "fashion-14x14": (
        "--fashion-mnist",
        _fashion_small_gz,
        [IDX_FILES[0] + r"\.gz", r"14×14", r"Fashion-MNIST images must be 28×28"],
    ),
    "fashion-truncated-gz": (
        "--fashion-mnist",
        _fashion_truncated_gz,
        [IDX_FILES[2] + r"\.gz", r"cannot be read or decompressed"],
    ),
    "fashion-not-a-folder": ("--fashion-mnist", _fashion_file, [r"is not a folder", r"train-images-idx3-ubyte"]),
    "celeba-empty": ("--celeba", _celeba_empty, [r"no \.jpg/\.jpeg/\.png images", r"folder is empty"]),
    "celeba-not-images": ("--celeba", _celeba_not_images, [r"no \.jpg/\.jpeg/\.png", r"found 2 other files"]),
    "celeba-corrupt": (
        "--celeba",
        _celeba_corrupt,
        [r"000000\.jpg", r"not a JPEG or PNG|cannot be read", r"readable \.jpg/\.jpeg/\.png images"],
    ),
    "celeba-tiny": ("--celeba", _celeba_tiny, [r"000000\.jpg is 8×8 pixels", r"at least 16×16"]),
    "celeba-three": ("--celeba", _celeba_few, [r"only 3 \.jpg/\.jpeg/\.png images", r"at least 20 faces"]),
    "celeba-one": ("--celeba", _celeba_one, [r"only 1 \.jpg/\.jpeg/\.png image;", r"at least 20 faces"]),
    "celeba-zip-no-images": ("--celeba", _celeba_zip_without_images, [r"no \.jpg", r"readme\.txt"]),
    "celeba-zip-truncated": ("--celeba", _celeba_corrupt_zip, [r"not a readable \.zip archive", "truncated"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_data_is_one_message_before_any_stage(isolated_project, tmp_path, case):
    flag, make, patterns = CASES[case]
    data = tmp_path / "data"
    data.mkdir()
    path = make(data)
    done = isolated_project.build(flag, str(path))
    err = done.stderr
    assert done.returncode == 1, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err[-3000:]
    message = errors[0]
    assert str(path) in message and OPTION[flag] in message, message
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    assert "[run]" not in err, "a stage ran before the data was checked"
    cache = isolated_project.root / ".cache"  # nothing was computed, not even the cheap math stage
    assert not cache.exists() or not any(p.is_file() for p in cache.rglob("*")), sorted(cache.rglob("*"))


def test_a_bad_path_in_site_toml_names_the_key(isolated_project, tmp_path):
    path = _npz_small(tmp_path)
    isolated_project.write("site.toml", f'[site]\ntitle = "Test site"\n[data]\nmnist = "{path}"\n')
    done = isolated_project.build()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert str(path) in done.stderr and "[data] mnist" in done.stderr and "28×28" in done.stderr


def test_a_face_size_the_decoder_cannot_reach_is_one_message_before_any_stage(isolated_project, tmp_path):
    """celeba_size is checked against the face decoder's plan (it halves both sides to a small grid) before any
    stage, not found by the train stage after the faces were read."""
    faces = image_folder(tmp_path / "faces", 25)
    isolated_project.write("site.toml", '[site]\ntitle = "Test site"\n[data]\nceleba_size = [16, 200]\n')
    done = isolated_project.build("--celeba", str(faces))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (message,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "[data] celeba_size" in message and "[16, 200] is too long and narrow" in message, message
    assert "[run]" not in done.stderr


# --- valid user data still builds ----------------------------------------------------------


def test_a_small_valid_mnist_npz_builds(project, tmp_path):
    digits = load("mnist", count=600)
    path = npz(
        tmp_path / "mnist.npz",
        digits.x_train,
        digits.y_train.astype(np.uint8),
        digits.x_test,
        digits.y_test.astype(np.uint8),
    )
    done = project.build("--mnist", str(path))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    sources = {s["name"]: s for s in project.report()["sources"]}
    assert sources["mnist"]["count"] == 600


def test_valid_fashion_folder_and_celeba_images_of_every_mode_build(project, tmp_path):
    """Mixed gzip / plain IDX files; CelebA JPEGs and PNGs in greyscale, RGB, RGBA and palette modes."""
    project.write("content/more.md", MORE)
    fashion = good_idx(tmp_path / "fashion")
    for stem in IDX_FILES[:2]:
        plain = fashion / stem
        (fashion / f"{stem}.gz").write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()
    faces = tmp_path / "faces"
    orl = load("faces", count=24, size=(112, 92)).all()[0]
    faces.mkdir()
    for i, face in enumerate(orl):
        mode, fmt = (("L", "JPEG"), ("RGB", "JPEG"), ("RGBA", "PNG"), ("P", "PNG"))[i % 4]
        Image.fromarray(face, "L").convert(mode).save(faces / f"{i:06d}.{'jpg' if fmt == 'JPEG' else 'png'}", fmt)
    done = project.build("--fashion-mnist", str(fashion), "--celeba", str(faces))
    assert done.returncode == 0, done.stderr[-3000:]
    sources = {s["name"]: s for s in project.report()["sources"]}
    assert sources["fashion-mnist"]["count"] == 700 and sources["celeba"]["count"] == 24


def test_the_stage_reports_celeba_faces_that_turn_out_unreadable(project, tmp_path):
    """The check decodes the first images only; the stage then finds too few usable faces: one message."""
    faces = image_folder(tmp_path / "faces", 8)
    for i in range(8, 25):
        (faces / f"{i:06d}.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")
    project.write("content/more.md", MORE.replace("dataset: fashion-mnist", "dataset: mnist"))
    done = project.build("--celeba", str(faces))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    message = next(line for line in done.stderr.splitlines() if line.startswith("error:"))
    assert str(faces) in message and "--celeba / [data] celeba" in message
    assert "only 8 usable images" in message and "at least 20" in message and "17 more were skipped" in message


# --- the dataset stage's loaders, when the data goes bad after the check -------------------


@pytest.mark.parametrize(
    "name, make, words",
    [
        ("mnist", _npz_three, "at least 500"),
        ("mnist", _idx_small, "must be 28×28"),
        ("mnist", _idx_short, "truncated"),
        ("mnist", _npz_corrupt, "cannot be read"),
        ("fashion-mnist", _fashion_small_gz, "Fashion-MNIST images must be 28×28"),
        ("faces", _celeba_few, "at least 20"),
        ("faces", _celeba_tiny, "none could be read or used"),
    ],
)
def test_dataset_stage_raises_data_error(tmp_path, name, make, words):
    from generator.config import load_config
    from generator.pipeline import Pipeline
    from generator.stages import dataset_request

    data = tmp_path / "data"
    data.mkdir()
    path = make(data)
    key = {"mnist": "data.mnist", "fashion-mnist": "data.fashion_mnist", "faces": "data.celeba"}[name]
    cfg = load_config(tmp_path, overrides={"build.scale": "tiny", key: str(path)})
    with pytest.raises(DataError, match=words) as err:
        Pipeline(tmp_path / "cache", show_progress=False).get(dataset_request(cfg, name))
    assert str(path) in err.value.where and "[data]" in err.value.where


def test_loaders_never_split_into_an_empty_set(tmp_path):
    with pytest.raises(DataError, match="both splits need at least one image"):
        load("mnist", path=_idx_no_test(tmp_path))
    ds = load("faces", path=image_folder(tmp_path / "faces", 3), size=(20, 16))
    assert (len(ds.x_train), len(ds.x_test)) == (2, 1)
    x = pixels(1000, 28, 28)
    x_tr, _, x_te, _ = cap_split(x[:990], labels(990), x[990:], labels(10), 500, np.random.default_rng(0))
    assert len(x_te) >= 1 and len(x_tr) + len(x_te) == 500


def test_sixteen_bit_png_faces_are_scaled_not_clipped(tmp_path):
    folder = tmp_path / "faces"
    folder.mkdir()
    for i in range(4):
        Image.fromarray(np.full((40, 30), 20000 + 1000 * i, np.uint16)).save(folder / f"{i}.png")
    ds = load("faces", path=folder, size=(40, 30))
    assert 70 < int(ds.all()[0].mean()) < 95  # 20000-23000 of 65535, not clipped to 255


# --- rules and helpers ---------------------------------------------------------------------


def test_minimums_match_the_smallest_scale_presets():
    from generator.config import SCHEMA

    scales = [s for s in SCHEMA if s.startswith("scales.")]
    assert MINIMUM["mnist"] == min(SCHEMA[s]["mnist_count"].min for s in scales)
    assert MINIMUM["fashion-mnist"] == min(SCHEMA[s]["fashion_count"].min for s in scales)
    assert MINIMUM["faces"] == min(*(SCHEMA[s]["faces_count"].min for s in scales), SCHEMA["data"]["celeba_count"].min)


def test_check_source_counts_valid_data(tmp_path):
    assert check_source("mnist", good_idx(tmp_path / "a", gz=True), 500) == 700
    digits = npz(tmp_path / "m.npz", pixels(600, 28, 28), labels(600), pixels(100, 28, 28), labels(100))
    assert check_source("mnist", digits, 500) == 700
    assert check_source("faces", image_folder(tmp_path / "f", 20), 20) == 20


def test_fingerprint_is_cheap_stable_and_sees_same_size_replacements(tmp_path):
    from generator.stages import fingerprint

    folder = good_idx(tmp_path / "idx")
    first = fingerprint(str(folder))
    assert first == fingerprint(str(folder))
    file = folder / IDX_FILES[2]
    data = bytearray(file.read_bytes())
    data[100] ^= 0xFF  # same name, same size, other pixels
    file.write_bytes(bytes(data))
    assert fingerprint(str(folder)) != first
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    assert fingerprint(str(fifo)) and fingerprint(str(tmp_path / "nowhere"))
