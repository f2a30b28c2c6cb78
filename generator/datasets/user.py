"""An author's ``[datasets.<name>]``: :func:`check_user` before the build, :func:`load_user` in the dataset stage.

``path`` is a folder of class sub-folders, a flat folder or a .zip of images (:mod:`.images`), or an .npz
or a folder of IDX files (:mod:`.arrays`). The images end as uint8 (N, H, W) grey or (N, H, W, 3) RGB:
``color`` forces the mode, else any colour image makes the whole set RGB; ``size`` resizes every image
(keeping its aspect, padded with black), else all must share one size. A seeded subset of ``count``
images is used (stratified by label); without a test split, a seeded sixth (at least one image,
stratified) is held out. Every problem is one :class:`DataError` naming ``[datasets.<name>]``, the file
and what is allowed.
"""

from __future__ import annotations

import logging
import zipfile
import zlib
from pathlib import Path

import numpy as np

from generator.errors import DataError

from . import arrays, images
from .base import Dataset, cap_split, choose

FORMS = (
    "a folder with one sub-folder of images per class, a flat folder or a .zip of images "
    f"({images.FORMATS}), an .npz with x (N, H, W) or (N, H, W, 3) uint8 and optional y, x_test, y_test, "
    "or a folder of IDX files"
)
TEST_FRACTION = 1 / 6
_READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)
TOO_LARGE = "is too large to load into memory; set count (or size) to use fewer (or smaller) images"

log = logging.getLogger(__name__)


def tagged(exc: DataError, name: str, origin: str | None = None) -> DataError:
    """``exc`` with ``[datasets.<name>]`` (and the settings line that declared it) added to where it happened."""
    if f"[datasets.{name}]" in (exc.where or ""):
        return exc
    tag = f"[datasets.{name}]" + (f" in {origin}" if origin else "")
    return DataError(exc.message, where=f"{exc.where} ({tag})" if exc.where else tag)


def path_form(p: Path) -> str:
    """Which kind of path ``p`` is: 'images' (a folder or .zip), 'npz' or 'idx'; DataError for anything else."""
    if not p.exists():
        raise DataError(f"does not exist; allowed: {FORMS}", where=str(p))
    if p.is_dir():
        return "idx" if "x" in arrays.idx_files(p) else "images"
    if p.suffix.lower() == ".npz":
        return "npz"
    if p.suffix.lower() == ".zip" or zipfile.is_zipfile(p):
        return "images"
    raise DataError(f"is a {p.suffix or 'extension-less'} file; allowed: {FORMS}", where=str(p))


def class_names(spec: dict, default: list[str] | None, where: Path, what: str) -> list[str]:
    """The class names: ``classes`` when given (one per class), else ``default``; [] for unlabelled data."""
    given = spec.get("classes")
    if default is None:
        if given:
            raise DataError(
                f"has no labels ({what}), but classes is set; remove classes, or put the images in one "
                "sub-folder per class (or give labels y in the .npz)",
                where=str(where),
            )
        return []
    if given and len(given) != len(default):
        raise DataError(
            f"has {len(default):,} classes ({what}) but classes lists {len(given):,} names; allowed: one name per "
            "class, in order",
            where=str(where),
        )
    return list(given or default)


def too_few(n: int, skipped: int = 0) -> str:
    """The message for fewer than two usable images."""
    note = f" ({skipped:,} more were skipped as unreadable)" if skipped else ""
    return (
        f"has {n:,} usable image{'s' * (n != 1)}{note}: too few images to split into training and test images; "
        "allowed: at least 2 images"
    )


def _describe(listing: images.Listing) -> str:
    if listing.labels is None:
        return "images without class sub-folders"
    shown = ", ".join(listing.classes[:4]) + (", …" if len(listing.classes) > 4 else "")
    return f"sub-folders {shown}"


def _label_count(labels: dict[str, np.ndarray]) -> int | None:
    if not labels:
        return None
    return int(max(int(y.max()) if len(y) else -1 for y in labels.values())) + 1


def check_user(
    name: str, spec: dict, count: int | None = None, origin: str | None = None, count_from: str = "count"
) -> int:
    """Check the author's data set ``name`` cheaply (listing, a few images, array headers, labels); return
    how many images it holds. ``count`` is how many this build uses, set by ``count_from`` (its own "count" or
    "[scales.tiny] dataset_count"); ``origin`` is where it was declared."""
    p = Path(spec["path"])
    try:
        try:
            form = path_form(p)
            if form == "images":
                listing = images.list_images(p)
                n = len(listing.names)
                default = None if listing.labels is None else listing.classes
                class_names(spec, default, p, _describe(listing))
                if n >= 2:
                    images.check_images(listing, spec.get("size"))
            else:
                n, labels = arrays.check_arrays(p, form, spec.get("size"))
                k = _label_count(labels)
                class_names(spec, None if k is None else [str(i) for i in range(k)], p, f"labels 0 to {(k or 1) - 1}")
        except MemoryError:
            raise DataError(TOO_LARGE, where=str(p)) from None
        except _READ_ERRORS as exc:
            raise DataError(f"cannot be read ({exc}); allowed: {FORMS}", where=str(p)) from None
        if n < 2:
            raise DataError(too_few(n), where=str(p))
        if count is not None and count < 2:
            raise DataError(
                f"is to be used with {count_from} = {count}: too few images to split; allowed: a {count_from} of "
                "at least 2",
                where=str(p),
            )
    except DataError as exc:
        raise tagged(exc, name, origin) from None
    return n


