// Data of mnist-live: digits shipped at 16 grey levels, two pixels per byte
// (high nibble first), one uint8 label each; and a nearest-code search.

/** Fetch `name` (relative to `base`) and check it holds `expected` bytes. */
export async function fetchBytes(name, base, expected) {
  const response = await fetch(new URL(name, base));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length !== expected) throw new Error(`${name} holds ${bytes.length} bytes, expected ${expected}`);
  return bytes;
}

/**
 * Unpack 4-bit grey levels to floats in [0, 1] (level / (levels - 1)).
 * @param {Uint8Array} packed @param {number} count values wanted @param {number} levels
 * @returns {Float32Array}
 */
export function unpackLevels(packed, count, levels = 16) {
  const out = new Float32Array(count);
  const scale = 1 / (levels - 1);
  for (let i = 0; i < count; i += 1) {
    const byte = packed[i >> 1];
    out[i] = ((i & 1) ? byte & 15 : byte >> 4) * scale;
  }
  return out;
}

/** Index of the code nearest (x, y) among interleaved `codes`, or -1. */
export function nearestIndex(codes, x, y) {
  let best = Infinity;
  let index = -1;
  for (let i = 0; i < codes.length; i += 2) {
    const dx = codes[i] - x, dy = codes[i + 1] - y;
    const d = dx * dx + dy * dy;
    if (d < best) {
      best = d;
      index = i / 2;
    }
  }
  return index;
}

/** A code pair as text with a proper minus sign, e.g. "(1.23, \u22120.45)". */
export function formatCode(x, y, digits = 2) {
  const f = (v) => (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits).replace("-", "\u2212");
  return `(${f(x)}, ${f(y)})`;
}
