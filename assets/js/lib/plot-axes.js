// Axes for a 2-D plot on Canvas 2D: round tick values, their labels, and the
// framed plot area with ticks and titles along the bottom and left edges.

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Round tick values inside [lo, hi] in steps of 1, 2 or 5 x 10^k (as d3.ticks). */
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  let step = 10 ** Math.floor(Math.log10(span / count));
  for (const factor of [1, 2, 5, 10]) {
    if (span / (step * factor) <= count) {
      step *= factor;
      break;
    }
  }
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12) + 0);
  return ticks;
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
