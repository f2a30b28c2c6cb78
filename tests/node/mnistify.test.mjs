// draw-digit's drawing-to-MNIST step (figures/draw-digit/mnistify.js): the ink's box scaled to
// 20 x 20 (aspect kept, area averaged) and its centre of mass put at the centre of 28 x 28.
import { test } from "node:test";
import assert from "node:assert/strict";

import { inkOf, mnistify } from "../../assets/js/figures/draw-digit/mnistify.js";

/** A size x size canvas with `value` in the rectangle [x0, x1) x [y0, y1). */
function canvas(size, rects) {
  const ink = new Float32Array(size * size);
  for (const [x0, y0, x1, y1, value = 1] of rects) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * size + x] = value;
  }
  return ink;
}

/** Sum, centre of mass and the bounding box of values above `threshold`, of an n x n image. */
function measure(image, n, threshold = 0.1) {
  let mass = 0, mx = 0, my = 0;
  let x0 = n, y0 = n, x1 = -1, y1 = -1;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v = image[y * n + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      if (v > threshold) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return { mass, cx: mx / mass, cy: my / mass, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

test("no ink gives an empty 28 x 28 digit", () => {
  const out = mnistify(new Float32Array(100 * 100), 100);
  assert.equal(out.length, 784);
  assert.ok(out.every((v) => v === 0));
  assert.ok(mnistify(canvas(50, [[3, 3, 9, 9, 0.05]]), 50).every((v) => v === 0), "only faint strokes: no ink");
});

test("the ink's centre of mass lands at the centre, wherever it was drawn", () => {
  for (const rects of [[[10, 10, 30, 60]], [[150, 20, 190, 45], [160, 45, 170, 180]], [[0, 0, 40, 8]]]) {
    const { cx, cy } = measure(mnistify(canvas(200, rects), 200), 28);
    assert.ok(Math.abs(cx - 14) < 0.05 && Math.abs(cy - 14) < 0.05, `centre (${cx}, ${cy}) for ${JSON.stringify(rects)}`);
  }
});

test("the ink's longer side becomes 20 px and its aspect is kept", () => {
  const tall = measure(mnistify(canvas(280, [[100, 40, 150, 240]]), 280), 28); // 50 x 200
  assert.equal(tall.height, 20);
  assert.ok(Math.abs(tall.width - 5) <= 1, `width ${tall.width}`);
  const wide = measure(mnistify(canvas(280, [[40, 100, 240, 180]]), 280), 28); // 200 x 80
  assert.equal(wide.width, 20);
  assert.ok(Math.abs(wide.height - 8) <= 1, `height ${wide.height}`);
});

test("area averaging keeps the ink's amount (in output pixels) when nothing is clipped", () => {
  // A 10 x 10 square of 0.25 on a 40 x 40 canvas: scale 2, so 100 px of 0.25 cover 400 output px.
  const out = mnistify(canvas(40, [[5, 7, 15, 17, 0.25]]), 40);
  const { mass } = measure(out, 28);
  assert.ok(Math.abs(mass - 100 * 0.25 * 4) < 1e-3, `mass ${mass}`);
  assert.ok(out.every((v) => v >= 0 && v <= 0.25 + 1e-6));
});

test("output values stay in [0, 1] when a big canvas shrinks", () => {
  const out = mnistify(canvas(560, [[100, 100, 460, 160], [250, 100, 310, 460]]), 560);
  assert.ok(out.every((v) => v >= 0 && v <= 1));
  assert.ok(out.some((v) => v === 1), "solid strokes saturate");
});

test("the same strokes anywhere on the canvas give the same digit", () => {
  const a = mnistify(canvas(120, [[10, 10, 20, 50], [20, 40, 40, 50, 0.6]]), 120);
  const b = mnistify(canvas(120, [[70, 61, 80, 101], [80, 91, 100, 101, 0.6]]), 120);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `pixel ${i}: ${v} vs ${b[i]}`));
});

test("box and out options size the digit", () => {
  const out = mnistify(canvas(100, [[20, 20, 80, 80]]), 100, { box: 10, out: 16 });
  assert.equal(out.length, 256);
  const m = measure(out, 16);
  assert.equal(m.width, 10);
  assert.ok(Math.abs(m.cx - 8) < 0.05 && Math.abs(m.cy - 8) < 0.05);
});

test("inkOf reads the red channel of RGBA pixels as ink in [0, 1]", () => {
  const data = Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 255, 255, 51, 51, 51, 255]);
  assert.deepEqual([...inkOf({ data, width: 3, height: 1 })], [1, 0, 0.2].map(Math.fround));
});
