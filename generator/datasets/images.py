"""Image files of an author's data set: a folder of class sub-folders, a flat folder or a .zip.

:func:`list_images` finds the image files and their classes (sub-folder names, sorted); a folder or
archive that holds nothing but one sub-folder is looked into; images deeper than one folder below a
class folder are refused. :func:`read_images` decodes a seeded subset of them to uint8 arrays, one colour
mode and one size for all, resizing each image as soon as it is decoded (a JPEG is decoded at a reduced
scale when ``size`` allows), so memory holds the images at their final size. Before any stage runs,
:func:`check_images` reads every image's size from its header (no pixels are decoded; without ``size``
all must agree) and decodes a few. Images are turned upright by their EXIF orientation.
Every problem is a :class:`DataError` whose message says what is allowed (the caller adds which data
set it is).
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np
from PIL import ExifTags, Image, ImageOps

from generator.errors import DataError

from .base import choose

IMAGE_EXTS = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".pgm", ".ppm", ".pnm", ".pbm", ".bmp", ".gif", ".tif", ".tiff"}
)
FORMATS = "PNG, JPEG, WebP, PGM/PPM, BMP, GIF or TIFF"
SIDES = (4, 512)  # the smallest and largest height or width kept without `size` (size's own range)
GREY_TOLERANCE = 2  # an RGB image whose channels differ by at most this much everywhere is grey
SAMPLE = 24  # images check_images decodes, spread over the classes
MAX_MEMBER = 64 * 2**20  # the largest .zip member read (bytes unpacked): bigger ones (zip bombs) are refused
WHOLE_MEMBER = 2**15  # .zip members up to this size are read whole when only their header is wanted (faster)
SIZE_HINT = "set size = [height, width] to resize them all (keeping their aspect, padded with black)"


@dataclass(frozen=True)
class Listing:
    """The image files of a folder or .zip: names in class order, their labels and the class names."""

    path: Path
    names: list[str]  # paths relative to the folder, or zip member names
    labels: np.ndarray | None  # int64 index into ``classes``; None for a flat folder or archive
    classes: list[str]
    base: str  # the folder inside the archive or folder the names are relative to, for messages
    members: tuple[str, ...] = ()  # a .zip's member names as stored (read with these), parallel to names

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
            yield lambda i: archive.read(self.members[i])

    @contextlib.contextmanager
    def opener(self) -> Iterator[Callable[[int], IO[bytes]]]:
        """A function opening the i-th file for reading (seekable; read as little of it as needed)."""
        if self.path.is_dir():
            yield lambda i: (self.path / self.base / self.names[i]).open("rb")
            return
        with zipfile.ZipFile(self.path) as archive:

            def open_member(i: int) -> IO[bytes]:
                info = archive.getinfo(self.members[i])
                return io.BytesIO(archive.read(info)) if info.file_size <= WHOLE_MEMBER else archive.open(info)

            yield open_member


def _skip(part: str) -> bool:
    return part.startswith(".") or part == "__MACOSX"


def _is_image(parts: tuple[str, ...]) -> bool:
    return not any(_skip(p) for p in parts) and PurePosixPath(parts[-1]).suffix.lower() in IMAGE_EXTS


def _others(names: list[str]) -> str:
    if not names:
        return "it is empty"
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return f"found {len(names):,} other file{'s' * (len(names) != 1)}: {shown}"


def _deep(path: Path, base: tuple[str, ...], deep: list[tuple[str, ...]], what: str) -> DataError:
    """The message for images more than one folder below a class folder (``deep``: parts below ``base``)."""
    example, top = "/".join(deep[0]), deep[0][0]
    if what == "folder":
        hint = f"point path at the folder whose sub-folders are the classes (e.g. {path.joinpath(*base, top)})"
    else:
        hint = (
            f"make a .zip whose folders are the classes (e.g. of {'/'.join((*base, top))}/ alone), or unzip it and "
            "point path at the folder whose sub-folders are the classes"
        )
    return DataError(
        f"holds images more than one folder below a class folder ({example}); allowed: every image directly in "
        f"its class sub-folder: {hint}",
        where=str(PurePosixPath(path, *base)),
    )


def _group(path: Path, files: list[tuple[str, ...]], others: list[str], what: str, members=None) -> Listing:
    """Class or flat listing of ``files`` (path parts relative to ``path``, images only); ``members`` maps a
    .zip's parts to its member names as stored."""
    if not files:
        raise DataError(f"holds no images ({FORMATS}; {_others(others)})", where=str(path))
    files = sorted(set(files))
    depth = 0
    while len({f[depth] for f in files}) == 1 and all(len(f) > depth + 1 for f in files):  # one folder: look in
        depth += 1
    base = files[0][:depth]
    deep = [f[depth:] for f in files if len(f) > depth + 2]
    if deep:
        raise _deep(path, base, deep, what)
    loose = [f for f in files if len(f) == depth + 1]
    nested = [f for f in files if len(f) == depth + 2]
    if loose and nested:
        raise DataError(
            f"holds both images beside the class sub-folders ({loose[0][-1]}) and images in them "
            f"({'/'.join(nested[0][depth:])}); allowed: every image in a class sub-folder (the folder names are the "
            f"classes), or every image directly in the {what} (no labels)",
            where=str(PurePosixPath(path, *base)),
        )
    chosen = loose or nested  # sorted: class by class (the sorted folder names), then by file name
    classes = [] if loose else sorted({f[depth] for f in nested})
    index = {name: label for label, name in enumerate(classes)}
    labels = None if loose else np.asarray([index[f[depth]] for f in chosen], np.int64)
    names = ["/".join(f[depth:]) for f in chosen]
    stored = tuple(members[f] for f in chosen) if members else ()
    return Listing(path, names, labels, classes, "/".join(base), stored)


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
            listed = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DataError(
            f"is not a readable .zip archive, it is damaged or truncated ({exc})", where=str(path)
        ) from None
    members, others = {}, []
    for info in listed:
        parts = PurePosixPath(info.filename).parts  # "./a/x.png" and "a//x.png" become a, x.png: read by the name
        if not _is_image(parts):
            others += [] if any(_skip(q) for q in parts) else ["/".join(parts)]
        elif info.file_size > MAX_MEMBER:
            raise DataError(
                f"holds {info.filename}, which unpacks to {info.file_size:,} bytes; allowed: image files of up to "
                f"{MAX_MEMBER // 2**20} MiB each (shrink it, or leave it out)",
                where=str(path),
            )
        else:
            members.setdefault(parts, info.filename)
    return _group(path, list(members), others, "archive", members)


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


