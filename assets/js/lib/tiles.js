// Streamed images (issue 13): at 70,000 points a figure (latent-layouts, decoder-sampler)
// gets its images in tiles, small atlas pages of points that lie together on
// a map (generator/tiles.py). A point is drawn without its image until its
// tile arrives. This module decides which tiles a view wants (those that hold
// the points in view, most first) and loads them a few at a time, cancelling
// what left the view, keeping at most `maxKept`.
// Nothing here touches WebGL or the DOM, so Node tests it (tests/node/tiles.test.mjs).

/** Sprites below this side (CSS px) are too small to show an image: tiles load only for larger ones (and only
 * once the reader zooms in past the whole layout: the first view is dots). */
export const STREAM_SPRITE_PX = 9;

/**
 * The tiles that hold the points inside `rect` ({x0, y0, x1, y1}, data units), most such points first: those
 * that together hold `cover` of them, at most `max`. Where the tiles follow the map shown (the layout they were
 * made from) every point of a tile in view is near the others; on another layout a tile's points are spread,
 * and this takes the few tiles that hold most of what the reader sees, leaving the rest as dots.
 * @param {Float32Array} xy positions, x y interleaved (point i in tile floor(i / perTile))
 * @returns {number[]}
 */
export function tilesForView(xy, perTile, rect, { cover = 0.95, max = 48 } = {}) {
  const count = xy.length / 2;
  const counts = new Uint32Array(Math.ceil(count / perTile));
  let inside = 0;
  for (let i = 0; i < count; i += 1) {
    const x = xy[2 * i], y = xy[2 * i + 1];
    if (x < rect.x0 || x > rect.x1 || y < rect.y0 || y > rect.y1) continue;
    counts[Math.floor(i / perTile)] += 1;
    inside += 1;
  }
  const ranked = [];
  counts.forEach((n, t) => n && ranked.push(t));
  ranked.sort((a, b) => counts[b] - counts[a] || a - b);
  const chosen = [];
  let covered = 0;
  for (const t of ranked) {
    if (chosen.length >= max || covered >= cover * inside) break;
    chosen.push(t);
    covered += counts[t];
  }
  return chosen;
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
