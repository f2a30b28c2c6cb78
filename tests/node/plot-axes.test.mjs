// Tick values and labels for the canvas plots (lib/plot-axes.js).
import { test } from "node:test";
import assert from "node:assert/strict";

import { niceTicks, tickLabel } from "../../assets/js/lib/plot-axes.js";

/** A seeded stream of numbers in [0, 1) (Park–Miller), so failures reproduce. */
function random(seed = 1) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

test("ticks are round numbers in steps of 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0, 100, 2), [0, 50, 100]);
  assert.deepEqual(niceTicks(-1, 1, 4), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(-355.5, -305.5, 9), [-350, -340, -330, -320, -310]);
});

test("floating-point noise is rounded away and zero is never -0", () => {
  const ticks = niceTicks(-0.25, 0.3, 6);
  assert.deepEqual(ticks, [-0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  assert.ok(Object.is(ticks[2], 0));
  for (const v of niceTicks(0, 0.7, 7)) assert.equal(v, +v.toPrecision(6), `${v} carries float noise`);
});

// -0.3 / 0.1 is -2.9999999999999996 in floating point: without a tolerance at the lower end, as at the
// upper one, Math.ceil would start one step late and drop -0.3.
test("a range whose ends are ticks keeps both ends", () => {
  assert.deepEqual(niceTicks(-0.3, 0.3, 6), [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(-0.7, -0.1, 6), [-0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1]);
  assert.deepEqual(niceTicks(0.3, 0.9, 7), [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
});

test("ticks are multiples of the step, so zero is exactly zero", () => {
  // Adding the step tick after tick once left 3.47e-18 where 0 belongs (labelled "3.46945e-18").
  assert.deepEqual(niceTicks(-0.0499, 0.0231, 8), [-0.04, -0.03, -0.02, -0.01, 0, 0.01, 0.02]);
  assert.deepEqual(niceTicks(-1, 0.5, 10), [-1, -0.8, -0.6, -0.4, -0.2, 0, 0.2, 0.4]);
});

test("steps of 10^k for negative k are exact, so a range of exactly count steps gets that step", () => {
  // 10 ** -4 is 0.00009999999999999999 in V8: a step of that size left 5.000000000000001 intervals.
  assert.deepEqual(niceTicks(-0.0005, 0, 5), [-0.0005, -0.0004, -0.0003, -0.0002, -0.0001, 0]);
  assert.deepEqual(niceTicks(0.000225, 0.000825, 3), [0.0004, 0.0006, 0.0008]);
});

test("an empty, reversed or non-finite range gives its one end", () => {
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(5, 1), [5]);
  assert.deepEqual(niceTicks(0, Number.NaN), [0]);
  assert.deepEqual(niceTicks(0, Infinity), [0]);
  assert.deepEqual(niceTicks(-Infinity, 0), [-Infinity]);
});

test("for any range: ticks lie inside it, evenly spaced, at most count intervals", () => {
  const next = random(7);
  for (let i = 0; i < 2000; i++) {
    const scale = 10 ** Math.floor(next() * 10 - 4);
    const lo = (next() - 0.5) * scale * 10;
    const hi = lo + (0.01 + next()) * scale;
    const count = 2 + Math.floor(next() * 10);
    const ticks = niceTicks(lo, hi, count);
    const span = hi - lo;
    const where = `niceTicks(${lo}, ${hi}, ${count}) = ${ticks}`;
    assert.ok(ticks.length >= 1, `${where}: no tick`);
    assert.ok(ticks.length - 1 <= count, where);
    assert.ok(ticks[0] >= lo - span * 1e-9 && ticks.at(-1) <= hi + span * 1e-9, where);
    if (ticks.length < 2) continue; // a step of 5 x 10^k can leave one tick in a short range
    const step = ticks[1] - ticks[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `${where}: step ${step}`);
    for (let k = 2; k < ticks.length; k++) {
      assert.ok(Math.abs(ticks[k] - ticks[k - 1] - step) <= step * 1e-6, where);
    }
  }
});

// With count 2, [0.0001002, 0.0001452] gets the step 0.00005, and no multiple of it lies inside:
// the next finer step, 0.00002, has two.
test("every non-empty range gets at least one tick", () => {
  assert.deepEqual(niceTicks(0.0001002, 0.0001452, 2), [0.00012, 0.00014]);
  assert.deepEqual(niceTicks(0.51, 0.59, 1), [0.55]);
  assert.deepEqual(niceTicks(0, 5e-324), [0, 5e-324], "too short for any step: the ends");
});

test("tick labels are short and use a true minus sign", () => {
  assert.equal(tickLabel(0), "0");
  assert.equal(tickLabel(-0.5), "\u22120.5");
  assert.equal(tickLabel(0.1 + 0.2), "0.3");
  assert.equal(tickLabel(1234567), "1234570", "six significant digits");
  assert.equal(tickLabel(-2e-7), "\u22122e-7");
});
