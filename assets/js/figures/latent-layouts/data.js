// The latent-layouts figure's data: its config checked, then the labels, every
// layout's quantised positions and the sprite atlases, fetched in parallel.

import { fetchBytes, fetchImage } from "../../lib/figure.js";
import { boundsOf } from "./view.js";

const ATLAS_DECODE = { colorSpaceConversion: "none", premultiplyAlpha: "none" };

/**
 * The config, checked; the names the figure uses.
 * @param {object} config the figure's config.json
 * @returns {{count: number, layouts: object[], atlas: object, palette: string[], classes: string[], initial: string}}
 */
export function validate(config) {
  const { count, layouts, atlas } = config;
  if (!Number.isInteger(count) || count < 1) throw new Error(`latent-layouts config.count must be a positive integer, got ${count}`);
  if (!Array.isArray(layouts) || !layouts.length) throw new Error("latent-layouts config.layouts must list at least one layout");
  for (const layout of layouts) {
    if (!layout.id || !layout.file || !layout.quant) throw new Error(`latent-layouts layout ${JSON.stringify(layout.id)} needs id, file and quant`);
  }
  if (!atlas || !Array.isArray(atlas.files) || !atlas.files.length) throw new Error("latent-layouts config.atlas.files is missing");
  if (atlas.files.length * atlas.per_atlas < count) throw new Error(`the atlases hold ${atlas.files.length * atlas.per_atlas} cells for ${count} points`);
  const palette = config.palette?.length >= 10 ? config.palette : null;
  if (!palette) throw new Error("latent-layouts config.palette needs ten colours");
  const classes = config.classes || palette.map((_, i) => String(i));
  const initial = layouts.some((l) => l.id === config.initial) ? config.initial : layouts[0].id;
  return { count, layouts, atlas, palette, classes, initial };
}

function dequantise(q, { scale, offset }) {
  const xy = new Float32Array(q.length);
  for (let i = 0; i < q.length; i += 2) {
    xy[i] = q[i] * scale[0] + offset[0];
    xy[i + 1] = q[i + 1] * scale[1] + offset[1];
  }
  return xy;
}

/**
 * Fetch the labels, every layout's positions and the atlases.
 * @param {ReturnType<typeof validate>} spec
 * @param {{labels: string, base: string}} config
 * @returns {Promise<{labels: Uint8Array, layouts: Map<string, object>, images: ImageBitmap[]}>}
 *   each layout with its uint16 positions `q`, their float values `xy` and bounding `box`
 */
export async function loadData(spec, { labels: labelsFile, base }) {
  const { count, atlas } = spec;
  const [labelBytes, positionBytes, images] = await Promise.all([
    fetchBytes(labelsFile, { base }),
    Promise.all(spec.layouts.map((l) => fetchBytes(l.file, { base }))),
    // as the renderer uploads them: no colour conversion, no premultiplying (the atlases are opaque)
    Promise.all(atlas.files.map((file) => fetchImage(atlas.base + file, { base, decode: ATLAS_DECODE }))),
  ]);
  const labels = new Uint8Array(labelBytes);
  if (labels.length !== count) throw new Error(`the labels file has ${labels.length} entries for ${count} points`);
  const layouts = new Map();
  spec.layouts.forEach((layout, k) => {
    const q = new Uint16Array(positionBytes[k]); // little-endian on every platform browsers run on
    if (q.length !== 2 * count) throw new Error(`${layout.file} holds ${q.length / 2} points, expected ${count}`);
    const xy = dequantise(q, layout.quant);
    layouts.set(layout.id, { ...layout, q, xy, box: boundsOf(xy) });
  });
  return { labels, layouts, images };
}
