"""Assemble the site in a temporary directory and swap it in atomically.

The output folder is the author's: the build replaces it only when it holds a
site this generator wrote (its :data:`MARKER` lists every file it wrote) and
nothing else, or when it is empty or missing; ``--force`` overrides. Files are
copied out of the cache, never hard-linked, so editing the site cannot damage
the cache. Folders are made readable by others (0755 under the usual umask).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError, ConfigError
from .pipeline import HOST, MANIFEST, OLD_MARK, ROOT, TMP_MARK, Artifact, file_lock, owner_alive, remove_stale

log = logging.getLogger(__name__)

MARKER = ".explorables-site.json"  # written into every site: which generator wrote it, and which files

NODE_MODULES = ROOT / "node_modules"

# site path -> node_modules path (copied verbatim)
VENDOR_FILES = {
    "vendor/three/three.module.js": "three/build/three.module.js",
    "vendor/three/three.core.js": "three/build/three.core.js",
    "vendor/tfjs/tf.fesm.min.js": "@tensorflow/tfjs/dist/tf.fesm.min.js",
    "vendor/katex/katex.min.css": "katex/dist/katex.min.css",
}


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


# What a site built before sites carried a MARKER may hold at its top level (besides article folders).
LEGACY_ENTRIES = frozenset(
    {
        "index.html",
        "404.html",
        "credits",
        "favicon.svg",
        ".nojekyll",
        "feed.xml",
        "sitemap.xml",
        "assets",
        "vendor",
        "figures",
        "artifacts",
        "build-report.json",
    }
)


def check_output_dir(out: Path, *, project: Path, force: bool = False) -> None:
    """Fail now, before any stage runs, if ``--out`` cannot or must not be replaced by a built site."""
    try:
        _check_output_dir(out, project, force)
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long, a folder we may not read
        raise ConfigError(
            f"{out} cannot be used ({getattr(exc, 'strerror', None) or exc})", where="option --out"
        ) from None


def _check_output_dir(out: Path, project: Path, force: bool) -> None:
    where = "option --out"
    resolved = out.resolve()
    project = project.resolve()
    protected = [
        ROOT,
        project,
        project / "content",
        project / ".cache",
        Path.home().resolve(),
        *(ROOT / name for name in ("generator", "assets", "node_modules", ".venv", "content")),
    ]
    for place in protected:  # never, not even with --force
        if _under(place, resolved):
            raise ConfigError(
                f"{out} would replace {place}, which is part of the project or holds it; "
                "choose a folder of its own such as _site",
                where=where,
            )
    if _under(resolved, (project / ".cache").resolve()):
        raise ConfigError(f"{out} is inside the build cache; choose a folder of its own such as _site", where=where)
    for child in ("content", "generator", "assets"):
        if (resolved / child).exists() and (resolved / "site.toml").exists():
            raise ConfigError(f"{out} looks like a project folder, not a built site", where=where)
    if resolved.exists() and not resolved.is_dir():
        raise ConfigError(f"{out} is an existing file; allowed: a directory (created if missing)", where=where)
    existing = resolved.parent  # the staging folder and the swap happen beside the output folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(
            f"{out} is under {existing}, which is a file; allowed: a directory (created if missing)", where=where
        )
    try:  # prove now, not after training, that the staging folder can be made there
        os.rmdir(tempfile.mkdtemp(prefix=".write-test-", dir=existing))
    except OSError as exc:
        raise ConfigError(
            f"cannot write in {existing} ({exc.strerror or exc}); choose a folder you can write to", where=where
        ) from None
    if resolved.is_dir() and not force:
        _refuse_foreign(out, foreign_files(resolved))


def _refuse_foreign(out: Path, foreign: list[str]) -> None:
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ConfigError(
            f"{out} holds files this generator did not write ({shown}); the build replaces the whole folder, "
            "so it stops rather than delete them. Choose another folder (e.g. _site), move them out, "
            "or pass --force to replace the folder anyway",
            where="option --out",
        )


def foreign_files(out: Path) -> list[str]:
    """Files in ``out`` that no earlier build wrote (all of them, if it has no :data:`MARKER`)."""
    try:
        written = set(json.loads((out / MARKER).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        written = _legacy_files(out) if _legacy_site(out) else set()
    found = []
    for path in sorted(out.rglob("*")):
        if not path.is_dir() or path.is_symlink():
            rel = path.relative_to(out).as_posix()
            if rel != MARKER and rel not in written:
                found.append(rel)
    return found


def _legacy_site(out: Path) -> bool:
    """A site built before sites carried a :data:`MARKER` (its build-report.json says so)."""
    try:
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
        return isinstance(report, dict) and {"stages", "pages", "totals"} <= set(report)
    except (OSError, ValueError):
        return False


def _legacy_files(out: Path) -> set[str]:
    """The files of an unmarked old site that sit where the generator writes: its own entries and article folders."""
    ours = set()
    for top in out.iterdir():
        if top.name in LEGACY_ENTRIES or (top.is_dir() and not top.is_symlink() and (top / "index.html").is_file()):
            paths = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
            ours.update(p.relative_to(out).as_posix() for p in paths)
    return ours


def write_marker(site: Path) -> None:
    """List every file of the finished site in :data:`MARKER` (what a later build may replace)."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    (site / MARKER).write_text(json.dumps({"generator": "explorables", "files": files}, indent=0), encoding="utf-8")


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()  # read once, at import, before any server thread exists