def _luma(x: np.ndarray) -> np.ndarray:
    """RGB (..., 3) uint8 to grey with Pillow's ITU-R 601 weights."""
    c = x.astype(np.uint32)
    return ((c[..., 0] * 19595 + c[..., 1] * 38470 + c[..., 2] * 7471 + 0x8000) >> 16).astype(np.uint8)


def _one_mode(parts: list[np.ndarray], color: str) -> tuple[list[np.ndarray], str]:
    """Whole arrays in one colour mode: ``color`` ("gray" / "rgb") or, when "", rgb if any image is in colour."""
    rgb = color == "rgb" or (color == "" and not all(a.ndim == 3 or images.is_grey(a) for a in parts))
    out = []
    for a in parts:
        if rgb and a.ndim == 3:
            a = np.repeat(a[..., None], 3, axis=3)
        elif not rgb and a.ndim == 4:
            a = _luma(a)
        out.append(a)
    return out, "rgb" if rgb else "gray"


def split(x: np.ndarray, y: np.ndarray | None, rng: np.random.Generator, skipped: int = 0):
    """Hold out a seeded sixth (at least one image; stratified by label): x_tr, y_tr, x_te, y_te."""
    n = len(x)
    if n < 2:
        raise DataError(too_few(n, skipped), where=None)
    test = np.zeros(n, dtype=bool)
    test[choose(y, n, max(1, round(n * TEST_FRACTION)), rng)] = True
    if y is None:
        return x[~test], None, x[test], None
    return x[~test], y[~test], x[test], y[test]


def _from_arrays(p: Path, form: str, spec: dict, count: int | None, rng: np.random.Generator):
    a = arrays.read_arrays(p, form, spec.get("size"))
    k = _label_count({r: a[r] for r in ("y", "y_test") if r in a})
    classes = class_names(spec, None if k is None else [str(i) for i in range(k)], p, f"labels 0 to {(k or 1) - 1}")
    if "x_test" in a:
        x_tr, y_tr, x_te, y_te = cap_split(a["x"], a.get("y"), a["x_test"], a.get("y_test"), count, rng)
    else:
        keep = choose(a.get("y"), len(a["x"]), len(a["x"]) if count is None else count, rng)
        y = a.get("y")
        try:
            x_tr, y_tr, x_te, y_te = split(a["x"][keep], None if y is None else y[keep], rng)
        except DataError as exc:
            raise DataError(exc.message, where=str(p)) from None
    if len(x_tr) < 1 or len(x_te) < 1:
        raise DataError(too_few(len(x_tr) + len(x_te)), where=str(p))
    (x_tr, x_te), color = _one_mode([x_tr, x_te], spec.get("color") or "")
    size = spec.get("size")
    if size is not None:
        x_tr, x_te = (np.stack([images.fit(i, tuple(size)) for i in x]) for x in (x_tr, x_te))
    return (x_tr, y_tr, x_te, y_te), classes, color, 0


def _log_classes(name: str, folders: list[str], classes: list[str]) -> None:
    """Say once which sub-folder became which label (the sorted folder names, renamed by ``classes``)."""
    pairs = [f"{i} = {f}/" + ("" if c == f else f" as {c!r}") for i, (f, c) in enumerate(zip(folders, classes))]
    log.info("[datasets.%s]: labels from the sorted sub-folder names: %s", name, ", ".join(pairs))


def _from_images(name: str, p: Path, spec: dict, count: int | None, rng: np.random.Generator):
    listing = images.list_images(p)
    classes = class_names(spec, None if listing.labels is None else listing.classes, p, _describe(listing))
    if classes:
        _log_classes(name, listing.classes, classes)
    size = None if spec.get("size") is None else tuple(spec["size"])
    x, y, color, skipped = images.read_images(listing, count, rng, size, spec.get("color") or "")
    try:
        return split(x, y, rng, skipped), classes, color, skipped
    except DataError as exc:
        raise DataError(exc.message, where=str(p)) from None


def load_user(name: str, spec: dict, count: int | None, seed: int) -> Dataset:
    """Load the author's data set ``name`` (``spec`` as :func:`generator.datasets.registry.user_datasets` gives
    it), capped to ``count`` images (None: all) chosen by ``seed``: one generator draws the subset, then the
    test split."""
    p = Path(spec["path"])
    rng = np.random.default_rng(seed)
    try:
        try:
            form = path_form(p)
            if form == "images":
                parts, classes, color, skipped = _from_images(name, p, spec, count, rng)
            else:
                parts, classes, color, skipped = _from_arrays(p, form, spec, count, rng)
        except MemoryError:
            raise DataError(TOO_LARGE, where=str(p)) from None
        except _READ_ERRORS as exc:
            raise DataError(f"cannot be read ({exc}); allowed: {FORMS}", where=str(p)) from None
    except DataError as exc:
        raise tagged(exc, name) from None
    x_tr, y_tr, x_te, y_te = parts
    source = {
        "name": name,
        "title": spec.get("title") or name,
        "credit": spec.get("credit", ""),
        "licence": spec.get("licence", ""),
        "url": spec.get("url", ""),
        "count": int(len(x_tr) + len(x_te)),
        "skipped": int(skipped),
    }
    return Dataset(x_tr, y_tr, x_te, y_te, source, classes=tuple(classes), color=color)
