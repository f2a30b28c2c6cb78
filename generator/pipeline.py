"""Stage registry and the content-hash build cache.

A *stage* is a plain function from declared inputs (its JSON parameters and
the artifacts of upstream stages) to files in a directory. Its cache key is
the sha256 of a canonical JSON of: the stage name, its parameters, the content
digests of its upstream artifacts, the source code of the modules it declares
and the versions of the libraries it uses (dvc's run-cache, never file times).

Entries live at ``.cache/<stage>/<key>/`` with a ``manifest.json`` listing
every file's size and sha256. An entry is written to a temporary name and
renamed into place when complete; on load every file is checked, so a
truncated or corrupted entry is detected, deleted and recomputed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import BuildError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"
SCHEMA_VERSION = 1


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, so order never changes a key."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Request:
    """Ask for the artifact of ``stage`` made with ``params`` (JSON-serialisable)."""

    stage: str
    params: dict

    @property
    def ident(self) -> str:
        return self.stage + ":" + canonical(self.params)


@dataclass(frozen=True)
class Artifact:
    """A finished cache entry: a directory of files plus metadata."""

    stage: str
    key: str
    path: Path
    digest: str
    files: dict[str, dict]
    meta: dict

    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.files.values())


@dataclass
class Stage:
    """A registered stage: its function, upstream requests, code and libraries."""

    name: str
    run: Callable[["Context"], dict | None]
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

    ``sources`` are paths (relative to the project, globs allowed) whose text
    feeds the key; the module defining ``fn`` is always included. ``libs`` are
    distribution names (``npm:katex`` for a front-end package).
    """

    def register(fn):
        module_file = Path(sys.modules[fn.__module__].__file__).resolve().relative_to(ROOT)
        REGISTRY[name] = Stage(
            name=name,
            run=fn,
            inputs=inputs or (lambda params: {}),
            libs=tuple(libs),
            sources=(str(module_file), *sources),
            label=label or (lambda params: name),
        )
        return fn

    return register


_code_hashes: dict[tuple[str, ...], str] = {}
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
    return _versions[name]


def cache_key(st: Stage, params: dict, upstream: dict[str, str]) -> str:
    """The stage's cache key (see module docstring)."""
    return sha256_bytes(
        canonical(
            {
                "schema": SCHEMA_VERSION,
                "stage": st.name,
                "params": params,
                "inputs": upstream,
                "code": code_hash(st.sources),
                "libs": {lib: library_version(lib) for lib in st.libs},
            }
        ).encode()
    )


class Progress:
    """A progress bar for one long step; silent when quiet."""

    def __init__(self, total: int, desc: str, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=f"  {desc}", unit="", leave=False, file=sys.stderr,
                            mininterval=0.3, dynamic_ncols=True)
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


class Pipeline:
    """Resolves requests depth-first, from the cache when it can."""

    def __init__(self, cache_dir: Path, *, clean: bool = False, show_progress: bool = True):
        self.cache_dir = cache_dir
        self.clean = clean
        self.show_progress = show_progress
        self.records: list[Record] = []
        self._memo: dict[str, Artifact] = {}

    def get(self, request: Request) -> Artifact:
        """The artifact for ``request``: memoised, cached, or made now."""
        if request.ident in self._memo:
            return self._memo[request.ident]
        st = REGISTRY.get(request.stage)
        if st is None:
            raise BuildError(f"internal: no stage named {request.stage!r} (known: {', '.join(sorted(REGISTRY))})")
        upstream = {name: self.get(req) for name, req in st.inputs(request.params).items()}
        key = cache_key(st, request.params, {name: art.digest for name, art in upstream.items()})
        entry = self.cache_dir / st.name / key
        label = st.label(request.params)
        artifact = None if self.clean else load_entry(entry, st.name, key)
        if artifact is not None:
            log.debug("[fresh] %s %s", label, key[:12])
            self.records.append(Record(label, key, True, 0.0, artifact.bytes, artifact.meta))
        else:
            artifact = self._run(st, request.params, upstream, entry, key, label)
        self._memo[request.ident] = artifact
        return artifact

    def _run(self, st: Stage, params: dict, upstream: dict, entry: Path, key: str, label: str) -> Artifact:
        log.info("[run] %s", label)
        tmp = entry.with_name(f"{key}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        ctx = Context(params=params, inputs=upstream, out=tmp, show_progress=self.show_progress)
        start = time.perf_counter()
        try:
            meta = st.run(ctx) or {}
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            for bar in ctx._bars:
                bar.close()
        seconds = time.perf_counter() - start
        artifact = write_entry(tmp, entry, st.name, key, params, meta, seconds)
        self.records.append(Record(label, key, False, seconds, artifact.bytes, artifact.meta))
        log.info("[done] %s in %.1f s, %s bytes", label, seconds, f"{artifact.bytes:,}")
        return artifact


def _digest(files: dict[str, dict], meta: dict) -> str:
    return sha256_bytes(canonical({"files": files, "meta": meta}).encode())


def write_entry(tmp: Path, entry: Path, name: str, key: str, params: dict, meta: dict, seconds: float) -> Artifact:
    """Hash the files a stage wrote, write the manifest, rename into place."""
    files = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        rel = path.relative_to(tmp).as_posix()
        files[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    meta = json.loads(canonical(meta))  # fail early on values JSON cannot hold
    manifest = {"stage": name, "key": key, "params": params, "files": files, "meta": meta,
                "seconds": round(seconds, 3), "digest": _digest(files, meta)}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if entry.exists():
        shutil.rmtree(entry)
    os.replace(tmp, entry)
    return Artifact(name, key, entry, manifest["digest"], files, meta)


def load_entry(entry: Path, name: str, key: str) -> Artifact | None:
    """A verified cache entry, or None (a damaged entry is deleted with a warning)."""
    manifest_path = entry / MANIFEST
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
        files, meta = manifest["files"], manifest["meta"]
        if manifest["key"] != key or manifest["digest"] != _digest(files, meta):
            raise ValueError("manifest does not match its key")
        for rel, info in files.items():
            path = entry / rel
            if path.stat().st_size != info["bytes"] or sha256_file(path) != info["sha256"]:
                raise ValueError(f"{rel} is damaged")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cache entry %s/%s is damaged (%s); recomputing", name, key[:12], exc)
        shutil.rmtree(entry, ignore_errors=True)
        return None
    return Artifact(name, key, entry, manifest["digest"], files, meta)
