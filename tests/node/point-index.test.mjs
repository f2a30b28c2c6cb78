// The grid index of lib/point-index.js answers exactly what the linear scan `nearest`
// (lib/decoder-data.js) answers: the same indices, nearest first, ties to the lower index.
import { test } from "node:test";
import assert from "node:assert/strict";

import { nearest } from "../../assets/js/lib/decoder-data.js";
import { createPointIndex } from "../../assets/js/lib/point-index.js";

/** A seeded stream of numbers in [0, 1) (Park–Miller), so failures reproduce. */
function random(seed = 1) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** A standard normal draw (Box–Muller) from `next`. */
const normal = (next) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());

/** The answer by a full sort: what both must return. */
function sorted(codes, x, y, k) {
  const count = codes.length / 2;
  const d = (i) => (codes[2 * i] - x) ** 2 + (codes[2 * i + 1] - y) ** 2;
  return Array.from({ length: count }, (_, i) => i).sort((a, b) => d(a) - d(b) || a - b).slice(0, k);
}

/** Queries: inside the points' box, on points, and far outside it in every direction. */
function queries(codes, next, n) {
  const count = codes.length / 2;
  const out = [];
  for (let q = 0; q < n; q++) {
    const pick = q % 4;
    if (pick === 0 && count) {
      const i = Math.floor(next() * count);
      out.push([codes[2 * i], codes[2 * i + 1]]); // exactly on a point
    } else if (pick === 1) {
      out.push([next() * 1e4 - 5e3, next() * 1e4 - 5e3]); // mostly far outside
    } else out.push([next() * 30 - 15, next() * 30 - 15]);
  }
  return out;
}

/** Check the index against the scan and the full sort for every k and query. */
function agree(codes, label, { ks = [1, 5, 50], n = 60, seed = 3 } = {}) {
  const index = createPointIndex(codes);
  const next = random(seed);
  for (const [x, y] of queries(codes, next, n)) {
    for (const k of ks) {
      const got = index.nearest(x, y, k);
      const want = sorted(codes, x, y, k);
      assert.deepEqual(got, want, `${label}: (${x}, ${y}), k ${k}`);
      if (codes.length) assert.deepEqual(nearest(codes, x, y, k), want, `scan, ${label}: (${x}, ${y}), k ${k}`);
    }
  }
}

test("uniform random sets of several sizes: the same k nearest as the scan", () => {
  for (const [count, seed] of [[2, 1], [7, 2], [100, 3], [1000, 4], [5000, 5]]) {
    const next = random(seed);
    const codes = Float32Array.from({ length: 2 * count }, () => next() * 20 - 10);
    agree(codes, `uniform ${count}`, { seed });
  }
});

test("clustered sets (Gaussian blobs of very different spreads, as a UMAP plane)", () => {
  const next = random(11);
  const count = 6000;
  const blobs = Array.from({ length: 8 }, (_, b) => [next() * 20 - 10, next() * 20 - 10, 0.05 * 3 ** (b % 4)]);
  const codes = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const [cx, cy, s] = blobs[i % blobs.length];
    codes[2 * i] = cx + s * normal(next);
    codes[2 * i + 1] = cy + s * normal(next);
  }
  codes.set([1e3, -1e3], 0); // one outlier stretches the box
  agree(codes, "clustered", { n: 120 });
});

test("duplicates and ties break by index; a set on one line; every point at one spot", () => {
  const next = random(17);
  const grid = Float32Array.from({ length: 2000 }, () => Math.floor(next() * 5)); // 1000 points on 25 spots
  agree(grid, "duplicates");
  const line = Float32Array.from({ length: 1000 }, (_, k) => (k % 2 ? 3 : next() * 10)); // y = 3 for all
  agree(line, "horizontal line");
  const column = Float32Array.from({ length: 1000 }, (_, k) => (k % 2 ? next() * 10 : -2));
  agree(column, "vertical line");
  const same = new Float32Array(600).fill(0.25);
  agree(same, "one spot");
  const index = createPointIndex(same);
  assert.deepEqual(index.nearest(0.25, 0.25, 5), [0, 1, 2, 3, 4]);
  assert.deepEqual(index.nearest(1e9, -1e9, 3), [0, 1, 2]);
  const ring = Float32Array.from([1, 0, -1, 0, 0, 1, 0, -1, 3, 3]); // four at distance 1 from the origin
  assert.deepEqual(createPointIndex(ring).nearest(0, 0, 3), [0, 1, 2]);
});

test("k at or over the count returns every point in order; no points or k 0 returns none", () => {
  const next = random(23);
  const codes = Float32Array.from({ length: 20 }, () => next() * 4);
  const index = createPointIndex(codes);
  assert.equal(index.count, 10);
  for (const k of [10, 11, 50]) assert.deepEqual(index.nearest(1, 2, k), sorted(codes, 1, 2, 10));
  assert.deepEqual(index.nearest(1, 2, 0), []);
  assert.deepEqual(createPointIndex(new Float32Array(0)).nearest(0, 0, 5), []);
  assert.deepEqual(createPointIndex(Float32Array.from([2, 3])).nearest(-50, 80, 1), [0]);
  assert.deepEqual(createPointIndex(Float32Array.from([2, 3])).nearest(2, 3, 5), [0]);
  agree(Float32Array.from([0, 0, 1, 1, 0.5, 2]), "three points", { ks: [1, 2, 3, 5, 50] });
});

test("only the first `count` points are indexed; plain arrays and large offsets work too", () => {
  const codes = [0, 0, 10, 10, 0.1, 0.1];
  assert.deepEqual(createPointIndex(codes, 2).nearest(0.1, 0.1, 3), [0, 1]);
  const next = random(29);
  const far = Float32Array.from({ length: 4000 }, (_, k) => (k % 2 ? -2e5 : 3e5) + next() * 0.01);
  agree(far, "offset by 3e5", { n: 40 });
});
