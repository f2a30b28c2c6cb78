"""Stage registry, cache keys and the pipeline that resolves requests.

A *stage* is a plain function from declared inputs (its JSON parameters and
the artifacts of upstream stages) to files in a directory. Its cache key is
the sha256 of a canonical JSON of: the stage name, its parameters, the content
digests of its upstream artifacts, the source code of the modules it declares
and the versions of the libraries it uses (dvc's run-cache, never file times).

Entries, their manifests, the per-key locks and cleaning up after dead builds
live in :mod:`generator.cache` (``.cache/<stage>/<key>/``); its names are
importable from here too. :class:`Pipeline` resolves a request depth-first:
under the key's lock it loads a verified entry, pulls one from the remote
cache (:mod:`generator.remote`, when one is set), or runs the stage into a
temporary folder and renames it into place (then pushes it to the remote).

The code part of a key is the text of the stage's module, of every module of
``generator/`` it imports (the transitive closure, found by reading the import
statements, function-level ones included) and of the files it declares in
``sources=`` (templates, scripts). The harness modules in :data:`HARNESS` are
left out: they build requests and keys, store entries, or choose how a stage
runs (``generator/distribute.py``: on which devices or machines a model
trains), they do not shape what a stage writes (change :data:`SCHEMA_VERSION`
if you change how entries are written).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import (  # noqa: F401  (re-exported: the cache's names are importable from here)
    HOST,
    MANIFEST,
    OLD_MARK,
    TMP_MARK,
    Artifact,
    canonical,
    clean_cache,
    entry_lock,
    file_lock,
    load_entry,
    owner_alive,
    prune_cache,
    remove_aside,
    remove_stale,
    sha256_bytes,
    sha256_file,
    write_entry,
)
from .errors import BuildError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_VERSION = 2
#: Modules left out of stage keys: they build requests and keys, store entries, or choose how a stage runs
#: (distribute.py: the tf.distribute strategy, i.e. which devices or machines train a model), never what it writes.
#: models/registry.py names the models and builds what their requests hold (whatever of it shapes an artifact,
#: such as a built-in's zoo flag, goes into the request's params); models/checks.py checks an author's model
#: files before the build (with the exporter's layer table) and writes nothing.
HARNESS = frozenset(
    {
        "generator/pipeline.py",
        "generator/cache.py",
        "generator/errors.py",
        "generator/config.py",
        "generator/schema.py",
        "generator/distribute.py",
        "generator/models/registry.py",
        "generator/models/checks.py",
    }
)


@dataclass(frozen=True)
class Request:
    """Ask for the artifact of ``stage`` made with ``params`` (JSON-serialisable)."""

    stage: str
    params: dict

    @property
    def ident(self) -> str:
        return self.stage + ":" + canonical(self.params)


@dataclass
class Stage:
    """A registered stage: its function, upstream requests, code and libraries."""

    name: str
    run: Callable[[Context], dict | None]
    inputs: Callable[[dict], dict[str, Request]]
    libs: tuple[str, ...]
    sources: tuple[str, ...]
    label: Callable[[dict], str]


REGISTRY: dict[str, Stage] = {}


def stage(
    name: str,
    *,
    inputs: Callable[[dict], dict[str, Request]] | None = None,
    libs: tuple[str, ...] = (),
    sources: tuple[str, ...] = (),
    label: Callable[[dict], str] | None = None,
):
    """Register ``fn(ctx) -> meta`` as stage ``name``.

    The key always holds the module defining ``fn`` and every ``generator/``
    module it imports (found by :func:`imported_modules`); ``sources`` adds
    other files (relative to the project, globs allowed) whose text shapes the
    output, such as templates or scripts. ``libs`` are distribution names
    (``npm:katex`` for a front-end package).
    """

    def register(fn):
        module_file = Path(sys.modules[fn.__module__].__file__).resolve().relative_to(ROOT).as_posix()
        REGISTRY[name] = Stage(
            name=name,
            run=fn,
            inputs=inputs or (lambda params: {}),
            libs=tuple(libs),
            sources=tuple(dict.fromkeys((module_file, *imported_modules(module_file), *sources))),
            label=label or (lambda params: name),
        )
        return fn

    return register


def _module_file(dotted: str) -> str | None:
    """``generator.figures.common`` -> ``generator/figures/common.py`` (or a package's ``__init__.py``)."""
    base = ROOT.joinpath(*dotted.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path.relative_to(ROOT).as_posix()
    return None


@functools.cache
def _imports(rel: str) -> frozenset[str]:
    """The ``generator`` modules one source file imports, at any depth of its code."""
    path = ROOT / rel
    package = rel[:-3].replace("/", ".")
    if path.name == "__init__.py":
        package = package[: -len(".__init__")]
    else:
        package = package.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{anchor}.{node.module}" if node.module else anchor
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import tex` names a module
    found = {_module_file(name) for name in names if name == "generator" or name.startswith("generator.")}
    return frozenset(f for f in found if f)


def imported_modules(rel: str) -> tuple[str, ...]:
    """Every module of ``generator/`` that ``rel`` imports, directly or through others, minus :data:`HARNESS`."""
    seen: set[str] = set()
    todo = [rel]
    while todo:
        for found in _imports(todo.pop()) - seen - HARNESS - {rel}:
            seen.add(found)
            todo.append(found)
    return tuple(sorted(seen))


_code_hashes: dict[tuple[str, ...], str] = {}
SAME_CODE = {"tensorflow-cpu": "tensorflow"}  # distributions that install the same module under another name
_versions: dict[str, str] = {}


def code_hash(sources: tuple[str, ...]) -> str:
    """sha256 over the text of every source file (sorted, globs expanded)."""
    if sources not in _code_hashes:
        digest = hashlib.sha256()
        paths: set[Path] = set()
        for pattern in sources:
            matches = sorted(ROOT.glob(pattern)) if any(c in pattern for c in "*?[") else [ROOT / pattern]
            paths.update(p for p in matches if p.is_file())
        for path in sorted(paths):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
            digest.update(b"\0")
        _code_hashes[sources] = digest.hexdigest()
    return _code_hashes[sources]


def library_version(name: str) -> str:
    """Installed version of a Python distribution or (``npm:pkg``) an npm package."""
    if name not in _versions:
        try:
            if name.startswith("npm:"):
                package = ROOT / "node_modules" / name[4:] / "package.json"
                _versions[name] = json.loads(package.read_text())["version"]
            else:
                _versions[name] = importlib.metadata.version(name)
        except (OSError, ValueError, importlib.metadata.PackageNotFoundError):
            _versions[name] = "missing"
        if _versions[name] == "missing" and name in SAME_CODE:  # e.g. tensorflow where tensorflow-cpu has no wheel
            _versions[name] = library_version(SAME_CODE[name])
    return _versions[name]


def portable(value: Any, roots: tuple[tuple[str, str], ...]) -> Any:
    """``value`` (JSON) with every absolute path under one of ``roots`` ((folder, name) pairs) written as
    ``name/relative/path``, so that two checkouts of a project in different folders (a laptop, CI, a GPU
    box sharing a remote cache) compute the same keys. The files themselves are keyed by their content
    (the requests carry fingerprints); a path outside every root stays as it is."""
    if isinstance(value, str):
        for folder, name in roots:
            if value == folder or value.startswith(folder + os.sep):
                return name + value[len(folder) :].replace(os.sep, "/")
        return value
    if isinstance(value, dict):
        return {k: portable(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [portable(v, roots) for v in value]
    return value


def cache_key(st: Stage, params: dict, upstream: dict[str, str], roots: tuple[tuple[str, str], ...] = ()) -> str:
    """The stage's cache key (see module docstring); ``roots``: see :func:`portable`."""
    return sha256_bytes(
        canonical(
            {
                "schema": SCHEMA_VERSION,
                "stage": st.name,
                "params": portable(params, roots) if roots else params,
                "inputs": upstream,
                "code": code_hash(st.sources),
                "libs": {lib: library_version(lib) for lib in st.libs},
            }
        ).encode()
    )


#: The terminal line of this process's progress bars: 0 in the build's process, 1, 2, ... in the workers of
#: ``--jobs`` (generator/parallel.py), so each running stage has a line of its own.
BAR_POSITION = 0


class Progress:
    """A progress bar for one long step; silent when quiet."""

    def __init__(self, total: int, desc: str, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=f"  {desc}",
                unit="",
                leave=False,
                file=sys.stderr,
                mininterval=0.3,
                dynamic_ncols=True,
                position=BAR_POSITION,  # a worker of --jobs: its own line
            )
        self.done = 0

    def __call__(self, done: int, total: int | None = None, *_: Any) -> None:
        """progress(done, total): set absolute progress (the form the modules call)."""
        if self.bar is not None:
            if total is not None and total != self.bar.total:
                self.bar.total = total
            self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class Context:
    """What a stage function receives: params, upstream artifacts, an output dir."""

    params: dict
    inputs: dict[str, Artifact]
    out: Path
    show_progress: bool = True
    _bars: list[Progress] = field(default_factory=list)

    def progress(self, total: int, desc: str) -> Progress:
        bar = Progress(total, desc, self.show_progress)
        self._bars.append(bar)
        return bar

    def write_json(self, name: str, value: Any) -> None:
        (self.out / name).write_text(json.dumps(value, indent=1, sort_keys=True))


@dataclass
class Record:
    """One line of the build summary and of build-report.json."""

    name: str
    key: str
    cached: bool
    seconds: float
    bytes: int
    meta: dict
    pulled: bool = False  # not run here: downloaded from the remote cache (``cached`` is true too)

    @property
    def status(self) -> str:
        """``ran``, ``cached`` (found in .cache/) or ``pulled`` (from the remote cache)."""
        return "pulled" if self.pulled else ("cached" if self.cached else "ran")


class Pipeline:
    """Resolves requests depth-first, from the cache when it can."""

    def __init__(self, cache_dir: Path, *, clean: bool = False, show_progress: bool = True, remote=None):
        self.cache_dir = cache_dir
        self.clean = clean
        self.show_progress = show_progress
        #: a :class:`generator.remote.RemoteCache` (or None): pulled from before a stage runs, pushed to after
        self.remote = remote
        #: paths under the project (the cache's folder) or the generator are keyed relative to them
        project = cache_dir.parent
        self.roots = tuple(
            dict.fromkeys(
                (folder, name)
                for path, name in ((project, "<project>"), (ROOT, "<generator>"))
                for folder in (os.path.abspath(path), os.path.realpath(path))
            )
        )
        self.records: list[Record] = []
        #: keys of entries this build made or already verified (--jobs): loaded even under --clean, and
        #: without hashing their files again
        self.trusted: set[str] = set()
        self._memo: dict[str, Artifact] = {}

    def get(self, request: Request) -> Artifact:
        """The artifact for ``request``: memoised, cached, or made now."""
        if request.ident in self._memo:
            return self._memo[request.ident]
        st = REGISTRY.get(request.stage)
        if st is None:
            raise BuildError(f"internal: no stage named {request.stage!r} (known: {', '.join(sorted(REGISTRY))})")
        upstream = {name: self.get(req) for name, req in st.inputs(request.params).items()}
        key = cache_key(st, request.params, {name: art.digest for name, art in upstream.items()}, self.roots)
        entry = self.cache_dir / st.name / key
        label = st.label(request.params)
        with entry_lock(entry, label):  # another build making the same entry finishes first; then it is loaded here
            trusted = key in self.trusted
            artifact = None if self.clean and not trusted else load_entry(entry, st.name, key, verify=not trusted)
            if artifact is not None:
                log.debug("[fresh] %s %s", label, key[:12])
                self.records.append(Record(label, key, True, 0.0, artifact.bytes, artifact.meta))
                if self.remote is not None:  # made before the remote was set up: share it now
                    self.remote.push(artifact, if_missing=True)
            else:
                artifact = self._pull(st.name, key, entry, label)
                if artifact is None:
                    artifact = self._run(st, request.params, upstream, entry, key, label)
                    if self.remote is not None:
                        self.remote.push(artifact)
        self._memo[request.ident] = artifact
        return artifact

    def _pull(self, name: str, key: str, entry: Path, label: str) -> Artifact | None:
        """The entry from the remote cache, verified and published locally; None without one (or with --clean)."""
        if self.remote is None or self.clean:
            return None
        start = time.perf_counter()
        artifact = self.remote.pull(name, key, entry)
        if artifact is not None:
            seconds = time.perf_counter() - start
            log.info("[pulled] %s in %.1f s, %s bytes", label, seconds, f"{artifact.bytes:,}")
            self.records.append(Record(label, key, True, seconds, artifact.bytes, artifact.meta, pulled=True))
        return artifact

    def _run(self, st: Stage, params: dict, upstream: dict, entry: Path, key: str, label: str) -> Artifact:
        tmp = entry.with_name(f"{key}{TMP_MARK}{HOST}-{os.getpid()}")
        try:  # whatever stops the stage (an error, Ctrl+C, SIGTERM) removes its temporary folder
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            log.info("[run] %s", label)
            ctx = Context(params=params, inputs=upstream, out=tmp, show_progress=self.show_progress)
            start = time.perf_counter()
            try:
                meta = st.run(ctx) or {}
            finally:
                for bar in ctx._bars:
                    bar.close()
            seconds = time.perf_counter() - start
            artifact = write_entry(tmp, entry, st.name, key, params, meta, seconds)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.records.append(Record(label, key, False, seconds, artifact.bytes, artifact.meta))
        log.info("[done] %s in %.1f s, %s bytes", label, seconds, f"{artifact.bytes:,}")
        return artifact
