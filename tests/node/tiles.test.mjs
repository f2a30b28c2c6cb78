// Streamed images (lib/tiles.js): which tiles a view wants, most points in view first; loading a
// few at a time; cancelling what leaves the view; keeping at most maxKept; a failed tile not asked again.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createTileLoader, tilesForView } from "../../assets/js/lib/tiles.js";

/** A fetch whose tiles resolve or fail when the test says so; those in `decoding` have their bytes already and
 * are being decoded, which no abort stops (as createImageBitmap). */
function controlledFetch(decoding = new Set()) {
  const pending = new Map();
  const log = [];
  const fetchTile = (t, signal) => new Promise((resolve, reject) => {
    log.push(t);
    pending.set(t, { resolve, reject, signal });
    if (!decoding.has(t)) signal.addEventListener("abort", () => reject(new Error("aborted")));
  });
  return { fetchTile, pending, log };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("the loader fetches the wanted tiles a few at a time, nearest first, and hands each over once", async () => {
  const net = controlledFetch();
  const got = [];
  const loader = createTileLoader({ tiles: 10, fetchTile: net.fetchTile, onLoad: (t, image) => got.push([t, image]), maxActive: 2 });
  loader.want([5, 3, 8, 1]);
  assert.deepEqual(net.log, [5, 3]); // two at a time, in the order wanted
  net.pending.get(3).resolve("image-3");
  await settle();
  assert.deepEqual(got, [[3, "image-3"]]);
  assert.deepEqual(net.log, [5, 3, 8]); // the freed slot goes to the next wanted tile
  assert.deepEqual(loader.counts(), { wanted: 4, loadedInView: 1, loading: 2, loaded: 1, failed: 0 });
  loader.want([3, 5, 8, 1]); // the same tiles again: nothing fetched twice
  assert.deepEqual(net.log, [5, 3, 8]);
  assert.equal(loader.image(3), "image-3");
});

test("what leaves the view is cancelled; a late answer for it is dropped", async () => {
  const net = controlledFetch(new Set([0, 2]));
  const got = [];
  const dropped = [];
  const loader = createTileLoader({
    tiles: 10, fetchTile: net.fetchTile, onLoad: (t) => got.push(t), onDrop: (image) => dropped.push(image), maxActive: 2,
  });
  loader.want([0, 1, 2]);
  const first = net.pending.get(0);
  loader.want([7, 2]); // the reader panned away from 0 and 1
  assert.equal(first.signal.aborted, true);
  assert.equal(net.pending.get(1).signal.aborted, true);
  assert.deepEqual(net.log, [0, 1, 7, 2]);
  first.resolve("late"); // bytes that arrive after the cancel are never used, but freed
  await settle();
  assert.deepEqual(got, []);
  assert.deepEqual(dropped, ["late"]);
  assert.equal(loader.counts().loading, 2);
  loader.destroy();
  assert.equal(net.pending.get(7).signal.aborted, true);
  net.pending.get(2).resolve("after destroy"); // decoded just as the figure went
  await settle();
  assert.deepEqual(got, []);
  assert.deepEqual(dropped, ["late", "after destroy"]);
});

test("at most maxKept tiles stay loaded: the oldest out of view go first", async () => {
  const net = controlledFetch();
  const evicted = [];
  const loader = createTileLoader({
    tiles: 10, fetchTile: net.fetchTile, onLoad: () => {}, onEvict: (t) => evicted.push(t), maxActive: 4, maxKept: 3,
  });
  loader.want([0, 1, 2]);
  for (const t of [0, 1, 2]) net.pending.get(t).resolve(`image-${t}`);
  await settle();
  loader.want([4, 1]);
  net.pending.get(4).resolve("image-4");
  await settle();
  assert.deepEqual(evicted, [0]); // out of view and loaded first
  assert.deepEqual(loader.loadedTiles().sort(), [1, 2, 4]);
  loader.destroy();
  assert.deepEqual(evicted.sort(), [0, 1, 2, 4]); // every image handed back
});

test("a tile that fails is counted, skipped for this view, and the others still load", async () => {
  const net = controlledFetch();
  const warn = console.warn;
  console.warn = () => {};
  try {
    const loader = createTileLoader({ tiles: 4, fetchTile: net.fetchTile, onLoad: () => {}, maxActive: 1 });
    loader.want([2, 3]);
    net.pending.get(2).reject(new Error("404"));
    await settle();
    assert.deepEqual(net.log, [2, 3]);
    net.pending.get(3).resolve("image-3");
    await settle();
    assert.deepEqual(loader.counts(), { wanted: 1, loadedInView: 1, loading: 0, loaded: 1, failed: 1 });
  } finally {
    console.warn = warn;
  }
});

test("tiles out of range are ignored", () => {
  const net = controlledFetch();
  const loader = createTileLoader({ tiles: 2, fetchTile: net.fetchTile, onLoad: () => {} });
  loader.want([-1, 2, 1.5, 1]);
  assert.deepEqual(net.log, [1]);
});

test("tilesForView: the tiles holding the points in view, most first, up to the cover and the cap", () => {
  // 4 tiles of 4 points: tile 0 and 1 bottom left (0 holds 3 of them there), 2 top right, 3 spread everywhere
  const xy = new Float32Array([
    -1, -1, -0.9, -1, -1, -0.9, 1, 1, // tile 0: three bottom left, one top right
    -0.95, -0.95, 1, 0.9, 0.9, 1, 0.95, 0.95, // tile 1: one bottom left, three top right
    0.9, 0.9, 1, 0.95, 0.95, 0.9, 0.92, 0.92, // tile 2: top right
    0, 0, 0.1, 0, -0.95, -0.92, 0, 0.1, // tile 3: the middle, and one bottom left
  ]);
  const bottomLeft = { x0: -1.1, y0: -1.1, x1: -0.8, y1: -0.8 };
  assert.deepEqual(tilesForView(xy, 4, bottomLeft, { cover: 1 }), [0, 1, 3]); // 3 points, then 1, 1 (lower first)
  assert.deepEqual(tilesForView(xy, 4, bottomLeft, { cover: 0.6 }), [0]); // 3 of 5 points are enough
  assert.deepEqual(tilesForView(xy, 4, bottomLeft, { cover: 1, max: 2 }), [0, 1]);
  assert.deepEqual(tilesForView(xy, 4, { x0: 2, y0: 2, x1: 3, y1: 3 }), []);
  assert.deepEqual(tilesForView(xy, 4, { x0: 0.85, y0: 0.85, x1: 1.1, y1: 1.1 }, { cover: 1 }), [2, 1, 0]);
  assert.deepEqual(tilesForView(xy.subarray(0, 2 * 14), 4, { x0: -2, y0: -2, x1: 2, y1: 2 }, { cover: 1 }), [0, 1, 2, 3]);
});
