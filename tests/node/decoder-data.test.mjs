// The decoder figures' data (lib/decoder-data.js): config checks, code-plane points restored from
// their uint16 positions (quantised at build by generator/plane.py), nearest-code search, read-outs.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";

import {
  domainSpans, formatCode, formatPoint, loadPoints, majority, nearest, planeSpans, requireConfig,
} from "../../assets/js/lib/decoder-data.js";

const U16 = 65535;
const BASE = "https://example.test/articles/a/figures/f/";

/** A seeded stream of numbers in [0, 1) (Park–Miller), so failures reproduce. */
function random(seed = 1) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Codes as little-endian uint16 pairs over `domain` and the map back, as generator/plane.py quantise(). */
function quantise(codes, domain) {
  const lo = [domain.x[0], domain.y[0]];
  const scale = [(domain.x[1] - domain.x[0]) / U16, (domain.y[1] - domain.y[0]) / U16];
  const bytes = new Uint8Array(2 * codes.length);
  const view = new DataView(bytes.buffer);
  codes.forEach((v, k) => {
    const axis = k % 2;
    const q = Math.min(U16, Math.max(0, Math.round((v - lo[axis]) / scale[axis])));
    view.setUint16(2 * k, q, true);
  });
  return { bytes, code_from_q: { scale, offset: lo } };
}

let savedFetch;
/** fetch() answering binary bodies from `files` (absolute URLs). */
function serve(files) {
  savedFetch ??= Object.getOwnPropertyDescriptor(globalThis, "fetch");
  const requested = [];
  Object.defineProperty(globalThis, "fetch", {
    configurable: true,
    writable: true,
    value: async (url) => {
      requested.push(String(url));
      if (!(url in files)) throw new TypeError("Failed to fetch");
      return new Response(files[url], { status: 200 });
    },
  });
  return requested;
}
afterEach(() => {
  if (savedFetch) Object.defineProperty(globalThis, "fetch", savedFetch);
  savedFetch = undefined;
});

test("requireConfig names the figure and the first missing key", () => {
  assert.doesNotThrow(() => requireConfig("zoo-latent", { a: 0, b: null, c: "" }, ["a", "b", "c"]));
  assert.throws(() => requireConfig("zoo-latent", { a: 1 }, ["a", "positions", "labels"]),
    { message: "zoo-latent needs config.positions" });
});

test("loadPoints restores every code to within half a quantisation step, with its label", async () => {
  const next = random(5);
  const count = 500;
  const domain = { x: [-3.7, 4.1], y: [-120, -80] };
  const codes = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) {
    codes[2 * i] = domain.x[0] + next() * (domain.x[1] - domain.x[0]);
    codes[2 * i + 1] = domain.y[0] + next() * (domain.y[1] - domain.y[0]);
  }
  codes.set([domain.x[0], domain.y[1], domain.x[1], domain.y[0]], 0); // the corners: q = 0 and 65535
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const { bytes, code_from_q } = quantise(codes, domain);
  const requested = serve({ [`${BASE}positions.u16`]: bytes, [`${BASE}labels.u8`]: labels });
  const points = await loadPoints({ positions: "positions.u16", labels: "labels.u8", count, code_from_q, base: BASE });
  assert.deepEqual(requested.sort(), [`${BASE}labels.u8`, `${BASE}positions.u16`]);
  assert.equal(points.count, count);
  assert.ok(points.codes instanceof Float32Array && points.codes.length === 2 * count);
  assert.deepEqual([...points.labels], [...labels]);
  for (let k = 0; k < 2 * count; k++) {
    const half = code_from_q.scale[k % 2] / 2;
    const tolerance = half + Math.abs(codes[k]) * 2 ** -23; // the Float32Array's rounding
    assert.ok(Math.abs(points.codes[k] - codes[k]) <= tolerance, `code ${k}: ${points.codes[k]} vs ${codes[k]}`);
  }
  assert.ok(Math.abs(points.codes[0] - domain.x[0]) < 1e-6 && Math.abs(points.codes[1] - domain.y[1]) < 1e-4);
});

test("loadPoints reads only the first count points and rejects files that hold fewer", async () => {
  const codes = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
  const { bytes, code_from_q } = quantise(codes, { x: [0, 1], y: [0, 1] });
  serve({ [`${BASE}p.u16`]: bytes, [`${BASE}l.u8`]: Uint8Array.from([7, 8, 9]) });
  const config = { positions: "p.u16", labels: "l.u8", code_from_q, base: BASE };
  const two = await loadPoints({ ...config, count: 2 });
  assert.equal(two.codes.length, 4);
  assert.deepEqual([...two.labels], [7, 8]);
  await assert.rejects(loadPoints({ ...config, count: 4 }), /fewer than 4 points/);
});

test("nearest gives the k nearest codes, nearest first, as a full sort does", () => {
  const next = random(9);
  const codes = Float32Array.from({ length: 600 }, () => next() * 10 - 5);
  for (let trial = 0; trial < 20; trial++) {
    const [x, y, k] = [next() * 12 - 6, next() * 12 - 6, 1 + Math.floor(next() * 8)];
    const d = (i) => (codes[2 * i] - x) ** 2 + (codes[2 * i + 1] - y) ** 2;
    const want = Array.from({ length: 300 }, (_, i) => i).sort((a, b) => d(a) - d(b) || a - b).slice(0, k);
    assert.deepEqual(nearest(codes, x, y, k), want, `(${x}, ${y}), k ${k}`);
  }
});

test("nearest breaks ties by index and returns every point when k exceeds their number", () => {
  const codes = Float32Array.from([1, 0, -1, 0, 0, 1, 0, -1, 3, 3]);
  assert.deepEqual(nearest(codes, 0, 0, 3), [0, 1, 2]);
  assert.deepEqual(nearest(codes, 0, 0, 10), [0, 1, 2, 3, 4]);
  assert.deepEqual(nearest(new Float32Array(0), 0, 0, 3), []);
});

test("formatCode gives the digits the plane's span needs and a true minus sign", () => {
  assert.equal(formatCode(1.23456, 5), "1.235");
  assert.equal(formatCode(-1.23456, 50), "\u22121.23");
  assert.equal(formatCode(-123.456, 500), "\u2212123.5");
});

test("formatCode shows a value that rounds to zero without a minus sign", () => {
    assert.equal(formatCode(-0.0001, 1), "0.000");
  });

test("formatPoint labels both axes, each with its own digits", () => {
  assert.equal(formatPoint([1.23456, -0.5], [5, 200]), "z\u2081 1.235, z\u2082 \u22120.5");
});

test("majority gives the most common label and its count, the first seen on a tie", () => {
  const labels = [3, 1, 1, 3, 2, 2];
  assert.deepEqual(majority(labels, [0, 1, 2, 4]), { label: 1, n: 2 });
  assert.deepEqual(majority(labels, [0, 4, 5, 3]), { label: 3, n: 2 });
  assert.equal(majority(labels, []), null);
});

test("domainSpans and planeSpans measure the axes; planeSpans wants increasing ranges", () => {
  assert.deepEqual(domainSpans({ x: [-1, 3], y: [2, 2.5] }), [4, 0.5]);
  assert.deepEqual(planeSpans("decoder-sampler", { x: [-1, 3], y: [2, 2.5] }), [4, 0.5]);
  for (const domain of [{ x: [1, 1], y: [0, 1] }, { x: [0, 1], y: [2, 1] }, { x: [0, Number.NaN], y: [0, 1] }]) {
    assert.throws(() => planeSpans("decoder-sampler", domain), { message: "decoder-sampler config.domain must be increasing ranges" });
  }
});
