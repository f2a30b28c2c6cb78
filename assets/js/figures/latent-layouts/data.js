// The latent-layouts figure's data: its config checked, then the labels, every
// layout's quantised positions and the sprite atlases, fetched in parallel.

import { fetchBytes, fetchImage } from "../../lib/figure.js";
import { boundsOf } from "./view.js";

const ATLAS_DECODE = { colorSpaceConversion: "none", premultiplyAlpha: "none" };

// What the figure calls its points: MNIST's are digits named by their class ("Digit 3"); any other data
// set's are images, named by their class name ("circle"), or "Image" when the data set has no labels.
function wordsFor(dataset, classes) {
  if (dataset === "mnist") return { item: "digit", items: "digits", name: (k) => `Digit ${classes[k]}` };
  if (!classes.length) return { item: "image", items: "images", name: () => "" };
  return { item: "image", items: "images", name: (k) => classes[k] };
}

/**
 * The config, checked; the names the figure uses. `color` is the atlases' pixels ("gray": one channel,
 * white ink on black; "rgb": the images as they are), `classes` the class names ([] when the data set
 * has no labels), `cellAspect` the [height, width] of the source images (square cells hold them padded).
 * @param {object} config the figure's config.json
 * @returns {{count: number, layouts: object[], atlas: object, palette: string[], classes: string[],
 *   labelled: boolean, color: "gray" | "rgb", look: "ink" | "image", cellAspect: number[], words: object, initial: string}}
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
  const classes = Array.isArray(config.classes) ? config.classes.map(String) : palette.map((_, i) => String(i));
  const color = config.color === "rgb" ? "rgb" : "gray";
  // "ink": white strokes on black drawn in the class colour (MNIST); "image": the pixels as they are
  const look = config.look === "image" || (config.look === undefined && color === "rgb") ? "image" : "ink";
  const aspect = config.cell_aspect;
  const cellAspect = Array.isArray(aspect) && aspect.length === 2 && aspect.every((v) => v > 0) ? aspect : [1, 1];
  const dataset = config.dataset || "mnist";
  const initial = layouts.some((l) => l.id === config.initial) ? config.initial : layouts[0].id;
  return {
    count, layouts, atlas, palette, classes, labelled: classes.length > 0, color, look, cellAspect,
    words: wordsFor(dataset, classes), initial,
  };
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
 * Fetch the labels, every layout's positions and the atlases. Without classes every label is 0 (one
 * colour) and the labels file is not fetched.
 * @param {ReturnType<typeof validate>} spec
 * @param {{labels?: string, base: string}} config
 * @returns {Promise<{labels: Uint8Array, layouts: Map<string, object>, images: ImageBitmap[]}>}
 *   each layout with its uint16 positions `q`, their float values `xy` and bounding `box`
 */
export async function loadData(spec, { labels: labelsFile, base }) {
  const { count, atlas } = spec;
  const [labelBytes, positionBytes, images] = await Promise.all([
    spec.labelled ? fetchBytes(labelsFile, { base }) : null,
    Promise.all(spec.layouts.map((l) => fetchBytes(l.file, { base }))),
    // as the renderer uploads them: no colour conversion, no premultiplying (the atlases are opaque)
    Promise.all(atlas.files.map((file) => fetchImage(atlas.base + file, { base, decode: ATLAS_DECODE }))),
  ]);
  const labels = spec.labelled ? new Uint8Array(labelBytes) : new Uint8Array(count);
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
