#!/usr/bin/env python3
"""A cold build with ``--jobs 1`` and with ``--jobs N``: the time of each and their ratio.

    python bench/jobs.py [--scale default] [--jobs 2] [--project examples/shapes]

The project (this repository's site by default, or ``--project DIR`` holding a site.toml) is built twice
from an empty cache, each time in a copy of its own (the copies sit at one path in turn, so their keys are
the same): first with ``--jobs 1``, then with ``--jobs N``. The two sites are compared file by file
(build-report.json aside). Prints a table and writes bench/results/jobs.json. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.sites import differing  # noqa: E402 - after the sys.path line

RESULTS = ROOT / "bench" / "results"
SKIP = shutil.ignore_patterns(".cache", "_site", ".git", ".venv", "node_modules", "__pycache__", "bench", "tests")


def cold_build(source: Path, work: Path, scale: str, jobs: int) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work, ignore=SKIP)
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(work / "site.toml"), "--scale", scale, "-q"]
    start = time.perf_counter()
    done = subprocess.run([*cmd, "--jobs", str(jobs)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"the build with --jobs {jobs} failed:\n{done.stderr[-3000:]}")
    report = json.loads((work / "_site" / "build-report.json").read_text())
    return {"jobs": jobs, "seconds": round(seconds, 1), "stages": len(report["stages"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", default="default", choices=("tiny", "default", "full"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--project", type=Path, default=ROOT, help="a folder with site.toml (default: this site)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        work, kept = Path(tmp) / "site", Path(tmp) / "first"
        one = cold_build(args.project.resolve(), work, args.scale, 1)
        shutil.move(work / "_site", kept)
        many = cold_build(args.project.resolve(), work, args.scale, args.jobs)
        different = differing(kept, work / "_site")
    result = {
        "project": str(args.project.resolve().relative_to(ROOT)) if args.project.resolve() != ROOT else ".",
        "scale": args.scale,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "runs": [one, many],
        "ratio": round(many["seconds"] / one["seconds"], 3),
        "identical_sites": not different,
        "differing_files": different[:20],
    }
    print(f"{'jobs':>4} {'seconds':>8} {'stages':>7}")
    for run in result["runs"]:
        print(f"{run['jobs']:>4} {run['seconds']:>8.1f} {run['stages']:>7}")
    print(f"ratio --jobs {args.jobs} / --jobs 1: {result['ratio']}; identical sites: {result['identical_sites']}")
    RESULTS.mkdir(exist_ok=True)
    name = "jobs.json" if args.project.resolve() == ROOT else f"jobs-{args.project.name}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
