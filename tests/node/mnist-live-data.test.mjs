// mnist-live's data (figures/mnist-live/data.js): digits packed at 16 grey levels, two pixels per
// byte (high nibble first); the nearest code; codes as text.
import { test } from "node:test";
import assert from "node:assert/strict";

import { formatCode, nearestIndex, unpackLevels } from "../../assets/js/figures/mnist-live/data.js";

/** A seeded stream of numbers in [0, 1) (Park–Miller), so failures reproduce. */
function random(seed = 1) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Values in [0, 1] at the nearest of `levels` grey levels, two per byte, high nibble first (as mnist_live.py pack4). */
function pack(values, levels = 16) {
  const bytes = new Uint8Array(Math.ceil(values.length / 2));
  values.forEach((v, i) => {
    const level = Math.round(v * (levels - 1));
    bytes[i >> 1] |= i % 2 ? level : level << 4;
  });
  return bytes;
}

test("unpackLevels reads the high nibble first", () => {
  const out = unpackLevels(Uint8Array.from([0xf0, 0x3c]), 4);
  assert.ok(out instanceof Float32Array);
  assert.deepEqual([...out], [1, 0, 3 / 15, 12 / 15].map(Math.fround));
});

test("packing then unpacking keeps every value to within half a grey level", () => {
  const next = random(6);
  const values = Array.from({ length: 28 * 28 * 3 }, () => next());
  const out = unpackLevels(pack(values), values.length);
  values.forEach((v, i) => assert.ok(Math.abs(out[i] - v) <= 0.5 / 15 + 1e-6, `pixel ${i}: ${out[i]} vs ${v}`));
  assert.deepEqual([...unpackLevels(pack([...out]), out.length)], [...out], "levels round-trip exactly");
});

test("unpackLevels reads one digit out of many, from an odd start too", () => {
  const next = random(2);
  const digits = Array.from({ length: 5 * 7 }, () => Math.round(next() * 15) / 15); // five 7-pixel "digits"
  const packed = pack(digits);
  for (let d = 0; d < 5; d++) {
    const one = unpackLevels(packed, 7, 16, 7 * d);
    assert.deepEqual([...one], digits.slice(7 * d, 7 * d + 7).map(Math.fround), `digit ${d}`);
  }
});

test("unpackLevels scales by the number of levels", () => {
  assert.deepEqual([...unpackLevels(Uint8Array.from([0x12, 0x30]), 3, 4)], [1 / 3, 2 / 3, 1].map(Math.fround));
});

test("nearestIndex finds the code nearest a point, the first of equals, -1 for none", () => {
  const next = random(12);
  const codes = Float32Array.from({ length: 400 }, () => next() * 8 - 4);
  for (let trial = 0; trial < 20; trial++) {
    const [x, y] = [next() * 10 - 5, next() * 10 - 5];
    const d = (i) => (codes[2 * i] - x) ** 2 + (codes[2 * i + 1] - y) ** 2;
    let best = 0;
    for (let i = 1; i < 200; i++) if (d(i) < d(best)) best = i;
    assert.equal(nearestIndex(codes, x, y), best);
  }
  assert.equal(nearestIndex(Float32Array.from([1, 0, -1, 0]), 0, 0), 0);
  assert.equal(nearestIndex(new Float32Array(0), 0, 0), -1);
});

test("formatCode writes a code pair with a true minus sign and no negative zero", () => {
  assert.equal(formatCode(1.234, -0.456), "(1.23, \u22120.46)");
  assert.equal(formatCode(-0.004, 0.001), "(0.00, 0.00)");
  assert.equal(formatCode(-0.2, 3, 1), "(\u22120.2, 3.0)");
  assert.equal(formatCode(-0.04, 0, 1), "(0.0, 0.0)");
});
