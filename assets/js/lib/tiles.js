// Streamed images (issue 13): at 70,000 points a figure (latent-layouts, decoder-sampler)
// gets its images in tiles, small atlas pages of points that lie together on
// a map (generator/tiles.py). A point is drawn without its image until its
// tile arrives. This module decides which tiles a view wants (those whose
// points' box meets the view, nearest the centre first) and loads them a few
// at a time, cancelling what left the view, keeping at most `maxKept`.
// Nothing here touches WebGL or the DOM, so Node tests it (tests/node/tiles.test.mjs).

/** Sprites below this side (CSS px) are too small to show an image: tiles load only for larger ones (and only
 * once the reader zooms in past the whole layout: the first view is dots). */
export const STREAM_SPRITE_PX = 9;

/**
 * The box [x0, y0, x1, y1] of each tile's points: tile t holds points t * perTile ... (t + 1) * perTile - 1.
 * @param {Float32Array} xy positions, x y interleaved @param {number} perTile
 * @returns {Float32Array} 4 numbers a tile
 */
export function tileBoxes(xy, perTile) {
  const count = xy.length / 2;
  const tiles = Math.ceil(count / perTile);
  const boxes = new Float32Array(4 * tiles);
  for (let t = 0; t < tiles; t += 1) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const end = Math.min(count, (t + 1) * perTile);
    for (let i = t * perTile; i < end; i += 1) {
      const x = xy[2 * i], y = xy[2 * i + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    boxes.set([x0, y0, x1, y1], 4 * t);
  }
  return boxes;
}

/**
 * The tiles whose box meets `rect` ({x0, y0, x1, y1}, data units, grown by `pad` on each side), nearest the
 * rectangle's centre first (distance from the centre to the box).
 * @param {Float32Array} boxes from tileBoxes @param {{x0: number, y0: number, x1: number, y1: number}} rect
 * @returns {number[]}
 */
export function tilesInView(boxes, rect, pad = 0) {
  const cx = (rect.x0 + rect.x1) / 2, cy = (rect.y0 + rect.y1) / 2;
  const found = [];
  for (let t = 0; t < boxes.length / 4; t += 1) {
    const [x0, y0, x1, y1] = boxes.subarray(4 * t, 4 * t + 4);
    if (x1 < rect.x0 - pad || x0 > rect.x1 + pad || y1 < rect.y0 - pad || y0 > rect.y1 + pad) continue;
    const dx = Math.max(x0 - cx, 0, cx - x1), dy = Math.max(y0 - cy, 0, cy - y1);
    found.push([dx * dx + dy * dy, t]);
  }
  return found.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, t]) => t);
}

/**
 * Load tiles as they are wanted.
 * @param {{tiles: number, fetchTile: (t: number, signal: AbortSignal) => Promise<any>,
 *   onLoad: (t: number, image: any) => void, onEvict?: (t: number, image: any) => void,
 *   onChange?: () => void, onDrop?: (image: any) => void, maxActive?: number, maxKept?: number}} options
 *   `fetchTile` resolves to the tile's image; `onLoad` hands it over (drawn from then on), `onEvict` takes it
 *   back (free it); `onDrop` frees one that arrived after it was cancelled (default: image.close(), as an
 *   ImageBitmap's decoding cannot be aborted); `onChange` follows every change of the counts
 */
export function createTileLoader({
  tiles, fetchTile, onLoad, onEvict = () => {}, onChange = () => {}, maxActive = 4, maxKept = Infinity,
  onDrop = (image) => image?.close?.(),
}) {
  const loaded = new Map(); // tile -> image, in the order loaded (oldest first)
  const active = new Map(); // tile -> AbortController
  let wanted = [];
  let failed = 0;
  let closed = false;

  function evict() {
    if (loaded.size <= maxKept) return;
    const keep = new Set(wanted);
    for (const [t, image] of loaded) {
      if (loaded.size <= maxKept) break;
      if (keep.has(t)) continue;
      loaded.delete(t);
      onEvict(t, image);
    }
  }

  function pump() {
    for (const t of wanted) {
      if (closed || active.size >= maxActive) break;
      if (loaded.has(t) || active.has(t)) continue;
      const controller = new AbortController();
      active.set(t, controller);
      fetchTile(t, controller.signal).then(
        (image) => {
          if (active.get(t) !== controller || closed) { // cancelled while its bytes were on the way
            onDrop(image);
            return;
          }
          active.delete(t);
          loaded.set(t, image);
          onLoad(t, image);
          evict();
          onChange();
          pump();
        },
        (error) => {
          if (active.get(t) !== controller) return;
          active.delete(t);
          if (controller.signal.aborted || closed) return;
          failed += 1;
          wanted = wanted.filter((w) => w !== t); // not asked again for this view
          console.warn(`latent-layouts: tile ${t} did not load (${error.message})`);
          onChange();
          pump();
        },
      );
    }
  }

  return {
    /** Want these tiles, in this order (nearest first): what is loading and no longer wanted is cancelled. */
    want(list) {
      if (closed) return;
      wanted = list.filter((t) => Number.isInteger(t) && t >= 0 && t < tiles);
      const keep = new Set(wanted);
      for (const [t, controller] of active) {
        if (keep.has(t)) continue;
        active.delete(t);
        controller.abort();
      }
      pump();
      onChange();
    },
    /** What is loaded, loading and wanted (tiles in view). */
    counts() {
      let inView = 0;
      for (const t of wanted) if (loaded.has(t)) inView += 1;
      return { wanted: wanted.length, loadedInView: inView, loading: active.size, loaded: loaded.size, failed };
    },
    has: (t) => loaded.has(t),
    image: (t) => loaded.get(t) ?? null,
    loadedTiles: () => [...loaded.keys()],
    destroy() {
      closed = true;
      for (const controller of active.values()) controller.abort();
      active.clear();
      for (const [t, image] of loaded) onEvict(t, image);
      loaded.clear();
    },
  };
}
