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

// -0.3 / 0.1 is -2.9999999999999996 in floating point, so Math.ceil starts one step late: the upper end has
// a tolerance (hi + step * 1e-9), the lower end has none.
test("a range whose lower end is a tick keeps that tick", { todo: "niceTicks drops a lower end hit by float noise" },
  () => {
    assert.deepEqual(niceTicks(-0.3, 0.3, 6), [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  });

test("an empty, reversed or non-finite range gives its one end", () => {
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(5, 1), [5]);
  assert.deepEqual(niceTicks(0, Number.NaN), [0]);
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
    assert.ok(ticks.length - 1 <= count, where);
    if (ticks.length === 0) continue; // see the to-do below
    assert.ok(ticks[0] >= lo - span * 1e-9 && ticks.at(-1) <= hi + span * 1e-9, where);
    if (ticks.length < 2) continue; // a step of 5 x 10^k can leave one tick, or none (below), in a short range
    const step = ticks[1] - ticks[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `${where}: step ${step}`);
    for (let k = 2; k < ticks.length; k++) {
      assert.ok(Math.abs(ticks[k] - ticks[k - 1] - step) <= step * 1e-6, where);
    }
  }
});

// With count 2, [0.0001002, 0.0001452] gets the step 0.00005, and no multiple of it lies inside.
test("every range gets at least one tick", { todo: "niceTicks can return no tick for a short range" }, () => {
  assert.ok(niceTicks(0.0001002, 0.0001452, 2).length >= 1);
});

test("tick labels are short and use a true minus sign", () => {
  assert.equal(tickLabel(0), "0");
  assert.equal(tickLabel(-0.5), "\u22120.5");
  assert.equal(tickLabel(0.1 + 0.2), "0.3");
  assert.equal(tickLabel(1234567), "1234570", "six significant digits");
  assert.equal(tickLabel(-2e-7), "\u22122e-7");
});
