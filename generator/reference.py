"""Write docs/datasets-reference.md and docs/figures-reference.md from the schema: ``python -m generator.reference``.

The reference of the ``[datasets.<name>]`` and ``[models.<name>]`` keys of ``site.toml`` is made from
the same :class:`~generator.schema.Field` declarations the build validates against
(:data:`generator.config.DATASET_SCHEMA`, :data:`generator.model_settings.MODEL_SCHEMA` for an author's
models, and :data:`generator.config.SCHEMA` for the built-in ones), so it cannot drift:
tests/test_init.py checks that the committed file is what this module writes. ``--check`` writes
nothing and exits 1 when the file is out of date.

docs/figures-reference.md is made the same way from every figure kind's ``OPTIONS`` (and the options
every kind takes, ``generator.figures.COMMON_OPTIONS``): each option's type, default and the values
allowed, which the figure block is validated against.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .config import BUILTIN_DATASETS, DATASET_SCHEMA, SCALES, SCHEMA
from .dataset_settings import BUILTIN_SOURCES, NAME_RULE
from .model_settings import (
    ARCHITECTURES,
    DEFAULT_FILTERS,
    DEFAULT_HIDDEN,
    FILE_KEYS,
    LAYOUT_NAMES,
    MODEL_SCHEMA,
    ONLY_FOR,
    TRAINING_KEYS,
)
from .model_settings import NAME_RULE as MODEL_NAME_RULE
from .models.registry import BUILTIN
from .schema import Field
from .tfjs.layers import SUPPORTED_LAYERS

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "datasets-reference.md"
FIGURES_TARGET = ROOT / "docs" / "figures-reference.md"
TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "true or false",
    "ints": "list of integers",
    "strs": "list of strings",
    "url-path": "string (a path)",
    "url": "string (a URL)",
    "id": "string (a name)",
}
# [models.toy] trains no image model, so it has no entry in generator/models/registry.py's BUILTIN
TOY = "the toy autoencoder of article 2 (3-D points), trained at build and again in the reader's browser"


def _value(value: Any) -> str:
    """A value as TOML writes it (``none`` when unset)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(
    fields: dict[str, Field],
    *,
    required: tuple[str, ...] = (),
    defaults: dict | None = None,
    allowed: dict | None = None,
) -> list[str]:
    """A Markdown table of ``fields``; ``defaults`` and ``allowed`` override those columns ({key: Markdown})."""
    overrides = allowed or {}
    rows = ["| key | type | default | allowed | what it does |", "| --- | --- | --- | --- | --- |"]
    for key, spec in fields.items():
        default = "required" if key in required else f"`{_value(spec.default)}`"
        default = (defaults or {}).get(key, default)
        doc = spec.doc.removeprefix("Required. ") if key in required else spec.doc
        values = "any" if spec.kind == "str" and not spec.choices else spec.allowed()
        values = overrides.get(key, values)
        rows.append(f"| `{key}` | {TYPES[spec.kind]} | {default} | {_cell(values)} | {_cell(doc)} |")
    return rows


def _model_groups() -> list[tuple[list[str], dict[str, Field]]]:
    """The ``[models.*]`` sections, those with identical fields (defaults included) grouped, in schema order."""
    groups: list[tuple[list[str], dict[str, Field]]] = []
    for section, fields in SCHEMA.items():
        if not section.startswith("models."):
            continue
        same = next((names for names, other in groups if other == fields), None)
        if same is None:
            groups.append(([section.removeprefix("models.")], fields))
        else:
            same.append(section.removeprefix("models."))
    return groups


def _model_title(name: str) -> str:
    if name == "toy":
        return TOY
    info = BUILTIN[name]
    return f"{info['title'][:1].upper()}{info['title'][1:]}, trained on `{info['dataset']}`"


