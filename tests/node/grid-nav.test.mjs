// Keyboard movement through a grid of cells (lib/grid-nav.js).
import { test } from "node:test";
import assert from "node:assert/strict";

import { gridStep } from "../../assets/js/lib/grid-nav.js";

const GRID = { cols: 4, count: 10 }; // rows 0-3, 4-7, 8-9

test("arrow keys move one cell or one row", () => {
  assert.equal(gridStep(5, "ArrowLeft", GRID), 4);
  assert.equal(gridStep(5, "ArrowRight", GRID), 6);
  assert.equal(gridStep(5, "ArrowUp", GRID), 1);
  assert.equal(gridStep(5, "ArrowDown", GRID), 9);
});

test("left and right wrap along the reading order and clamp at the ends", () => {
  assert.equal(gridStep(4, "ArrowLeft", GRID), 3);
  assert.equal(gridStep(3, "ArrowRight", GRID), 4);
  assert.equal(gridStep(0, "ArrowLeft", GRID), 0);
  assert.equal(gridStep(9, "ArrowRight", GRID), 9);
});

test("up and down past an edge stay put (a short last row included)", () => {
  assert.equal(gridStep(2, "ArrowUp", GRID), 2);
  assert.equal(gridStep(6, "ArrowDown", GRID), 6, "no cell below 6 in a 10-cell grid");
  assert.equal(gridStep(9, "ArrowDown", GRID), 9);
});

test("Home and End go to the first and last cell", () => {
  assert.equal(gridStep(5, "Home", GRID), 0);
  assert.equal(gridStep(5, "End", GRID), 9);
});

test("other keys are not grid movements", () => {
  for (const key of ["Enter", " ", "Tab", "a", "PageDown"]) assert.equal(gridStep(5, key, GRID), null);
});
