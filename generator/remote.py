"""A shared build cache on another machine or in a bucket: ``--remote-cache URL``.

A GPU box computes the heavy stages and pushes them; laptops and CI pull them instead of running
them. The URL is anything `fsspec <https://filesystem-spec.readthedocs.io>`_ opens: a folder (a plain
path or ``file://``, also a mounted network drive), ``s3://bucket/prefix`` (s3fs),
``gs://bucket/prefix`` (gcsfs) or ``az://container/prefix`` (adlfs); the cloud back-ends are optional
extras (``pip install -e '.[remote-s3]'``). Credentials come from each back-end's usual environment
(``AWS_*``, ``GOOGLE_APPLICATION_CREDENTIALS``, ``AZURE_STORAGE_*``); ``--remote-cache-option KEY=VALUE``
passes storage options (``endpoint_url=https://…``) to the back-end.

Layout under the URL, one entry per stage key::

    <stage>/<key>/manifest.json          the local entry's manifest, byte for byte
    <stage>/<key>/<digest>/<file>        its files, under the manifest's digest

A push uploads the files first and the manifest last (a single object write; on a folder, a
temporary name renamed into place), so a reader never sees a half-written entry: an entry without
its manifest does not exist. Files sit under their manifest's digest, so two builds pushing the
same key at once (a stage whose output is not bit-identical run to run) never mix their files:
whichever manifest lands last names a complete set. A push is skipped when the remote already
publishes the manifest of the same digest (unless this build found that entry damaged), so a
published entry's files are not written again; on a folder every file is written to a temporary
name and renamed, so a second pusher or a killed push never leaves a published file truncated.

A pull reads the manifest, checks it against the stage and key and its own digest, downloads the
files into a temporary folder beside the local entry, checks every file's size and sha256, and
renames the folder into place as a local write does. A damaged entry (a changed byte, a truncated
or missing file, a manifest that does not match) is rejected with one warning and the stage is
recomputed; the good result is then pushed over it (unless read-only).

Problems found before any stage runs (an unknown protocol, a missing back-end package, a missing
bucket, no credentials, no permission to write) are :class:`~generator.errors.ConfigError`\\ s naming
the URL and what to do. A remote that fails during the build (the network goes away) gives one
warning and is left alone for the rest of the build, which goes on with the local cache.

Trust: whoever may write to the remote controls what every build that pulls from it publishes. The
manifest check catches damage (a truncated or changed file, a partial upload), not a deliberate rewrite
of an entry's manifest and files together; give write access only to machines whose builds you would
publish (CI of pull requests reads only).

Like the rest of the harness it stores what stages write and never shapes it; no stage imports it, so
it is in no stage's key. With ``--jobs`` each worker process opens the remote of its own
(:func:`open_remote` with ``check=False``) and the build adds their :class:`Traffic` up (:meth:`RemoteCache.absorb`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .cache import HOST, MANIFEST, TMP_MARK, Artifact, _digest, remove_aside, sha256_file
from .errors import ConfigError

log = logging.getLogger(__name__)

#: protocol -> (the package that implements it, the extra of pyproject.toml that installs it)
BACKENDS = {
    "s3": ("s3fs", "remote-s3"),
    "s3a": ("s3fs", "remote-s3"),
    "gs": ("gcsfs", "remote-gcs"),
    "gcs": ("gcsfs", "remote-gcs"),
    "az": ("adlfs", "remote-azure"),
    "abfs": ("adlfs", "remote-azure"),
    "abfss": ("adlfs", "remote-azure"),
}
LOCAL = ("file", "local")
ALLOWED = "a folder (a path or file:///path), s3://bucket/prefix, gs://bucket/prefix or az://container/prefix"
#: Written (never deleted: a write-only policy may not allow it) to check that the remote takes writes.
PROBE = ".explorables-write-check"
HEX64 = re.compile(r"[0-9a-f]{64}")


def shown(url: str) -> str:
    """The URL as messages show it: a password in it (``https://user:secret@host``) is hidden."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url)


def parse_options(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["endpoint_url=http://x", "anon=true", "client_kwargs.region_name=eu-west-1"]`` -> storage options.

    Values ``true``/``false`` become booleans and whole numbers integers; a dotted key fills a nested table.
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) for part in key.split(".")):
            raise ConfigError(
                f"{item!r} is not KEY=VALUE; allowed: e.g. endpoint_url=https://s3.example.org or anon=true",
                where="option --remote-cache-option",
            )
        value: Any = {"true": True, "false": False}.get(text.strip().lower(), text)
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
            value = int(value)
        *parents, last = key.split(".")
        table = options
        for part in parents:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise ConfigError(
                    f"{key!r} is given twice, as a value and as a table", where="option --remote-cache-option"
                )
        table[last] = value
    return options