def _own_models() -> list[str]:
    """The section on ``[models.<name>]`` tables of an author's own, from MODEL_SCHEMA."""
    scales = ", ".join(f"`{scale}` {SCHEMA[f'scales.{scale}']['epoch_scale'].default:g}" for scale in SCALES)
    only = "; ".join(f"`{key}` only with {' or '.join(f'`{a}`' for a in archs)}" for key, archs in ONLY_FOR.items())
    return [
        "## `[models.<name>]`: a model of your own",
        "",
        f"The name is {MODEL_NAME_RULE}; not a built-in model's name (below), nor a layout's",
        f"({', '.join(f'`{n}`' for n in LAYOUT_NAMES)}). `dataset` is required: a built-in dataset or a",
        "`[datasets.<name>]`, gray or colour, of any size. A table is one of two kinds:",
        "",
        f"- **trained by the build**: `architecture` ({', '.join(f'`{a}`' for a in ARCHITECTURES)}) and its",
        f"  training keys. {only}. `epochs` is multiplied by the scale's `epoch_scale` ({scales}).",
        "- **trained elsewhere**: `file`, one Keras 3 `.keras` file holding sub-models named `encoder` and",
        "  `decoder`, or `encoder` and `decoder`, two files. Paths are relative to the settings file. Such a",
        f"  model is read, never retrained, so the training keys ({', '.join(f'`{k}`' for k in TRAINING_KEYS)})",
        "  are an error beside them.",
        "",
        *_table(
            MODEL_SCHEMA,
            required=("dataset",),
            defaults={
                "title": "the name",
                "hidden": f"`{_value(DEFAULT_HIDDEN)}`",
                "filters": f"`{DEFAULT_FILTERS}`",
            },
        ),
        "",
        "The families, for images of any size, gray (H, W) or colour (H, W, 3):",
        "",
        "- `dense`: the pixels flattened, `Dense` layers of the widths in `hidden`, a linear code; the decoder",
        "  mirrors it and ends in a sigmoid, one value per pixel and channel.",
        "- `conv`: stride-2 `Conv2D` stages (channels doubling up to `filters`), a `Dense` code; the decoder",
        "  upsamples with `Conv2DTranspose` stages that land exactly on the image size.",
        "- `vae`, `conv-vae`: the same with a variational code (a mean and a log-variance, trained on the",
        "  negative ELBO); the mean places the points.",
        "",
        "A `.keras` file's encoder must take the dataset's images as they are, (H, W) for gray (no channel",
        "axis) or (H, W, 3) for colour, scaled to [0, 1], and output a flat code (a VAE's encoder may output",
        "[z_mean, z_log_var]; the first places the points); its decoder must turn that code back into an image",
        "of the same shape. Every layer must be one the page can run:",
        f"{', '.join(f'`{name}`' for name in SUPPORTED_LAYERS)}",
        "(plain functional or sequential models, no custom layers). The build checks the files before anything",
        "runs, and their content is part of the cache key, so a file saved again is read at the next build.",
        "",
        "Figures refer to a model by its name: `latent-layouts` takes it in `layouts: [<name>, ...]` on its",
        "dataset (with `latent_dim = 2`: its codes place the points), and the figures with a `model:` or",
        "`models:` option take it as the README's figure table says.",
        "",
        "```toml",
        "[models.shapes_ae]               # trained by the build",
        'dataset = "shapes"',
        'architecture = "conv"',
        "filters = 32",
        "epochs = 20",
        "",
        "[models.shapes_trained]          # trained elsewhere, read from a file",
        'dataset = "shapes"',
        'file = "models/shapes-ae.keras"',
        "```",
        "",
    ]


def render() -> str:
    """The reference's Markdown text."""
    caps = [(scale, SCHEMA[f"scales.{scale}"]["dataset_count"]) for scale in SCALES]
    cap_text = ", ".join(f"`{scale}` {spec.default:,}" if spec.default else f"`{scale}` no cap" for scale, spec in caps)
    lines = [
        "# Reference: `[datasets.*]` and `[models.*]` in `site.toml`",
        "",
        "<!-- Written by `python -m generator.reference` from the schema the build validates against",
        "     (generator/dataset_settings.py, generator/config.py); do not edit by hand. -->",
        "",
        "Every key the build accepts in these tables, with its type, default and allowed values. The",
        "tutorial [An explorable about your own images](own-data.md) shows them at work; the README's",
        '"Configuration" lists the other sections of `site.toml`.',
        "",
        "## `[datasets.<name>]`: a dataset of your own",
        "",
        f"The name is {NAME_RULE}, and not a built-in name ({', '.join(f'`{n}`' for n in BUILTIN_DATASETS + BUILTIN_SOURCES)}).",
        "Figures refer to it as `dataset: <name>` (`image-grid`, `latent-layouts`) or in `datasets: [...]`",
        '(`data-note`), a `[models.<name>]` table trains on it with `dataset = "<name>"` (and the figures that show',
        "a model use that model's data set), and the credits page lists it with its title, credit, licence and",
        "URL. Only `path` is required. A key not listed here is an error naming the allowed keys, with the file",
        "and line.",
        "",
        *_table(DATASET_SCHEMA, required=("path",)),
        "",
        "Class folders give labels (the sub-folder names, sorted, are the classes); a flat folder or a `.zip`",
        "of images gives none (a `.zip` of class folders does). Without a test split of its own, one image in",
        "six is held out for testing (seeded; by class when labelled).",
        "",
        f"How many images a build uses is the smaller of `count` and the scale's `dataset_count` ({cap_text};",
        "set it in `[scales.<scale>]`).",
        "",
        "```toml",
        "[datasets.shapes]",
        'path = "data/shapes"',
        'title = "Coloured shapes"',
        'credit = "Drawn with Pillow"',
        'licence = "CC0 1.0"',
        "size = [32, 32]",
        "```",
        "",
        "## The built-in datasets",
        "",
        f"{', '.join(f'`{n}`' for n in BUILTIN_DATASETS)} need no table; their files are set in `[data]`:",
        "",
        *_table(SCHEMA["data"]),
        "",
        *_own_models(),
        "## The built-in models",
        "",
        "The models the build trains for the demo articles. Their architectures are fixed in `generator/models/`;",
        "these keys set their training. Sections with the same keys and defaults share a table. A",
        "`[models.<name>]` with another name is a model of your own (above); one that has none of",
        f"{', '.join(f'`{key}`' for key in ('dataset', 'architecture', *FILE_KEYS))} is an error listing these",
        "names.",
        "",
    ]
    for names, fields in _model_groups():
        lines += [f"### {', '.join(f'`[models.{name}]`' for name in names)}", ""]
        lines += [f"- `{name}`: {_model_title(name)}" for name in names]
        lines += ["", *_table(fields), ""]
    return "\n".join(lines)


