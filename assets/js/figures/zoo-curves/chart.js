// zoo-curves: the SVG chart (d3): axes, one training and one validation curve per model,
// and the crosshair at the chosen epoch. index.js owns the state and the events.

import * as d3 from "d3";
import { drawable, logTicks, yDomain } from "./series.js";

const MARGIN = { top: 12, right: 14, bottom: 34, left: 54 };
const DOTS_UP_TO = 25; // mark every epoch with a dot while there are this few
const MOVE_MS = 250;

/**
 * Build the chart's skeleton in `svgNode`; returns `draw(view)`, `crosshair(view)` and the current
 * scales. `view`: {width, height, axis, epoch, lead (a series), visible (a Set of keys), hovering,
 * animate (move to the new scales), epochs}.
 * @param {SVGSVGElement} svgNode @param {object[]} series
 */
export function createChart(svgNode, series) {
  const svg = d3.select(svgNode);
  const gx = svg.append("g").attr("class", "zoo-curves__x");
  const gy = svg.append("g").attr("class", "zoo-curves__y");
  const xLabel = svg.append("text").attr("fill", "currentColor").attr("text-anchor", "middle").text("epoch");
  const yLabel = svg.append("text").attr("fill", "currentColor").attr("text-anchor", "middle")
    .text("loss per pixel");
  const lines = svg.append("g");
  const empty = svg.append("text").attr("class", "zoo-curves__empty").attr("text-anchor", "middle")
    .text("No model shown: press a model below to show it.");
  const cross = svg.append("line").attr("class", "zoo-curves__cross");
  const marks = svg.append("g");
  const groups = lines.selectAll("g").data(series, (s) => s.key).join("g")
    .attr("class", "zoo-curves__series").attr("data-key", (s) => s.key).attr("color", (s) => s.colour);
  groups.append("path").attr("class", "zoo-curves__line zoo-curves__line--train").attr("stroke", "currentColor");
  groups.append("path").attr("class", "zoo-curves__line zoo-curves__line--val").attr("stroke", "currentColor");

  const x = d3.scaleLinear();
  let y = d3.scaleLog();
  const shown = (view) => series.filter((s) => view.visible.has(s.key));

  function draw(view) {
    const { width, height, axis, epochs } = view;
    svg.attr("width", width).attr("height", height).attr("viewBox", `0 0 ${width} ${height}`);
    const right = width - MARGIN.right;
    const bottom = height - MARGIN.bottom;
    x.domain([1, Math.max(2, epochs)]).range([MARGIN.left, right]);
    y = (axis === "log" ? d3.scaleLog() : d3.scaleLinear()).domain(yDomain(shown(view), axis))
      .range([bottom, MARGIN.top]);
    const t = view.animate ? svg.transition().duration(MOVE_MS) : null;
    const on = (sel) => (t ? sel.transition(t) : sel);
    const xTicks = x.ticks(Math.max(2, Math.min(epochs - 1, Math.floor(width / 70)))).filter(Number.isInteger);
    gx.attr("transform", `translate(0,${bottom})`)
      .call(d3.axisBottom(x).tickValues(xTicks.length ? xTicks : [1]).tickFormat(d3.format("d")).tickSizeOuter(0));
    const yTicks = axis === "log" ? logTicks(y.domain()) : y.ticks(5);
    on(gy.attr("transform", `translate(${MARGIN.left},0)`))
      .call(d3.axisLeft(y).tickValues(yTicks).tickFormat(d3.format(".3~g")).tickSize(-(right - MARGIN.left))
        .tickSizeOuter(0));
    gy.selectAll(".tick line").attr("stroke-opacity", 0.5);
    gy.select(".domain").remove();
    xLabel.attr("x", (MARGIN.left + right) / 2).attr("y", height - 4);
    yLabel.attr("transform", `translate(12,${(MARGIN.top + bottom) / 2}) rotate(-90)`)
      .text(axis === "log" ? "loss per pixel (log scale)" : "loss per pixel");
    const line = d3.line().defined(drawable).x((_, i) => x(i + 1)).y((v) => y(v));
    groups.attr("display", (s) => (view.visible.has(s.key) ? null : "none"))
      .classed("is-dim", (s) => view.hovering && s !== view.lead)
      .classed("is-lead", (s) => view.hovering && s === view.lead);
    on(groups.select(".zoo-curves__line--train")).attr("d", (s) => line(s.train));
    on(groups.select(".zoo-curves__line--val")).attr("d", (s) => line(s.val));
    groups.each(function dots(s) {
      const points = epochs <= DOTS_UP_TO
        ? s.train.map((v, i) => ({ v, i, kind: "train" })).concat(s.val.map((v, i) => ({ v, i, kind: "val" })))
          .filter((p) => drawable(p.v))
        : [];
      on(d3.select(this).selectAll("circle").data(points).join("circle")
        .attr("r", (p) => (p.kind === "train" ? 2.5 : 2))
        .attr("fill", (p) => (p.kind === "train" ? "currentColor" : "var(--bg)"))
        .attr("stroke", "currentColor").attr("stroke-width", 1.2))
        .attr("cx", (p) => x(p.i + 1)).attr("cy", (p) => y(p.v));
    });
    empty.attr("x", (MARGIN.left + right) / 2).attr("y", (MARGIN.top + bottom) / 2)
      .attr("display", view.visible.size ? "none" : null);
    crosshair(view);
  }

  function crosshair(view) {
    const { epoch } = view;
    cross.attr("x1", x(epoch)).attr("x2", x(epoch)).attr("y1", MARGIN.top).attr("y2", view.height - MARGIN.bottom)
      .attr("display", view.visible.size ? null : "none");
    const points = shown(view).flatMap((s) => [
      { s, v: s.train[epoch - 1], kind: "train" }, { s, v: s.val[epoch - 1], kind: "val" },
    ]).filter((p) => drawable(p.v));
    marks.selectAll("circle").data(points).join("circle")
      .attr("r", (p) => (p.s === view.lead ? 5 : 3.5))
      .attr("cx", x(epoch)).attr("cy", (p) => y(p.v))
      .attr("fill", (p) => (p.kind === "train" ? p.s.colour : "var(--bg)"))
      .attr("stroke", (p) => p.s.colour).attr("stroke-width", 2);
  }

  return {
    draw,
    crosshair,
    /** The x scale (epochs) and y scale (loss) of the last draw. */
    get x() {
      return x;
    },
    get y() {
      return y;
    },
    /** Stop any transition (on destroy). */
    stop: () => svg.interrupt(),
  };
}
