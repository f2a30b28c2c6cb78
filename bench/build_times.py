#!/usr/bin/env python3
"""Build wall times: a cold tiny build, then no-op and prose-only rebuilds at default scale.

Prints a table and writes bench/results/build_times.json. Targets (issue 2):
no-op and prose-only rebuilds <= 2 s each. The default-scale cold build is
run first if its cache is empty (that is the artifact pipeline's benchmark).
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    py = sys.executable
    results = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        cold = Path(tmp) / "cold"
        shutil.copytree(ROOT / "content", cold / "content")
        shutil.copy(ROOT / "site.toml", cold / "site.toml")
        results["cold_tiny_s"] = timed(
            [
                py,
                str(ROOT / "build.py"),
                "--config",
                str(cold / "site.toml"),
                "--scale",
                "tiny",
                "-q",
                "--out",
                str(out),
            ],
            ROOT,
        )
        work = Path(tmp) / "work"
        shutil.copytree(ROOT / "content", work / "content")
        shutil.copy(ROOT / "site.toml", work / "site.toml")
        (work / ".cache").symlink_to(ROOT / ".cache", target_is_directory=True)
        (ROOT / ".cache").mkdir(exist_ok=True)
        cmd = [
            py,
            str(ROOT / "build.py"),
            "--config",
            str(work / "site.toml"),
            "--scale",
            "default",
            "-q",
            "--out",
            str(out),
        ]
        results["warm_default_s"] = timed(cmd, ROOT)  # fills the cache if it was empty
        results["noop_default_s"] = timed(cmd, ROOT)
        article = sorted((work / "content").glob("*.md"))[0]
        article.write_text(article.read_text() + "\n\nOne more sentence of prose.\n")
        results["prose_default_s"] = timed(cmd, ROOT)
        report = json.loads((out / "build-report.json").read_text())
        results["prose_stages_ran"] = [s["name"] for s in report["stages"] if not s["cached"]]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "build_times.json").write_text(json.dumps(results, indent=1))
    for key, value in results.items():
        print(f"{key:<22} {value if not isinstance(value, float) else f'{value:.2f} s'}")
    print("targets: noop_default_s <= 2 s, prose_default_s <= 2 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
