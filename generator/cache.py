"""The build cache on disk: entries, their manifests, locks, and cleaning up after dead builds.

Entries live at ``.cache/<stage>/<key>/`` with a ``manifest.json`` listing
every file's size and sha256. An entry is written to a temporary name and
renamed into place when complete (:func:`write_entry`); on load every file is
checked (:func:`load_entry`), so a truncated or corrupted entry is detected,
moved aside and recomputed.

Several builds may share one cache (two terminals, ``--serve`` beside a manual
build): each key is resolved under an exclusive lock (``flock`` on
``.cache/.locks/<stage>/<key>.lock``, :func:`entry_lock`), so a stage runs once
and the others wait and load its entry; a finished entry is never removed while
it is valid, and a temporary folder names its host and process, so a later
build can tell a dead build's leftovers (:func:`remove_stale`) from a live
build's work. :func:`prune_cache` removes the entries a build did not use.

Part of the harness (:data:`generator.pipeline.HARNESS`): it stores what stages
write, it does not shape it, so it is left out of stage keys.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: builds still work, but two at once are not kept apart
    fcntl = None

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


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


TMP_MARK = ".tmp-"  # <key>.tmp-<host>-<pid>: a stage's output while it runs
OLD_MARK = ".old-"  # <key>.old-<host>-<pid>: an entry moved aside before it is removed


@contextmanager
def file_lock(path: Path, waiting: str = ""):
    """Hold an exclusive ``flock`` on ``path`` (released by the OS if the process dies).

    Says ``waiting`` (when given) if another process holds it. Where the file system
    cannot lock (some network mounts) the build goes on without the lock, with a warning.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        locked = False
        if fcntl is not None:
            try:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if waiting:
                        log.info("%s", waiting)
                    fcntl.flock(handle, fcntl.LOCK_EX)
                locked = True
            except OSError as exc:
                log.warning("cannot lock %s (%s); builds of this project must not run at the same time", path, exc)
        try:
            yield
        finally:
            if locked:
                fcntl.flock(handle, fcntl.LOCK_UN)


def entry_lock(entry: Path, label: str = ""):
    """The lock of one cache key: ``.cache/.locks/<stage>/<key>.lock``."""
    lock = entry.parent.parent / ".locks" / entry.parent.name / f"{entry.name}.lock"
    return file_lock(lock, f"waiting for another build that is making {label or entry.parent.name}…")


def owner_alive(name: str) -> bool:
    """Whether the build named at the end of a temporary folder's name (``…-<host>-<pid>``) may still run.

    Folders of other hosts (a cache on a network drive) are assumed alive: only their own host can tell.
    """
    match = re.search(r"(\d+)$", name)
    if os.name != "posix" or not match or not name[: match.start()].endswith(f"-{HOST}-"):
        return True
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_aside(path: Path) -> None:
    """Remove a folder without a window in which a reader finds it half-deleted: rename it first."""
    aside = path.with_name(f"{path.name}{OLD_MARK}{HOST}-{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def remove_stale(folder: Path, prefix: str = "") -> list[Path]:
    """Remove the temporary files and folders (``*.tmp-*``, ``*.old-*``) that builds no longer running left in ``folder``."""
    removed = []
    try:
        children = list(folder.iterdir())
    except OSError:
        return removed
    for child in children:
        name = child.name
        if name.startswith(prefix) and (TMP_MARK in name or OLD_MARK in name) and not owner_alive(name):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
            removed.append(child)
    return removed


def clean_cache(cache_dir: Path) -> list[Path]:
    """Remove what killed builds left in the cache (``.cache/<stage>/*.tmp-*``)."""
    removed = []
    if cache_dir.is_dir():
        for stage_dir in cache_dir.iterdir():
            if stage_dir.is_dir():
                removed += remove_stale(stage_dir)
    return removed


def prune_cache(cache_dir: Path, keep: set[str]) -> tuple[int, int]:
    """Remove the entries whose key is not in ``keep``: (entries removed, bytes freed).

    An entry another build holds (its key's lock is taken) is left alone.
    """
    removed = freed = 0
    for stage_dir in sorted(cache_dir.iterdir()) if cache_dir.is_dir() else []:
        if not stage_dir.is_dir() or stage_dir.name.startswith("."):
            continue
        for entry in sorted(stage_dir.iterdir()):
            if entry.name in keep or TMP_MARK in entry.name or OLD_MARK in entry.name or not entry.is_dir():
                continue
            lock = cache_dir / ".locks" / stage_dir.name / f"{entry.name}.lock"
            lock.parent.mkdir(parents=True, exist_ok=True)
            with open(lock, "a") as handle:
                if fcntl is not None:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # in use by another build
                size = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
                remove_aside(entry)
            removed, freed = removed + 1, freed + size
    return removed, freed


def _digest(files: dict[str, dict], meta: dict) -> str:
    """The content digest downstream keys hold: the files and the meta, except measured times (meta keys that
    start with "seconds"), which differ from run to run, so that the same inputs give the same keys and site."""
    content = {k: v for k, v in meta.items() if not k.startswith("seconds")}
    return sha256_bytes(canonical({"files": files, "meta": content}).encode())


def write_entry(tmp: Path, entry: Path, name: str, key: str, params: dict, meta: dict, seconds: float) -> Artifact:
    """Hash the files a stage wrote, write the manifest, rename into place."""
    files = {}
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        rel = path.relative_to(tmp).as_posix()
        files[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    meta = json.loads(canonical(meta))  # fail early on values JSON cannot hold
    manifest = {
        "stage": name,
        "key": key,
        "params": params,
        "files": files,
        "meta": meta,
        "seconds": round(seconds, 3),
        "digest": _digest(files, meta),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if entry.exists():  # --clean, or a damaged entry: never delete in place what a reader may hold open
        remove_aside(entry)
    os.replace(tmp, entry)
    return Artifact(name, key, entry, manifest["digest"], files, meta)


def load_entry(entry: Path, name: str, key: str, *, repair: bool = True, verify: bool = True) -> Artifact | None:
    """A verified cache entry, or None (a damaged entry is moved aside with a warning when ``repair``;
    only a holder of the entry's lock may repair).

    ``verify=False`` checks the manifest and every file's size but hashes no file: for an entry this build
    made or already verified (the workers of ``--jobs`` load their inputs so).
    """
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
            if path.stat().st_size != info["bytes"] or (verify and sha256_file(path) != info["sha256"]):
                raise ValueError(f"{rel} is damaged")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if not repair:
            return None
        log.warning("cache entry %s/%s is damaged (%s); recomputing", name, key[:12], exc)
        remove_aside(entry)
        return None
    return Artifact(name, key, entry, manifest["digest"], files, meta)
