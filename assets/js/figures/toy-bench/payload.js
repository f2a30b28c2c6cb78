// toy-bench's payload: the settings in config.json, checked, and the shapes'
// points and colour values from the one float32 file.

import { fetchBytes } from "../../lib/figure.js";
import { rampColours } from "../../lib/toy-colour.js";
import { ACTIVATION_NAMES } from "./model.js";

/**
 * The figure's settings from its config, checked.
 * @param {object} config @returns {object}
 */
export function validate(config) {
  const shapes = config.shapes;
  if (!Array.isArray(shapes) || !shapes.length) throw new Error("toy-bench needs config.shapes");
  const n = config.points;
  if (!Number.isInteger(n) || n < 4) throw new Error("toy-bench config.points must be an integer of at least 4");
  if (!ACTIVATION_NAMES.includes(config.activation)) throw new Error(`toy-bench: unknown activation ${config.activation}`);
  return {
    shapes, n, hidden: config.hidden, seed: config.seed ?? 0, layers: config.layers,
    initial: Math.max(0, shapes.findIndex((s) => s.name === config.shape)),
    learningRate: config.learning_rate, activation: config.activation,
    autoplay: config.autoplay !== false, pauseAt: config.pause_at ?? 0,
  };
}

/**
 * The shapes' points and colour values (with their ramp colours): one little-endian float32 file
 * (as every browser is), at each shape's offset.
 * @param {object} config @param {ReturnType<typeof validate>} spec @param {AbortSignal} signal
 */
export async function loadShapes(config, spec, signal) {
  const expected = 4 * spec.n * spec.shapes.length;
  const buffer = await fetchBytes(config.data, { base: config.base, signal });
  if (buffer.byteLength !== expected * 4) throw new Error(`shapes data holds ${buffer.byteLength} bytes, expected ${expected * 4}`);
  const data = new Float32Array(buffer);
  return spec.shapes.map((s) => {
    const points = data.subarray(s.offset, s.offset + 3 * spec.n);
    const values = data.subarray(s.offset + 3 * spec.n, s.offset + 4 * spec.n);
    return { ...s, points, values, colours: rampColours(values) };
  });
}