def _upright(im: Image.Image) -> Image.Image:
    """``im`` turned as its EXIF orientation says (phone photos are stored sideways with a tag saying so)."""
    try:
        if im.getexif().get(ExifTags.Base.Orientation, 1) in (None, 1):
            return im
        ImageOps.exif_transpose(im, in_place=True)
    except Exception:  # a damaged EXIF block: use the pixels as stored
        pass
    return im


# EXIF orientations that turn an image a quarter (its shown height and width are the stored width and height)
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
# PNG text keywords Pillow reads an EXIF orientation from (beside an eXIf chunk)
_PNG_EXIF_KEYS = frozenset({b"exif", b"Raw profile type exif", b"XML:com.adobe.xmp"})


def _png_may_turn(f: IO[bytes]) -> bool:
    """True if the PNG in ``f`` has a chunk an EXIF orientation may come from, before or after its pixels.

    Pillow reads chunks after the pixel data only when it decodes them (``getexif`` decodes a PNG whose
    eXIf chunk is not in its header), so the chunks are walked here instead, skipping their data.
    """
    f.seek(8)
    while len(head := f.read(8)) == 8:
        length, kind = struct.unpack(">I4s", head)
        if kind == b"eXIf":
            return True
        if kind == b"IEND":
            return False
        skip = length + 4  # the data and its CRC
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            start = f.read(min(length, 80))
            if start.split(b"\0", 1)[0] in _PNG_EXIF_KEYS:
                return True
            skip -= len(start)
        f.seek(skip, 1)
    return False


def _turned(im: Image.Image) -> bool:
    """True if decoding ``im`` upright (:func:`_upright`) swaps its ``size`` (it asks the same EXIF; a damaged
    one turns nothing)."""
    try:
        turned = im.getexif().get(ExifTags.Base.Orientation, 1) in _QUARTER_TURNS
        if im.format == "TIFF":  # Pillow's TIFF reader gives the size already turned by its own orientation tag
            turned = turned != (im.tag_v2.get(ExifTags.Base.Orientation) in _QUARTER_TURNS)
        return turned
    except Exception:
        return False


