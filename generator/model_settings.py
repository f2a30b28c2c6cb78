"""The author's ``[models.<name>]`` tables of ``site.toml``: models the build trains or reads from a file.

:func:`parse_model` is called by :func:`generator.config.load_config` for every ``[models.<name>]`` whose
name is not one of the built-in models (those keep their fixed sections in ``config.SCHEMA``). A valid
table is stored as flat ``models.<name>.<key>`` values for every key of :data:`MODEL_SCHEMA` (defaults
filled in, file paths made absolute by the caller); an unknown key is an error listing the allowed ones.
Read the result through :mod:`generator.models.registry`, not from here.

Two kinds of table:

- **trained** (``architecture`` set, or neither ``file`` nor ``encoder``): the build trains one of the
  families on ``dataset``;
- **read** (``file``, or ``encoder`` and ``decoder``): a Keras 3 ``.keras`` model trained elsewhere,
  never retrained; ``file`` holds sub-models named "encoder" and "decoder".
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from .dataset_settings import WhereOf, read_table, table_problem
from .models.families import ARCHITECTURES, TRAINING_KEYS
from .schema import Field, show

#: An author's model name: lowercase letters, digits, '_' and '-', starting with a letter.
MODEL_NAME = re.compile(r"[a-z][a-z0-9_-]*")
NAME_RULE = "lowercase letters, digits, '_' and '-', starting with a letter (e.g. 'digits_ae')"
#: The layouts of latent-layouts (generator/stages/layout.py METHODS): a model of that name could not be told from
#: the layout in a figure's `layouts:`, so these names are refused.
LAYOUT_NAMES = ("umap", "tsne", "pca", "encoder", "vae")
#: The keys that name .keras files (ARCHITECTURES and TRAINING_KEYS, the keys only a trained model takes, are
#: generator.models.families's: the families the build trains and their hyper-parameters).
FILE_KEYS = ("file", "encoder", "decoder")
#: Keys that only some architectures take.
ONLY_FOR = {"hidden": ("dense", "vae"), "filters": ("conv", "conv-vae")}

MODEL_SCHEMA: dict[str, Field] = {
    "dataset": Field("str", "", "Required. The data set it is trained on (or was: a file's model is run on it)."),
    "title": Field("str", "", "Shown in figures and captions (default: the name)."),
    "architecture": Field(
        "str",
        "dense",
        "dense | conv | vae | conv-vae: the family the build trains, for any image size, gray or RGB "
        "(default: dense; not with file).",
        choices=ARCHITECTURES,
    ),
    "hidden": Field("ints", None, "dense, vae: widths of the encoder's hidden layers (default [256, 128]).", 1, 4096),
    "filters": Field(
        "int", None, "conv, conv-vae: channels of the widest convolution, halved per stage (default 64).", 8, 512
    ),
    "latent_dim": Field("int", 2, "Size of the code; figures that draw the code plane need 2.", 1, 256),
    "epochs": Field("int", 30, "Epochs at scale 'default' (times the scale's epoch_scale, at least 1).", 1, 10_000),
    "batch_size": Field("int", 64, "Mini-batch size.", 1, 65_536),
    "learning_rate": Field("float", 1e-3, "Adam's learning rate.", 1e-6, 1.0),
    "file": Field(
        "str",
        "",
        "A Keras 3 .keras file with sub-models named 'encoder' and 'decoder', trained elsewhere: read, never "
        "retrained (relative to this settings file).",
    ),
    "encoder": Field("str", "", "Or two files: the encoder's .keras file (with decoder = the decoder's)."),
    "decoder": Field("str", "", "The decoder's .keras file (with encoder = ...)."),
}
DEFAULT_HIDDEN = [256, 128]
DEFAULT_FILTERS = 64


def parse_model(name: str, table: Any, where_of: WhereOf, errors: list, out: dict, builtin: tuple[str, ...]) -> str:
    """Validate one author's ``[models.<name>]`` table into ``out``; return where it was declared.

    Problems are appended to ``errors`` as (where, message) pairs; nothing is stored for a table with one.
    ``builtin`` lists the built-in models, for the message of a table that names no dataset or file.
    """
    section = f"models.{name}"
    where = where_of(section, None)
    if not MODEL_NAME.fullmatch(name):
        errors.append((where, f"[models] the name {show(name)} is not allowed; allowed: {NAME_RULE}"))
        return where
    if name in LAYOUT_NAMES:
        errors.append(
            (
                where,
                (
                    f"[models] the name {show(name)} is the name of a layout (latent-layouts' layouts: "
                    f"{', '.join(LAYOUT_NAMES)}); choose another name (e.g. '{name}_model')"
                ),
            )
        )
        return where
    if not isinstance(table, dict):
        errors.append((where, table_problem(section, table)))
        return where
    if not any(key in table for key in ("dataset", *FILE_KEYS, "architecture")):
        known = ", ".join(builtin)
        near = difflib.get_close_matches(name, list(builtin), n=1, cutoff=0.75)
        hint = f" (did you mean [models.{near[0]}]?)" if near else ""
        errors.append(
            (
                where,
                (
                    f"[{section}] is not a built-in model{hint}; known models: {known}. A model of your own needs "
                    'dataset = "..." and architecture = "dense" (the build trains it) or file = "....keras" (trained '
                    "elsewhere)"
                ),
            )
        )
        return where
    values, ok = read_table(section, table, MODEL_SCHEMA, where_of, errors)
    if not ok:
        return where
    problem = _shape_problem(section, table, values)
    if problem:
        key, message = problem
        errors.append((where_of(section, key) if key else where, message))
        return where
    values["title"] = values["title"] or name
    if reads_file(values):
        values["architecture"] = ""
    else:
        if values["architecture"] in ONLY_FOR["hidden"]:
            values["hidden"] = values["hidden"] or list(DEFAULT_HIDDEN)
        if values["architecture"] in ONLY_FOR["filters"]:
            values["filters"] = values["filters"] or DEFAULT_FILTERS
    for key, value in values.items():
        out[f"{section}.{key}"] = value
    return where


def reads_file(spec: dict) -> bool:
    """True for a model read from .keras file(s) (``file``, or ``encoder`` and ``decoder``), never trained by the
    build; a table giving only one of encoder and decoder is one too (and an error saying the other is missing)."""
    return bool(spec.get("file") or spec.get("encoder") or spec.get("decoder"))


def _shape_problem(section: str, table: dict, values: dict) -> tuple[str | None, str] | None:
    """(key, message) for a table whose keys do not fit together, else None."""
    if not values["dataset"].strip():
        return None, f'[{section}] needs dataset = "...": the data set it is trained on (or run on, for a file)'
    if reads_file(values):
        if values["file"] and (values["encoder"] or values["decoder"]):
            key = "encoder" if values["encoder"] else "decoder"
            return key, f"[{section}] gives file and {key}; allowed: file = one .keras file, or encoder and decoder"
        if not values["file"] and not (values["encoder"] and values["decoder"]):
            missing = "decoder" if values["encoder"] else "encoder"
            return None, f'[{section}] needs {missing} = "....keras" too (or one file = "....keras" holding both)'
        trained = [key for key in TRAINING_KEYS if key in table]
        if trained:
            return trained[0], (
                f"[{section}] {trained[0]}: a model read from a .keras file is never retrained; remove "
                f"{', '.join(trained)} (or remove file to have the build train it)"
            )
        return None
    architecture = values["architecture"]
    for key, families in ONLY_FOR.items():
        if key in table and architecture not in families:
            return key, (
                f"[{section}] {key} applies to architecture {' or '.join(families)}, not {architecture!r}; "
                "remove it or change architecture"
            )
    return None
