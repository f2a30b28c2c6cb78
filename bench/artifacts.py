#!/usr/bin/env python3
"""The artifact pipeline at a given scale (default: default): seconds per stage,
bytes of every shipped artifact, each layout's trustworthiness, each export's error.

Prints a table and writes bench/results/artifacts-<scale>.json. Uses a fresh
cache unless --warm is given (then the project's .cache is used and filled).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="default", choices=("tiny", "default", "full"))
    parser.add_argument(
        "--warm", action="store_true", help="use (and fill) the project's .cache instead of a fresh one"
    )
    args = parser.parse_args()
    from generator.config import load_config
    from generator.pipeline import Pipeline
    from generator.stages.atlas import atlas_request
    from generator.stages.export import export_request
    from generator.stages.layout import METHODS, layout_request

    cfg = load_config(ROOT, overrides={"build.scale": args.scale})
    cache = ROOT / ".cache" if args.warm else Path(tempfile.mkdtemp(prefix="bench-cache-"))
    pipeline = Pipeline(cache, show_progress=False)
    start = time.perf_counter()
    layouts = {m: pipeline.get(layout_request(cfg, m)).meta for m in METHODS}
    atlas = pipeline.get(atlas_request(cfg)).meta
    exports = {
        f"{m} {p}": pipeline.get(export_request(cfg, m, p)).meta
        for m, p in (
            ("mnist_ae", "decoder"),
            ("mnist_ae", "encoder"),
            ("mnist_vae", "decoder"),
            ("faces_ae", "decoder"),
        )
    }
    total = time.perf_counter() - start
    result = {
        "scale": args.scale,
        "cpus": os.cpu_count(),
        "total_seconds": round(total, 1),
        "stages": [
            {"name": r.name, "cached": r.cached, "seconds": round(r.seconds, 2), "bytes": r.bytes}
            for r in pipeline.records
        ],
        "layouts": {
            m: {"trustworthiness": v["trustworthiness"], "positions_bytes": 4 * v["count"]} for m, v in layouts.items()
        },
        "atlas": atlas,
        "exports": {
            k: {"dtype": v["dtype"], "bytes": v["bytes"], "max_error": v["max_error"], "tried": v["tried"]}
            for k, v in exports.items()
        },
        "training": {r.name: r.meta.get("loss") for r in pipeline.records if r.name.startswith("train")},
    }
    out = ROOT / "bench" / "results" / f"artifacts-{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    for r in result["stages"]:
        print(f"{r['name']:<40} {'cached' if r['cached'] else 'ran':<7} {r['seconds']:>8.1f} s {r['bytes']:>12,} B")
    for m, v in result["layouts"].items():
        print(f"layout {m:<8} trustworthiness {v['trustworthiness']:.3f}  {v['positions_bytes']:,} B")
    for k, v in result["exports"].items():
        print(f"export {k:<20} {v['dtype']:<8} {v['bytes']:>9,} B  max error {v['max_error']:.2e}")
    print(f"atlas: {atlas['atlases']} x {atlas['side']}² PNG, {atlas['bytes_png']:,} B")
    print(f"total {total:.1f} s -> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
