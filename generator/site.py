"""Assemble the site in a temporary directory and swap it in atomically."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import BuildError, ConfigError
from .pipeline import ROOT, Artifact, MANIFEST

NODE_MODULES = ROOT / "node_modules"

# site path -> node_modules path (copied verbatim)
VENDOR_FILES = {
    "vendor/three/three.module.js": "three/build/three.module.js",
    "vendor/three/three.core.js": "three/build/three.core.js",
    "vendor/tfjs/tf.fesm.min.js": "@tensorflow/tfjs/dist/tf.fesm.min.js",
    "vendor/katex/katex.min.css": "katex/dist/katex.min.css",
}


def check_output_dir(out: Path) -> None:
    """--out must be a directory (or not exist yet) and must not be the project itself."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is an existing file; allowed: a directory (created if missing)", where="option --out")
    resolved = out.resolve()
    if resolved == ROOT or resolved in ROOT.parents or resolved == Path.home().resolve():
        raise ConfigError(f"{out} would replace the project or a parent of it; choose a fresh directory such as _site",
                          where="option --out")
    for child in ("content", "generator", "assets"):
        if (resolved / child).exists() and (resolved / "site.toml").exists():
            raise ConfigError(f"{out} looks like a project folder, not a built site", where="option --out")


def staging_dir(out: Path) -> Path:
    """A fresh temporary directory next to ``out`` (same file system, so the swap is a rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))


def swap_in(staged: Path, out: Path) -> None:
    """Replace ``out`` with ``staged``; the old site is removed only once the new one is in place."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
    os.replace(staged, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def copy_assets(site: Path) -> None:
    """The project's own CSS and JS modules."""
    shutil.copytree(ROOT / "assets", site / "assets", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.map", ".*", "__pycache__"))


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
            + "\nexport default exports;\nexport const {" + ", ".join(sorted(set(names) - {"window"}))
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
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(artifact.file(rel), dest)  # hard links: instant, and the cache is never edited in place
        except OSError:
            shutil.copyfile(artifact.file(rel), dest)
