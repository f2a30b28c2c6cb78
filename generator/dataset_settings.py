"""The ``[datasets.<name>]`` tables of ``site.toml``: an author's own data sets, their keys and validation.

:func:`parse_datasets` is called by :func:`generator.config.load_config` on the ``datasets`` table. Each
valid table is stored as flat ``datasets.<name>.<key>`` values (every key of :data:`DATASET_SCHEMA`,
defaults filled in); unlike the fixed sections, an unknown key is an error listing the allowed ones.
Read the result through :mod:`generator.datasets.registry`, not from here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from .schema import Field, show

#: The data sets built into the generator; an author's ``[datasets.<name>]`` may not take these names.
BUILTIN_DATASETS = ("mnist", "fashion-mnist", "faces")
BUILTIN_SOURCES = ("orl-faces", "celeba")
"""The built-in sets' other source names (the faces are ORL's or CelebA's): the credits page keys each data set
by its source name, so an author's set may not take one of these either."""
#: An author's data set name: lowercase letters, digits and hyphens, starting with a letter.
DATASET_NAME = re.compile(r"[a-z][a-z0-9-]*")
NAME_RULE = "lowercase letters, digits and '-', starting with a letter (e.g. 'my-digits')"
PATH_FORMS = (
    "a folder with one sub-folder of images per class, a flat folder or a .zip of images "
    "(PNG, JPEG, WebP, PGM/PPM, BMP, GIF, TIFF), an .npz with x (N, H, W) or (N, H, W, 3) uint8 and "
    "optional y, x_test, y_test, or a folder of IDX files"
)
#: The keys of one ``[datasets.<name>]`` table; ``path`` is required, ``None`` defaults mean "not set".
DATASET_SCHEMA: dict[str, Field] = {
    "path": Field("str", "", f"Required. {PATH_FORMS[0].upper()}{PATH_FORMS[1:]}; relative to this settings file."),
    "title": Field("str", "", "Shown in data notes and on the credits page (default: the name)."),
    "credit": Field("str", "", "Who made the data, for data notes and the credits page."),
    "licence": Field(
        "str", "", "The data's licence; without one the credits page says 'licence not stated' (--strict: an error)."
    ),
    "url": Field("str", "", "Where the data comes from (optional)."),
    "size": Field(
        "ints",
        None,
        "[height, width]: resize every image to it, keeping its aspect and padding with black. Needed when the "
        "images differ in size or a side is outside 4 to 512 pixels.",
        4,
        512,
        length=2,
    ),
    "color": Field(
        "str", "", "'gray' or 'rgb'; '' = inferred (any colour image makes it rgb).", choices=("", "gray", "rgb")
    ),
    "classes": Field("strs", None, "Label names, one per class (default: the sub-folder names or label numbers)."),
    "count": Field(
        "int",
        None,
        "Most images used, a seeded subset (default: all); [scales.*] dataset_count caps it.",
        1,
        10_000_000,
    ),
}

#: ``where_of(section, key)``: "site.toml:12" for ``key`` in ``[section]`` (``key`` None: the header).
WhereOf = Callable[[str, "str | None"], str]


def read_table(
    section: str, table: dict, schema: dict[str, Field], where_of: WhereOf, errors: list
) -> tuple[dict, bool]:
    """The values of one author's table (``[datasets.<name>]``, ``[models.<name>]``) checked against ``schema``:
    (every key of the schema with the table's value or its default, whether every key was valid).

    An unknown key is an error naming the allowed keys (and the nearest, when one is close); a bad value names
    the key and what is allowed. Problems are appended to ``errors`` as (where, message) pairs.
    """
    values = {key: spec.default for key, spec in schema.items()}
    ok = True
    for key, value in table.items():
        spec = schema.get(key)
        if spec is None:
            near = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.75)
            hint = f"; did you mean {show(near[0])}?" if near else ""
            message = f"[{section}] has an unknown key {show(key)}; allowed keys: {', '.join(schema)}{hint}"
            errors.append((where_of(section, key), message))
            ok = False
            continue
        problem = spec.check(value)
        if problem:
            errors.append((where_of(section, key), f"[{section}] {key} {problem}"))
            ok = False
        else:
            values[key] = value
    return values, ok


def table_problem(section: str, table: Any) -> str:
    return f"[{section}] is {show(table)}; allowed: a table (a '[{section}]' line, then 'key = value' lines)"


def parse_dataset(name: str, table: Any, where_of: WhereOf, errors: list, out: dict) -> str:
    """Validate one ``[datasets.<name>]`` table into ``out`` (defaults filled in); return where it was declared.

    Problems are appended to ``errors`` as (where, message) pairs; nothing is stored for a table with one.
    """
    section = f"datasets.{name}"
    where = where_of(section, None)
    if not DATASET_NAME.fullmatch(name):
        errors.append((where, f"[datasets] the name {show(name)} is not allowed; allowed: {NAME_RULE}"))
        return where
    if name in BUILTIN_DATASETS + BUILTIN_SOURCES:
        builtin = ", ".join(BUILTIN_DATASETS + BUILTIN_SOURCES)
        message = f"[{section}]: '{name}' is a built-in data set; choose another name (built-in: {builtin}; their files are set in [data])"
        errors.append((where, message))
        return where
    if not isinstance(table, dict):
        errors.append((where, table_problem(section, table)))
        return where
    values, ok = read_table(section, table, DATASET_SCHEMA, where_of, errors)
    path = table.get("path")
    if not isinstance(path, str) or not path.strip():
        if path is None or isinstance(path, str):  # a wrong type was reported above
            at = where_of(section, "path") if path is not None else where
            errors.append((at, f'[{section}] needs path = "...": {PATH_FORMS}, relative to this settings file'))
        ok = False
    if ok:
        values["title"] = values["title"] or name
        for key, value in values.items():
            out[f"{section}.{key}"] = value
    return where


def parse_datasets(data: Any, where_of: WhereOf, errors: list, out: dict) -> dict[str, str]:
    """Validate the ``datasets`` table (one sub-table per data set) into ``out``; return {name: where declared}."""
    if not isinstance(data, dict):
        errors.append((where_of("", "datasets"), table_problem("datasets", data)))
        return {}
    return {name: parse_dataset(name, table, where_of, errors, out) for name, table in data.items()}
