"""The artifact pipeline's stages and the helpers figures use to request them.

Data flows one way: dataset -> trained model -> layouts / atlases / TF.js
exports -> figure payloads -> pages. Each function here builds the *request*
for one artifact from the validated config, so every hyper-parameter that
shapes an artifact is in its cache key.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..pipeline import Request

DATASETS = ("mnist", "fashion-mnist", "faces")


# Bytes of each file's start and end that go into a fingerprint (the rest is named by its size).
_SAMPLE = 1 << 20
# Files of a folder whose start and end are sampled too (the IDX files of an MNIST folder; the first
# images of a CelebA folder), so replacing a file by another of the same size still changes the key.
_SAMPLED_FILES = 16
_FOLDER_SAMPLE = 1 << 16


def _sample(digest, path: Path, size: int, amount: int) -> None:
    """Hash the first and last ``amount`` bytes of ``path`` (an unreadable file hashes its error)."""
    try:
        with open(path, "rb") as handle:
            digest.update(handle.read(amount))
            if size > 2 * amount:
                handle.seek(-amount, os.SEEK_END)
            digest.update(handle.read())  # the rest of a small file, or the last ``amount`` bytes
    except OSError as exc:
        digest.update(f"unreadable {exc.errno}".encode())


def fingerprint(path: str) -> str:
    """A cheap content fingerprint of a user-supplied data path (names, sizes and samples, never times)."""
    if not path:
        return ""
    p = Path(path).expanduser()
    digest = hashlib.sha256()
    try:
        if p.is_dir():
            sampled = 0
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    full = Path(root) / name
                    try:
                        size = full.stat().st_size
                    except OSError:  # a dangling link or a file removed meanwhile
                        size = -1
                    digest.update(f"{full.relative_to(p)}\0{size}\0".encode())
                    if size >= 0 and sampled < _SAMPLED_FILES:
                        _sample(digest, full, size, _FOLDER_SAMPLE)
                        sampled += 1
        elif p.is_file():
            size = p.stat().st_size
            digest.update(str(size).encode())
            _sample(digest, p, size, _SAMPLE)
    except OSError as exc:  # check_inputs reports unreadable data; the key just has to be stable
        digest.update(f"unreadable {exc.errno}".encode())
    return digest.hexdigest()


DATA_OPTIONS = (("mnist", "data.mnist"), ("fashion-mnist", "data.fashion_mnist"), ("faces", "data.celeba"))


def check_inputs(cfg: Config) -> None:
    """User data named in site.toml or by flags must exist and have the right form, before any stage runs.

    Cheap: file headers, array shapes, labels, image counts and the first few CelebA images. Each
    problem is one :class:`DataError` (a missing path a :class:`ConfigError`) naming the file, the
    option and what is allowed.
    """
    from ..datasets import MINIMUM, OPTION, check_source, with_option
    from ..errors import DataError

    for name, key in DATA_OPTIONS:
        value = cfg[key]
        if not value:
            continue
        if not Path(value).expanduser().exists():
            raise ConfigError(
                f"{value} does not exist; give an existing path or leave it empty for the offline default",
                where=OPTION[name],
            )
        try:
            check_source(name, value, MINIMUM[name])
        except DataError as exc:
            raise with_option(exc, name) from None


def datasets_needed(requests: list[Request]) -> set[str]:
    """The names of the datasets that ``requests`` (and everything upstream of them) read."""
    from ..pipeline import REGISTRY

    seen: set[str] = set()
    names: set[str] = set()
    todo = list(requests)
    while todo:
        request = todo.pop()
        if request.ident in seen:
            continue
        seen.add(request.ident)
        if request.stage == "dataset":
            names.add(request.params["name"])
        todo.extend(REGISTRY[request.stage].inputs(request.params).values())
    return names


def prepare_default_data(cfg: Config, names: set[str], show_progress: bool = True) -> None:
    """Fetch the default data this machine lacks (Fashion-MNIST without Debian's package), before any stage."""
    if "fashion-mnist" in names and not cfg["data.fashion_mnist"]:
        from ..datasets.fashion import default_folder

        default_folder(show_progress)


def dataset_request(cfg: Config, name: str) -> Request:
    """The dataset artifact: uint8 images and labels, sized by the scale preset."""
    preset = cfg.preset
    path = {"mnist": cfg["data.mnist"], "fashion-mnist": cfg["data.fashion_mnist"], "faces": cfg["data.celeba"]}[name]
    if name == "mnist" and cfg.scale != "full" and not path:
        path = ""
    count = {"mnist": preset["mnist_count"], "fashion-mnist": preset["fashion_count"], "faces": preset["faces_count"]}[
        name
    ]
    params = {"name": name, "count": count, "seed": cfg["build.seed"], "path": path, "fingerprint": fingerprint(path)}
    if name == "faces" and path:
        params["size"] = list(cfg["data.celeba_size"])
        params["count"] = min(count, cfg["data.celeba_count"])
    return Request("dataset", params)


def _register_stages() -> None:
    """Import every module of this package, which registers its stages (new stage modules need no list)."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register_stages()