@dataclass
class Traffic:
    """What one build moved: entries and bytes pulled and pushed, entries rejected, seconds spent."""

    pulled: int = 0
    pulled_bytes: int = 0
    pushed: int = 0
    pushed_bytes: int = 0
    rejected: int = 0
    seconds: float = 0.0


class RemoteCache:
    """One remote cache: pull an entry before a stage would run, push one after it ran.

    Made by :func:`open_remote`, which checks the URL before any stage runs. Every method is safe to
    call after a failure: the remote is then off and they return at once.
    """

    def __init__(self, url: str, fs, root: str, *, read_only: bool = False):
        self.url = url
        self.fs = fs
        self.root = root.rstrip("/")
        self.read_only = read_only
        self.local = _is_local(fs)
        self.failed: str | None = None  # why the remote was left alone mid-build
        self.traffic = Traffic()
        self._rejected: set[tuple[str, str]] = set()  # entries found damaged: pushed over even if published

    def __repr__(self) -> str:
        return f"RemoteCache({shown(self.url)!r}{', read-only' if self.read_only else ''})"

    def _base(self, name: str, key: str) -> str:
        return f"{self.root}/{name}/{key}"

    def _lost(self, exc: BaseException, doing: str) -> None:
        self.failed = f"{type(exc).__name__}: {exc}"
        log.warning(
            "remote cache %s failed while %s (%s); this build goes on with the local cache only",
            shown(self.url),
            doing,
            self.failed,
        )

    def _reject(self, name: str, key: str, reason: str) -> None:
        self.traffic.rejected += 1
        self._rejected.add((name, key))
        log.warning(
            "remote cache entry %s/%s at %s is damaged (%s); recomputing it%s",
            name,
            key[:12],
            shown(self.url),
            reason,
            "" if self.read_only else " and pushing the result over it",
        )

    def _manifest(self, name: str, key: str) -> bytes | None:
        """The raw manifest the remote holds for ``name``/``key``; None when it has none (or has failed)."""
        if self.failed:
            return None
        try:
            return self.fs.cat_file(f"{self._base(name, key)}/{MANIFEST}")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except Exception as exc:
            self._lost(exc, f"looking up {name} {key[:12]}")
            return None

    # --- pull -----------------------------------------------------------------------------------

    def pull(self, name: str, key: str, entry: Path) -> Artifact | None:
        """The entry ``name``/``key`` downloaded, verified and published at ``entry``; None if absent or damaged.

        The caller holds the entry's lock (as for a local write).
        """
        start = time.perf_counter()
        base = self._base(name, key)
        raw = self._manifest(name, key)
        if raw is None:
            return None
        try:
            manifest = _check_manifest(raw, name, key)
        except ValueError as exc:
            self._reject(name, key, str(exc))
            return None
        files = manifest["files"]
        tmp = entry.with_name(f"{key}{TMP_MARK}pull-{HOST}-{os.getpid()}")
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            sources, targets = [], []
            for rel in sorted(files):
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                sources.append(f"{base}/{manifest['digest']}/{rel}")
                targets.append(str(target))
            try:
                if sources:
                    self.fs.get(sources, targets)
            except FileNotFoundError as exc:
                self._reject(name, key, f"a file is missing: {exc}")
                return None
            except Exception as exc:
                self._lost(exc, f"pulling {name} {key[:12]}")
                return None
            for rel, info in files.items():
                path = tmp / rel
                size = path.stat().st_size if path.is_file() else -1
                if size != info["bytes"]:
                    self._reject(name, key, f"{rel} has {size} bytes, its manifest says {info['bytes']}")
                    return None
                if sha256_file(path) != info["sha256"]:
                    self._reject(name, key, f"{rel} does not match its sha256")
                    return None
            (tmp / MANIFEST).write_bytes(raw)
            if entry.exists():  # a damaged local entry: never delete in place what a reader may hold open
                remove_aside(entry)
            os.replace(tmp, entry)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        artifact = Artifact(name, key, entry, manifest["digest"], files, manifest["meta"])
        self.traffic.pulled += 1
        self.traffic.pulled_bytes += artifact.bytes + len(raw)
        self.traffic.seconds += time.perf_counter() - start
        return artifact

    # --- push -----------------------------------------------------------------------------------

    def published(self, name: str, key: str) -> str | None:
        """The digest of the entry the remote publishes for ``name``/``key``; None when it has none (or a
        manifest that cannot be trusted, or it failed)."""
        raw = self._manifest(name, key)
        if raw is None:
            return None
        try:
            return _check_manifest(raw, name, key)["digest"]
        except ValueError:
            return None

    def push(self, artifact: Artifact, *, if_missing: bool = False) -> bool:
        """Upload a local entry: its files first, its manifest last. Whether it was pushed.

        Skipped when the remote already publishes this entry with the same digest (its files are never
        written again, unless this build rejected them as damaged); ``if_missing``: skipped when it
        publishes the key at all (an entry made before the remote was set up is shared, nothing replaced).
        """
        if self.read_only or self.failed:
            return False
        published = self.published(artifact.stage, artifact.key)
        if self.failed:
            return False
        if published is not None and (artifact.stage, artifact.key) not in self._rejected:
            if if_missing or published == artifact.digest:
                return False
        start = time.perf_counter()
        base = self._base(artifact.stage, artifact.key)
        try:
            raw = (artifact.path / MANIFEST).read_bytes()
            rels = sorted(artifact.files)
            if rels and self.local:
                for rel in rels:
                    self._write_file(artifact.path / rel, f"{base}/{artifact.digest}/{rel}")
            elif rels:
                self.fs.put(
                    [str(artifact.path / rel) for rel in rels], [f"{base}/{artifact.digest}/{rel}" for rel in rels]
                )
            self._publish(f"{base}/{MANIFEST}", raw)
        except Exception as exc:
            self._lost(exc, f"pushing {artifact.stage} {artifact.key[:12]}")
            return False
        self._rejected.discard((artifact.stage, artifact.key))  # repaired: published as any other now
        self.traffic.pushed += 1
        self.traffic.pushed_bytes += artifact.bytes + len(raw)
        self.traffic.seconds += time.perf_counter() - start
        return True

    def _write_file(self, source: Path, path: str) -> None:
        """On a folder: copy one file under a temporary name, then rename it into place (never truncated)."""
        target = self.fs._strip_protocol(path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}{TMP_MARK}{HOST}-{os.getpid()}"
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)

    def absorb(self, traffic: Traffic | None, failed: str | None) -> None:
        """Add what a worker of ``--jobs`` moved through its own copy of this remote (and its failure)."""
        if traffic is not None:
            for name in ("pulled", "pulled_bytes", "pushed", "pushed_bytes", "rejected", "seconds"):
                setattr(self.traffic, name, getattr(self.traffic, name) + getattr(traffic, name))
        if failed and not self.failed:
            self.failed = failed  # the rest of the build leaves it alone, as the worker does

    def _publish(self, path: str, data: bytes) -> None:
        """Write one small file in one step: an object store's put; on a folder, a temporary name renamed."""
        if not self.local:
            self.fs.pipe_file(path, data)
            return
        tmp = f"{path}{TMP_MARK}{HOST}-{os.getpid()}"
        self.fs.pipe_file(tmp, data)
        os.replace(self.fs._strip_protocol(tmp), self.fs._strip_protocol(path))

    def report(self) -> dict:
        """The build report's ``remote_cache`` part."""
        t = self.traffic
        return {
            "url": shown(self.url),
            "read_only": self.read_only,
            "pulled": t.pulled,
            "pulled_bytes": t.pulled_bytes,
            "pushed": t.pushed,
            "pushed_bytes": t.pushed_bytes,
            "rejected": t.rejected,
            "seconds": round(t.seconds, 3),
            "failed": self.failed,
        }


