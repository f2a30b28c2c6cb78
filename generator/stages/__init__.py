"""The artifact pipeline's stages and the helpers figures use to request them.

Data flows one way: dataset -> trained model -> layouts / atlases / TF.js
exports -> figure payloads -> pages. Each function here builds the *request*
for one artifact from the validated config, so every hyper-parameter that
shapes an artifact is in its cache key.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..pipeline import Request

# The built-in data sets; every name a figure may use is ``generator.datasets.registry.dataset_names(cfg)``.
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


# An author's data set ([datasets.*]) is hashed whole while its files total at most this many bytes (then
# sampled like the rest), so changing any one image changes the key; the result is kept for the process.
_WHOLE = 256 << 20
_whole_digests: dict[tuple, str] = {}


def _whole(digest, path: Path) -> None:
    """Hash every byte of ``path`` (an unreadable file hashes its error)."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        digest.update(f"unreadable {exc.errno}".encode())


def _files(p: Path) -> list[tuple[Path, int, int]]:
    """(file, size, mtime_ns) of every file under folder ``p``, in a stable order (-1, 0 when it cannot be read)."""
    out = []
    for root, dirs, files in os.walk(p):
        dirs.sort()
        for name in sorted(files):
            full = Path(root) / name
            try:
                stat = full.stat()
                out.append((full, stat.st_size, stat.st_mtime_ns))
            except OSError:  # a dangling link or a file removed meanwhile
                out.append((full, -1, 0))
    return out


def fingerprint(path: str, whole: bool = False) -> str:
    """A content fingerprint of a user-supplied data path (names, sizes and contents, never times).

    Cheap by default: the first and last bytes of each file (of the first few files of a folder).
    ``whole``: every byte, while the files total at most 256 MiB (an author's data set, where any
    image may change; an author's .keras file); times only tell whether this process may reuse the digest
    it computed before, for a folder or a single file (never for files changed in the last two seconds,
    whose times may not show a later change).
    """
    if not path:
        return ""
    p = Path(path).expanduser()
    digest = hashlib.sha256()
    try:
        if p.is_dir():
            listing = _files(p)
            if whole and sum(max(size, 0) for _, size, _ in listing) <= _WHOLE:
                memo = (str(p), tuple((str(f), size, when) for f, size, when in listing))
                if memo in _whole_digests:
                    return _whole_digests[memo]
                settled = time.time_ns() - 2_000_000_000  # a file changed since may still show the same time
                for full, size, _ in listing:
                    digest.update(f"{full.relative_to(p)}\0{size}\0".encode())
                    _whole(digest, full)
                if all(when < settled for _, _, when in listing):
                    _whole_digests[memo] = digest.hexdigest()
                return digest.hexdigest()
            sampled = 0
            for full, size, _ in listing:
                digest.update(f"{full.relative_to(p)}\0{size}\0".encode())
                if size >= 0 and sampled < _SAMPLED_FILES:
                    _sample(digest, full, size, _FOLDER_SAMPLE)
                    sampled += 1
        elif p.is_file():
            stat = p.stat()
            size = stat.st_size
            if whole and size <= _WHOLE:  # a .keras file, an .npz: hashed once per process while unchanged
                memo = (str(p), size, stat.st_mtime_ns)
                if memo in _whole_digests:
                    return _whole_digests[memo]
                digest.update(str(size).encode())
                _whole(digest, p)
                if stat.st_mtime_ns < time.time_ns() - 2_000_000_000:  # see the folders' rule above
                    _whole_digests[memo] = digest.hexdigest()
                return digest.hexdigest()
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
    option and what is allowed. Every ``[datasets.<name>]`` of the settings is checked the same way
    (its listing, a few decoded images, array headers and labels), named with the line declaring it;
    every ``[models.<name>]`` is checked against its data set (``generator.models.checks.check_models``:
    a file's configs and shapes, a conv family's image size), a ModelError naming its line.
    """
    from ..datasets import MINIMUM, OPTION, check_source, check_user, with_option
    from ..datasets.registry import count_source, dataset_count, user_datasets
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
    from ..models.checks import check_face_size, check_models  # in the harness (pipeline.HARNESS): no key holds it

    if cfg["data.celeba"]:
        check_face_size(cfg["data.celeba_size"])
    for name, spec in user_datasets(cfg).items():
        check_user(name, spec, dataset_count(cfg, name), cfg.origins.get(name), count_source(cfg, name))
    check_models(cfg)


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


#: The keys of a [datasets.<name>] that say how it is credited, not what its images are.
PRESENTATION = ("title", "credit", "licence", "url")


def credit_records(cfg: Config, request: Request) -> dict[str, dict]:
    """{name: {title, credit, licence, url}} of the author's data sets ``request`` reads, for its payload."""
    from ..datasets.registry import is_user_dataset, user_datasets

    specs = user_datasets(cfg)
    return {
        name: {"title": specs[name]["title"] or name, **{key: specs[name][key] for key in PRESENTATION[1:]}}
        for name in sorted(datasets_needed([request]))
        if is_user_dataset(cfg, name)
    }


def dataset_request(cfg: Config, name: str) -> Request:
    """The dataset artifact: uint8 images and labels, sized by the scale preset.

    ``name`` is any of ``registry.dataset_names(cfg)``; an author's data set's params hold its whole spec,
    the seed, its count capped by the scale's ``dataset_count`` (None: all) and its files' fingerprint.
    Another name is a ConfigError listing the names.
    """
    from ..datasets.registry import dataset_count, is_user_dataset, unknown_dataset, user_datasets

    if is_user_dataset(cfg, name):
        spec = user_datasets(cfg)[name]
        return Request(
            "dataset",
            {
                "name": name,
                # how it is presented (title, credit, licence, url) is not what the pixels are: it reaches the
                # figures through their own requests (credit_records()), so a new credit line retrains nothing
                "spec": {key: value for key, value in spec.items() if key not in PRESENTATION},
                "count": dataset_count(cfg, name),
                "seed": cfg["build.seed"],
                "path": spec["path"],
                "fingerprint": fingerprint(spec["path"], whole=True),
            },
        )
    if name not in DATASETS:
        raise ConfigError(unknown_dataset(cfg, name), where="dataset")
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
