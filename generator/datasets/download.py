"""Data that a machine may lack: fetched once into a user cache folder, verified, never trusted blindly.

Fashion-MNIST comes from Debian's ``dataset-fashion-mnist`` where it is installed.
Elsewhere (macOS, other distributions, GitHub's runners) the build downloads the
four official IDX files once, the same files Keras' loader uses, into
:func:`user_data_dir`, with a progress bar. Each file is checked against the
sha256 of its *decompressed* IDX bytes (so Debian's recompressed copies and the
originals verify alike); a file that fails is deleted and the build stops with
one message. Offline, the message says how to provide the files instead.

Settings (environment variables, for mirrors and tests):
``EXPLORABLES_DATA_DIR`` (where downloads go) and ``EXPLORABLES_FASHION_MNIST_URL``
(the folder URL the four files are fetched from).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from generator.errors import DataError
from generator.pipeline import HOST, TMP_MARK, remove_stale

FASHION_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# file -> (bytes, sha256) of the decompressed IDX data
FASHION_FILES = {
    "train-labels-idx1-ubyte.gz": (60_008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    "train-images-idx3-ubyte.gz": (47_040_016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    "t10k-labels-idx1-ubyte.gz": (10_008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    "t10k-images-idx3-ubyte.gz": (7_840_016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
}
TIMEOUT = 60  # seconds without a byte before a download is given up
PROVIDE = (
    "Provide the files instead: pass --fashion-mnist DIR, a folder holding train-images-idx3-ubyte.gz, "
    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (from "
    "https://github.com/zalandoresearch/fashion-mnist), or on Debian and Ubuntu "
    "`apt install dataset-fashion-mnist`"
)


def user_data_dir() -> Path:
    """Where downloaded data lives: $EXPLORABLES_DATA_DIR, else the platform's user cache folder."""
    if os.environ.get("EXPLORABLES_DATA_DIR"):
        return Path(os.environ["EXPLORABLES_DATA_DIR"]).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "explorables"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "explorables"


def content_digest(path: Path) -> tuple[int, str]:
    """(bytes, sha256) of a gzip file's decompressed content."""
    digest, size = hashlib.sha256(), 0
    with gzip.open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def verified(path: Path, expected: tuple[int, str]) -> bool:
    try:
        return content_digest(path) == expected
    except (OSError, EOFError, zlib.error):
        return False


def fashion_mnist_dir(show_progress: bool = True) -> Path:
    """A folder holding the four verified Fashion-MNIST files, downloading what is missing."""
    folder = user_data_dir() / "fashion-mnist"
    base = os.environ.get("EXPLORABLES_FASHION_MNIST_URL") or FASHION_URL
    missing = [name for name in FASHION_FILES if not (folder / name).is_file()]
    for name in missing:
        _download(base.rstrip("/") + "/" + name, folder / name, FASHION_FILES[name], show_progress)
    return folder


def _download(url: str, target: Path, expected: tuple[int, str], show_progress: bool) -> None:
    where = "Fashion-MNIST download"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create {target.parent} ({exc.strerror or exc}); set EXPLORABLES_DATA_DIR to a "
            "folder you can write to",
            where=where,
        ) from None
    remove_stale(target.parent)  # partial downloads of builds that were killed
    tmp = target.with_name(f"{target.name}{TMP_MARK}{HOST}-{os.getpid()}")
    try:
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response, open(tmp, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0) or None
                bar = _bar(total, target.name, show_progress)
                try:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        out.write(block)
                        if bar is not None:
                            bar.update(len(block))
                finally:
                    if bar is not None:
                        bar.close()
        except urllib.error.HTTPError as exc:
            raise DataError(
                f"Fashion-MNIST is not installed here and {url} answered HTTP {exc.code} ({exc.reason}). {PROVIDE}",
                where=where,
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            raise DataError(
                f"Fashion-MNIST is not installed here and {url} cannot be downloaded ({reason}); are you "
                f"offline? {PROVIDE}",
                where=where,
            ) from None
        if not verified(tmp, expected):
            raise DataError(
                f"{url} arrived damaged or is not the official file (its sha256 does not match); it was "
                "deleted. Build again to retry, or pass --fashion-mnist DIR with files you trust",
                where=where,
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _bar(total: int | None, name: str, show: bool):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=f"  download {name}",
        unit="B",
        unit_scale=True,
        leave=False,
        file=sys.stderr,
        mininterval=0.3,
        dynamic_ncols=True,
    )
