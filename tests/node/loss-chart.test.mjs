// The training-loss chart (lib/loss-chart.js) of train-in-page and mnist-live: its sentence for
// screen readers, and what it draws into a (fake) <svg>.
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";

import { createLossChart, describeLosses, drawLossChart } from "../../assets/js/lib/loss-chart.js";
import { installDocument, restore } from "./fake-browser.mjs";

const THEME = { fg: "#111", bg: "#fff", muted: "#777", border: "#ccc", accent: "#06c" };
const SIZE = { width: 320, height: 160 };
const PLOT = { left: 42, right: 320 - 10, top: 8, bottom: 160 - 22 }; // loss-chart.js's MARGIN

beforeEach(() => installDocument());
afterEach(() => restore());

/** createLossChart's svg, with the two DOM methods drawLossChart needs that the fake lacks. */
function chart(keys = [{ label: "training", kind: "train" }]) {
  const { box, svg } = createLossChart({ className: "extra", keys });
  svg.appendChild = (node) => {
    svg.append(node);
    return node;
  };
  svg.replaceChildren = () => {
    svg.children = [];
  };
  return { box, svg };
}

const byTag = (svg, tag) => svg.children.filter((node) => node.tagName === tag.toUpperCase());
const texts = (svg) => byTag(svg, "text").map((node) => node.textContent);
/** The x axis's tick labels (centred under their ticks) and the y axis's (right-aligned left of the plot). */
const tickLabels = (svg, anchor) => byTag(svg, "text")
  .filter((node) => node.getAttribute("text-anchor") === anchor && Number(node.getAttribute("x")) < PLOT.right)
  .map((node) => node.textContent);
/** A path's "M x,y L x,y ..." as [[x, y], ...]. */
const vertices = (d) => d.split(/[ML]/).filter(Boolean).map((pair) => pair.split(",").map(Number));

test("describeLosses: the run so far in one sentence", () => {
  assert.equal(describeLosses({ train: [], unit: "epoch" }), "Loss by epoch: no epochs trained yet.");
  assert.equal(describeLosses({ train: [0.69, 0.4, 0.2512], test: [0.7, 0.3], unit: "epoch", reference: 0.18 }),
    "Loss by epoch over 3 epochs: training loss from 0.690 to 0.251, held-out loss now 0.300. " +
    "The model trained at build time reaches 0.180.");
  assert.equal(describeLosses({ train: [0.5, 0.25], unit: "step" }), "Loss by step over 2 steps: training loss from 0.500 to 0.250.");
  assert.match(describeLosses({ train: [], unit: "step", reference: 0.1 }), /no steps trained yet\. The model trained at build time reaches 0\.100\.$/);
});

test("createLossChart: an svg image beside a legend that screen readers skip", () => {
  const { box, svg } = chart([{ label: "training", kind: "train" }, { label: "held out", kind: "test" }]);
  assert.equal(box.getAttribute("class"), "loss-chart extra");
  assert.equal(svg.getAttribute("role"), "img");
  assert.equal(svg.namespaceURI, "http://www.w3.org/2000/svg");
  const legend = box.children[1];
  assert.equal(legend.getAttribute("aria-hidden"), "true");
  const keys = legend.children.map((span) => span.children[0].getAttribute("class"));
  assert.deepEqual(keys, ["loss-chart__key", "loss-chart__key loss-chart__key--test"]);
});

test("drawLossChart draws one line per non-empty series inside the plot, ticks and labels", () => {
  const { svg } = chart();
  const train = Array.from({ length: 12 }, (_, i) => 0.7 * 0.8 ** i);
  const test_ = Array.from({ length: 12 }, (_, i) => 0.72 * 0.82 ** i);
  drawLossChart(svg, { series: [{ values: train }, { values: test_, dash: "4 3" }, { values: [] }], reference: 0.05,
    minX: 10, xLabel: "epoch", ...SIZE, theme: THEME });
  assert.equal(svg.getAttribute("viewBox"), "0 0 320 160");
  const lines = byTag(svg, "path").filter((p) => p.getAttribute("class") === "loss-chart__line");
  assert.equal(lines.length, 2);
  assert.equal(lines[1].getAttribute("stroke-dasharray"), "4 3");
  for (const line of lines) {
    const points = vertices(line.getAttribute("d"));
    assert.equal(points.length, 12);
    assert.equal(points[0][0], PLOT.left);
    assert.equal(points[11][0], PLOT.right, "12 epochs span the axis");
    for (const [x, y] of points) assert.ok(x >= PLOT.left && x <= PLOT.right && y >= PLOT.top && y <= PLOT.bottom);
  }
  const reference = byTag(svg, "line").find((line) => line.getAttribute("stroke-dasharray") === "2 3");
  assert.ok(reference, "the build's loss as a dotted line");
  assert.ok(texts(svg).includes("epoch"));
  const epochs = tickLabels(svg, "middle").map(Number);
  assert.ok(epochs.length >= 2 && epochs.every((v) => Number.isInteger(v) && v >= 1 && v <= 12), `x ticks ${epochs}`);
  const losses = tickLabels(svg, "end");
  assert.ok(losses.length >= 2 && losses.every((t) => /^\d+\.\d\d$/.test(t)), `y ticks ${losses}`);
  assert.ok(Number(losses[0]) <= 0.05 && Number(losses.at(-1)) >= 0.5, `y ticks ${losses} cover the losses`);
});

test("drawLossChart averages a long run down to about one point per two pixels", () => {
  const { svg } = chart();
  const values = Array.from({ length: 5000 }, (_, i) => 1 / (1 + i / 100));
  drawLossChart(svg, { series: [{ values }], minX: 1, xLabel: "step", ...SIZE, theme: THEME });
  const [line] = byTag(svg, "path").filter((p) => p.getAttribute("class") === "loss-chart__line");
  const points = vertices(line.getAttribute("d"));
  assert.equal(Number(line.getAttribute("data-points")), points.length);
  assert.ok(points.length <= (PLOT.right - PLOT.left) / 2, `${points.length} points`);
  for (let k = 1; k < points.length; k++) assert.ok(points[k][0] > points[k - 1][0] && points[k][1] >= points[k - 1][1]);
  const steps = tickLabels(svg, "middle").map(Number);
  assert.ok(steps.some((v) => v >= 1000) && steps.every(Number.isInteger), `x ticks ${steps}`);
});

test("drawLossChart before training, with one value, and with a flat run: no NaN anywhere", () => {
  const cases = [
    { series: [{ values: [] }], minX: 20 },
    { series: [{ values: [0.42] }], minX: 20 },
    { series: [{ values: [0.3, 0.3, 0.3] }], minX: 1 },
  ];
  for (const spec of cases) {
    const { svg } = chart();
    drawLossChart(svg, { ...spec, xLabel: "epoch", ...SIZE, theme: THEME });
    for (const node of svg.children) {
      for (const [name, value] of Object.entries(node.attributes)) assert.ok(!/NaN|Infinity/.test(value), `${name}="${value}"`);
    }
    assert.ok(tickLabels(svg, "end").length >= 2 && tickLabels(svg, "middle").length >= 1, "ticks are labelled");
    if (spec.series[0].values.length === 1) assert.equal(byTag(svg, "circle").length, 1, "a lone value is a dot");
  }
});

test("describeLosses says one epoch, not one epochs", () => {
  assert.match(describeLosses({ train: [0.5], unit: "epoch" }), /over 1 epoch:/);
  assert.match(describeLosses({ train: [0.5, 0.4], unit: "epoch" }), /over 2 epochs:/);
});
