// Seeded randomness for figures that must repeat themselves exactly (the same
// shuffles and starting weights after every Reset, and on every machine).

/**
 * A seeded random number generator in [0, 1) (mulberry32).
 * @param {number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  let a = (seed >>> 0) || 0x9e3779b9;
  return function random() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
