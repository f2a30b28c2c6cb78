// Turn a free-hand drawing into an MNIST-style digit: the ink's bounding box
// is scaled to fit a 20 x 20 box (aspect kept) with area averaging, and the
// result is placed in a 28 x 28 field so that the ink's centre of mass sits at
// the centre, as LeCun et al. prepared MNIST. Another model's field (height x
// width) gets a box of the same proportion: 20/28 of its shorter side.

const INK_THRESHOLD = 0.1; // what counts as ink for the bounding box

/**
 * @param {Float32Array} ink `size` x `size` values in [0, 1], row-major (1 = ink)
 * @param {number} size
 * @param {{box?: number, out?: number | number[]}} [options] `out`: the field's side, or [height, width]
 * @returns {Float32Array} height x width values in [0, 1] (row-major); all zero when there is no ink
 */
export function mnistify(ink, size, { box, out = 28 } = {}) {
  const [outH, outW] = Array.isArray(out) ? out : [out, out];
  const fit = box ?? (20 / 28) * Math.min(outH, outW);
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const v = ink[y * size + x];
      if (v <= 0) continue;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      if (v > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const result = new Float32Array(outH * outW);
  if (x1 < 0 || mass === 0) return result;
  const scale = fit / Math.max(x1 - x0 + 1, y1 - y0 + 1); // output px per input px
  const cx = mx / mass;
  const cy = my / mass;
  for (let y = 0; y < size; y += 1) {
    const v0 = (y - cy) * scale + outH / 2;
    const v1 = v0 + scale;
    if (v1 <= 0 || v0 >= outH) continue;
    for (let x = 0; x < size; x += 1) {
      const value = ink[y * size + x];
      if (value <= 0) continue;
      const u0 = (x - cx) * scale + outW / 2;
      const u1 = u0 + scale;
      if (u1 <= 0 || u0 >= outW) continue;
      // spread the pixel over the output cells it overlaps, weighted by area
      for (let ty = Math.max(0, Math.floor(v0)); ty < Math.min(outH, Math.ceil(v1)); ty += 1) {
        const oy = Math.min(v1, ty + 1) - Math.max(v0, ty);
        for (let tx = Math.max(0, Math.floor(u0)); tx < Math.min(outW, Math.ceil(u1)); tx += 1) {
          const ox = Math.min(u1, tx + 1) - Math.max(u0, tx);
          result[ty * outW + tx] += value * ox * oy;
        }
      }
    }
  }
  for (let i = 0; i < result.length; i += 1) if (result[i] > 1) result[i] = 1;
  return result;
}

/** The red channel of RGBA pixels as ink in [0, 1] (white ink on black). */
export function inkOf(imageData) {
  const { data, width, height } = imageData;
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i += 1) ink[i] = data[4 * i] / 255;
  return ink;
}