def _summary(module) -> str:
    """The first sentence of a figure module's docstring, after 'Figure kind ``x``: '."""
    first = (module.__doc__ or "").strip().split("\n\n", 1)[0].replace("\n", " ")
    return first.split(":", 1)[1].strip() if first.startswith("Figure kind") and ":" in first else first


def render_figures() -> str:
    """The figure reference's Markdown text: every kind's options, from their Field declarations."""
    from .figures import COMMON_OPTIONS, kinds

    lines = [
        "# Reference: figure kinds and their options",
        "",
        "<!-- Written by `python -m generator.reference` from every figure kind's OPTIONS",
        "     (generator/figures/<kind>.py); do not edit by hand. -->",
        "",
        'A figure is a fenced block in an article (see the README\'s "Writing articles"):',
        "",
        "````markdown",
        "```figure",
        "kind: latent-layouts",
        "dataset: mnist",
        "layouts: [umap, pca]",
        "caption: Ten thousand digits on a plane.",
        "```",
        "````",
        "",
        "An option not listed for its kind, a value of the wrong type or outside what is allowed is an error",
        "naming the article's file and line. Where an option names a data set or a model, the allowed names",
        "are the built-in ones and those your `site.toml` declares (`[datasets.<name>]`, `[models.<name>]`;",
        "see [datasets-reference.md](datasets-reference.md)); the build checks them before anything runs.",
        "",
        "## Options every kind takes",
        "",
        *_table({k: v for k, v in COMMON_OPTIONS.items() if k != "kind"}),
        "",
    ]
    names = {
        "model": "a model's name (built-in or a `[models.<name>]`): which, in what it does",
        "models": "a list of models' names (built-in or `[models.<name>]`): which, in what it does",
        "dataset": "a data set's name (built-in or a `[datasets.<name>]`)",
        "datasets": "a list of data sets' names (built-in or `[datasets.<name>]`)",
        "layouts": "a list of distinct layouts: 'umap', 'tsne', 'pca', 'encoder', 'vae' (mnist), or models' names",
        "initial": "'' or one of the figure's own choices (see `layouts` / `models`)",
    }
    empty = {"layouts": "every layout of its data set"}  # an option whose empty default means a choice made per figure
    for kind, module in sorted(kinds().items()):
        summary = _summary(module)
        lines += [f"## `{kind}`", "", summary[:1].upper() + summary[1:], ""]
        options = module.OPTIONS
        overrides = {k: v for k, v in names.items() if k in options and not options[k].choices}
        defaults = {k: v for k, v in empty.items() if k in options and options[k].default == []}
        table = _table(options, allowed=overrides, defaults=defaults)
        lines += [*table, ""] if options else ["No options of its own.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.reference", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    stale = 0
    for target, text in ((TARGET, render()), (FIGURES_TARGET, render_figures())):
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if args.check:
            if current != text:
                print(f"{target.relative_to(ROOT)} is out of date: run python -m generator.reference", file=sys.stderr)
                stale += 1
        elif current != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
        else:
            print(f"{target.relative_to(ROOT)} is up to date")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
