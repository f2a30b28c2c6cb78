"""Bad author data sets (``[datasets.<name>]``): one message, before any stage, the previous site intact.

Each case is generated here and built through ``python build.py``: exit 1, one ``error:`` line naming
``[datasets.<name>]`` (and the settings line declaring it), the file and what is allowed, no traceback,
no stage run. The dataset stage's loader gives one DataError too when data goes bad after the check. Bad
``[datasets.*]`` tables are ConfigErrors with file and line; the cases at the end are checked through
:func:`check_user` and :func:`load_user` directly.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from generator.config import load_config
from generator.datasets import check_user, images, load_user
from generator.datasets.registry import count_source, dataset_count
from generator.errors import ConfigError, DataError
from generator.stages import check_inputs
from tests.conftest import ARTICLE, Project
from tests.datafiles import idx_folder
from tests.test_user_datasets import class_folders, flat_folder, noise, save, settings, spec, zipped

# --- bad data: one message through `python build.py`, before any stage ------------------------------------------


def _mixed(t):
    save(t / "a" / "one.png", noise(8, 8))
    save(t / "a" / "two.png", noise(10, 8))
    return t / "a"


def _mixed_past_the_sample(t):
    """60 images of 8×8 but the 51st (050.png, in file order) of 10×8: past the images the check decodes."""
    assert images.SAMPLE < 50
    for i in range(60):
        save(t / "many" / f"{i:03d}.png", noise(10 if i == 50 else 8, 8, seed=i))
    return t / "many"


def _too_big(t):
    return flat_folder(t / "big", n=3, shape=(600, 20), ext="png")


def _one_image(t):
    return flat_folder(t / "one", n=1, shape=(8, 8), ext="png")


def _all_corrupt(t):
    for i in range(5):
        (t / "bad").mkdir(exist_ok=True)
        (t / "bad" / f"{i}.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    return t / "bad"


def _empty(t):
    (t / "empty").mkdir()
    (t / "empty" / "readme.txt").write_text("x")
    return t / "empty"


def _loose_and_classes(t):
    root = class_folders(t / "shapes")
    save(root / "stray.png", noise(8, 8))
    return root


def _classes_mismatch(t):
    return class_folders(t / "shapes"), 'classes = ["a", "b"]\n'


def _classes_unlabelled(t):
    return flat_folder(t / "flat", n=4, shape=(8, 8), ext="png"), 'classes = ["a"]\n'


def _npz_float(t):
    np.savez(t / "d.npz", x=np.zeros((10, 8, 8), np.float32))
    return t / "d.npz"


def _npz_no_x(t):
    np.savez(t / "d.npz", images=noise(10, 8, 8))
    return t / "d.npz"


def _npz_labels(t):
    np.savez(t / "d.npz", x=noise(10, 8, 8), y=np.arange(9))
    return t / "d.npz"


def _idx_half_labelled(t):
    folder = idx_folder(t / "idx", noise(10, 8, 8), np.zeros(10, np.uint8), noise(4, 8, 8), np.zeros(4, np.uint8))
    (folder / "t10k-labels-idx1-ubyte").unlink()
    return folder


def _text_file(t):
    (t / "data.csv").write_text("1,2,3")
    return t / "data.csv"


def _bad_zip(t):
    path = zipped(flat_folder(t / "flat", n=6, shape=(8, 8), ext="png"), t / "d.zip")
    path.write_bytes(path.read_bytes()[:100])
    return path


def _missing(t):
    return t / "nowhere"


BAD = {
    "mixed-sizes": (_mixed, [r"different sizes: one.png is 8×8 and two.png is 10×8", r"set size = \[height, width\]"]),
    "mixed-sizes-past-the-sample": (
        _mixed_past_the_sample,
        [r"different sizes: 000\.png is 8×8 and 050\.png is 10×8", r"set size = \[height, width\]"],
    ),
    "too-big-without-size": (_too_big, [r"600×20 pixels", r"from 4×4 to 512×512", r"set size"]),
    "one-image": (_one_image, [r"too few images to split", r"at least 2 images"]),
    "all-corrupt": (_all_corrupt, [r"none of the first 5 images could be read", r"0\.jpg", r"PNG, JPEG, WebP"]),
    "no-images": (_empty, [r"holds no images \(PNG, JPEG", r"readme\.txt"]),
    "loose-and-classes": (_loose_and_classes, [r"stray\.png", r"every image in a class sub-folder"]),
    "classes-mismatch": (
        _classes_mismatch,
        [r"has 3 classes \(sub-folders circle, square, triangle\)", r"classes lists 2 names"],
    ),
    "classes-unlabelled": (_classes_unlabelled, [r"has no labels", r"remove classes"]),
    "npz-float": (_npz_float, [r"\(float32\)", r"store them as uint8"]),
    "npz-no-x": (_npz_no_x, [r"has no array x", r"found images"]),
    "npz-label-count": (_npz_labels, [r"y holds labels of shape \(9,\)", r"10 images"]),
    "idx-half-labelled": (_idx_half_labelled, [r"labels for one split only"]),
    "a-csv-file": (_text_file, [r"is a \.csv file; allowed: a folder with one sub-folder of images per class"]),
    "damaged-zip": (_bad_zip, [r"not a readable \.zip archive"]),
    "missing-path": (_missing, [r"does not exist; allowed: a folder"]),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Project:
    """A site built once (the test article on MNIST); each bad case must leave it as it was."""
    project = Project(tmp_path_factory.mktemp("user-datasets") / "site")
    project.write("site.toml", '[site]\ntitle = "Test site"\n')
    project.write("content/test-article.md", ARTICLE)
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)
    project.build(check=True)
    return project


@pytest.mark.parametrize("case", list(BAD))
def test_bad_data_is_one_message_before_any_stage(built, tmp_path, case):
    make, patterns = BAD[case]
    made = make(tmp_path)
    path, extra = made if isinstance(made, tuple) else (made, "")
    before = (built.out / "test-article" / "index.html").read_text()
    built.write(
        "site.toml", f'[site]\ntitle = "Test site"\n\n[datasets.mine]\npath = "{path}"\nlicence = "CC0"\n{extra}'
    )
    try:
        done = built.build()
    finally:
        built.write("site.toml", '[site]\ntitle = "Test site"\n')
    err = done.stderr
    assert done.returncode == 1 and "Traceback" not in err, err[-3000:]
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err[-3000:]
    message = errors[0]
    assert "[datasets.mine] in site.toml:4" in message and str(path) in message, message
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    assert "[run]" not in err, "a stage ran before the data was checked"
    assert (built.out / "test-article" / "index.html").read_text() == before


def test_a_valid_dataset_builds_and_strict_wants_a_licence(built, tmp_path):
    class_folders(tmp_path / "shapes")
    text = f'[site]\ntitle = "Test site"\n\n[datasets.shapes]\npath = "{tmp_path / "shapes"}"\n'
    built.write("site.toml", text)
    try:
        done = built.build()
        assert done.returncode == 0, done.stderr[-3000:]
        assert "[datasets.shapes] has no licence" in done.stderr
        strict = built.build("--strict")
    finally:
        built.write("site.toml", '[site]\ntitle = "Test site"\n')
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert "site.toml:4: [datasets.shapes] has no licence" in strict.stderr


def test_an_unknown_key_stops_the_build_with_its_line(built):
    built.write("site.toml", '[site]\ntitle = "Test site"\n[datasets.shapes]\npath = "x"\nlicense = "CC0"\n')
    try:
        done = built.build()
    finally:
        built.write("site.toml", '[site]\ntitle = "Test site"\n')
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "site.toml:5: [datasets.shapes] has an unknown key 'license'; allowed keys: path, title" in done.stderr


LOADER = {  # the stage's loader reads every image, so its message may differ from the check's where it says so
    "mixed-sizes": BAD["mixed-sizes"][1],
    "one-image": BAD["one-image"][1],
    "all-corrupt": [r"has 5 image files but none could be read", r"0\.jpg", r"PNG, JPEG, WebP"],
    "npz-label-count": BAD["npz-label-count"][1],
    "classes-mismatch": BAD["classes-mismatch"][1],
}


@pytest.mark.parametrize("case", list(LOADER))
def test_the_loader_gives_one_data_error_when_data_goes_bad_after_the_check(tmp_path, case):
    made = BAD[case][0](tmp_path)
    path, extra = made if isinstance(made, tuple) else (made, "")
    keys = {"classes": ["a", "b"]} if extra else {}
    with pytest.raises(DataError) as err:
        load_user("mine", spec(path, **keys), None, 0)
    assert str(path) in err.value.where and "[datasets.mine]" in err.value.where
    for pattern in LOADER[case]:
        assert re.search(pattern, err.value.message), (pattern, err.value.message)


# --- bad settings: errors with the settings file and line ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, pattern",
    [
        (
            '[datasets.x]\npath = "a"\nsizes = [8, 8]\n',
            r"site.toml:3: \[datasets.x\] has an unknown key 'sizes'; allowed keys: path, title, credit, licence, url, size, color, classes, count",
        ),
        (
            '[datasets.x]\ntitle = "no path"\n',
            r'site.toml:1: \[datasets.x\] needs path = "...": a folder with one sub-folder',
        ),
        ('[datasets.x]\npath = ""\n', r"site.toml:2: \[datasets.x\] needs path"),
        (
            '[datasets.x]\npath = "a"\nsize = [2, 600]\n',
            r"site.toml:3: \[datasets.x\] size is \[2, 600\]; allowed: a list of 2 integers from 4 to 512",
        ),
        (
            '[datasets.x]\npath = "a"\ncolor = "colour"\n',
            r"site.toml:3: \[datasets.x\] color is 'colour'; allowed: one of '', 'gray', 'rgb'",
        ),
        (
            '[datasets.x]\npath = "a"\ncount = 0\n',
            r"site.toml:3: \[datasets.x\] count is 0; allowed: an integer from 1",
        ),
        (
            '[datasets.x]\npath = "a"\nclasses = []\n',
            r"site.toml:3: \[datasets.x\] classes is \[\]; allowed: a non-empty list",
        ),
        (
            '[datasets.My_Set]\npath = "a"\n',
            r"site.toml:1: \[datasets\] the name 'My_Set' is not allowed; allowed: lowercase letters, digits and '-'",
        ),
        (
            '[datasets.mnist]\npath = "a"\n',
            r"site.toml:1: \[datasets.mnist\]: 'mnist' is a built-in data set; choose another name",
        ),
        (  # the built-in faces' source name: the credits page would give the author's set ORL's licence
            '[datasets.orl-faces]\npath = "a"\n',
            r"site.toml:1: \[datasets.orl-faces\]: 'orl-faces' is a built-in data set; choose another name",
        ),
        (
            '[datasets.x]\npath = "a"\ncolour = "rgb"\n',
            r"site.toml:3: \[datasets.x\] has an unknown key 'colour'; allowed keys: path, .*; did you mean 'color'\?",
        ),
        (
            '[datasets.x]\npath = "a"\nlicense = "CC0"\n',
            r"site.toml:3: \[datasets.x\] has an unknown key 'license'; allowed keys: .*; did you mean 'licence'\?",
        ),
        ("[datasets]\nx = 3\n", r"site.toml:2: \[datasets.x\] is 3; allowed: a table"),
        ('datasets = "x"\n', r"site.toml:1: \[datasets\] is 'x'; allowed: a table"),
    ],
)
def test_bad_datasets_tables_are_errors_with_file_and_line(tmp_path, text, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_config(settings(tmp_path, text))


def test_a_cap_from_the_scale_is_named_in_messages(tmp_path):
    class_folders(tmp_path / "a")
    root = settings(tmp_path, '[scales.tiny]\ndataset_count = 1\n\n[datasets.a]\npath = "a"\nlicence = "x"\n')
    cfg = load_config(root, overrides={"build.scale": "tiny"})
    assert count_source(cfg, "a") == "[scales.tiny] dataset_count" and dataset_count(cfg, "a") == 1
    with pytest.raises(DataError, match=r"is to be used with \[scales.tiny\] dataset_count = 1: too few images"):
        check_inputs(cfg)
    own = load_config(settings(tmp_path, '[datasets.a]\npath = "a"\nlicence = "x"\ncount = 5\n'))
    assert count_source(own, "a") == "count"


# --- more bad data, checked directly (check_user before the build, load_user in the stage) -----------------------


def _nested(t):
    for split in ("train", "test"):
        class_folders(t / "data" / split, classes=("cat", "dog"), n=2)
    return t / "data", {}


def _nested_zip(t):
    _nested(t)
    return zipped(t / "data", t / "d.zip", "data"), {}


def _npz_zero_side(t):
    np.savez(t / "d.npz", x=np.zeros((10, 0, 8), np.uint8))
    return t / "d.npz", {"size": [8, 8]}


def _npz_object_labels(t):
    np.savez(t / "d.npz", x=noise(4, 8, 8), y=np.array([0, 1, "a", None], dtype=object))
    return t / "d.npz", {}


def _zip_bomb(t):
    path = t / "d.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.png", b"\0" * (images.MAX_MEMBER + 1))  # unpacks to 64 MiB + 1, stored in 65 kB
        archive.writestr("b.png", b"\0")
    return path, {}


def _zip_mixed_past_the_sample(t):
    folder = flat_folder(t / "flat", n=40, shape=(8, 8), ext="png")
    save(folder / "030.png", noise(8, 9))
    return zipped(folder, t / "d.zip", "inside"), {}


def _rotated_past_the_sample(t):
    """31 photos stored 16×8: 30 with EXIF orientation 6 (shown turned, 8×16), the 31st without (shown 16×8)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    (t / "photos").mkdir()
    for i in range(31):
        Image.fromarray(noise(16, 8, 3, seed=i)).save(
            t / "photos" / f"{i:03d}.jpg", **({"exif": exif} if i < 30 else {})
        )
    return t / "photos", {}


