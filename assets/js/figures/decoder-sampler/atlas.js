// The real images of decoder-sampler's neighbour row, from the shared texture
// atlases (atlas-N.webp, gray or RGB): image i sits in atlas floor(i / per_atlas),
// row-major with per_row cells to a row. A cell is square; an image of another
// shape sits in it fitted and centred (atlas.box: top, left, height, width, in
// cell pixels), and only that box is copied. Only the atlases that hold the
// first `count` points are loaded, in the background.

import { fetchImage } from "../../lib/figure.js";

/**
 * @param {{base: string, files: string[], cell: number, per_row: number, per_atlas: number, box?: number[]}} atlas
 * @param {string} base URL the atlas base is relative to
 * @param {number} count
 */
export function createAtlas(atlas, base, count) {
  const needed = Math.min(atlas.files.length, Math.ceil(count / atlas.per_atlas));
  const images = new Array(needed).fill(null);
  const folder = new URL(atlas.base, base);
  const { cell } = atlas;
  const [top, left, height, width] = atlas.box ?? [0, 0, cell, cell];
  const ready = Promise.all(atlas.files.slice(0, needed).map(async (file, k) => {
    images[k] = await fetchImage(new URL(file, folder).href);
  }));

  return {
    ready,
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
