#!/usr/bin/env python3
"""Article 3's autoencoder zoo at a scale (default: default): each model's epochs,
training images, training seconds and test BCE beside the guide's published BCE.

Trains and evaluates through the pipeline with the project's .cache, so a repeated
run is instant (the table says whether each entry came from the cache; training
seconds are then the ones measured when it was made). Prints a table and writes
bench/results/zoo-<scale>.json (zoo-<scale>-partial.json with --models). The machine's load average is recorded too:
training times on a shared 2-core machine depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def cache_note(row: dict) -> str:
    """'cached', 'trained', or 'evaluated' (training came from the cache, evaluation ran)."""
    if row["cached_train"]:
        return "cached" if row["cached_evaluate"] else "evaluated"
    return "trained"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="default", choices=("tiny", "default", "full"))
    parser.add_argument(
        "--cache", type=Path, default=ROOT / ".cache", help="cache folder (default: the project's .cache)"
    )
    parser.add_argument("--models", default="", help="comma-separated zoo keys (default: all)")
    args = parser.parse_args()
    from generator.config import load_config
    from generator.pipeline import Pipeline
    from generator.stages.zoo import ZOO, evaluate_request

    cfg = load_config(ROOT, overrides={"build.scale": args.scale})
    pipeline = Pipeline(args.cache, show_progress=False)
    keys = [k for k in args.models.split(",") if k] or [m["key"] for m in ZOO]
    load_before = os.getloadavg()
    rows = []
    start = time.perf_counter()
    for key in keys:
        first = len(pipeline.records)
        t0, cpu0 = time.perf_counter(), time.process_time()
        metrics = pipeline.get(evaluate_request(cfg, key)).meta
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        records = pipeline.records[first:]
        train = next((r for r in records if r.name.startswith(f"train {key} ")), None)
        rows.append(
            {
                "model": key,
                "epochs": metrics["epochs"],
                "train_images": metrics["train_count"],
                "test_images": metrics["test_count"],
                "seconds_training": metrics["seconds_training"],
                "seconds_train_stage": round(train.seconds, 2) if train and not train.cached else None,
                "seconds_wall": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "cached_train": train is None or train.cached,
                "cached_evaluate": all(r.cached for r in records if r.name.startswith("evaluate")),
                "test_bce": metrics["test_bce"],
                "test_bce_clean": metrics.get("test_bce_clean"),
                "test_mse": metrics["test_mse"],
                "kl": metrics.get("kl"),
                "params": metrics["params"],
                "guide_bce": metrics["guide_bce"],
            }
        )
        r = rows[-1]
        print(f"  {key}: {cache_note(r)} in {wall:.1f} s ({cpu:.1f} CPU s)", file=sys.stderr, flush=True)
    total = time.perf_counter() - start
    result = {
        "scale": args.scale,
        "cpus": os.cpu_count(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "zoo_epoch_scale": cfg.preset["zoo_epoch_scale"],
        "zoo_conv_epoch_scale": cfg.preset["zoo_conv_epoch_scale"],
        "total_seconds_training": round(sum(r["seconds_training"] for r in rows), 1),
        "total_seconds_wall": round(total, 1),
        "total_cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 1),
        "models": rows,
    }
    out = ROOT / "bench" / "results" / f"zoo-{args.scale}{'-partial' if args.models else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")

    def num(v, fmt):
        return "—" if v is None else format(v, fmt)

    print("| model | epochs | train images | training s | CPU s | test BCE | guide's BCE | cache |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(
            f"| {r['model']} | {r['epochs']} | {r['train_images']:,} | {r['seconds_training']:.1f} | "
            f"{r['cpu_seconds']:.1f} | {r['test_bce']:.4f} | {num(r['guide_bce'], '.3f')} | {cache_note(r)} |"
        )
    print(
        f"training {result['total_seconds_training']:.1f} s in total; wall {total:.1f} s, "
        f"{result['total_cpu_seconds']:.1f} CPU s (this process, all threads); load average "
        f"{load_before[0]:.1f} -> {result['load_average_after'][0]:.1f} on {os.cpu_count()} CPUs "
        f"-> {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
