// The view frame of a live latent plane: which codes the plot shows, with
// equal units on both axes. Codes move every time the model is re-encoded;
// refitting the axes each time would make the whole picture jitter, so the
// frame changes only when the codes leave it or shrink to a small part of it
// (hysteresis), and then it leaves some headroom for the next updates.

const PAD = 0.06; // margin around the codes' extent, as a fraction of it
const HEADROOM = 0.35; // extra room when the frame must change
const FILL = 0.45; // refit when the codes span less than this fraction of the frame
const MIN_SPAN = 1e-3;

/** Bounding box {x0, x1, y0, y1} of interleaved (x, y) codes. */
export function extentOf(codes) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < codes.length; i += 2) {
    const x = codes[i], y = codes[i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!(x1 >= x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  return { x0, x1, y0, y1 };
}

/** Code units per CSS pixel that fit `extent` (with PAD) into a `width` x `height` plot. */
function tightScale(extent, width, height) {
  const sx = Math.max(MIN_SPAN, extent.x1 - extent.x0) * (1 + 2 * PAD) / width;
  const sy = Math.max(MIN_SPAN, extent.y1 - extent.y0) * (1 + 2 * PAD) / height;
  return Math.max(sx, sy);
}

/**
 * The frame {cx, cy, k} (centre and code units per CSS px) to show `codes` in a
 * `width` x `height` plot: `previous` if it still fits well, otherwise a new one.
 * @param {{cx: number, cy: number, k: number} | null} previous
 * @param {Float32Array | number[]} codes @param {number} width @param {number} height
 */
export function fitFrame(previous, codes, width, height) {
  const extent = extentOf(codes);
  const k = tightScale(extent, width, height);
  const cx = (extent.x0 + extent.x1) / 2;
  const cy = (extent.y0 + extent.y1) / 2;
  if (previous) {
    const r = rangeOf(previous, width, height);
    const padX = (extent.x1 - extent.x0) * PAD, padY = (extent.y1 - extent.y0) * PAD;
    const inside = extent.x0 - padX >= r.x0 && extent.x1 + padX <= r.x1
      && extent.y0 - padY >= r.y0 && extent.y1 + padY <= r.y1;
    if (inside && k / previous.k >= FILL) return previous;
  }
  return { cx, cy, k: k * (1 + HEADROOM) };
}

/** The code ranges a frame shows in a `width` x `height` plot. */
export function rangeOf(frame, width, height) {
  return {
    x0: frame.cx - (frame.k * width) / 2, x1: frame.cx + (frame.k * width) / 2,
    y0: frame.cy - (frame.k * height) / 2, y1: frame.cy + (frame.k * height) / 2,
  };
}

/** Frame between `a` and `b` at t in [0, 1] (zoom interpolated in log space). */
export function mixFrame(a, b, t) {
  if (!a || t >= 1) return b;
  return {
    cx: a.cx + (b.cx - a.cx) * t,
    cy: a.cy + (b.cy - a.cy) * t,
    k: Math.exp(Math.log(a.k) + (Math.log(b.k) - Math.log(a.k)) * t),
  };
}

/** Ease-out cubic. */
export function easeOut(t) {
  return 1 - (1 - t) ** 3;
}