def shown_size(f: IO[bytes]) -> tuple[int, int]:
    """(height, width) of the image in ``f`` once turned upright, read from its header: no pixels are decoded.

    Raises whatever Pillow raises for a file it cannot open (a DataError for one too large to decode safely,
    with warnings turned into errors by the caller).
    """
    try:
        with Image.open(f) as im:
            width, height = im.size
            if im.format != "PNG" or "exif" in im.info:
                turned = _turned(im)
            elif _png_may_turn(f):  # rare: the orientation may sit after the pixels; read it as the loader does
                f.seek(0)
                with Image.open(f) as again:
                    turned = _turned(again)
            else:
                turned = False
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_large(exc) from None
    return (width, height) if turned else (height, width)


def _too_large(exc: Exception) -> DataError:
    """The message for an image too large for Pillow to decode safely (the caller adds which file)."""
    return DataError(
        f"is too large to decode safely ({exc}); allowed: images of up to {Image.MAX_IMAGE_PIXELS:,} pixels "
        "(shrink it, or leave it out)",
        where=None,
    )


def decode(data: bytes, size: tuple[int, int] | None = None) -> tuple[np.ndarray | None, str]:
    """Image bytes as an upright array (:func:`to_array`), or (None, why it cannot be read).

    With ``size``, a JPEG is decoded at the smallest of 1/8, 1/4, 1/2 or full scale that is still at least
    that large. An image too large for Pillow to decode safely (a decompression bomb) is a DataError.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if size is not None:
                    im.draft(None, (max(size), max(size)))  # a no-op for other formats
                return to_array(_upright(im)), ""
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_large(exc) from None
    except Image.UnidentifiedImageError:
        return None, f"is not an image Pillow can read ({FORMATS})"
    except Exception as exc:  # damaged files make Pillow raise many kinds of errors (MemoryError too)
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


def size_problem(name: str, shape: tuple[int, ...], first: tuple[str, tuple[int, ...]] | None) -> str | None:
    """Without ``size``: None if image ``name`` of ``shape`` may be used beside the ``first`` one kept (name,
    shape; None if it is the first); else the message."""
    problem = side_problem(shape)
    if problem:
        return f"{name} is {problem}"
    if first is not None and shape[:2] != first[1][:2]:
        return mixed_sizes(first, (name, shape))
    return None


# --- reading a data set ----------------------------------------------------------------------------------------

# What reading one file of a folder or archive may raise (damaged archive members included).
_READ_ERRORS = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    ValueError,
    KeyError,
    MemoryError,
)


def _decode_file(listing: Listing, read: Callable[[int], bytes], i: int, size: tuple[int, int] | None):
    """The i-th file decoded and, with ``size``, fitted to it: (array, grey, "") -- ``grey`` judged before
    resizing (:func:`is_grey`) -- or (None, False, why) when it cannot be read or decoded."""
    try:
        data = read(i)
    except _READ_ERRORS as exc:
        return None, False, f"cannot be read ({type(exc).__name__}: {exc})"
    try:
        a, why = decode(data, size)
    except DataError as exc:
        raise DataError(f"{listing.shown(i)} {exc.message}", where=str(listing.path)) from None
    del data
    if a is None:
        return None, False, why
    grey = is_grey(a)
    return (a if size is None else fit(a, size)), grey, ""


def _order(listing: Listing, count: int | None, rng: np.random.Generator) -> np.ndarray:
    """Files to decode: a seeded (stratified) subset of ``count``, then the rest as replacements for skips."""
    n = len(listing.names)
    if count is None or count >= n:
        return np.arange(n)
    chosen = choose(listing.labels, n, count, rng)
    rest = np.setdiff1d(np.arange(n), chosen)
    return np.concatenate([chosen, rng.permutation(rest)])


def read_images(
    listing: Listing, count: int | None, rng: np.random.Generator, size: tuple[int, int] | None, color: str
):
    """Decode up to ``count`` images (all when None) chosen with ``rng``: (x uint8 (N, H, W[, 3]), labels or
    None, color, skipped).

    Each image is fitted to ``size`` as soon as it is decoded (without ``size``, checked against the first
    one kept), so only images at their final size are held. Unreadable files are skipped and replaced by
    others; none readable is an error. ``color`` "gray" / "rgb" forces the mode; "" makes the set rgb if any
    image is in colour.
    """
    want = len(listing.names) if count is None else min(count, len(listing.names))
    kept, images, grey, skipped, first_problem = [], [], [], 0, ""
    first = None  # (name, shape) of the first image kept, which the others must match without size
    with listing.reader() as read:
        for i in map(int, _order(listing, count, rng)):
            if len(kept) == want:
                break
            a, is_grey_, why = _decode_file(listing, read, i, size)
            if a is None:
                skipped += 1
                first_problem = first_problem or f"{listing.shown(i)} {why}"
                continue
            if size is None:
                problem = size_problem(listing.shown(i), a.shape, first)
                if problem:
                    raise DataError(problem, where=str(listing.path))
                first = first or (listing.shown(i), a.shape)
            kept.append(i)
            images.append(a)
            grey.append(is_grey_)
    if not images:
        raise DataError(
            f"has {len(listing.names):,} image files but none could be read (e.g. {first_problem}); allowed: "
            f"readable {FORMATS} images",
            where=str(listing.path),
        )
    rgb = color == "rgb" or (color == "" and not all(grey))
    order = np.argsort(kept, kind="stable")  # back to file order (class by class)
    x = np.empty((len(images), *images[0].shape[:2], *((3,) if rgb else ())), np.uint8)
    for row, j in enumerate(order):
        x[row] = to_color(images[j], rgb)
        images[j] = None  # let it go as soon as it is copied
    labels = None if listing.labels is None else listing.labels[np.asarray(kept)[order]]
    return x, labels, "rgb" if rgb else "gray", skipped


def _check_sizes(listing: Listing) -> None:
    """Without ``size``: every image's size, read from its header (:func:`shown_size`), must be one the
    dataset can use and the same as the first readable one's. Files whose header cannot be read are left to
    the sample (and to the loader, which skips them)."""

    def decodes(i: int) -> bool:
        with listing.reader() as read:
            return _decode_file(listing, read, i, None)[0] is not None

    first, first_index = None, None
    with listing.opener() as open_, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        for i in range(len(listing.names)):
            try:
                with open_(i) as f:
                    shape = shown_size(f)
            except DataError as exc:
                raise DataError(f"{listing.shown(i)} {exc.message}", where=str(listing.path)) from None
            except Exception:  # unreadable or not an image: damaged files make Pillow raise many kinds of errors
                continue
            problem = size_problem(listing.shown(i), shape, first)
            if problem:
                # a header can be whole where the pixels are not, and the loader skips such a file
                if not decodes(i):
                    continue
                if first_index is not None and not decodes(first_index):  # this one is the first readable one
                    first, problem = None, size_problem(listing.shown(i), shape, None)
                if problem:
                    raise DataError(problem, where=str(listing.path))
            if first is None:
                first, first_index = (listing.shown(i), shape), i


def check_images(listing: Listing, size: tuple[int, int] | None) -> None:
    """Check the images cheaply (none is kept): without ``size``, every image's size from its header (the
    first mismatch in file order is the message); then decode a few (the first of each class in turn)."""
    if size is None:
        _check_sizes(listing)
    n = len(listing.names)
    if listing.labels is None:
        sample = list(range(min(n, SAMPLE)))
    else:
        by_class = [np.flatnonzero(listing.labels == c) for c in range(len(listing.classes))]
        sample = [int(m[r]) for r in range(SAMPLE) for m in by_class if r < len(m)][:SAMPLE]
    first, problems = None, []
    with listing.reader() as read:
        for i in sample:
            a, _, why = _decode_file(listing, read, i, size)
            if a is None:
                problems.append(f"{listing.shown(i)} {why}")
                continue
            problem = None if size is not None else size_problem(listing.shown(i), a.shape, first)
            if problem:
                raise DataError(problem, where=str(listing.path))
            first = first or (listing.shown(i), a.shape)
    if first is None:
        more = f" (and {len(problems) - 1:,} more)" if len(problems) > 1 else ""
        raise DataError(
            f"none of the first {len(problems):,} images could be read: {problems[0]}{more}; allowed: readable "
            f"{FORMATS} images",
            where=str(listing.path),
        )
