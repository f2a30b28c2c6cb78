// Seeded randomness for figures that must repeat themselves exactly (the same
// shuffles and starting weights after every Reset, and on every machine).

/**
 * mulberry32: uniform floats in [0, 1) from a 32-bit integer seed (generator/figures/zoo_denoise.py
 * ports it, so the build can draw the page's very numbers).
 * @param {number} seed
 * @returns {() => number}
 */
export function mulberry32(seed) {
  let state = seed | 0;
  return function next() {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded random number generator in [0, 1): mulberry32, with seed 0 taken as 0x9e3779b9.
 * @param {number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  return mulberry32((seed >>> 0) || 0x9e3779b9);
}

/**
 * The indices 0..n-1 in an order drawn from `random` (Fisher-Yates).
 * @param {number} n @param {() => number} random
 * @returns {Int32Array}
 */
export function shuffled(n, random) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
