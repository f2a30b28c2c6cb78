"""Image files of an author's data set: a folder of class sub-folders, a flat folder or a .zip.

:func:`list_images` finds the image files and their classes (sub-folder names, sorted); a folder or
archive that holds nothing but one sub-folder is looked into. :func:`read_images` decodes a seeded
subset of them to uint8 arrays, one colour mode and one size for all; :func:`check_images` decodes a
few, cheaply, before any stage runs. Every problem is a :class:`DataError` whose message says what is
allowed (the caller adds which data set it is).
"""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from generator.errors import DataError

from .base import choose

IMAGE_EXTS = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".pgm", ".ppm", ".pnm", ".pbm", ".bmp", ".gif", ".tif", ".tiff"}
)
FORMATS = "PNG, JPEG, WebP, PGM/PPM, BMP, GIF or TIFF"
SIDES = (4, 512)  # the smallest and largest height or width kept without `size` (size's own range)
GREY_TOLERANCE = 2  # an RGB image whose channels differ by at most this much everywhere is grey
SAMPLE = 24  # images check_images decodes, spread over the classes
SIZE_HINT = "set size = [height, width] to resize them all (keeping their aspect, padded with black)"


@dataclass(frozen=True)
class Listing:
    """The image files of a folder or .zip: names in class order, their labels and the class names."""

    path: Path
    names: list[str]  # paths relative to the folder, or zip member names
    labels: np.ndarray | None  # int64 index into ``classes``; None for a flat folder or archive
    classes: list[str]
    base: str  # the folder inside the archive or folder the names are relative to, for messages

    def shown(self, i: int) -> str:
        """The i-th file as messages name it (relative to the data set's path)."""
        return str(PurePosixPath(self.base, self.names[i])) if self.base else self.names[i]

    @contextlib.contextmanager
    def reader(self) -> Iterator[Callable[[int], bytes]]:
        """A function returning the bytes of the i-th file (the archive stays open meanwhile)."""
        if self.path.is_dir():
            yield lambda i: (self.path / self.base / self.names[i]).read_bytes()
            return
        with zipfile.ZipFile(self.path) as archive:
            yield lambda i: archive.read(str(PurePosixPath(self.base, self.names[i])) if self.base else self.names[i])


def _skip(part: str) -> bool:
    return part.startswith(".") or part == "__MACOSX"


def _is_image(parts: tuple[str, ...]) -> bool:
    return not any(_skip(p) for p in parts) and PurePosixPath(parts[-1]).suffix.lower() in IMAGE_EXTS


def _others(names: list[str]) -> str:
    if not names:
        return "it is empty"
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return f"found {len(names):,} other file{'s' * (len(names) != 1)}: {shown}"


def _group(path: Path, files: list[tuple[str, ...]], others: list[str], what: str) -> Listing:
    """Class or flat listing of ``files`` (path parts relative to ``path``, images only)."""
    if not files:
        raise DataError(f"holds no images ({FORMATS}; {_others(others)})", where=str(path))
    base: tuple[str, ...] = ()
    while len({f[0] for f in files}) == 1 and all(len(f) > 1 for f in files):  # one folder inside: look into it
        base += (files[0][0],)
        files = [f[1:] for f in files]
    loose = sorted("/".join(f) for f in files if len(f) == 1)
    nested = [f for f in files if len(f) > 1]
    if loose and nested:
        raise DataError(
            f"holds both images beside the class sub-folders ({loose[0]}) and images in them "
            f"({'/'.join(nested[0])}); allowed: every image in a class sub-folder (the folder names are the "
            f"classes), or every image directly in the {what} (no labels)",
            where=str(PurePosixPath(path, *base)),
        )
    if loose:
        return Listing(path, loose, None, [], "/".join(base))
    classes = sorted({f[0] for f in nested})
    names, labels = [], []
    for label, name in enumerate(classes):
        members = sorted("/".join(f) for f in nested if f[0] == name)
        names += members
        labels += [label] * len(members)
    return Listing(path, names, np.asarray(labels, np.int64), classes, "/".join(base))


