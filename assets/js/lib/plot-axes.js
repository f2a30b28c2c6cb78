// Axes for a 2-D plot on Canvas 2D: round tick values, their labels, and the
// framed plot area with ticks and titles along the bottom and left edges.

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const STEPS = [1, 2, 5]; // tick steps are m x 10^k for m in STEPS

// 10^e, correctly rounded (`10 ** -5` is 0.000009999999999999999 in V8; generator/draw.py uses the same).
const pow10 = (e) => Number(`1e${e}`);

/**
 * Round tick values inside [lo, hi] in steps of 1, 2 or 5 x 10^k (as d3.ticks): the smallest such
 * step that leaves at most `count` intervals, its multiples within [lo, hi] (ends included, with a
 * tolerance for floating-point noise), rounded to 12 significant digits, never -0. A range too
 * short to hold a multiple of that step gets the next finer step, so a non-empty range always has
 * ticks. generator/draw.py nice_ticks does the very same arithmetic (the fallback images' ticks).
 * @param {number} lo @param {number} hi @param {number} [count]
 * @returns {number[]} [lo] alone when the range is empty, reversed or not finite; [lo, hi] when it
 *   is too short for any step (below 1e-300)
 */
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0 && span < Infinity)) return [lo];
  const n = count >= 1 ? count : 1;
  if (!(span / n > 1e-300)) return [lo, hi]; // no power of ten to step by (10^-324 is 0)
  // Climb the ladder 1, 2, 5, 10, 20... x 10^e from the power of ten below span / n.
  let e = Math.floor(Math.log10(span / n));
  let i = 0;
  while (span / (STEPS[i] * pow10(e)) > n) {
    i += 1;
    if (i === STEPS.length) [i, e] = [0, e + 1];
  }
  for (let tries = 0; tries < 3; tries += 1) {
    const step = STEPS[i] * pow10(e);
    if (!(step > 0 && step < Infinity)) break;
    const first = Math.ceil(lo / step - 1e-9);
    const last = Math.floor(hi / step + 1e-9);
    if (last >= first) {
      return Array.from({ length: last - first + 1 }, (_, k) => +((first + k) * step).toPrecision(12) + 0);
    }
    // No multiple of the step inside (a range shorter than the step): one rung finer.
    i -= 1;
    if (i < 0) [i, e] = [STEPS.length - 1, e - 1];
  }
  return [lo, hi];
}

/** A tick label with a true minus sign. */
export function tickLabel(v) {
  return String(+v.toPrecision(6)).replace("-", "\u2212");
}

/**
 * The plot's frame, ticks with labels, and axis titles.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{left: number, top: number, width: number, height: number}} plot  CSS px
 * @param {{x0: number, x1: number, y0: number, y1: number}} range  the visible code range
 * @param {(x: number, y: number) => number[]} toPixel  code to CSS px
 * @param {{xTitle: string, yTitle: string, xTitleGap: number, yTitleX: number}} titles
 *   xTitleGap: px from the plot's bottom to the x title; yTitleX: the y title's x.
 */
export function drawAxes(ctx, theme, plot, range, toPixel, { xTitle, yTitle, xTitleGap, yTitleX }) {
  const { x0, x1, y0, y1 } = range;
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width - 1, plot.height - 1);
  ctx.font = FONT;
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const bottom = plot.top + plot.height;
  for (const v of niceTicks(x0, x1, Math.max(2, Math.round(plot.width / 80)))) {
    const [px] = toPixel(v, y0);
    ctx.beginPath();
    ctx.moveTo(px, bottom);
    ctx.lineTo(px, bottom + 4);
    ctx.stroke();
    ctx.fillText(tickLabel(v), px, bottom + 6);
  }
  ctx.fillText(xTitle, plot.left + plot.width / 2, bottom + xTitleGap);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of niceTicks(y0, y1, Math.max(2, Math.round(plot.height / 60)))) {
    const [, py] = toPixel(x0, v);
    ctx.beginPath();
    ctx.moveTo(plot.left - 4, py);
    ctx.lineTo(plot.left, py);
    ctx.stroke();
    ctx.fillText(tickLabel(v), plot.left - 6, py);
  }
  ctx.save();
  ctx.translate(yTitleX, plot.top + plot.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
}
