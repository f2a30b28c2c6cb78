// The latent-layouts figure's data: its config checked, then the labels, every
// layout's quantised positions and the sprite atlases, fetched in parallel. A
// streamed figure (config.atlas.lazy) fetches no atlas page here (stream.js
// does, as the reader zooms in), nor the layouts its config lists under
// `explore` (loadLayout, when the reader picks one).

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
  const explore = new Set(Array.isArray(config.explore) ? config.explore : []);
  return {
    count, layouts, atlas, palette, classes, labelled: classes.length > 0, color, look, cellAspect,
    words: wordsFor(dataset, classes), initial, lazy: atlas.lazy === true, explore,
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

/** Atlas page k (a shared atlas page or a streamed tile), decoded as the renderer uploads it. */
export function fetchPage(spec, k, { base, signal } = {}) {
  // no colour conversion, no premultiplying (the atlases are opaque)
  return fetchImage(spec.atlas.base + spec.atlas.files[k], { base, signal, decode: ATLAS_DECODE });
}

/** A layout's positions, fetched: `layout` with its uint16 `q`, their float values `xy` and bounding `box`. */
export async function loadLayout(spec, layout, { base, signal } = {}) {
  const q = new Uint16Array(await fetchBytes(layout.file, { base, signal })); // little-endian wherever browsers run
  if (q.length !== 2 * spec.count) throw new Error(`${layout.file} holds ${q.length / 2} points, expected ${spec.count}`);
  const xy = dequantise(q, layout.quant);
  return Object.assign(layout, { q, xy, box: boundsOf(xy) });
}

/**
 * Fetch the labels, the layouts' positions and the atlases. Without classes every label is 0 (one
 * colour) and the labels file is not fetched. A streamed figure's pages are null (not fetched) and so is
 * every layout its config explores, except `first` (the layout shown first).
 * @param {ReturnType<typeof validate>} spec
 * @param {{labels?: string, base: string}} config
 * @param {string} first the layout shown first
 * @returns {Promise<{labels: Uint8Array, layouts: Map<string, object>, images: (ImageBitmap|null)[]}>}
 *   each layout loaded has its uint16 positions `q`, their float values `xy` and bounding `box`
 */
export async function loadData(spec, { labels: labelsFile, base }, first = spec.initial) {
  const { count, atlas } = spec;
  const layouts = new Map(spec.layouts.map((layout) => [layout.id, { ...layout, q: null, xy: null, box: null }]));
  const now = [...layouts.values()].filter((l) => l.id === first || !spec.explore.has(l.file));
  const [labelBytes, images] = await Promise.all([
    spec.labelled ? fetchBytes(labelsFile, { base }) : null,
    spec.lazy ? atlas.files.map(() => null) : Promise.all(atlas.files.map((_, k) => fetchPage(spec, k, { base }))),
    ...now.map((layout) => loadLayout(spec, layout, { base })),
  ]);
  const labels = spec.labelled ? new Uint8Array(labelBytes) : new Uint8Array(count);
  if (labels.length !== count) throw new Error(`the labels file has ${labels.length} entries for ${count} points`);
  return { labels, layouts, images };
}
