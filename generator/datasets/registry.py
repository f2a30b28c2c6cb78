"""The registry of data sets: the built-in ones, then the author's ``[datasets.<name>]`` tables.

Where the author's data sets live: :func:`generator.config.load_config` validates each table
(:mod:`generator.dataset_settings`) and keeps it in ``cfg.values`` as ``datasets.<name>.<key>`` for every
key of :data:`DATASET_SCHEMA` (defaults filled in, ``path`` absolute, ``title`` defaulting to the name),
in file order; ``cfg.origins[name]`` says where it was declared ("site.toml:12"). There is no
``cfg.datasets``: read them here.

- :func:`dataset_names` -- every name a figure's ``dataset:`` option may take, built-ins first;
- :func:`user_datasets` -- {name: spec} of the author's data sets;
- :func:`dataset_spec` -- one author's spec, or ConfigError listing the names;
- :func:`dataset_count` -- images of a data set this scale uses (its count capped by ``dataset_count``);
- :func:`count_source` -- which setting that number comes from, for messages;
- :func:`unknown_dataset` / :func:`allowed_datasets` -- the message (and its "allowed" part) for a name that
  is not in the registry;
- :func:`label` -- "[datasets.digits] (site.toml:12)", how messages name an author's data set.

The dataset stage's artifact is the same for every entry (see :mod:`generator.stages.data`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.config import BUILTIN_DATASETS, DATASET_SCHEMA  # config.py re-exports dataset_settings.py
from generator.errors import ConfigError

if TYPE_CHECKING:
    from generator.config import Config

__all__ = [
    "BUILTIN",
    "DATASET_SCHEMA",
    "allowed_datasets",
    "count_source",
    "dataset_count",
    "dataset_names",
    "dataset_spec",
    "is_user_dataset",
    "label",
    "unknown_dataset",
    "user_datasets",
]

BUILTIN = BUILTIN_DATASETS
_PREFIX = "datasets."


def user_datasets(cfg: Config) -> dict[str, dict[str, Any]]:
    """The author's data sets in file order: {name: {path, title, credit, licence, url, size, color, classes, count}}.

    ``size``, ``classes`` and ``count`` are None when not set; ``color`` is "" when inferred.
    """
    out: dict[str, dict[str, Any]] = {}
    for dotted, value in cfg.values.items():
        if dotted.startswith(_PREFIX):
            name, _, key = dotted[len(_PREFIX) :].rpartition(".")
            if key in DATASET_SCHEMA:
                out.setdefault(name, {})[key] = value
    return out


def dataset_names(cfg: Config) -> list[str]:
    """Every data set a figure may name: the built-ins (mnist, fashion-mnist, faces), then the author's."""
    return [*BUILTIN, *user_datasets(cfg)]


def is_user_dataset(cfg: Config, name: str) -> bool:
    """True when ``name`` is one of the author's ``[datasets.<name>]``."""
    return f"{_PREFIX}{name}.path" in cfg.values


def allowed_datasets(cfg: Config) -> str:
    """The allowed names for a message: "one of 'mnist', 'fashion-mnist', 'faces', 'digits'"."""
    return "one of " + ", ".join(repr(n) for n in dataset_names(cfg))


def unknown_dataset(cfg: Config, name: Any) -> str:
    """The message for a data set name that is not in the registry (raise it as ConfigError or ContentError)."""
    return (
        f"unknown data set {name!r}; allowed: {allowed_datasets(cfg)} "
        "(declare your own as [datasets.<name>] in site.toml)"
    )


def dataset_spec(cfg: Config, name: str) -> dict[str, Any]:
    """The spec of the author's data set ``name`` (see :func:`user_datasets`); ConfigError if there is none."""
    specs = user_datasets(cfg)
    if name not in specs:
        raise ConfigError(unknown_dataset(cfg, name), where="dataset")
    return specs[name]


def dataset_count(cfg: Config, name: str) -> int | None:
    """Images of the author's data set ``name`` this build uses: the smaller of its ``count`` and the scale's
    ``dataset_count`` (0 = no cap); None = all of them."""
    count = dataset_spec(cfg, name)["count"]
    cap = cfg.preset.get("dataset_count") or None
    if cap is None:
        return count
    return cap if count is None else min(count, cap)


def count_source(cfg: Config, name: str) -> str:
    """The setting :func:`dataset_count` took its number from: "count" (the data set's own) or the scale's
    "[scales.tiny] dataset_count"."""
    count = dataset_spec(cfg, name)["count"]
    cap = cfg.preset.get("dataset_count") or None
    return "count" if cap is None or (count is not None and count <= cap) else f"[scales.{cfg.scale}] dataset_count"


def label(name: str, origin: str | None = None) -> str:
    """How a message names the author's data set: "[datasets.digits]" or "[datasets.digits] (site.toml:12)"."""
    return f"[datasets.{name}]" + (f" ({origin})" if origin else "")