def staging_dir(out: Path) -> Path:
    """A fresh folder next to ``out`` (same file system, so the swap is a rename), readable like any other."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _restore_interrupted_swap(out)
    remove_stale(out.parent, prefix=f".{out.name}.")  # what killed builds left behind
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}{TMP_MARK}", suffix=f"-{HOST}-{os.getpid()}", dir=out.parent))
    os.chmod(staged, 0o777 & ~UMASK)  # mkdtemp makes it 0700
    return staged


def _restore_interrupted_swap(out: Path) -> None:
    """A build stopped between the two renames of :func:`swap_in` left the previous site aside: put it back."""
    if out.exists():
        return
    for old in sorted(out.parent.glob(f".{out.name}{OLD_MARK}*")):
        if not owner_alive(old.name):
            os.replace(old, out)
            log.warning("restored %s, which a stopped build had moved aside", out)
            return


def swap_in(staged: Path, out: Path, *, lock: Path, force: bool = False) -> None:
    """Replace ``out`` with ``staged``; the old site is removed only once the new one is in place.

    ``lock`` (a file) keeps two builds from swapping at once. The output folder is checked again for
    files added during the build, and Ctrl+C or SIGTERM cannot fall between the two renames.
    """
    write_marker(staged)
    old = None
    with file_lock(lock), _signals_held():
        if out.is_dir() and not force:
            _refuse_foreign(out, foreign_files(out))
        if out.exists() or out.is_symlink():
            old = out.with_name(f".{out.name}{OLD_MARK}{HOST}-{os.getpid()}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(staged, out)
    if old is not None:
        if old.is_symlink():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _signals_held():
    """Hold back SIGINT and SIGTERM (delivered right after) in the main thread; elsewhere do nothing."""
    held = {signal.SIGINT, signal.SIGTERM}
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def copy_assets(site: Path) -> None:
    """The project's own CSS and JS modules."""
    shutil.copytree(
        ROOT / "assets",
        site / "assets",
        dirs_exist_ok=True,
        copy_function=shutil.copyfile,
        ignore=shutil.ignore_patterns("*.map", ".*", "__pycache__"),
    )  # copyfile: modes from the umask


def copy_vendor(site: Path) -> None:
    """Front-end libraries from node_modules, so pages load nothing from other hosts."""
    missing = [src for src in VENDOR_FILES.values() if not (NODE_MODULES / src).is_file()]
    if missing or not (NODE_MODULES / "d3/dist/d3.js").is_file():
        raise BuildError(f"front-end packages are missing ({', '.join(missing) or 'd3'}): run `make site` or `npm ci`")
    for target, src in VENDOR_FILES.items():
        path = site / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / src, path)
    fonts = site / "vendor/katex/fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for font in (NODE_MODULES / "katex/dist/fonts").glob("*.woff2"):
        shutil.copyfile(font, fonts / font.name)
    (site / "vendor/d3").mkdir(parents=True, exist_ok=True)
    (site / "vendor/d3/d3.js").write_text(d3_module(), encoding="utf-8")


_d3_cache: str | None = None


def d3_module() -> str:
    """d3's UMD bundle wrapped as an ES module with every named export."""
    global _d3_cache
    if _d3_cache is None:
        names = re.findall(r"^exports\.(\w+) = ", (NODE_MODULES / "d3/dist/d3.js").read_text(), re.M)
        umd = (NODE_MODULES / "d3/dist/d3.min.js").read_text()
        _d3_cache = (
            "// d3 (UMD bundle wrapped as an ES module by the site build)\n"
            "const exports = {}; const module = { exports };\n"
            + umd
            + "\nexport default exports;\nexport const {"
            + ", ".join(sorted(set(names) - {"window"}))
            + "} = exports;\n"
            # d3.window must not become a module-level `window`: it would shadow the global the bundle uses
            + "const d3window = exports.window;\nexport { d3window as window };\n"
        )
    return _d3_cache


def copy_artifact(artifact: Artifact, target: Path) -> None:
    """Copy a cache entry's files into the site (not its manifest, nor files its meta lists as private)."""
    target.mkdir(parents=True, exist_ok=True)
    private = set(artifact.meta.get("private", []))
    for rel in artifact.files:
        if rel == MANIFEST or rel in private:
            continue
        dest = target / rel
        if dest.exists():  # the same payload used twice: its folder is named by its digest, so it is identical
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact.file(rel), dest)  # a copy, never a hard link: the site is the author's to edit
