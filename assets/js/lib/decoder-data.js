// What the decoder figures read: their config's required keys, the data
// points of the code plane (codes restored from the shared uint16 layout
// positions, class labels, a grid index for nearest-neighbour search in code
// space) and the linear scan that index must agree with.

import { fetchBytes } from "./figure.js";
import { createPointIndex } from "./point-index.js";

/**
 * Throw a readable error when `config` lacks one of `keys`.
 * @param {string} kind the figure kind, for the message @param {object} config @param {string[]} keys
 */
export function requireConfig(kind, config, keys) {
  for (const key of keys) {
    if (config[key] === undefined) throw new Error(`${kind} needs config.${key}`);
  }
}

/**
 * Codes (Float32Array, x y interleaved) and labels (Uint8Array) of the first
 * `config.count` points. Positions are little-endian uint16 pairs; code =
 * q * scale + offset per axis (config.code_from_q, worked out at build).
 * Unlabelled data (config.labels null) has no labels file: every point is class 0.
 * `index.nearest(x, y, k)` (lib/point-index.js, built here once) finds the k nearest codes.
 * @param {{positions: string, labels: string|null, count: number, code_from_q: {scale: number[], offset: number[]}, base: string}} config
 */
export async function loadPoints(config) {
  const count = config.count;
  const [positions, labels] = await Promise.all([
    fetchBytes(config.positions, { base: config.base }),
    config.labels ? fetchBytes(config.labels, { base: config.base }) : new ArrayBuffer(count),
  ]);
  if (positions.byteLength < 4 * count || labels.byteLength < count) {
    throw new Error(`the point files hold fewer than ${count} points`);
  }
  const view = new DataView(positions);
  const { scale, offset } = config.code_from_q;
  const codes = new Float32Array(2 * count);
  for (let i = 0; i < count; i += 1) {
    codes[2 * i] = view.getUint16(4 * i, true) * scale[0] + offset[0];
    codes[2 * i + 1] = view.getUint16(4 * i + 2, true) * scale[1] + offset[1];
  }
  return { codes, labels: new Uint8Array(labels, 0, count), count, index: createPointIndex(codes, count) };
}

/**
 * Indices of the `k` points whose codes are nearest to (x, y), nearest first.
 * A linear scan (about a millisecond at 70,000 points): the reference that
 * lib/point-index.js answers exactly, in microseconds; figures use the index.
 * @param {Float32Array} codes @param {number} x @param {number} y @param {number} k
 * @returns {number[]}
 */
export function nearest(codes, x, y, k) {
  const best = []; // [distance², index], sorted ascending, at most k long
  const count = codes.length / 2;
  for (let i = 0; i < count; i += 1) {
    const dx = codes[2 * i] - x;
    const dy = codes[2 * i + 1] - y;
    const d = dx * dx + dy * dy;
    if (best.length === k && d >= best[k - 1][0]) continue;
    let j = best.length < k ? best.length : k - 1;
    while (j > 0 && best[j - 1][0] > d) {
      best[j] = best[j - 1];
      j -= 1;
    }
    best[j] = [d, i];
  }
  return best.map(([, index]) => index);
}

/** "12.3" style: enough digits for the plane's scale, a real minus sign. */
export function formatCode(value, span) {
  const digits = span >= 100 ? 1 : span >= 10 ? 2 : 3;
  const shown = Math.abs(value) < 0.5 * 10 ** -digits ? 0 : value; // no "−0.000"
  return shown.toFixed(digits).replace("-", "\u2212");
}

/** A class name for `n` of them: "7s", "circles", "boxes"; names with a "/" stay as they are. */
export function plural(name, n) {
  if (n === 1 || name.includes("/")) return name;
  return /(s|sh|ch|x)$/i.test(name) ? `${name}es` : `${name}s`;
}

/** The most common label among `indices` and how many share it. */
export function majority(labels, indices) {
  const counts = new Map();
  for (const i of indices) counts.set(labels[i], (counts.get(labels[i]) || 0) + 1);
  let top = null;
  for (const [label, n] of counts) if (!top || n > top.n) top = { label, n };
  return top;
}

/** The widths of the plane's two axes, [x, y], from its domain ({x: [lo, hi], y: [lo, hi]}). */
export function domainSpans(domain) {
  return [domain.x[1] - domain.x[0], domain.y[1] - domain.y[0]];
}

/** domainSpans, for a figure that needs them positive: throws a readable error otherwise. */
export function planeSpans(kind, domain) {
  const spans = domainSpans(domain);
  if (!(spans[0] > 0 && spans[1] > 0)) throw new Error(`${kind} config.domain must be increasing ranges`);
  return spans;
}

/** "z₁ 1.23, z₂ −0.45": a code on the plane, each axis with the digits its span needs. */
export function formatPoint([x, y], [spanX, spanY]) {
  return `z\u2081 ${formatCode(x, spanX)}, z\u2082 ${formatCode(y, spanY)}`;
}
