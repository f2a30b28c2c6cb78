"""The page weigher (generator/report.py) follows every way a module loads another."""

from __future__ import annotations

from pathlib import Path

from generator.report import Weigher


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_module_files_follow_static_dynamic_worker_and_resolved_imports(tmp_path):
    site = tmp_path / "site"
    write(site, "assets/js/figures/k/index.js", 'import { a } from "../../lib/a.js";\nconst m = import("./lazy.js");\n')
    write(
        site,
        "assets/js/lib/a.js",
        'export const a = 1;\nconst w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });\n'
        'const picture = new URL("./picture.png", import.meta.url);\n',
    )
    write(site, "assets/js/figures/k/lazy.js", "export const lazy = 2;\n")
    write(site, "assets/js/lib/worker.js", 'const tf = await import(self.tfUrl);\nimport.meta.resolve("tfjs");\n')
    write(site, "assets/js/lib/picture.png", "not a module")
    write(site, "vendor/tfjs/tf.js", "export const tf = 3;\n")
    weigher = Weigher(site, "/")
    files = weigher.module_files("/page/", "/assets/js/figures/k/index.js", {"tfjs": "/vendor/tfjs/tf.js"})
    names = sorted(f.relative_to(site).as_posix() for f in files)
    assert names == [
        "assets/js/figures/k/index.js",
        "assets/js/figures/k/lazy.js",
        "assets/js/lib/a.js",
        "assets/js/lib/worker.js",
        "vendor/tfjs/tf.js",
    ]