def _is_local(fs) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return protocol in LOCAL


def _check_manifest(raw: bytes, name: str, key: str) -> dict:
    """The parsed manifest, or ValueError saying why it cannot be trusted."""
    try:
        manifest = json.loads(raw)
        files, meta, digest = manifest["files"], manifest["meta"], manifest["digest"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"its manifest cannot be read: {exc}") from None
    if manifest.get("stage") != name or manifest.get("key") != key:
        raise ValueError(f"its manifest is for {manifest.get('stage')!r} {str(manifest.get('key'))[:12]}")
    if not isinstance(files, dict) or not isinstance(digest, str) or not HEX64.fullmatch(digest):
        raise ValueError("its manifest lists no files or no digest")
    try:
        if digest != _digest(files, meta):
            raise ValueError("its manifest does not match its digest")
    except TypeError:
        raise ValueError("its manifest cannot be read") from None
    for rel, info in files.items():
        parts = PurePosixPath(rel).parts
        if (
            not isinstance(rel, str)
            or not parts
            or rel.startswith("/")
            or "\\" in rel
            or any(part in ("..", ".", "") for part in parts)
            or rel == MANIFEST
        ):
            raise ValueError(f"its manifest names a file outside the entry: {rel!r}")
        if (
            not isinstance(info, dict)
            or not isinstance(info.get("bytes"), int)
            or not isinstance(info.get("sha256"), str)
            or not HEX64.fullmatch(info["sha256"])
        ):
            raise ValueError(f"its manifest has no size or sha256 for {rel!r}")
    return manifest