def list_images(path: Path) -> Listing:
    """The images of a folder or a .zip archive (of class sub-folders, or flat)."""
    if path.is_dir():
        files, others = [], []
        for file in sorted(path.rglob("*")):
            parts = file.relative_to(path).parts
            if any(_skip(p) for p in parts) or not file.is_file():
                continue
            (files if _is_image(parts) else others).append(parts)
        return _group(path, files, ["/".join(p) for p in others], "folder")
    try:
        with zipfile.ZipFile(path) as archive:
            listed = [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DataError(
            f"is not a readable .zip archive, it is damaged or truncated ({exc})", where=str(path)
        ) from None
    parts = [PurePosixPath(n).parts for n in listed]
    files = [p for p in parts if _is_image(p)]
    others = ["/".join(p) for p in parts if not _is_image(p) and not any(_skip(q) for q in p)]
    return _group(path, files, others, "archive")


# --- decoding: one colour mode, one size ----------------------------------------------------------------------


def _over_black(im: Image.Image) -> np.ndarray:
    """An image with transparency, composited over black: uint8 (H, W) or (H, W, 3)."""
    grey = im.mode in ("LA", "La")
    rgba = np.asarray(im.convert("LA" if grey else "RGBA"), dtype=np.float32)
    alpha = rgba[..., -1:] / 255.0
    out = np.rint(rgba[..., :-1] * alpha).astype(np.uint8)
    return out[..., 0] if grey else out


def to_array(im: Image.Image) -> np.ndarray:
    """Any Pillow image as uint8 (H, W) grey or (H, W, 3) RGB; 16-bit and float images are scaled, alpha over black."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        a = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or a.max(initial=0) > 255 else 255.0
        return np.clip(np.rint(a * 255.0 / top), 0, 255).astype(np.uint8)
    if im.mode in ("RGBA", "RGBa", "LA", "La", "PA") or (im.mode == "P" and "transparency" in im.info):
        return _over_black(im)
    if im.mode in ("1", "L"):
        return np.asarray(im.convert("L"), dtype=np.uint8)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def decode(data: bytes) -> tuple[np.ndarray | None, str]:
    """Image bytes as an array (:func:`to_array`), or (None, why it cannot be read)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return to_array(im), ""
    except Image.UnidentifiedImageError:
        return None, f"is not an image Pillow can read ({FORMATS})"
    except Exception as exc:  # damaged files make Pillow raise many kinds of errors
        return None, f"cannot be decoded ({type(exc).__name__}: {exc})"


def is_grey(a: np.ndarray) -> bool:
    """True for a (H, W) image or an RGB one whose channels agree within :data:`GREY_TOLERANCE`."""
    if a.ndim == 2:
        return True
    c = a.astype(np.int16)
    return bool(
        np.abs(c[..., 0] - c[..., 1]).max() <= GREY_TOLERANCE and np.abs(c[..., 0] - c[..., 2]).max() <= GREY_TOLERANCE
    )


def to_color(a: np.ndarray, rgb: bool) -> np.ndarray:
    """``a`` as (H, W, 3) RGB or as (H, W) grey (ITU-R 601 luma, Pillow's)."""
    if rgb:
        return a if a.ndim == 3 else np.repeat(a[..., None], 3, axis=2)
    return a if a.ndim == 2 else np.asarray(Image.fromarray(a, "RGB").convert("L"), dtype=np.uint8)


def fit(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``a`` resized to fit (height, width) ``size`` keeping its aspect (LANCZOS), centred on black."""
    height, width = size
    h, w = a.shape[:2]
    if (h, w) == (height, width):
        return a
    scale = min(height / h, width / w)
    nh, nw = max(1, min(height, round(h * scale))), max(1, min(width, round(w * scale)))
    resized = np.asarray(Image.fromarray(a).resize((nw, nh), Image.Resampling.LANCZOS), dtype=np.uint8)
    out = np.zeros((height, width, *a.shape[2:]), np.uint8)
    top, left = (height - nh) // 2, (width - nw) // 2
    out[top : top + nh, left : left + nw] = resized
    return out


def side_problem(shape: tuple[int, ...]) -> str | None:
    """None if images of ``shape`` (H, W, ...) may be used without ``size``; else their size and what is allowed."""
    low, high = SIDES
    if all(low <= side <= high for side in shape[:2]):
        return None
    return (
        f"{shape[0]}×{shape[1]} pixels (height×width); images from {low}×{low} to {high}×{high} are used as they "
        f"are, otherwise {SIZE_HINT}"
    )


def mixed_sizes(first: tuple[str, tuple[int, ...]], other: tuple[str, tuple[int, ...]]) -> str:
    """The message for images of two sizes without ``size``."""
    (a, sa), (b, sb) = first, other
    return (
        f"holds images of different sizes: {a} is {sa[0]}×{sa[1]} and {b} is {sb[0]}×{sb[1]} pixels "
        f"(height×width); {SIZE_HINT}"
    )


def same_size(images: list[np.ndarray], names: list[str], size: tuple[int, int] | None) -> list[np.ndarray]:
    """Every image at ``size`` (fitted), or -- without ``size`` -- checked to be of one usable size."""
    if size is not None:
        return [fit(a, size) for a in images]
    for a, name in zip(images, names):
        problem = side_problem(a.shape)
        if problem:
            raise DataError(f"{name} is {problem}", where=None)
        if a.shape[:2] != images[0].shape[:2]:
            raise DataError(mixed_sizes((names[0], images[0].shape), (name, a.shape)), where=None)
    return images


def one_color(images: list[np.ndarray], color: str) -> tuple[list[np.ndarray], str]:
    """Every image in one mode: ``color`` ("gray" / "rgb") or, when "", rgb if any image is in colour."""
    rgb = color == "rgb" or (color == "" and not all(is_grey(a) for a in images))
    return [to_color(a, rgb) for a in images], "rgb" if rgb else "gray"


# --- reading a data set ----------------------------------------------------------------------------------------

# What reading one file of a folder or archive may raise (damaged archive members included).
_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, ValueError)


def _decode_file(read: Callable[[int], bytes], i: int) -> tuple[np.ndarray | None, str]:
    """The i-th file decoded (:func:`decode`), or (None, why) when it cannot even be read."""
    try:
        data = read(i)
    except _READ_ERRORS as exc:
        return None, f"cannot be read ({exc})"
    return decode(data)


def _order(listing: Listing, count: int | None, rng: np.random.Generator) -> np.ndarray:
    """Files to decode: a seeded (stratified) subset of ``count``, then the rest as replacements for skips."""
    n = len(listing.names)
    if count is None or count >= n:
        return np.arange(n)
    chosen = choose(listing.labels, n, count, rng)
    rest = np.setdiff1d(np.arange(n), chosen)
    return np.concatenate([chosen, rng.permutation(rest)])


def read_images(listing: Listing, count: int | None, seed: int, size: tuple[int, int] | None, color: str):
    """Decode up to ``count`` images (all when None): (x uint8 (N, H, W[, 3]), labels or None, color, skipped).

    Unreadable files are skipped and replaced by others; none readable is an error.
    """
    rng = np.random.default_rng(seed)
    want = len(listing.names) if count is None else min(count, len(listing.names))
    kept, images, skipped, first_problem = [], [], 0, ""
    with listing.reader() as read:
        for i in _order(listing, count, rng):
            if len(kept) == want:
                break
            a, why = _decode_file(read, int(i))
            if a is None:
                skipped += 1
                first_problem = first_problem or f"{listing.shown(int(i))} {why}"
                continue
            kept.append(int(i))
            images.append(a)
    if not images:
        raise DataError(
            f"has {len(listing.names):,} image files but none could be read (e.g. {first_problem}); allowed: "
            f"readable {FORMATS} images",
            where=str(listing.path),
        )
    order = np.argsort(kept, kind="stable")  # back to file order (class by class)
    images, kept = [images[j] for j in order], [kept[j] for j in order]
    images, mode = one_color(images, color)
    try:
        images = same_size(images, [listing.shown(i) for i in kept], size)
    except DataError as exc:
        raise DataError(exc.message, where=str(listing.path)) from None
    labels = None if listing.labels is None else listing.labels[kept]
    return np.stack(images), labels, mode, skipped


def check_images(listing: Listing, size: tuple[int, int] | None) -> None:
    """Decode a few images (the first of each class in turn) and check their sizes; cheap."""
    n = len(listing.names)
    if listing.labels is None:
        sample = list(range(min(n, SAMPLE)))
    else:
        by_class = [np.flatnonzero(listing.labels == c) for c in range(len(listing.classes))]
        sample = [int(m[r]) for r in range(SAMPLE) for m in by_class if r < len(m)][:SAMPLE]
    images, names, problems = [], [], []
    with listing.reader() as read:
        for i in sample:
            a, why = _decode_file(read, i)
            if a is None:
                problems.append(f"{listing.shown(i)} {why}")
            else:
                images.append(a)
                names.append(listing.shown(i))
    if not images:
        more = f" (and {len(problems) - 1:,} more)" if len(problems) > 1 else ""
        raise DataError(
            f"none of the first {len(problems):,} images could be read: {problems[0]}{more}; allowed: readable "
            f"{FORMATS} images",
            where=str(listing.path),
        )
    try:
        same_size(images, names, size)
    except DataError as exc:
        raise DataError(exc.message, where=str(listing.path)) from None
