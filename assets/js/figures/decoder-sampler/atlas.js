// The real images of decoder-sampler's neighbour row, from the shared texture
// atlases (atlas-N.webp, gray or RGB): image i sits in atlas floor(i / per_atlas),
// row-major with per_row cells to a row. A cell is square; an image of another
// shape sits in it fitted and centred (atlas.box: top, left, height, width, in
// cell pixels), and only that box is copied. Only the atlases that hold the
// first `count` points are loaded, in the background. A streamed figure's
// atlas (atlas.lazy: tiles of the code plane, generator/tiles.py) loads only
// the tiles of the images asked for (want), a few at a time (lib/tiles.js).

import { fetchImage } from "../../lib/figure.js";
import { createTileLoader } from "../../lib/tiles.js";

const KEPT_TILES = 32;

/**
 * @param {{base: string, files: string[], cell: number, per_row: number, per_atlas: number, box?: number[],
 *   lazy?: boolean}} atlas
 * @param {string} base URL the atlas base is relative to
 * @param {number} count
 * @param {() => void} [onTile] called when a streamed tile arrives (paint again)
 */
export function createAtlas(atlas, base, count, onTile = () => {}) {
  const needed = Math.min(atlas.files.length, Math.ceil(count / atlas.per_atlas));
  const images = new Array(needed).fill(null);
  const folder = new URL(atlas.base, base);
  const { cell } = atlas;
  const [top, left, height, width] = atlas.box ?? [0, 0, cell, cell];
  const fetchPage = (k, signal) => fetchImage(new URL(atlas.files[k], folder).href, { signal });
  const loader = atlas.lazy ? createTileLoader({
    tiles: needed,
    fetchTile: fetchPage,
    maxActive: 2,
    maxKept: KEPT_TILES,
    onLoad: (k, image) => {
      images[k] = image;
      onTile();
    },
    onEvict: (k, image) => {
      images[k] = null;
      image.close?.();
    },
  }) : null;
  const ready = loader ? Promise.resolve() : Promise.all(atlas.files.slice(0, needed).map(async (_, k) => {
    images[k] = await fetchPage(k);
  }));

  return {
    ready,
    /** Streamed: load the tiles of images `indices` (the others may go). Otherwise nothing to do. */
    want(indices) {
      loader?.want([...new Set(indices.map((i) => Math.floor(i / atlas.per_atlas)))]);
    },
    /** Streamed: tiles loaded, loading, and those wanted (for tests). */
    tiles: () => loader?.counts() ?? null,
    destroy: () => loader?.destroy(),
    /** The images' width / height as drawn (1 for square images). */
    aspect: width / height,
    /** True when image `index` can be drawn now. */
    has(index) {
      return Boolean(images[Math.floor(index / atlas.per_atlas)]);
    },
    /**
     * Copy image `index` into `canvas` at its native size (one canvas pixel per
     * image pixel; CSS scales it). Returns false while its atlas is loading.
     * @param {HTMLCanvasElement} canvas @param {number} index
     */
    paint(canvas, index) {
      const image = images[Math.floor(index / atlas.per_atlas)];
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      const ctx = canvas.getContext("2d");
      if (!image) {
        ctx.fillStyle = "#000";
        ctx.fillRect(0, 0, width, height);
        return false;
      }
      const within = index % atlas.per_atlas;
      const sx = (within % atlas.per_row) * cell + left;
      const sy = Math.floor(within / atlas.per_row) * cell + top;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(image, sx, sy, width, height, 0, 0, width, height);
      return true;
    },
  };
}
