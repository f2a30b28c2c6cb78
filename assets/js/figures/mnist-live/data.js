// Data of mnist-live: digits shipped at 16 grey levels, two pixels per byte
// (high nibble first), one uint8 label each; a nearest-code search; codes as text.

/**
 * Unpack 4-bit grey levels to floats in [0, 1] (level / (levels - 1)).
 * @param {Uint8Array} packed @param {number} count values wanted @param {number} levels
 * @param {number} [start] the first value wanted (e.g. digit i's first pixel)
 * @returns {Float32Array}
 */
export function unpackLevels(packed, count, levels = 16, start = 0) {
  const out = new Float32Array(count);
  const scale = 1 / (levels - 1);
  for (let i = 0; i < count; i += 1) {
    const k = start + i;
    const byte = packed[k >> 1];
    out[i] = ((k & 1) ? byte & 15 : byte >> 4) * scale;
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