def _pixel_bomb(t, monkeypatch, limit):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)  # 8×8 = 64 pixels: over twice 20, or over 40
    return flat_folder(t / "flat", n=3, shape=(8, 8), ext="png"), {}


DIRECT = {
    "nested-class-folders": (
        _nested,
        [
            r"more than one folder below a class folder \(test/cat/000\.png\)",
            r"point path at the folder whose sub-folders are the classes \(e\.g\. .*data/test\)",
        ],
    ),
    "nested-in-a-zip": (_nested_zip, [r"more than one folder below a class folder", r"unzip it"]),
    "npz-zero-side-with-size": (_npz_zero_side, [r"x holds images of 0×8 pixels", r"uint8 images"]),
    "npz-object-labels": (_npz_object_labels, [r"y holds labels of shape \(4,\) \(Python objects\) for 4 images"]),
    "zip-bomb": (_zip_bomb, [r"holds a\.png, which unpacks to 67,108,865 bytes", r"up to 64 MiB"]),
    "zip-mixed-past-the-sample": (
        _zip_mixed_past_the_sample,
        [r"different sizes: inside/000\.png is 8×8 and inside/030\.png is 8×9 pixels"],
    ),
    "rotated-past-the-sample": (_rotated_past_the_sample, [r"000\.jpg is 8×16 and 030\.jpg is 16×8 pixels"]),
    "pixel-bomb-error": (lambda t, mp: _pixel_bomb(t, mp, 20), [r"000\.png is too large to decode safely"]),
    "pixel-bomb-warning": (lambda t, mp: _pixel_bomb(t, mp, 40), [r"000\.png is too large to decode safely"]),
}


