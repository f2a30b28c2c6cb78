// A small loss-by-epoch chart: training loss, held-out loss and, as a dotted
// line, the held-out loss of the model trained at build time.

import { linear, resetSvg, svgAppend, ticks } from "./train-svg.js";

const MARGIN = { top: 8, right: 10, bottom: 22, left: 42 };

/**
 * Draw the losses into `svg`.
 * @param {SVGSVGElement} svg
 * @param {{train: number[], test: number[], reference: number | null, minEpochs: number,
 *          width: number, height: number, theme: object}} spec
 */
export function drawLossChart(svg, { train, test, reference, minEpochs, width, height, theme }) {
  resetSvg(svg, width, height);
  const epochs = Math.max(2, minEpochs, train.length);
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const bottom = height - MARGIN.bottom;
  const x = linear([1, epochs], [left, right]);
  const values = [...train, ...test, ...(reference == null ? [] : [reference])];
  // Before any epoch, frame the range a fresh model starts in (about ln 2 = 0.69).
  let lo = train.length ? Math.min(...values) : 0;
  let hi = train.length ? Math.max(...values) : Math.max(0.7, ...values);
  const pad = Math.max(0.01, (hi - lo) * 0.1);
  lo = Math.max(0, lo - pad);
  hi += pad;
  const y = linear([lo, hi], [bottom, MARGIN.top]);
  const label = (px, py, value, attrs) => svgAppend(svg, "text", { x: px, y: py, "font-size": 10,
    fill: theme.muted, "font-variant-numeric": "tabular-nums", ...attrs }, value);
  svgAppend(svg, "path", { d: `M${left},${MARGIN.top} V${bottom} H${right}`, fill: "none", stroke: theme.border });
  for (const v of ticks(lo, hi, 3)) {
    svgAppend(svg, "line", { x1: left - 4, x2: left, y1: y(v), y2: y(v), stroke: theme.border });
    label(left - 6, y(v) + 3, v.toFixed(2), { "text-anchor": "end" });
  }
  const xTicks = ticks(1, epochs, Math.max(2, Math.floor(width / 70))).filter((v) => Number.isInteger(v));
  for (const v of xTicks) {
    svgAppend(svg, "line", { x1: x(v), x2: x(v), y1: bottom, y2: bottom + 4, stroke: theme.border });
    label(x(v), bottom + 14, String(v), { "text-anchor": "middle" });
  }
  label(right, height - 1, "epoch", { "text-anchor": "end" });
  if (reference != null) {
    svgAppend(svg, "line", { x1: left, x2: right, y1: y(reference), y2: y(reference), stroke: theme.muted,
      "stroke-dasharray": "2 3" });
  }
  const path = (data) => data.map((v, i) => `${i ? "L" : "M"}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join("");
  for (const [data, dash, strokeWidth] of [[test, "5 3", 1.5], [train, null, 2]]) {
    if (!data.length) continue;
    svgAppend(svg, "path", { d: path(data), fill: "none", stroke: theme.accent, "stroke-width": strokeWidth,
      "stroke-dasharray": dash, "stroke-linejoin": "round" });
    if (data.length === 1) svgAppend(svg, "circle", { cx: x(1), cy: y(data[0]), r: 2.5, fill: theme.accent });
  }
}

/** One sentence describing the chart for screen readers. */
export function describeLosses(train, test, reference) {
  const ref = reference == null ? "" : ` The model trained at build time reaches ${reference.toFixed(3)}.`;
  if (!train.length) return `Loss by epoch: no epochs trained yet.${ref}`;
  const last = train.length - 1;
  return `Loss by epoch over ${train.length} epochs: training loss from ${train[0].toFixed(3)} to ` +
    `${train[last].toFixed(3)}, held-out loss now ${test[last].toFixed(3)}.${ref}`;
}
