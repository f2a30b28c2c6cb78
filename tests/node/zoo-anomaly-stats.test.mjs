// The numbers behind the zoo-anomaly chart (figures/zoo-anomaly/stats.js): box-plot statistics
// per class, ranks, the points drawn, their jitter, the error axis, the read-out and the keyboard.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  classSummaries, describeChoice, errorDomain, f3, jitter, keyMove, ranksWithinClass, stripOf,
} from "../../assets/js/figures/zoo-anomaly/stats.js";

/** A seeded stream of numbers in [0, 1) (Park–Miller), so failures reproduce. */
function random(seed = 1) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** n images in `classes.length` classes with random errors. */
function dataset(n, classes, seed = 3) {
  const next = random(seed);
  const errors = Float32Array.from({ length: n }, () => next() * next());
  const labels = Uint8Array.from({ length: n }, () => Math.floor(next() * classes.length));
  return { errors, labels, classes };
}

test("f3 writes three decimals, and a dash for a missing error", () => {
  assert.equal(f3(0.12345), "0.123");
  assert.equal(f3(2), "2.000");
  for (const v of [undefined, null, Number.NaN, Infinity]) assert.equal(f3(v), "\u2013");
});

test("classSummaries sorts each class's images by error and splits all images among the classes", () => {
  const { errors, labels, classes } = dataset(300, ["a", "b", "c", "d"]);
  const summaries = classSummaries(errors, labels, classes);
  assert.deepEqual(summaries.map((s) => [s.name, s.c]), [["a", 0], ["b", 1], ["c", 2], ["d", 3]]);
  const seen = summaries.flatMap((s) => s.order).sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: 300 }, (_, i) => i));
  for (const s of summaries) {
    assert.equal(s.count, s.order.length);
    assert.ok(s.order.every((i) => labels[i] === s.c));
    for (let k = 1; k < s.order.length; k++) assert.ok(errors[s.order[k - 1]] <= errors[s.order[k]]);
    assert.ok(s.min <= s.low && s.low <= s.q1 && s.q1 <= s.median && s.median <= s.q3);
    assert.ok(s.q3 <= s.high && s.high <= s.max);
  }
});

test("classSummaries: quartiles interpolate, whiskers stop at the last values within 1.5 IQR", () => {
  const errors = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100, -20];
  const labels = new Array(11).fill(0);
  const [s] = classSummaries(errors, labels, ["only"]);
  // sorted: -20 1 2 ... 9 100 -> q1 at 2.5 of 10: 2.5, median 5, q3 7.5; IQR 5, fences -5 and 15
  assert.deepEqual([s.q1, s.median, s.q3], [2.5, 5, 7.5]);
  assert.deepEqual([s.low, s.high], [1, 9]);
  assert.deepEqual([s.min, s.max], [-20, 100]);
});

test("classSummaries leaves an empty class without statistics and skips unknown labels", () => {
  const summaries = classSummaries([0.1, 0.2, 0.3], [0, 0, 7], ["seen", "empty"]);
  assert.equal(summaries[0].count, 2);
  assert.deepEqual(summaries[1], { name: "empty", c: 1, order: [], count: 0 });
});

test("ranksWithinClass gives each image its position in its class, lowest error 0", () => {
  const { errors, labels, classes } = dataset(120, ["a", "b", "c"]);
  const summaries = classSummaries(errors, labels, classes);
  const rankOf = ranksWithinClass(summaries);
  assert.equal(rankOf.size, 120);
  for (const s of summaries) s.order.forEach((i, k) => assert.equal(rankOf.get(i), k));
});

test("jitter is fixed per image, in [-0.5, 0.5), and spread across the band", () => {
  const values = Array.from({ length: 5000 }, (_, i) => jitter(i));
  assert.deepEqual(values.slice(0, 50), Array.from({ length: 50 }, (_, i) => jitter(i)));
  assert.ok(values.every((v) => v >= -0.5 && v < 0.5));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  for (let q = 0; q < 4; q++) {
    const inQuarter = values.filter((v) => v >= q / 4 - 0.5 && v < (q + 1) / 4 - 0.5).length;
    assert.ok(Math.abs(inQuarter - 1250) < 150, `quarter ${q}: ${inQuarter}`);
  }
});

test("stripOf draws a small class whole and samples a large one, its highest errors always in", () => {
  const small = { order: Array.from({ length: 400 }, (_, i) => 1000 + i) };
  assert.equal(stripOf(small), small.order);
  const order = Array.from({ length: 5000 }, (_, i) => 3 * i); // sorted by error: the last are the highest
  const strip = stripOf({ order });
  assert.ok(strip.length >= 400 && strip.length <= 420, `${strip.length} points`);
  assert.equal(new Set(strip).size, strip.length, "no point twice");
  assert.ok(strip.every((i) => order.includes(i)));
  for (const i of order.slice(-20)) assert.ok(strip.includes(i), `highest error ${i} drawn`);
  assert.ok(strip.includes(order[0]), "the lowest error drawn");
});

