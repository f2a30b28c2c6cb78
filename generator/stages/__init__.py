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


def fingerprint(path: str) -> str:
    """A cheap content fingerprint of a user-supplied data path (names and sizes, never times)."""
    if not path:
        return ""
    p = Path(path).expanduser()
    digest = hashlib.sha256()
    if p.is_dir():
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for name in sorted(files):
                full = Path(root) / name
                digest.update(f"{full.relative_to(p)}\0{full.stat().st_size}\0".encode())
    elif p.is_file():
        size = p.stat().st_size
        with open(p, "rb") as handle:
            digest.update(str(size).encode() + handle.read(1 << 20))
            if size > 1 << 21:
                handle.seek(-(1 << 20), os.SEEK_END)
                digest.update(handle.read())
    return digest.hexdigest()


def check_inputs(cfg: Config) -> None:
    """Data paths named in site.toml or by flags must exist (before any work starts)."""
    for key, flag in (("data.mnist", "--mnist"), ("data.fashion_mnist", "--fashion-mnist"), ("data.celeba", "--celeba")):
        value = cfg[key]
        if value and not Path(value).expanduser().exists():
            raise ConfigError(f"{value} does not exist; give an existing path or leave it empty for the offline default",
                              where=f"{flag} / [data] {key.split('.')[1]}")


def dataset_request(cfg: Config, name: str) -> Request:
    """The dataset artifact: uint8 images and labels, sized by the scale preset."""
    preset = cfg.preset
    path = {"mnist": cfg["data.mnist"], "fashion-mnist": cfg["data.fashion_mnist"], "faces": cfg["data.celeba"]}[name]
    if name == "mnist" and cfg.scale != "full" and not path:
        path = ""
    count = {"mnist": preset["mnist_count"], "fashion-mnist": preset["fashion_count"], "faces": preset["faces_count"]}[name]
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
