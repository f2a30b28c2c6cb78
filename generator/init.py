"""Start a site of one's own: ``python build.py --init DIR``.

Writes a minimal project that builds at once: ``site.toml`` (the site's title and a commented
``[datasets.my-images]`` example with every key), ``content/first-article.md`` (an image grid of the
built-in MNIST digits and a data note) and a ``.gitignore`` for the built site and the build cache.
``python build.py --config DIR/site.toml`` then builds that project: its folder holds ``content/``,
``.cache/`` and ``_site/``. A folder that already holds files is refused with one message, before
anything is written; docs/own-data.md goes on from there to the author's own images.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DATASET = "my-images"
MODEL = "my_ae"

# The commented [datasets.<name>] example: (key, example value as TOML, what it means). Every key the
# schema allows appears once (tests/test_init.py checks it against generator/config.py); ``classes`` stays
# commented when the example is uncommented.
DATASET_KEYS = (
    ("path", '"data/my-images"', "required: a folder of class sub-folders of images (PNG, JPEG, WebP, PGM),"),
    ("", "", "a flat folder or a .zip of images, an .npz (x, y) or a folder of IDX files;"),
    ("", "", "relative to this file"),
    ("title", '"My images"', "shown in data notes and on the credits page (default: the name)"),
    ("credit", '"Photographs by A. Author"', "who made or collected them"),
    ("licence", '"CC BY 4.0"', "without one the build warns (an error with --strict)"),
    ("url", '"https://example.org/my-images"', "where readers can find them (optional)"),
    ("size", "[64, 64]", "resize to height, width (aspect kept, padded); needed when sizes differ"),
    ("color", '"rgb"', '"gray" or "rgb" (default: inferred from the images)'),
    # Doubly commented: uncommenting the example leaves it off, so it never renames two folders silently.
    ("# classes", '["cats", "dogs"]', "only to rename the classes: one name per sub-folder, in the"),
    ("", "", "order of the sorted folder names (default: the folder names)"),
    ("count", "1000", "use at most this many images, a seeded subset (default: all)"),
)


# The commented [models.<name>] example: a model the build trains on the data set above; the keys of a
# model read from a .keras file follow, doubly commented (they replace the training keys).
MODEL_KEYS = (
    ("dataset", f'"{DATASET}"', "required: the data set it learns (or, for a file, is run on)"),
    ("title", '"My autoencoder"', "shown in figures (default: the name)"),
    ("architecture", '"conv"', "dense, conv, vae or conv-vae (default: dense); any image size, gray or rgb"),
    ("# hidden", "[256, 128]", "dense and vae: widths of the hidden layers"),
    ("filters", "64", "conv and conv-vae: channels of the widest convolution"),
    ("latent_dim", "2", "size of the code; the code-plane figures need 2"),
    ("epochs", "30", "at --scale default (tiny trains fewer)"),
    ("batch_size", "64", ""),
    ("learning_rate", "0.001", ""),
    ("# file", '"models/my-ae.keras"', "or a Keras 3 model trained elsewhere, with sub-models named"),
    ("", "", '"encoder" and "decoder" (then no architecture ... learning_rate);'),
    ("# encoder", '"models/encoder.keras"', 'or two files: encoder = "...", decoder = "..."'),
    ("# decoder", '"models/decoder.keras"', ""),
)


def _commented(keys) -> list[str]:
    width = max(len(f"# {key} = {value}") for key, value, _ in (*DATASET_KEYS, *MODEL_KEYS) if key)
    out = []
    for key, value, meaning in keys:
        line = f"# {key} = {value}" if key else "#"
        out.append(f"{line:<{width}}  # {meaning}" if meaning else line)
    return out


def site_toml(title: str) -> str:
    """The new project's settings file."""
    example = _commented(DATASET_KEYS)
    model = _commented(MODEL_KEYS)
    return "\n".join(
        [
            "# Settings of this site; build it with `python build.py --config <this file>`.",
            "# Every key of [datasets.*]: docs/datasets-reference.md in the generator's repository;",
            '# the other sections: its README, "Configuration".',
            "",
            "[site]",
            f"title = {_toml_string(title)}",
            'description = "Explorable explanations of machine learning."',
            '# base_url = "/my-repo/"   # the path the site is served under (GitHub project pages: /<repo>/)',
            "",
            "[build]",
            '# scale = "default"        # tiny (seconds, for trying things), default, full',
            "",
            "# Your own images. Uncomment these lines, point `path` at your images and write",
            f"# `dataset: {DATASET}` in a figure block (see content/first-article.md).",
            f"# [datasets.{DATASET}]",
            *example,
            "",
            "## A model of your own, trained on those images when the site is built; show it with",
            f"## `layouts: [{MODEL}, umap]` in a latent-layouts figure or `model: {MODEL}` in a decoder-sampler.",
            f"# [models.{MODEL}]",
            *model,
            "",
        ]
    )