def _install_hint(protocol: str) -> str:
    package, extra = BACKENDS.get(protocol, (None, None))
    if package is None:
        return "install the fsspec back-end for this protocol"
    return f"install it with: {sys.executable} -m pip install -e '.[{extra}]' (or pip install {package})"


def _advice(protocol: str) -> str:
    if protocol in ("s3", "s3a"):
        return (
            "check the bucket name, the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and "
            "the endpoint (AWS_ENDPOINT_URL, or --remote-cache-option endpoint_url=https://… for an S3-compatible server)"
        )
    if protocol in ("gs", "gcs"):
        return "check the bucket name and the credentials (GOOGLE_APPLICATION_CREDENTIALS)"
    if protocol in BACKENDS:
        return "check the container name and the credentials (AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME)"
    return "check the path"


def open_remote(
    url: str,
    *,
    options: list[str] | tuple[str, ...] = (),
    read_only: bool = False,
    where: str = "option --remote-cache",
    check: bool = True,
) -> RemoteCache | None:
    """The remote cache at ``url``, checked before any stage runs; None for ``''``.

    ``check=False`` skips the look at the remote (the write probe): for the workers of ``--jobs``, whose
    build checked it already.

    Raises :class:`ConfigError` naming the URL and what to do: an unknown protocol, a back-end package
    that is not installed, bad options, a bucket or folder that is missing (read-only) or cannot be
    written (read-write), missing credentials or permission, or a server that cannot be reached.
    """
    if not url:
        return None
    storage = parse_options(options)
    try:
        import fsspec
        from fsspec.core import url_to_fs
        from fsspec.utils import get_protocol
    except ImportError:
        raise ConfigError(
            f"{shown(url)}: a remote cache needs the Python package fsspec, which is not installed; "
            "install the project's dependencies again (make install, or pip install -e .)",
            where=where,
        ) from None
    protocol = get_protocol(url)
    try:
        fsspec.get_filesystem_class(protocol)
    except ValueError:
        raise ConfigError(
            f"{shown(url)} uses the unknown protocol '{protocol}://'; allowed: {ALLOWED}", where=where
        ) from None
    except ImportError:
        package = BACKENDS.get(protocol, (protocol,))[0]
        raise ConfigError(
            f"{shown(url)} needs the Python package {package}, which is not installed; {_install_hint(protocol)}",
            where=where,
        ) from None
    if protocol in LOCAL:
        storage.setdefault("auto_mkdir", True)
    # A file system of its own for each build: fsspec would hand a long-lived process (--serve) the same
    # instance, with listings it cached while other machines pushed.
    storage.setdefault("skip_instance_cache", True)
    try:
        fs, root = url_to_fs(url, **storage)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{shown(url)} cannot be opened with these options ({exc}); check --remote-cache-option", where=where
        ) from None
    except Exception as exc:
        raise ConfigError(
            f"{shown(url)} cannot be opened ({type(exc).__name__}: {exc}); {_advice(protocol)}", where=where
        ) from None
    remote = RemoteCache(url, fs, root, read_only=read_only)
    if not check:
        return remote
    root = remote.root
    try:
        if read_only:
            try:
                fs.info(root)  # unlike exists(), says why it cannot look
            except FileNotFoundError:
                log.warning(
                    "remote cache %s holds nothing (yet): this build pulls nothing and, read-only, pushes nothing",
                    shown(url),
                )
        else:
            if remote.local:
                fs.makedirs(root, exist_ok=True)
                if not os.access(fs._strip_protocol(root), os.W_OK):
                    raise PermissionError(f"cannot write to {root}")
            fs.pipe_file(f"{root}/{PROBE}", b"explorables remote build cache\n")
    except PermissionError as exc:
        raise ConfigError(
            f"{shown(url)}: permission denied ({exc}); {_advice(protocol)}"
            + ("" if read_only else ", or build with --remote-cache-read-only to only pull"),
            where=where,
        ) from None
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{shown(url)} does not exist ({exc}); create the bucket or folder first, or {_advice(protocol)}",
            where=where,
        ) from None
    except TypeError as exc:  # the back-end refused an option only when it first connected
        raise ConfigError(
            f"{shown(url)} cannot be opened with these options ({exc}); check --remote-cache-option", where=where
        ) from None
    except Exception as exc:
        problem = "has no credentials" if "Credentials" in type(exc).__name__ else "cannot be reached"
        raise ConfigError(
            f"{shown(url)} {problem} ({type(exc).__name__}: {exc}); {_advice(protocol)}, "
            "or build without --remote-cache",
            where=where,
        ) from None
    return remote
