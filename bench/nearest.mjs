#!/usr/bin/env node
// Nearest-neighbour lookups on the code plane: the grid index of
// assets/js/lib/point-index.js against the linear scan `nearest` of
// assets/js/lib/decoder-data.js (what decoder-sampler, zoo-latent and
// draw-digit ran on every pointer move before the index).
//
// Points: clustered like a UMAP plane (a few Gaussian blobs of different
// sizes, seeded), stored as the figures store them (Float32Array). Queries:
// 10,000 uniform over the points' box padded by 10% (the plane a pointer
// moves over), seeded. For 10,000 and 70,000 points and k = 5, 7, 10
// (the figures' neighbours) and 50, prints and saves the index's build time
// and the median and p99 time of one query for the index and the scan, and
// checks that both return the same indices for every query.
//
// Timings are observations, never assertions: other work on the machine
// (the load average is recorded) lengthens them.
//
//     node bench/nearest.mjs [--out bench/results/nearest.json] [--queries 10000]

import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { performance } from "node:perf_hooks";

import { nearest } from "../assets/js/lib/decoder-data.js";
import { createPointIndex } from "../assets/js/lib/point-index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const OUT = resolve(option("--out", `${HERE}/results/nearest.json`));
const QUERIES = Number(option("--queries", 10000));
const SIZES = [10000, 70000];
const KS = [5, 7, 10, 50];

/** A seeded stream of numbers in [0, 1) (Park–Miller). */
function random(seed) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}
const normal = (next) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());

/** `count` points in 10 blobs (UMAP-like: tight, uneven clusters over roughly [-10, 15]²). */
function clustered(count, seed = 7) {
  const next = random(seed);
  const blobs = Array.from({ length: 10 }, () => [next() * 25 - 10, next() * 25 - 10, 0.3 + next() * 1.2]);
  const weights = blobs.map(() => 0.5 + next());
  const total = weights.reduce((a, b) => a + b, 0);
  const codes = new Float32Array(2 * count);
  for (let i = 0; i < count; i += 1) {
    let pick = next() * total, b = 0;
    while (pick > weights[b] && b < blobs.length - 1) pick -= weights[b++];
    const [cx, cy, s] = blobs[b];
    codes[2 * i] = cx + s * normal(next);
    codes[2 * i + 1] = cy + s * normal(next);
  }
  return codes;
}

function box(codes) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < codes.length; i += 2) {
    x0 = Math.min(x0, codes[i]); x1 = Math.max(x1, codes[i]);
    y0 = Math.min(y0, codes[i + 1]); y1 = Math.max(y1, codes[i + 1]);
  }
  return { x0, x1, y0, y1 };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (v) => Number(v.toFixed(5));

/** Time `query(x, y)` for each query point: median, p99 and max in ms, and the answers. */
function timeAll(points, query) {
  const times = new Float64Array(points.length / 2);
  const answers = [];
  for (let q = 0; q < points.length; q += 2) {
    const t0 = performance.now();
    const got = query(points[q], points[q + 1]);
    times[q / 2] = performance.now() - t0;
    answers.push(got);
  }
  times.sort();
  return { median_ms: ms(quantile(times, 0.5)), p99_ms: ms(quantile(times, 0.99)), max_ms: ms(times[times.length - 1]), answers };
}

const results = [];
for (const count of SIZES) {
  const codes = clustered(count);
  const { x0, x1, y0, y1 } = box(codes);
  const padX = 0.1 * (x1 - x0), padY = 0.1 * (y1 - y0);
  const next = random(count + 1);
  const queries = Float64Array.from({ length: 2 * QUERIES }, (_, k) =>
    (k % 2 ? y0 - padY + next() * (y1 - y0 + 2 * padY) : x0 - padX + next() * (x1 - x0 + 2 * padX)));
  createPointIndex(codes); // warm the code paths before timing a build
  const builds = [];
  let index;
  for (let rep = 0; rep < 5; rep += 1) {
    const t0 = performance.now();
    index = createPointIndex(codes);
    builds.push(performance.now() - t0);
  }
  builds.sort((a, b) => a - b);
  for (const k of KS) {
    const grid = timeAll(queries, (x, y) => index.nearest(x, y, k));
    const scan = timeAll(queries, (x, y) => nearest(codes, x, y, k));
    const mismatches = grid.answers.filter((got, q) => got.join() !== scan.answers[q].join()).length;
    const row = {
      points: count, queries: QUERIES, k, build_ms: ms(builds[2]),
      index: { median_ms: grid.median_ms, p99_ms: grid.p99_ms, max_ms: grid.max_ms },
      scan: { median_ms: scan.median_ms, p99_ms: scan.p99_ms, max_ms: scan.max_ms },
      speedup_median: Number((scan.median_ms / grid.median_ms).toFixed(1)),
      mismatches,
    };
    results.push(row);
    console.log(`${String(count).padStart(6)} points k ${String(k).padStart(2)}: build ${row.build_ms.toFixed(2)} ms; ` +
      `index median ${row.index.median_ms.toFixed(4)} ms p99 ${row.index.p99_ms.toFixed(4)} ms; ` +
      `scan median ${row.scan.median_ms.toFixed(4)} ms p99 ${row.scan.p99_ms.toFixed(4)} ms; ` +
      `${row.speedup_median}x; ${mismatches} mismatches`);
    if (mismatches) process.exitCode = 1;
  }
}

const report = {
  bench: "nearest", node: process.version, platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", loadavg: os.loadavg().map((v) => Number(v.toFixed(2))),
  when: new Date().toISOString(), points: "10 Gaussian blobs (UMAP-like), Float32Array, seeded",
  queries: "uniform over the points' box padded by 10%, seeded", results,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${OUT}`);
