#!/usr/bin/env python3
"""The flagship article at full scale: all 70,000 MNIST digits and a CelebA-shaped face set, built with --strict.

    python bench/full_scale.py --mnist mnist.npz [--faces 3000] [--work /tmp/full-scale] [--jobs 2]

Full MNIST is in no package this machine can install from (docs/distributed.md and ENVIRONMENT notes say where to
get it); pass it with --mnist. The faces are made here: the 400 AT&T/ORL faces, each varied (scale, shift, mirror,
skin tone and background) into ``--faces`` colour JPEGs of 178 x 218, CelebA's size, in a zip laid out as
img_align_celeba/. The project is a copy of this repository's site.toml and the flagship article alone (the zoo
at full scale trains for hours). Prints, and writes to bench/results/full-scale.json: every stage's time, the
flagship's bytes at first mount and by exploring against the budget, and whether --strict passed. Then run
``python bench/page.py --site <work>/site`` for the page's own numbers in Chromium.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
ARTICLE = "visualizing-autoencoders"
CELEBA = (218, 178)  # height, width


def make_faces(path: Path, count: int, seed: int = 0) -> None:
    """``count`` colour faces of CelebA's size from the ORL faces, as img_align_celeba/NNNNNN.jpg in a zip."""
    from PIL import Image, ImageOps

    from generator.datasets.faces import load_orl

    orl = load_orl(None, seed, None)
    faces = np.concatenate([orl.x_train, orl.x_test])
    rng = np.random.default_rng(seed)
    h, w = CELEBA
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            face = Image.fromarray(faces[i % len(faces)]).convert("L")
            if rng.random() < 0.5:
                face = ImageOps.mirror(face)
            zoom = rng.uniform(1.0, 1.18)
            size = (round(w * zoom), round(h * zoom))
            face = face.resize(size, Image.Resampling.BICUBIC)
            left, top = rng.integers(0, size[0] - w + 1), rng.integers(0, size[1] - h + 1)
            gray = np.asarray(face.crop((left, top, left + w, top + h)), np.float32) / 255
            tone = np.array([1.0, rng.uniform(0.78, 0.9), rng.uniform(0.62, 0.8)], np.float32)
            background = rng.uniform(0.2, 0.9, 3).astype(np.float32)
            mask = np.clip((gray - 0.12) * 4, 0, 1)[..., None]  # dark ORL backgrounds take a colour of their own
            rgb = gray[..., None] * tone * mask + background * (1 - mask) * 0.6
            out = io.BytesIO()
            Image.fromarray(np.clip(rgb * 255, 0, 255).astype(np.uint8), "RGB").save(out, "JPEG", quality=90)
            archive.writestr(f"img_align_celeba/{i + 1:06d}.jpg", out.getvalue())
    tmp.replace(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", required=True, help="mnist.npz or a folder of the four IDX files (70,000)")
    parser.add_argument("--faces", type=int, default=3000, help="CelebA-shaped faces to make (default 3000)")
    parser.add_argument("--work", default="/tmp/full-scale", help="project, cache and site folder")
    parser.add_argument("--jobs", default="2", help="--jobs for the build")
    parser.add_argument("--out", default=str(RESULTS / "full-scale.json"))
    args = parser.parse_args()
    work = Path(args.work)
    project = work / "project"
    (project / "content").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "site.toml", project / "site.toml")
    shutil.copy(ROOT / "content" / f"{ARTICLE}.md", project / "content" / f"{ARTICLE}.md")
    faces = work / f"faces-{args.faces}.zip"
    if not faces.exists():
        print(f"making {args.faces:,} CelebA-shaped faces in {faces} ...", file=sys.stderr)
        make_faces(faces, args.faces)
    site = work / "site"
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(project / "site.toml"), "--scale", "full"]
    cmd += ["--mnist", str(Path(args.mnist).resolve()), "--celeba", str(faces), "--out", str(site), "--force"]
    cmd += ["--jobs", args.jobs, "--strict"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    sys.stderr.write(done.stderr[-6000:])
    report_file = site / "build-report.json"
    if done.returncode != 0 and not report_file.exists():
        message = next((line for line in done.stderr.splitlines() if line.startswith("error:")), "")
        result = {"strict_passed": False, "seconds": round(seconds, 1), "error": message}
    else:
        report = json.loads(report_file.read_text())
        (page,) = [p for p in report["pages"] if p["path"] == f"{ARTICLE}/index.html"]
        result = {
            "strict_passed": done.returncode == 0,
            "seconds": round(seconds, 1),
            "stages": {s["name"]: {"status": s["status"], "seconds": s["seconds"]} for s in report["stages"]},
            "page": {k: page[k] for k in page if k != "path"},
            "budget_gzip_bytes": report["budget_gzip_bytes"],
        }
    result.update({"mnist": str(args.mnist), "faces": args.faces, "jobs": args.jobs})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "stages"}, indent=1))
    for name, stage in result.get("stages", {}).items():
        if stage["seconds"] >= 5:
            print(f"  {name:<44} {stage['status']:<7} {stage['seconds']:>8.1f} s")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
