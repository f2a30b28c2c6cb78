// The real digits of decoder-sampler's neighbour row, from the shared texture
// atlases (atlas-N.png): image i sits in atlas floor(i / per_atlas), row-major
// with per_row cells to a row. Only the atlases that hold the first `count`
// points are loaded, in the background.

import { fetchImage } from "../../lib/figure.js";

/**
 * @param {{base: string, files: string[], cell: number, per_row: number, per_atlas: number}} atlas
 * @param {string} base URL the atlas base is relative to
 * @param {number} count
 */
export function createAtlas(atlas, base, count) {
  const needed = Math.min(atlas.files.length, Math.ceil(count / atlas.per_atlas));
  const images = new Array(needed).fill(null);
  const folder = new URL(atlas.base, base);
  const ready = Promise.all(atlas.files.slice(0, needed).map(async (file, k) => {
    images[k] = await fetchImage(new URL(file, folder).href);
  }));

  return {
    ready,
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
      const { cell } = atlas;
      if (canvas.width !== cell) canvas.width = cell;
      if (canvas.height !== cell) canvas.height = cell;
      const ctx = canvas.getContext("2d");
      if (!image) {
        ctx.fillStyle = "#000";
        ctx.fillRect(0, 0, cell, cell);
        return false;
      }
      const within = index % atlas.per_atlas;
      const sx = (within % atlas.per_row) * cell;
      const sy = Math.floor(within / atlas.per_row) * cell;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(image, sx, sy, cell, cell, 0, 0, cell, cell);
      return true;
    },
  };
}
