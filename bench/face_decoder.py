#!/usr/bin/env python3
"""The face decoder in Chromium: its bytes and one decode's time on TF.js's cpu backend.

Issue 13's target for faces at CelebA's size: the decoder at most 1.5 MB, one predict at most 16 ms on the cpu
backend (what the page uses where WebGL is software-rendered). This builds the flagship's face decoder
(generator/models/faces.py, seeded weights: the time does not depend on what it learned) for each size, exports
it with the build's exporter (the smallest encoding within [export] max_error on a grid of codes, as the export
stage chooses), loads it in Chromium as the faces figure does (vendored TF.js, cpu backend) and times one
decode as the figure does it (predict one code, read the pixels back), after a warm-up, many times:

- with TF.js's own kernels, and
- with the page's fast per-channel Add (assets/js/lib/tf-cpu-kernels.js, which every figure's backend choice
  registers), checking the faces are the same bit for bit (exit 1 if not).

Both run in one page, TF.js's kernels first, each after five warm-up decodes.

Prints a table and writes bench/results/face-decoder.json. Timings are observations, never assertions: other
work on the machine (the load average is recorded) lengthens them.

    .venv/bin/python bench/face_decoder.py [--sizes 218x178,112x92] [--runs 60] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.page import browser_args, serve, stats  # noqa: E402

TARGET_MS = 16
TARGET_BYTES = int(1.5 * 2**20)

PAGE = """<!doctype html><meta charset="utf-8"><title>face decoder</title>
<script type="importmap">{"imports": {"@tensorflow/tfjs": "./tf.fesm.min.js"}}</script>
<script type="module">
import * as tf from "@tensorflow/tfjs";
import { useFastChannelAdd } from "./tf-cpu-kernels.js";

async function time(model, runs) {
  const times = [];
  let face = null;
  for (let i = 0; i < runs + 5; i += 1) {
    const code = [Math.cos(i) * 0.5, Math.sin(1.7 * i) * 0.5];
    const start = performance.now();
    const output = tf.tidy(() => model.predict(tf.tensor2d([code], [1, 2])));
    const values = await output.data();
    output.dispose();
    if (i >= 5) times.push(performance.now() - start);
    if (i === 0) face = values;
  }
  return { times, face: Array.from(face) };
}

window.measure = async (url, runs) => {
  await tf.setBackend("cpu");
  await tf.ready();
  const model = await tf.loadLayersModel(url);
  const plain = await time(model, runs);
  useFastChannelAdd(tf);
  const fast = await time(model, runs);
  model.dispose();
  const same = plain.face.length === fast.face.length && plain.face.every((v, i) => v === fast.face[i]);
  return { backend: tf.getBackend(), plain: plain.times, fast: fast.times, same, pixels: fast.face.length,
    userAgent: navigator.userAgent };
};
window.ready = true;
</script>
"""


def export_decoder(size: tuple[int, int], folder: Path) -> dict:
    """The flagship's face decoder for ``size``, exported as the build's export stage would; its numbers."""
    import keras
    import numpy as np

    from generator.config import load_config
    from generator.models.faces import build_face_autoencoder
    from generator.tfjs.best import export_best

    keras.utils.set_random_seed(0)
    _, _, decoder = build_face_autoencoder(size)
    axis = np.linspace(-3, 3, 8, dtype="float32")
    probe = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)
    info = export_best(decoder, folder, probe, max_error=load_config(ROOT)["export.max_error"])
    return {
        "params": int(decoder.count_params()),
        "dtype": info["dtype"],
        "bytes": sum(f.stat().st_size for f in folder.iterdir()),
        "weight_bytes": sum(f.stat().st_size for f in folder.iterdir() if f.suffix == ".bin"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="218x178,112x92", help="height x width, comma-separated")
    parser.add_argument("--runs", type=int, default=60, help="decodes timed per size and kernel set")
    parser.add_argument("--out", default=str(ROOT / "bench/results/face-decoder.json"))
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]

    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="face-decoder-"))
    rows = []
    try:
        (work / "index.html").write_text(PAGE)
        shutil.copy(ROOT / "node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", work)
        shutil.copy(ROOT / "assets/js/lib/tf-cpu-kernels.js", work)
        for h, w in sizes:
            folder = work / f"decoder-{h}x{w}"
            rows.append({"image": [h, w], **export_decoder((h, w), folder)})
        server, origin = serve(work)
        chromium, chromium_args, viewport = browser_args()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(chromium), args=chromium_args)
                page = browser.new_page(viewport=viewport)
                for row in rows:  # a fresh page per size: each starts from TF.js's own kernels
                    page.goto(f"{origin}/index.html")
                    page.wait_for_function("window.ready === true")
                    h, w = row["image"]
                    got = page.evaluate(
                        "([url, runs]) => window.measure(url, runs)",
                        [f"{origin}/decoder-{h}x{w}/model.json", args.runs],
                    )
                    row.update(
                        backend=got["backend"],
                        same_faces=got["same"],
                        decode_ms_tfjs_kernels=stats(got["plain"]),
                        decode_ms=stats(got["fast"]),
                    )
                    row["chromium"] = got["userAgent"]
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
        "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in os.getloadavg()],
        "targets": {"decode_ms": TARGET_MS, "bytes": TARGET_BYTES},
        "runs": args.runs,
        "decoders": rows,
    }
    print(f"face decoder, {result['cpus']} CPUs, load average before {result['loadavg_before']}")
    print(f"{'image':>9} {'params':>8} {'dtype':>8} {'bytes':>9} {'TF.js kernels ms':>18} {'page ms':>14} same")
    for r in rows:
        k, f = r["decode_ms_tfjs_kernels"], r["decode_ms"]
        print(
            f"{r['image'][0]}x{r['image'][1]:<5} {r['params']:>8,} {r['dtype']:>8} {r['bytes']:>9,}"
            f" {k['median']:>8} (p95 {k['p95']:>5}) {f['median']:>5} (p95 {f['p95']:>5}) {r['same_faces']}"
        )
    print(f"targets: one decode <= {TARGET_MS} ms (median), decoder <= {TARGET_BYTES:,} bytes")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")
    if not all(r["same_faces"] for r in rows):
        print("error: the page's per-channel Add changed a face; it must give TF.js's sums bit for bit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