@pytest.mark.parametrize("case", list(DIRECT))
@pytest.mark.parametrize("how", ["check", "load"])
def test_more_bad_data_is_one_data_error(tmp_path, monkeypatch, case, how):
    make, patterns = DIRECT[case]
    path, keys = make(tmp_path, monkeypatch) if "bomb" in case and "zip" not in case else make(tmp_path)
    with pytest.raises(DataError) as err:
        if how == "check":
            check_user("mine", spec(path, **keys), None, "site.toml:4")
        else:
            load_user("mine", spec(path, **keys), None, 0)
    assert "[datasets.mine]" in err.value.where and str(path) in err.value.where, err.value.where
    for pattern in patterns:
        assert re.search(pattern, err.value.message), (pattern, err.value.message)


@pytest.mark.parametrize("form", ["images", "npz"])
def test_running_out_of_memory_is_one_data_error(tmp_path, monkeypatch, form):
    from generator.datasets import arrays

    def exhausted(*args, **kwargs):
        raise MemoryError

    if form == "images":
        path = flat_folder(tmp_path / "flat", n=3, shape=(8, 8), ext="png")
        monkeypatch.setattr(images, "list_images", exhausted)
    else:
        np.savez(tmp_path / "d.npz", x=noise(4, 8, 8))
        path = tmp_path / "d.npz"
        monkeypatch.setattr(arrays, "check_arrays", exhausted)
    for run in (lambda: check_user("mine", spec(path)), lambda: load_user("mine", spec(path), None, 0)):
        with pytest.raises(DataError, match=r"too large to load into memory; set count"):
            run()


