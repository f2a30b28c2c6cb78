// A small SVG chart of a training run's loss (train-in-page: by epoch, with the
// held-out loss dashed and, dotted, the held-out loss of the model trained at
// build time; mnist-live: by step). For screen readers the chart is one image
// whose label is a sentence from describeLosses(). Styles: assets/css/loss-chart.css.

import { h } from "./figure.js";
import { niceTicks } from "./plot-axes.js";

const MARGIN = { top: 8, right: 10, bottom: 22, left: 42 };

/**
 * The chart's elements: a box holding the <svg> and a legend (hidden from screen readers,
 * which read the svg's label instead).
 * @param {{className?: string, keys: {label: string, kind: "train"|"test"|"ref"}[]}} options
 * @returns {{box: HTMLDivElement, svg: SVGSVGElement}}
 */
export function createLossChart({ className = "", keys }) {
  const svg = h("svg:svg", { role: "img" });
  const legend = h("p", { class: "loss-chart__legend", "aria-hidden": "true" }, keys.map(({ label, kind }) =>
    h("span", {}, h("i", { class: kind === "train" ? "loss-chart__key" : `loss-chart__key loss-chart__key--${kind}` }), label)));
  return { box: h("div", { class: `loss-chart ${className}`.trim() }, svg, legend), svg };
}

// At most `max` points: beyond that, the means of runs of consecutive values (x: their mean position, from 1).
function points(values, max) {
  if (values.length <= max) return values.map((v, i) => [i + 1, v]);
  const size = Math.ceil(values.length / max);
  const out = [];
  for (let start = 0; start < values.length; start += size) {
    const run = values.slice(start, start + size);
    out.push([start + (run.length + 1) / 2, run.reduce((a, b) => a + b, 0) / run.length]);
  }
  return out;
}

/**
 * Draw the losses into `svg` (its content is replaced), one value per epoch or step from 1 on.
 * @param {SVGSVGElement} svg
 * @param {{series: {values: number[], dash?: string, width?: number}[], reference?: number|null,
 *   minX: number, xLabel: string, width: number, height: number, theme: object}} spec
 *   series are drawn in order (the last on top); minX: the x axis spans at least 1..minX.
 */
export function drawLossChart(svg, { series, reference = null, minX, xLabel, width, height, theme }) {
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const add = (tag, attrs, text) => svg.appendChild(h(`svg:${tag}`, { ...attrs, text }));
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const bottom = height - MARGIN.bottom;
  const count = Math.max(2, minX, ...series.map((s) => s.values.length));
  const x = (v) => left + ((v - 1) * (right - left)) / (count - 1);
  const values = [...series.flatMap((s) => s.values), ...(reference == null ? [] : [reference])];
  const trained = series.some((s) => s.values.length);
  // Before any training, frame the range a fresh model starts in (about ln 2 = 0.69).
  let lo = trained ? Math.min(...values) : 0;
  let hi = trained ? Math.max(...values) : Math.max(0.7, ...values);
  const pad = Math.max(0.01, (hi - lo) * 0.1);
  lo = Math.max(0, lo - pad);
  hi += pad;
  const y = (v) => bottom + ((v - lo) * (MARGIN.top - bottom)) / (hi - lo);
  const label = (px, py, text, attrs) => add("text", { x: px, y: py, "font-size": 10, fill: theme.muted,
    "font-variant-numeric": "tabular-nums", ...attrs }, text);
  svg.replaceChildren();
  add("path", { d: `M${left},${MARGIN.top} V${bottom} H${right}`, fill: "none", stroke: theme.border });
  for (const v of niceTicks(lo, hi, 3)) {
    add("line", { x1: left - 4, x2: left, y1: y(v), y2: y(v), stroke: theme.border });
    label(left - 6, y(v) + 3, v.toFixed(2), { "text-anchor": "end" });
  }
  for (const v of niceTicks(1, count, Math.max(2, Math.floor(width / 70))).filter(Number.isInteger)) {
    add("line", { x1: x(v), x2: x(v), y1: bottom, y2: bottom + 4, stroke: theme.border });
    label(x(v), bottom + 14, String(v), { "text-anchor": "middle" });
  }
  label(right, height - 1, xLabel, { "text-anchor": "end" });
  if (reference != null) {
    add("line", { x1: left, x2: right, y1: y(reference), y2: y(reference), stroke: theme.muted,
      "stroke-dasharray": "2 3" });
  }
  for (const { values: data, dash = null, width: strokeWidth = 2 } of series) {
    if (!data.length) continue;
    const line = points(data, Math.max(2, Math.floor((right - left) / 2)));
    add("path", { class: "loss-chart__line", "data-points": line.length, fill: "none", stroke: theme.accent,
      "stroke-width": strokeWidth, "stroke-dasharray": dash, "stroke-linejoin": "round",
      d: line.map(([i, v], k) => `${k ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("") });
    if (data.length === 1) add("circle", { cx: x(1), cy: y(data[0]), r: 2.5, fill: theme.accent });
  }
}

/**
 * One sentence describing the chart for screen readers.
 * @param {{train: number[], test?: number[], reference?: number|null, unit: string}} losses
 *   unit: what one value stands for ("epoch", "step")
 */
export function describeLosses({ train, test = [], reference = null, unit }) {
  const ref = reference == null ? "" : ` The model trained at build time reaches ${reference.toFixed(3)}.`;
  if (!train.length) return `Loss by ${unit}: no ${unit}s trained yet.${ref}`;
  const last = train.length - 1;
  const held = test.length ? `, held-out loss now ${test[test.length - 1].toFixed(3)}` : "";
  const count = train.length === 1 ? `1 ${unit}` : `${train.length} ${unit}s`;
  return `Loss by ${unit} over ${count}: training loss from ` +
    `${train[0].toFixed(3)} to ${train[last].toFixed(3)}${held}.${ref}`;
}
