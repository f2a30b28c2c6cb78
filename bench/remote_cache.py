#!/usr/bin/env python3
"""The remote build cache's round trip at tiny scale: one machine builds cold and pushes, a fresh
checkout (another folder, an empty .cache/) pulls instead of running anything.

    python bench/remote_cache.py [--article image-grid|shapes]

The project is examples/shapes copied into a temporary folder: ``shapes`` (the default) builds its own
article (an image grid, a convolutional VAE trained at tiny scale, UMAP, t-SNE and PCA maps, a data
note); ``image-grid`` only a grid and a PCA map (no training). Two remotes: a folder, and an S3 bucket on
moto's S3 server started here on a localhost port (s3fs speaks to it as to any bucket; needs the test
extra). Prints a table and writes bench/results/remote_cache.json: per step the wall time, stages
ran / cached / pulled, entries and bytes moved, the seconds spent talking to the remote, and whether the
pulled site is byte-identical to the pushed one (all but build-report.json). Timings are never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHAPES = ROOT / "examples" / "shapes"
GRID = """\
---
title: Shapes
date: 2026-12-01
---

Shapes drawn for the example.

```figure
kind: image-grid
dataset: shapes
per_class: 2
```

```figure
kind: latent-layouts
dataset: shapes
layouts: [pca]
```
"""


def project(folder: Path, article: str) -> Path:
    shutil.copytree(SHAPES / "data", folder / "data")
    shutil.copy(SHAPES / "site.toml", folder / "site.toml")
    (folder / "content").mkdir()
    if article == "shapes":
        shutil.copy(SHAPES / "content" / "shapes.md", folder / "content" / "shapes.md")
    else:
        (folder / "content" / "shapes.md").write_text(GRID)
    return folder


def build(folder: Path, *args: str, env: dict | None = None) -> dict:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--config", str(folder / "site.toml"), "--scale", "tiny", "-q", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build of {folder} failed:\n{done.stderr[-3000:]}")
    report = json.loads((folder / "_site" / "build-report.json").read_text())
    status = [s["status"] for s in report["stages"]]
    remote = report["remote_cache"] or {}
    return {
        "wall_s": round(seconds, 2),
        "build_s": report["seconds"],
        "stages": len(status),
        "ran": status.count("ran"),
        "cached": status.count("cached"),
        "pulled": status.count("pulled"),
        "ran_stages": [s["name"] for s in report["stages"] if s["status"] == "ran"],
        "entries_pulled": remote.get("pulled", 0),
        "bytes_pulled": remote.get("pulled_bytes", 0),
        "entries_pushed": remote.get("pushed", 0),
        "bytes_pushed": remote.get("pushed_bytes", 0),
        "remote_s": remote.get("seconds", 0.0),
        "warnings": [line for line in done.stderr.splitlines() if line.startswith("WARNING")],
    }


def same_site(a: Path, b: Path) -> bool:
    sys.path.insert(0, str(ROOT))
    from tests.sites import differing

    return not differing(a / "_site", b / "_site")


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", choices=("shapes", "image-grid"), default="shapes")
    args = parser.parse_args()
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "scale": "tiny",
        "article": args.article,
        "steps": {},
    }
    steps = results["steps"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder_remote = tmp / "remote"
        gpu_box = project(tmp / "gpu-box", args.article)
        steps["cold build, push to a folder"] = build(gpu_box, "--remote-cache", str(folder_remote))
        laptop = project(tmp / "elsewhere" / "laptop", args.article)
        steps["fresh checkout, pull from the folder"] = build(laptop, "--remote-cache", str(folder_remote))
        steps["same checkout again (all local)"] = build(laptop, "--remote-cache", str(folder_remote))
        results["folder_remote_bytes"] = size(folder_remote)
        results["same_site_folder"] = same_site(gpu_box, laptop)

        try:
            import s3fs
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            print(f"S3 part skipped: {exc} (pip install -e '.[test]')", file=sys.stderr)
        else:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            env = {
                **os.environ,
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_ENDPOINT_URL": endpoint,
            }
            try:
                s3fs.S3FileSystem(endpoint_url=endpoint, key="bench", secret="bench").mkdir("explorables-bench")
                url = "s3://explorables-bench/cache"
                steps["push the same entries to S3 (all local)"] = build(gpu_box, "--remote-cache", url, env=env)
                ci = project(tmp / "ci", args.article)
                steps["fresh checkout, pull from S3"] = build(ci, "--remote-cache", url, env=env)
                results["same_site_s3"] = same_site(gpu_box, ci)
            finally:
                server.stop()

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "remote_cache.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"{'step':<42} {'wall s':>7} {'remote s':>8}  ran/cached/pulled  {'pushed':>16}  {'pulled':>16}")
    for name, s in steps.items():
        print(
            f"{name:<42} {s['wall_s']:>7.1f} {s['remote_s']:>8.2f}  "
            f"{s['ran']:>3}/{s['cached']:>3}/{s['pulled']:>3}      "
            f"{s['entries_pushed']:>3} {s['bytes_pushed']:>11,}  {s['entries_pulled']:>3} {s['bytes_pulled']:>11,}"
        )
        if s["ran_stages"] and s["ran"] < s["stages"]:
            print(f"  ran: {', '.join(s['ran_stages'])}")
        for warning in s["warnings"]:
            print(f"  {warning}")
    print(
        f"remote folder {results['folder_remote_bytes']:,} B; pulled site identical: folder "
        f"{results['same_site_folder']}, S3 {results.get('same_site_s3', 'not run')}"
    )
    print(f"saved {RESULTS / 'remote_cache.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
