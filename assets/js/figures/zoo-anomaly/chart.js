// zoo-anomaly: the SVG chart (d3): one row per class with a strip of its images' errors,
// a box plot over them, the most unusual images marked, and a ring on the chosen image.
// index.js owns the state and the events.

import * as d3 from "d3";
import { errorDomain, jitter, stripOf } from "./stats.js";

const MARGIN = { top: 8, right: 16, bottom: 38, left: 92 };
const ROW = { min: 26, max: 34 };
const LONG_LABEL = "reconstruction error (mean binary cross-entropy per pixel)";
const SHORT_LABEL = "reconstruction error (BCE per pixel)";

/** The chart's size for a width: rows and the left margin shrink on a narrow screen. */
export function chartSize(width, classCount) {
  const narrow = width < 480;
  const row = narrow ? ROW.min : ROW.max;
  return { width, narrow, height: MARGIN.top + MARGIN.bottom + row * classCount, left: narrow ? 78 : MARGIN.left };
}

/**
 * Build the chart's skeleton in `svgNode`. Returns `draw(size, current)`, `mark(current)`
 * (the current row and the ring only) and `pick(px, py)` (the class row and nearby image under a point).
 * @param {SVGSVGElement} svgNode
 * @param {{summaries: object[], errors: Float32Array, labels: Uint8Array, top: object[]}} data
 */
export function createChart(svgNode, { summaries, errors, labels, top }) {
  const svg = d3.select(svgNode);
  const x = d3.scaleLinear();
  const y = d3.scaleBand().domain(summaries.map((s) => s.c)).paddingInner(0.12);
  const gx = svg.append("g");
  const xLabel = svg.append("text").attr("fill", "currentColor").attr("text-anchor", "middle")
    .attr("font-size", 11).text(LONG_LABEL);
  const rows = svg.append("g").selectAll("g").data(summaries).join("g").attr("class", "zoo-anomaly__row");
  rows.append("rect").attr("class", "zoo-anomaly__row-bg");
  rows.append("text").attr("class", "zoo-anomaly__name").attr("text-anchor", "end").attr("dy", "0.35em")
    .text((s) => s.name);
  const strips = rows.append("g");
  const boxes = rows.append("g");
  const hotLayer = svg.append("g");
  const cursor = svg.append("circle").attr("class", "zoo-anomaly__cursor").attr("r", 6);
  const offset = (i) => y.bandwidth() / 2 + jitter(i) * y.bandwidth() * 0.8;
  const pointY = (i) => y(labels[i]) + offset(i);

  function drawBox(g, s, band) {
    g.selectAll("*").remove();
    if (!s.count) return;
    const mid = band / 2;
    const bh = Math.min(16, band * 0.6);
    const line = (x1, x2, y1, y2) => g.append("line").attr("class", "zoo-anomaly__whisker")
      .attr("x1", x1).attr("x2", x2).attr("y1", y1).attr("y2", y2);
    line(x(s.low), x(s.q1), mid, mid);
    line(x(s.q3), x(s.high), mid, mid);
    for (const v of [s.low, s.high]) line(x(v), x(v), mid - bh / 3, mid + bh / 3);
    g.append("rect").attr("class", "zoo-anomaly__box").attr("x", x(s.q1)).attr("width", Math.max(1, x(s.q3) - x(s.q1)))
      .attr("y", mid - bh / 2).attr("height", bh).attr("rx", 2);
    g.append("line").attr("class", "zoo-anomaly__median").attr("x1", x(s.median)).attr("x2", x(s.median))
      .attr("y1", mid - bh / 2).attr("y2", mid + bh / 2);
  }

  function draw(size, current) {
    const { width, height, left } = size;
    svg.attr("width", width).attr("height", height).attr("viewBox", `0 0 ${width} ${height}`);
    const right = width - MARGIN.right;
    const bottom = height - MARGIN.bottom;
    x.domain(errorDomain(errors)).nice().range([left, right]);
    y.range([MARGIN.top, bottom]);
    const band = y.bandwidth();
    gx.attr("transform", `translate(0,${bottom})`)
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor((right - left) / 80))).tickSize(-(bottom - MARGIN.top))
        .tickSizeOuter(0));
    gx.selectAll(".tick line").attr("stroke-opacity", 0.45);
    gx.select(".domain").remove();
    xLabel.attr("x", (left + right) / 2).attr("y", height - 4).text(size.narrow ? SHORT_LABEL : LONG_LABEL);
    rows.attr("transform", (s) => `translate(0,${y(s.c)})`);
    rows.select(".zoo-anomaly__row-bg").attr("x", 0).attr("width", right).attr("y", -2).attr("height", band + 4);
    rows.select(".zoo-anomaly__name").attr("x", left - 8).attr("y", band / 2)
      .text((s) => (size.narrow && s.name.length > 10 ? `${s.name.slice(0, 9)}…` : s.name));
    strips.each(function points(s) {
      d3.select(this).selectAll("circle").data(stripOf(s)).join("circle").attr("class", "zoo-anomaly__dot")
        .attr("r", 1.6).attr("cx", (i) => x(errors[i])).attr("cy", offset);
    });
    boxes.each(function box(s) {
      drawBox(d3.select(this), s, band);
    });
    hotLayer.selectAll("circle").data(top).join("circle").attr("class", "zoo-anomaly__hot").attr("r", 4)
      .attr("cx", (t) => x(t.error)).attr("cy", (t) => y(t.label) + offset(t.index));
    mark(current);
  }

  function mark(current) {
    rows.classed("is-current", (s) => s.c === current.c);
    if (current.image === null) cursor.attr("display", "none");
    else cursor.attr("display", null).attr("cx", x(errors[current.image])).attr("cy", pointY(current.image));
  }

  function pick(px, py) {
    const c = y.domain().find((k) => py >= y(k) - 2 && py <= y(k) + y.bandwidth() + 2);
    if (c === undefined) return null;
    let best = null;
    for (const i of summaries[c].order) {
      const d = Math.hypot(x(errors[i]) - px, pointY(i) - py);
      if (d < 8 && (!best || d < best.d)) best = { d, i };
    }
    return { c, image: best ? best.i : null };
  }

  return { draw, mark, pick };
}