test("errorDomain covers every error with 4% room, never below zero", () => {
  assert.deepEqual(errorDomain([0.1, 0.6]), [0.08, 0.62]);
  assert.deepEqual(errorDomain([0.001, 0.5]), [0, 0.5 + 0.499 * 0.04]);
  const { errors } = dataset(200, ["a"]);
  const [lo, hi] = errorDomain(errors);
  assert.ok(lo >= 0 && errors.every((e) => e >= lo && e <= hi));
  assert.deepEqual(errorDomain([0, 0]), [0, 1], "all zero: a unit axis");
});

test("errorDomain gives a usable axis when every error is the same", () => {
    const [lo, hi] = errorDomain([0.5, 0.5]);
    assert.ok(hi > lo);
  });

function chart() {
  const errors = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2];
  const labels = [0, 0, 0, 1, 1, 1];
  const classes = ["shirt", "shoe", "bag"];
  const summaries = classSummaries(errors, labels, classes);
  return { summaries, errors, labels, classes, hot: new Map([[2, { rank: 1 }]]), rankOf: ranksWithinClass(summaries) };
}

test("describeChoice says the class's numbers, and the image's error and rank when one is chosen", () => {
  const data = chart();
  assert.equal(describeChoice({ c: 1, image: null }, data),
    "shoe: 3 images, median 0.300, middle half 0.250\u20130.500, highest 0.700.");
  assert.equal(describeChoice({ c: 1, image: 4 }, data),
    "shoe, error 0.700, 3 of 3 in its class from lowest to highest. " +
    "shoe: 3 images, median 0.300, middle half 0.250\u20130.500, highest 0.700.");
  assert.match(describeChoice({ c: 0, image: 2 }, data), /^Most unusual number 1: shirt, error 0\.900, 3 of 3 /);
  assert.equal(describeChoice({ c: 2, image: null }, data), "bag: no images.");
});

test("keyMove steps through a class by error and between classes", () => {
  const { summaries, rankOf } = chart(); // class 0 by error: images 1 (0.1), 0 (0.5), 2 (0.9)
  const at = (c, image) => ({ c, image });
  assert.deepEqual(keyMove("ArrowRight", at(0, null), summaries, rankOf), at(0, 1), "from the class: the lowest");
  assert.deepEqual(keyMove("ArrowLeft", at(0, null), summaries, rankOf), at(0, 2), "from the class: the highest");
  assert.deepEqual(keyMove("ArrowRight", at(0, 1), summaries, rankOf), at(0, 0));
  assert.deepEqual(keyMove("ArrowRight", at(0, 2), summaries, rankOf), at(0, 2), "stops at the highest");
  assert.deepEqual(keyMove("ArrowLeft", at(0, 1), summaries, rankOf), at(0, 1), "stops at the lowest");
  assert.deepEqual(keyMove("PageUp", at(0, 1), summaries, rankOf), at(0, 0), "a tenth of 3 rounds to one step");
  assert.deepEqual(keyMove("PageDown", at(0, 2), summaries, rankOf), at(0, 0));
  assert.deepEqual(keyMove("Home", at(0, 2), summaries, rankOf), at(0, 1));
  assert.deepEqual(keyMove("End", at(0, null), summaries, rankOf), at(0, 2));
  assert.deepEqual(keyMove("ArrowDown", at(0, 2), summaries, rankOf), at(1, null));
  assert.deepEqual(keyMove("ArrowUp", at(0, 2), summaries, rankOf), at(0, null), "no class above the first");
  assert.deepEqual(keyMove("ArrowDown", at(2, null), summaries, rankOf), at(2, null), "no class below the last");
  assert.equal(keyMove("Enter", at(0, 1), summaries, rankOf), null);
});

test("keyMove leaves the choice alone in a class without images", () => {
  const { summaries, rankOf } = chart();
  const current = { c: 2, image: null };
  for (const key of ["ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Home", "End"]) {
    assert.equal(keyMove(key, current, summaries, rankOf), current, key);
  }
});

test("keyMove's PageUp/PageDown move a tenth of a large class", () => {
  const errors = Array.from({ length: 95 }, (_, i) => i / 100);
  const summaries = classSummaries(errors, new Array(95).fill(0), ["one"]);
  const rankOf = ranksWithinClass(summaries);
  assert.deepEqual(keyMove("PageUp", { c: 0, image: 40 }, summaries, rankOf), { c: 0, image: 50 });
  assert.deepEqual(keyMove("PageDown", { c: 0, image: 5 }, summaries, rankOf), { c: 0, image: 0 });
});
