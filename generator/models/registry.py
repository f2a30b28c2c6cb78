"""The registry of models: the three articles' built-in ones, then the author's ``[models.<name>]`` tables.

:func:`generator.config.load_config` validates an author's table (:mod:`generator.model_settings`) and
keeps it in ``cfg.values`` as ``models.<name>.<key>`` for every key of :data:`MODEL_SCHEMA` (defaults
filled in, file paths absolute), so ``cfg.section("models.<name>")`` reads it like a built-in's;
``cfg.model_origins[name]`` says where it was declared. Read models through here:

- :func:`model_names` -- every model a figure's ``model:`` option may take (built-ins first);
- :func:`model_info` -- {dataset, title, vae, conv, zoo, source, code, plane} of any model;
- :func:`user_models` / :func:`is_user_model` -- the author's tables;
- :func:`plane_models` -- the models with a 2-D code and a decoder (the code-plane figures);
- :func:`check_model` -- a figure's ``model:`` value, or ContentError listing what is allowed.

This module is part of the pipeline's harness (``pipeline.HARNESS``): it is in no stage's key, since titles
shape no artifact; the request builders put what does (the data set, the family, zoo or not) in the
request's params.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.errors import ContentError
from generator.model_settings import TRAINING_KEYS as TRAINING_KEYS  # the keys of a trained model, for train_request
from generator.model_settings import reads_file

if TYPE_CHECKING:
    from generator.config import Config

#: The three articles' models: their data set, title and family (architecture fixed in code).
BUILTIN: dict[str, dict[str, Any]] = {
    "mnist_ae": {"dataset": "mnist", "title": "MNIST dense autoencoder"},
    "mnist_vae": {"dataset": "mnist", "title": "MNIST variational autoencoder", "vae": True},
    "faces_ae": {"dataset": "faces", "title": "face autoencoder", "conv": True},
    # Article 3, the autoencoder zoo (generator/models/zoo.py; epochs scaled by zoo_epoch_scale, or by
    # zoo_conv_epoch_scale for the convolutional ones)
    "fashion_simple": {"dataset": "fashion-mnist", "title": "Simple autoencoder (784-32-784)", "zoo": True},
    "fashion_sparse": {"dataset": "fashion-mnist", "title": "Sparse autoencoder (L1 on the code)", "zoo": True},
    "fashion_deep": {"dataset": "fashion-mnist", "title": "Deep autoencoder (784-128-64-32)", "zoo": True},
    "fashion_conv": {"dataset": "fashion-mnist", "title": "Convolutional autoencoder", "zoo": True, "conv": True},
    "fashion_denoise": {"dataset": "fashion-mnist", "title": "Denoising autoencoder", "zoo": True, "conv": True},
    "fashion_vae": {"dataset": "fashion-mnist", "title": "Variational autoencoder (dense)", "zoo": True, "vae": True},
    "fashion_cvae": {
        "dataset": "fashion-mnist",
        "title": "Convolutional variational autoencoder",
        "zoo": True,
        "vae": True,
        "conv": True,
    },
    "mnist_rmsprop": {"dataset": "mnist", "title": "MNIST 784-256-128 autoencoder (RMSProp)", "zoo": True},
}
#: Built-in models with a 2-D code whose decoder ships to the page.
BUILTIN_PLANE = ("mnist_ae", "mnist_vae", "faces_ae", "fashion_vae", "fashion_cvae")
_PREFIX = "models."


def user_models(cfg: Config) -> dict[str, dict[str, Any]]:
    """The author's models in file order: {name: {dataset, title, architecture, ..., file, encoder, decoder}}."""
    out: dict[str, dict[str, Any]] = {}
    for name in cfg.model_origins:
        out[name] = cfg.section(f"{_PREFIX}{name}")
    return out


def is_user_model(cfg: Config, name: str) -> bool:
    return name in cfg.model_origins


def model_names(cfg: Config) -> list[str]:
    """Every model a figure may name: the built-ins, then the author's."""
    return [*BUILTIN, *cfg.model_origins]


def model_info(cfg: Config, name: str) -> dict[str, Any]:
    """What figures and stages need to know of model ``name``.

    {dataset, title, vae, conv, zoo, source ("builtin" | "train" | "file"), code (the code's shape, e.g. [2]; None
    for a built-in without a code plane), plane (a 2-D code and a decoder that ships to the page)}. A file's
    model has its code read from its decoder's config (:func:`generator.models.checks.inspect`, cheap and kept
    for the process). An unknown name is a ContentError listing the models.
    """
    if name in BUILTIN:
        info = BUILTIN[name]
        return {
            "dataset": info["dataset"],
            "title": info["title"],
            "vae": bool(info.get("vae")),
            "conv": bool(info.get("conv")),
            "zoo": bool(info.get("zoo")),
            "source": "builtin",
            "code": [2] if name in BUILTIN_PLANE else None,
            "plane": name in BUILTIN_PLANE,
        }
    if not is_user_model(cfg, name):
        raise ContentError(unknown_model(cfg, name))
    spec = user_models(cfg)[name]
    architecture = spec["architecture"]
    if reads_file(spec):
        from .checks import inspect

        shape = inspect(spec, cfg.model_origins[name])["decoder"]
        code = list(shape) if shape is not None else None
    else:
        code = [spec["latent_dim"]]
    return {
        "dataset": spec["dataset"],
        "title": spec["title"],
        "vae": architecture in ("vae", "conv-vae"),
        "conv": architecture in ("conv", "conv-vae"),
        "zoo": False,
        "source": "file" if reads_file(spec) else "train",
        "code": code,
        "plane": code == [2],
    }


def plane_models(cfg: Config) -> list[str]:
    """Models whose 2-D code plane a figure can draw: the built-in ones and every author's model with a 2-D code
    (latent_dim = 2, or a file whose decoder takes 2 numbers)."""
    own = [name for name in cfg.model_origins if model_info(cfg, name)["plane"]]
    return [*BUILTIN_PLANE, *own]


def unknown_model(cfg: Config, name: Any) -> str:
    names = ", ".join(repr(n) for n in model_names(cfg))
    return f"unknown model {name!r}; allowed: one of {names} (declare your own as [models.<name>] in site.toml)"


def check_model(cfg: Config, name: Any, allowed: list[str], what: str) -> str:
    """``name`` if it is one of ``allowed``; else a ContentError saying what is allowed (``what``: why)."""
    if name in allowed:
        return name
    if name not in model_names(cfg):
        raise ContentError(unknown_model(cfg, name))
    names = ", ".join(repr(n) for n in allowed)
    raise ContentError(f"model {name!r} cannot be used here ({what}); allowed: one of {names}")