def first_article(today: dt.date) -> str:
    """The new project's one article: an image grid and a data note on built-in MNIST."""
    return f"""\
---
title: My first explorable
description: Handwritten digits, drawn from MNIST when this site was built.
date: {today.isoformat()}
---

This article is yours to rewrite. Each Markdown file in `content/` becomes a
page; the figures are fenced `figure` blocks whose data the build computes.

## The data

```figure
kind: image-grid
dataset: mnist
per_class: 1
caption: One digit of each class, drawn from the test set when this page was built. Use the arrow keys to step through them.
```

To show your own images instead, put them in one folder per class under
`data/my-images/`, uncomment `[datasets.{DATASET}]` in `site.toml`, and write
`dataset: {DATASET}` above (and in the note below).

```figure
kind: data-note
datasets: [mnist]
```

MNIST was assembled by Yann LeCun, Corinna Cortes and Christopher J. C.
Burges.
"""


GITIGNORE = """\
# what `python build.py` writes: the built site and the build cache
_site/
.cache/
"""


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# path in the project -> what it is (for the command's output)
WHAT = {
    "site.toml": f"settings: the title, and commented [datasets.{DATASET}] and [models.{MODEL}] examples",
    "content/first-article.md": "an article with an image grid and a data note",
    ".gitignore": "keeps the built site (_site/) and the build cache (.cache/) out of git",
}


def files(title: str, today: dt.date) -> dict[str, str]:
    """Path in the project -> its text."""
    return {"site.toml": site_toml(title), "content/first-article.md": first_article(today), ".gitignore": GITIGNORE}


def _title(folder: Path) -> str:
    words = folder.name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "My explorables"


def check_folder(folder: Path) -> None:
    """Raise :class:`ConfigError` unless ``folder`` is missing or empty (a lone ``.git`` is allowed)."""
    where = f"option --init {_shown(folder)}"
    if folder.exists() and not folder.is_dir():
        raise ConfigError("is a file; allowed: a new or empty folder for the project", where=where)
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"is under {existing}, which is a file; allowed: a new or empty folder", where=where)
    if folder.is_dir():
        try:
            held = sorted(entry.name for entry in folder.iterdir() if entry.name != ".git")
        except OSError as exc:
            raise ConfigError(f"cannot be read ({exc.strerror or exc})", where=where) from None
        if held:
            shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
            raise ConfigError(
                f"already holds files ({shown}); allowed: a new or empty folder, so nothing of yours is "
                "overwritten (nothing was written)",
                where=where,
            )


def init_project(folder: Path, *, title: str | None = None, today: dt.date | None = None) -> list[Path]:
    """Write a new project into ``folder`` (missing or empty); return the files written.

    Nothing is written when the folder is refused; a write that fails half way removes what it wrote.
    """
    folder = Path(folder).expanduser().absolute()
    check_folder(folder)
    plan = files(title or _title(folder), today or dt.datetime.now().astimezone().date())
    created = not folder.exists()
    written: list[Path] = []
    staging = None if created else folder  # a new folder is written beside it, then renamed into place
    try:
        if created:
            folder.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.init-", dir=folder.parent))
        for rel, text in plan.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        if created:
            os.chmod(staging, 0o777 & ~_umask())
            staging.rename(folder)
    except OSError as exc:
        if created:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
        else:
            for path in written:
                path.unlink(missing_ok=True)
            if (folder / "content").is_dir() and not any((folder / "content").iterdir()):
                (folder / "content").rmdir()
        raise ConfigError(
            f"cannot be written ({exc.strerror or exc})", where=f"option --init {_shown(folder)}"
        ) from None
    return [folder / rel for rel in plan]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when under it, without following links."""
    try:
        return os.path.relpath(path) if Path(path).absolute().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def python_command() -> str:
    """How to run this Python again: ``python`` in an active environment, else the interpreter used."""
    executable = Path(sys.executable)
    if os.environ.get("VIRTUAL_ENV") or not executable.absolute().is_relative_to(Path.cwd()):
        return "python"
    return _shown(executable)


def report(folder: Path, written: list[Path]) -> str:
    """What ``--init`` prints: the files written and the next two commands."""
    folder = Path(folder).expanduser().absolute()
    names = [_shown(path) for path in written]
    width = max(len(name) for name in names)
    settings = _shown(folder / "site.toml")
    command = shlex.join([python_command(), _shown(ROOT / "build.py"), "--config", settings])
    lines = [f"Wrote a new site in {_shown(folder)}:"]
    whats = [WHAT.get(path.relative_to(folder).as_posix(), "") for path in written]
    lines += [f"  {name:<{width}}  {what}" for name, what in zip(names, whats)]
    lines += [
        "Next:",
        f"  {command}            # build it into {_shown(folder / '_site')}",
        f"  {command} --serve    # preview it at http://127.0.0.1:8000/, rebuilt as you edit",
        "Your own images: docs/own-data.md in the generator's repository.",
    ]
    return "\n".join(lines)