def test_a_file_that_runs_out_of_memory_is_skipped(tmp_path, monkeypatch):
    folder = flat_folder(tmp_path / "flat", n=4, shape=(8, 8), ext="png")
    real, calls = images.to_array, []

    def to_array(im):
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError
        return real(im)

    monkeypatch.setattr(images, "to_array", to_array)
    ds = load_user("mine", spec(folder), None, 0)
    assert ds.n == 3 and ds.source["skipped"] == 1


def _late_chunk(png: bytes, kind: bytes, data: bytes) -> bytes:
    """``png`` with one more chunk after its pixel data (just before IEND)."""
    body = kind + data
    return png[:-12] + len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big") + png[-12:]


def _encoded(fmt: str, orientation: int = 1, late: bytes = b"", **keys) -> bytes:
    """An image of 10×20 pixels stored, with an EXIF orientation (after the pixels of a PNG when ``late`` is
    b"eXIf"; ``late`` XMP is put there too)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.fromarray(noise(10, 20, 3)).save(out, fmt, **keys, **({} if late else {"exif": exif}))
    data = out.getvalue()
    if late == b"eXIf":
        data = _late_chunk(data, b"eXIf", exif.tobytes().removeprefix(b"Exif\0\0"))
    elif late:
        data = _late_chunk(data, b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + late)
    return data


TURNED, AS_STORED = (20, 10), (10, 20)  # (height, width) shown of the 10×20 image _encoded stores


@pytest.mark.parametrize(
    "fmt, keys, late, shown",
    [
        ("JPEG", {"orientation": 6}, b"", TURNED),
        ("JPEG", {"orientation": 3}, b"", AS_STORED),  # half a turn
        ("PNG", {"orientation": 8}, b"", TURNED),
        ("PNG", {"orientation": 6}, b"eXIf", TURNED),  # after the pixels: Pillow reads it only when decoding
        ("PNG", {}, b'<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>', TURNED),
        ("PNG", {}, b"<x:xmpmeta></x:xmpmeta>", AS_STORED),
        ("WEBP", {"orientation": 5}, b"", TURNED),
        ("TIFF", {"orientation": 6}, b"", TURNED),  # Pillow's TIFF reader turns the size itself
        ("TIFF", {"orientation": 7, "compression": "tiff_deflate"}, b"", TURNED),
        ("PPM", {}, b"", AS_STORED),
        ("GIF", {}, b"", AS_STORED),
        ("BMP", {}, b"", AS_STORED),
    ],
)
def test_the_size_read_from_a_header_is_the_decoded_one(fmt, keys, late, shown):
    data = _encoded(fmt, late=late, **keys)
    a, why = images.decode(data)
    assert a is not None, why
    assert images.shown_size(io.BytesIO(data)) == a.shape[:2] == shown


@pytest.mark.parametrize("damaged", ["_first.png", "last.png"])
def test_an_image_whose_pixels_are_damaged_is_skipped_by_the_size_check_as_by_the_loader(tmp_path, damaged):
    """A header can be whole where the pixels are not: its size is no reason to stop the build, since the loader
    skips the file; first in file order or later, the other images decide the size."""
    folder = tmp_path / "set"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5):
        Image.fromarray(rng.integers(0, 256, (20, 30), dtype=np.uint8)).save(folder / f"a{i}.png")
    whole = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (40, 40), dtype=np.uint8)).save(whole, "PNG")
    (folder / damaged).write_bytes(whole.getvalue()[:200])  # the header, then nothing
    listing = images.list_images(folder)
    x, _, _, skipped = images.read_images(listing, None, np.random.default_rng(1), None, "")
    assert x.shape == (5, 20, 30) and skipped == 1

    images.check_images(listing, None)  # no DataError

    Image.fromarray(rng.integers(0, 256, (40, 40), dtype=np.uint8)).save(folder / "b.png")  # whole, another size
    with pytest.raises(DataError, match=r"b\.png"):
        images.check_images(images.list_images(folder), None)
