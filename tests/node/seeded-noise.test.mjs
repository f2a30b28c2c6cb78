// Seeded randomness: lib/seeded-random.js (repeatable shuffles and starting weights) and the
// zoo-denoise noise (figures/zoo-denoise/noise.js), which must be bit for bit the noise that
// generator/figures/zoo_denoise.py draws for the fallback image from the same seed.
import { test } from "node:test";
import assert from "node:assert/strict";

import { seededRandom, shuffled } from "../../assets/js/lib/seeded-random.js";
import { corrupt, gaussianNoise, meanAbsDiff, mulberry32, noiseSeed } from "../../assets/js/figures/zoo-denoise/noise.js";

const draw = (random, n) => Array.from({ length: n }, () => random());

// Reference values from the Python port, produced once with
//   .venv/bin/python -c 'from generator.figures.zoo_denoise import mulberry32, gaussian_noise, noise_seed; ...'
// printing repr() of mulberry32(seed)() draws, noise_seed(...) and gaussian_noise(seed, n).
const PY_UNIFORM = {
  42: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693],
  0: [0.26642920868471265, 0.0003297457005828619],
  4294967295: [0.8964226141106337, 0.189478256739676],
};
const PY_SEED = { "1234,3,2": 234449, "4294967000,1,0": 7623 };
const PY_GAUSSIAN = {
  234449: [-1.3486142024075567, 1.1723138051340551, -1.393043647588476, 1.3550281605159127, 1.7096971330444037],
  7: [0.14197043782155663, 0.058240714748711335, -0.8642530248729361],
};

test("seededRandom repeats itself for a seed and stays in [0, 1)", () => {
  assert.deepEqual(draw(seededRandom(5), 50), draw(seededRandom(5), 50));
  assert.notDeepEqual(draw(seededRandom(5), 5), draw(seededRandom(6), 5));
  for (const v of draw(seededRandom(123), 5000)) assert.ok(v >= 0 && v < 1, `${v}`);
});

test("seededRandom reads its seed as a uint32 and never starts from the all-zero state", () => {
  assert.deepEqual(draw(seededRandom(-1), 4), draw(seededRandom(2 ** 32 - 1), 4));
  assert.deepEqual(draw(seededRandom(2 ** 32 + 5), 4), draw(seededRandom(5), 4));
  assert.deepEqual(draw(seededRandom(0), 4), draw(seededRandom(0x9e3779b9), 4), "seed 0 stands in for a fixed one");
});

test("seededRandom is mulberry32, the same generator as the zoo-denoise noise for seeds other than 0", () => {
  for (const seed of [1, 42, 99991, 2 ** 31, 2 ** 32 - 1]) {
    assert.deepEqual(draw(seededRandom(seed), 20), draw(mulberry32(seed), 20), `seed ${seed}`);
  }
});

test("seededRandom's values are spread evenly", () => {
  const values = draw(seededRandom(2024), 20000);
  const bins = new Array(10).fill(0);
  for (const v of values) bins[Math.floor(v * 10)] += 1;
  for (const count of bins) assert.ok(Math.abs(count - 2000) < 200, `bins ${bins}`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
});

test("shuffled is a permutation of 0..n-1, repeatable for a seed", () => {
  for (const n of [0, 1, 2, 10, 257]) {
    const order = shuffled(n, seededRandom(n + 1));
    assert.ok(order instanceof Int32Array);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
  assert.deepEqual(shuffled(100, seededRandom(3)), shuffled(100, seededRandom(3)));
  assert.notDeepEqual(shuffled(100, seededRandom(3)), shuffled(100, seededRandom(4)));
});

test("shuffled draws every order about equally often (Fisher-Yates, not a biased swap)", () => {
  const random = seededRandom(77);
  const counts = new Map();
  for (let i = 0; i < 6000; i++) {
    const key = shuffled(3, random).join("");
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const [key, count] of counts) assert.ok(Math.abs(count - 1000) < 120, `${key}: ${count}`);
});

test("the page's uniform draws are the Python port's, bit for bit", () => {
  for (const [seed, want] of Object.entries(PY_UNIFORM)) {
    assert.deepEqual(draw(mulberry32(Number(seed)), want.length), want, `seed ${seed}`);
  }
});

test("noiseSeed combines base, image and draw as noise_seed() in zoo_denoise.py, as a uint32", () => {
  for (const [args, want] of Object.entries(PY_SEED)) {
    const [base, image, drawIndex] = args.split(",").map(Number);
    assert.equal(noiseSeed(base, image, drawIndex), want, args);
  }
  assert.equal(noiseSeed(1234, 3, 2), noiseSeed(1234, 3, 2, [7919, 104729]), "the default steps are the build's");
  const seeds = new Set();
  for (let image = 0; image < 20; image++) for (let d = 0; d < 20; d++) seeds.add(noiseSeed(17, image, d));
  assert.equal(seeds.size, 400, "every image and draw gets its own seed");
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
});

test("gaussianNoise draws the Python port's values", () => {
  // The uniforms are bit for bit equal; Math.log/cos/sin may differ from libm in the last bit, hence 1e-12.
  for (const [seed, want] of Object.entries(PY_GAUSSIAN)) {
    const got = gaussianNoise(Number(seed), want.length);
    assert.ok(got instanceof Float64Array);
    want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-12, `seed ${seed}[${i}]: ${got[i]} vs ${v}`));
  }
});

test("gaussianNoise: a shorter draw is a prefix of a longer one, odd counts included", () => {
  const long = gaussianNoise(31, 10);
  for (const n of [0, 1, 4, 5, 9]) assert.deepEqual([...gaussianNoise(31, n)], [...long.subarray(0, n)]);
});

test("gaussianNoise is standard normal", () => {
  const values = gaussianNoise(4242, 40000);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  const within = values.filter((v) => Math.abs(v) < 1).length / values.length;
  assert.ok(Math.abs(within - 0.6827) < 0.01, `P(|z| < 1) = ${within}`);
  assert.ok(values.every(Number.isFinite));
});

test("corrupt adds scaled noise and clips to [0, 1], into the array it is given", () => {
  const clean = Float32Array.from([0, 0.25, 0.5, 0.75, 1, 0.5]);
  const noise = Float64Array.from([-1, 1, 0.1, 2, 0.5, -0.3]);
  const out = new Float32Array(6);
  assert.equal(corrupt(clean, noise, 0.2, out), out);
  assert.deepEqual([...out], [0, 0.45, 0.52, 1, 1, 0.44].map(Math.fround));
  assert.deepEqual([...corrupt(clean, noise, 0, new Float32Array(6))], [...clean], "level 0: the clean image");
  const big = corrupt(new Float32Array(1000).fill(0.5), gaussianNoise(9, 1000), 3, new Float32Array(1000));
  assert.ok(big.every((v) => v >= 0 && v <= 1));
  assert.ok(big.some((v) => v === 0) && big.some((v) => v === 1), "strong noise reaches both clips");
});

test("meanAbsDiff is the mean absolute difference, zero for equal arrays", () => {
  assert.equal(meanAbsDiff([1, 2, 3], [1, 2, 3]), 0);
  assert.equal(meanAbsDiff([0, 0, 0, 0], [1, -1, 2, 0]), 1);
  const a = gaussianNoise(1, 50);
  const b = gaussianNoise(2, 50);
  assert.equal(meanAbsDiff(a, b), meanAbsDiff(b, a));
});
