// Seeded Gaussian noise for the zoo-denoise figure: mulberry32 (a 32-bit
// PRNG) and the Box-Muller transform. generator/figures/zoo_denoise.py ports
// both, so the build draws the very same noise as the page.

import { mulberry32 } from "../../lib/seeded-random.js";

export { mulberry32 };

/** `count` standard-normal values (Box-Muller, both outputs of each pair used). */
export function gaussianNoise(seed, count) {
  const rand = mulberry32(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = 1 - rand(); // in (0, 1]: log(u1) is finite
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** The seed of one image's noise in one draw (as noise_seed() in zoo_denoise.py). */
export function noiseSeed(base, image, draw, [imageStep, drawStep] = [7919, 104729]) {
  return (base + imageStep * image + drawStep * draw) >>> 0;
}

/**
 * clip(clean + level * noise, 0, 1) into `out` (a Float32Array).
 * @param {ArrayLike<number>} clean values in [0, 1] @param {Float64Array} noise
 * @param {number} level @param {Float32Array} out
 */
export function corrupt(clean, noise, level, out) {
  for (let i = 0; i < out.length; i += 1) {
    const v = clean[i] + level * noise[i];
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

/** Mean absolute difference of two equally long arrays. */
export function meanAbsDiff(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
