// The colour ramp shared by every toy-shape view (article 2): a point's colour
// is its position along the curve or surface (generator.toy.make_shape's
// `colour`, in [0, 1]), so the same point has the same colour in the input, the
// code plane and the reconstruction. Viridis: perceptually uniform and readable
// with the common colour-vision deficiencies (never a rainbow). The Python
// fallback images use the same 11 stops (generator/draw.py VIRIDIS).

/** Viridis at t = 0, 0.1, ..., 1 (the values of d3.interpolateViridis). */
export const RAMP = [
  "#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
  "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725",
];

const STOPS = RAMP.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

/**
 * The ramp colour at `t` (clamped to [0, 1]) as [r, g, b] in 0..255.
 * @param {number} t @returns {number[]}
 */
export function rampRGB(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  return STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
}

/**
 * The ramp colour at `t` as a CSS colour string, optionally with alpha.
 * @param {number} t @param {number} [alpha] @returns {string}
 */
export function rampCSS(t, alpha = 1) {
  const [r, g, b] = rampRGB(t);
  return alpha >= 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}

/**
 * CSS colours for every value of `values` (e.g. the shape's colour array).
 * @param {ArrayLike<number>} values @returns {string[]}
 */
export function rampColours(values) {
  return Array.from(values, (t) => rampCSS(t));
}

/**
 * Draw the ramp as a horizontal bar (a legend) into a 2-D context.
 * @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y
 * @param {number} width @param {number} height
 */
export function drawRampBar(ctx, x, y, width, height) {
  const gradient = ctx.createLinearGradient(x, 0, x + width, 0);
  RAMP.forEach((hex, i) => gradient.addColorStop(i / (RAMP.length - 1), hex));
  ctx.fillStyle = gradient;
  ctx.fillRect(x, y, width, height);
}
