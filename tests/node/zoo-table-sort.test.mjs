// How the zoo-table orders its rows (figures/zoo-table/sort.js).
import { test } from "node:test";
import assert from "node:assert/strict";

import { compareValues, nextDirection, sortMessage, sortValue } from "../../assets/js/figures/zoo-table/sort.js";

const sortBy = (values, direction) => [...values].sort((a, b) => compareValues(a, b, direction));

test("compareValues orders numbers both ways and puts missing values last in both", () => {
  const values = [0.3, null, 0.1, 2, null, -1];
  assert.deepEqual(sortBy(values, "ascending"), [-1, 0.1, 0.3, 2, null, null]);
  assert.deepEqual(sortBy(values, "descending"), [2, 0.3, 0.1, -1, null, null]);
  assert.equal(compareValues(null, null, "ascending"), 0);
  assert.ok(compareValues(1, 1, "descending") === 0, "equal cells tie (-0 counts as 0)");
});

test("compareValues orders text by locale, both ways", () => {
  const names = ["conv vae", "ae", "beta-vae", null, "dense ae"];
  assert.deepEqual(sortBy(names, "ascending"), ["ae", "beta-vae", "conv vae", "dense ae", null]);
  assert.deepEqual(sortBy(names, "descending"), ["dense ae", "conv vae", "beta-vae", "ae", null]);
});

test("compareValues is antisymmetric, so the table's index tie-break decides only equal cells", () => {
  const values = [3, 1, null, 2, 1, null];
  for (const a of values) {
    for (const b of values) {
      for (const direction of ["ascending", "descending"]) {
        const [ab, ba] = [compareValues(a, b, direction), compareValues(b, a, direction)];
        assert.ok(Math.sign(ab) + Math.sign(ba) === 0, `${a} vs ${b}, ${direction}: ${ab} and ${ba}`);
      }
    }
  }
});

test("sortValue reads numbers from numeric cells (empty: missing) and lower-case text otherwise", () => {
  assert.equal(sortValue("0.0123", true), 0.0123);
  assert.equal(sortValue("-4", true), -4);
  assert.equal(sortValue("", true), null);
  assert.equal(sortValue("  Conv VAE ", false), "conv vae");
  assert.equal(sortValue("", false), "");
});

test("nextDirection: best first on a new column, the other way on the same column", () => {
  const none = { key: null, direction: null };
  assert.equal(nextDirection("test_bce", true, none), "ascending", "a loss: lowest first");
  assert.equal(nextDirection("test_mse", true, none), "ascending");
  assert.equal(nextDirection("guide_bce", true, none), "ascending");
  assert.equal(nextDirection("params", true, none), "descending", "other numbers: largest first");
  assert.equal(nextDirection("model", false, none), "ascending", "text: A to Z");
  assert.equal(nextDirection("test_bce", true, { key: "test_bce", direction: "ascending" }), "descending");
  assert.equal(nextDirection("params", true, { key: "params", direction: "descending" }), "ascending");
  assert.equal(nextDirection("params", true, { key: "test_bce", direction: "ascending" }), "descending");
});

test("sortMessage says the column, the direction and, for numbers, which end comes first", () => {
  assert.equal(sortMessage("Test BCE", "ascending", true), "Sorted by Test BCE, ascending, smallest first.");
  assert.equal(sortMessage("Parameters", "descending", true), "Sorted by Parameters, descending, largest first.");
  assert.equal(sortMessage("Model", "descending", false), "Sorted by Model, descending.");
});
