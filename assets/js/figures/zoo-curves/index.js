// zoo-curves: training (solid) and validation (dashed) loss per epoch of every
// zoo model in one SVG chart (d3). A linear/log toggle sets the loss axis; the
// legend's buttons (aria-pressed) show or hide models. The plot is one
// keyboard stop: Left/Right (Home/End) move a crosshair through the epochs,
// Up/Down pick the model the read-out leads with; hover and touch do the same.

import * as d3 from "d3";
import { announcer } from "../../lib/announce.js";
import { onThemeChange } from "../../lib/theme.js";
import { BASE_CSS, useStyle } from "../../lib/zoo-chart-style.js";

const MARGIN = { top: 12, right: 14, bottom: 34, left: 54 };
const HEIGHT = { min: 240, max: 400, ratio: 0.55 };
const DOTS_UP_TO = 25; // mark every epoch with a dot while there are this few
const MOVE_MS = 250;
const CSS = `
.zoo-curves__plot { touch-action: pan-y; cursor: crosshair; }
.zoo-curves__line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.zoo-curves__line--val { stroke-dasharray: 5 4; stroke-width: 1.6; }
.zoo-curves__series.is-dim { opacity: 0.22; }
.zoo-curves__series.is-lead .zoo-curves__line { stroke-width: 3; }
.zoo-curves__cross { stroke: var(--muted); stroke-width: 1; shape-rendering: crispEdges; }
.zoo-curves__empty { fill: var(--muted); font-size: 13px; }
.zoo-curves .zoo-chart__readout { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
  gap: 0.15rem 1.5rem; margin-top: 0.5rem; }
.zoo-curves__epoch { grid-column: 1 / -1; }
.zoo-curves__epoch strong { color: var(--fg); }
.zoo-curves__cell { display: flex; align-items: center; gap: 0.4rem; min-width: 0; white-space: nowrap; }
.zoo-curves__name { overflow: hidden; text-overflow: ellipsis; }
.zoo-curves__cell.is-lead .zoo-curves__name { color: var(--fg); font-weight: 600; }
.zoo-curves__values { margin-left: auto; color: var(--fg); }
.zoo-curves__cell:not(.is-lead) .zoo-curves__values, .zoo-curves__values.is-ended { color: var(--muted); }
.zoo-curves__notes { margin: 0.4rem 0 0; color: var(--muted); font-size: 0.8rem; text-align: center; }
.zoo-curves__key { display: inline-flex; align-items: center; gap: 0.3rem; color: var(--muted); font-size: 0.8rem; }
`;

const fmt = (v) => (v == null || !Number.isFinite(v) ? "–" : v < 0.01 ? v.toPrecision(3) : v.toFixed(4));

function validate(config) {
  if (!Array.isArray(config.series) || !config.series.length) {
    throw new Error("zoo-curves needs config.series, one entry per model");
  }
  for (const s of config.series) {
    if (!Array.isArray(s.train) || !Array.isArray(s.val)) {
      throw new Error(`zoo-curves series ${s.key} needs train and val arrays`);
    }
  }
  return config.series;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

export async function mount(figure, config) {
  const series = validate(config);
  const epochs = Math.max(1, ...series.map((s) => Math.max(s.train.length, s.val.length)));
  const live = figure.querySelector(".figure-live") || figure;
  const say = announcer(figure);
  const controller = new AbortController();
  const { signal } = controller;
  const releaseStyle = [useStyle("zoo-chart-base", BASE_CSS), useStyle("zoo-curves-style", CSS)];

  // state
  const visible = new Set(series.map((s) => s.key));
  let axis = config.y_axis === "linear" ? "linear" : "log";
  let epoch = epochs; // 1-based; start at the end, where the final losses are
  let lead = 0; // index into series of the model the read-out leads with
  let paused = false;
  let frame = 0;
  let animate = false;
  let size = null;

  // DOM
  const root = el("div", { class: "zoo-chart zoo-curves" });
  const toolbar = el("div", { class: "zoo-chart__toolbar" });
  const axisLabel = el("span", { class: "zoo-chart__label", id: `${config.id}-axis`, text: "Loss axis" });
  const axisGroup = el("div", { class: "zoo-chart__toggle", role: "group", "aria-labelledby": axisLabel.id });
  const axisButtons = ["linear", "log"].map((name) => el("button", {
    type: "button", "data-axis": name, "aria-pressed": String(axis === name),
    title: name === "log" ? "Logarithmic loss axis: equal ratios look equal" : "Linear loss axis",
  }, name === "log" ? "Log" : "Linear"));
  axisGroup.append(...axisButtons);
  const key = el("span", { class: "zoo-curves__key", "aria-hidden": "true" });
  key.innerHTML = '<svg width="22" height="8"><line x1="1" x2="21" y1="4" y2="4" stroke="currentColor" stroke-width="2"/></svg>training' +
    '<svg width="22" height="8" style="margin-left:0.5rem"><line x1="1" x2="21" y1="4" y2="4" stroke="currentColor" stroke-width="1.6" stroke-dasharray="5 4"/></svg>validation';
  toolbar.append(axisLabel, axisGroup, key);

  const plot = el("div", {
    class: "zoo-chart__plot zoo-curves__plot", tabindex: "0", role: "group", "aria-roledescription": "chart",
    "aria-label": `${config.alt || "Loss curves"} Left and right arrow keys move through the epochs; ` +
      "up and down arrow keys choose the model read out first.",
  });
  const svgNode = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svgNode.setAttribute("aria-hidden", "true");
  plot.append(svgNode);
  const readout = el("p", { class: "zoo-chart__readout", "aria-hidden": "true" });
  const legend = el("ul", { class: "zoo-chart__legend", "aria-label": "Models: press to show or hide" });
  const legendButtons = series.map((s) => {
    const button = el("button", { type: "button", "aria-pressed": "true", "data-key": s.key },
      el("span", { class: "zoo-chart__swatch", style: `background:${s.colour}` }),
      el("span", { text: s.short + (s.dataset === "mnist" && !/mnist/i.test(s.short) ? " (MNIST)" : "") }));
    // the accessible name starts with the visible text; aria-pressed says whether the curve is shown
    const name = button.textContent;
    if (name !== s.title || s.note) button.setAttribute("aria-label", `${name} (${[s.title, s.note].filter(Boolean).join(", ")})`);
    legend.append(el("li", {}, button));
    return button;
  });
  // what each curve measures, once per distinct note ("VAE, Conv VAE: reconstruction term only")
  const notes = new Map();
  for (const s of series) if (s.note) notes.set(s.note, [...(notes.get(s.note) || []), s.short]);
  const noteLine = el("p", { class: "zoo-curves__notes",
    text: [...notes].map(([note, names]) => `${names.join(", ")}: ${note}`).join(" · ") });
  root.append(toolbar, plot, readout, legend, ...(notes.size ? [noteLine] : []));
  live.append(root);

  // chart skeleton
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

  function shown() {
    return series.filter((s) => visible.has(s.key));
  }

  function yDomain() {
    const values = shown().flatMap((s) => [...s.train, ...s.val]).filter((v) => Number.isFinite(v) && v > 0);
    if (!values.length) return [0.1, 1];
    let [lo, hi] = d3.extent(values);
    if (axis === "log") {
      if (hi / lo < 1.2) { lo /= 1.1; hi *= 1.1; }
      return [lo / 1.04, hi * 1.04];
    }
    const pad = Math.max((hi - lo) * 0.06, hi * 0.01);
    return [Math.max(0, lo - pad), hi + pad];
  }

  function measure() {
    const width = Math.max(260, live.clientWidth);
    const height = Math.round(Math.min(HEIGHT.max, Math.max(HEIGHT.min, width * HEIGHT.ratio)));
    return { width, height };
  }

  function draw() {
    frame = 0;
    const { width, height } = size;
    svg.attr("width", width).attr("height", height).attr("viewBox", `0 0 ${width} ${height}`);
    const right = width - MARGIN.right;
    const bottom = height - MARGIN.bottom;
    x.domain([1, Math.max(2, epochs)]).range([MARGIN.left, right]);
    y = (axis === "log" ? d3.scaleLog() : d3.scaleLinear()).domain(yDomain()).range([bottom, MARGIN.top]);
    const t = animate && !config.reducedMotion ? svg.transition().duration(MOVE_MS) : null;
    animate = false;
    const on = (sel) => (t ? sel.transition(t) : sel);
    const xTicks = x.ticks(Math.max(2, Math.min(epochs - 1, Math.floor(width / 70)))).filter(Number.isInteger);
    gx.attr("transform", `translate(0,${bottom})`)
      .call(d3.axisBottom(x).tickValues(xTicks.length ? xTicks : [1]).tickFormat(d3.format("d")).tickSizeOuter(0));
    const yTicks = axis === "log" ? logTicks(y) : y.ticks(5);
    on(gy.attr("transform", `translate(${MARGIN.left},0)`))
      .call(d3.axisLeft(y).tickValues(yTicks).tickFormat(d3.format(".3~g")).tickSize(-(right - MARGIN.left))
        .tickSizeOuter(0));
    gy.selectAll(".tick line").attr("stroke-opacity", 0.5);
    gy.select(".domain").remove();
    xLabel.attr("x", (MARGIN.left + right) / 2).attr("y", height - 4);
    yLabel.attr("transform", `translate(12,${(MARGIN.top + bottom) / 2}) rotate(-90)`)
      .text(axis === "log" ? "loss per pixel (log scale)" : "loss per pixel");
    const line = d3.line().defined((v) => Number.isFinite(v) && v > 0).x((_, i) => x(i + 1)).y((v) => y(v));
    groups.attr("display", (s) => (visible.has(s.key) ? null : "none"))
      .classed("is-dim", (s, i) => hovering && i !== lead)
      .classed("is-lead", (s, i) => hovering && i === lead);
    on(groups.select(".zoo-curves__line--train")).attr("d", (s) => line(s.train));
    on(groups.select(".zoo-curves__line--val")).attr("d", (s) => line(s.val));
    groups.each(function dots(s) {
      const few = epochs <= DOTS_UP_TO;
      const points = few ? s.train.map((v, i) => ({ v, i, kind: "train" }))
        .concat(s.val.map((v, i) => ({ v, i, kind: "val" }))).filter((p) => Number.isFinite(p.v) && p.v > 0) : [];
      on(d3.select(this).selectAll("circle").data(points).join("circle")
        .attr("r", (p) => (p.kind === "train" ? 2.5 : 2))
        .attr("fill", (p) => (p.kind === "train" ? "currentColor" : "var(--bg)"))
        .attr("stroke", "currentColor").attr("stroke-width", 1.2))
        .attr("cx", (p) => x(p.i + 1)).attr("cy", (p) => y(p.v));
    });
    empty.attr("x", (MARGIN.left + right) / 2).attr("y", (MARGIN.top + bottom) / 2)
      .attr("display", visible.size ? "none" : null);
    drawCrosshair();
  }

  function drawCrosshair() {
    const bottom = size.height - MARGIN.bottom;
    cross.attr("x1", x(epoch)).attr("x2", x(epoch)).attr("y1", MARGIN.top).attr("y2", bottom)
      .attr("display", visible.size ? null : "none");
    const points = shown().flatMap((s) => [
      { s, v: s.train[epoch - 1], kind: "train" }, { s, v: s.val[epoch - 1], kind: "val" },
    ]).filter((p) => Number.isFinite(p.v) && p.v > 0);
    marks.selectAll("circle").data(points).join("circle")
      .attr("r", (p) => (series.indexOf(p.s) === lead ? 5 : 3.5))
      .attr("cx", x(epoch)).attr("cy", (p) => y(p.v))
      .attr("fill", (p) => (p.kind === "train" ? p.s.colour : "var(--bg)"))
      .attr("stroke", (p) => p.s.colour).attr("stroke-width", 2);
    writeReadout();
  }

  // A model's losses at epoch e; past its last epoch, its final losses (flagged as ended).
  function at(s, e) {
    const n = Math.max(s.train.length, s.val.length);
    const k = Math.min(e, n) - 1;
    return { s, train: s.train[k], val: s.val[k], ended: e > n, last: n };
  }

  function rowsAt(e) {
    return shown().map((s) => at(s, e))
      .sort((a, b) => (a.s === series[lead] ? -1 : b.s === series[lead] ? 1 : 0));
  }

  function writeReadout() {
    const rows = rowsAt(epoch);
    readout.replaceChildren(el("span", { class: "zoo-curves__epoch" }, el("strong", { text: `Epoch ${epoch}` }),
      ` of ${epochs} · training / validation loss`));
    for (const { s, train, val, ended, last } of rows) {
      readout.append(el("span", { class: `zoo-curves__cell${s === series[lead] ? " is-lead" : ""}` },
        el("span", { class: "zoo-chart__swatch", style: `background:${s.colour}` }),
        el("span", { class: "zoo-curves__name", text: s.short }),
        el("span", { class: `zoo-curves__values${ended ? " is-ended" : ""}`,
          title: ended ? `${s.title} trained ${last} epochs; these are its final losses` : "",
          text: `${fmt(train)} / ${fmt(val)}${ended ? ` (ep. ${last})` : ""}` })));
    }
    if (!rows.length) readout.append(el("span", { text: "No model shown." }));
  }

  function describe() {
    const rows = rowsAt(epoch).filter((r) => Number.isFinite(r.val));
    if (!rows.length) return `Epoch ${epoch}: no model shown.`;
    const first = rows[0];
    const final = (r) => (r.ended ? ` (final, epoch ${r.last})` : "");
    const rest = rows.slice(1).map((r) => `${r.s.short} ${fmt(r.val)}${final(r)}`).join(", ");
    return `Epoch ${epoch} of ${epochs}. ${first.s.title}${final(first)}: training ${fmt(first.train)}, validation ` +
      `${fmt(first.val)}.${rest ? ` Validation of the others: ${rest}.` : ""}`;
  }

  let hovering = false;

  function requestDraw() {
    if (!frame && !paused) frame = requestAnimationFrame(draw);
  }

  function setEpoch(e, { speak = true } = {}) {
    const next = Math.min(epochs, Math.max(1, Math.round(e)));
    if (next === epoch) return;
    epoch = next;
    if (!paused) drawCrosshair();
    else writeReadout(); // resume() redraws the crosshair
    if (speak) say(describe());
  }

  function setLead(i) {
    lead = (i + series.length) % series.length;
  }

  function nextShown(step) {
    if (!visible.size) return;
    let i = lead;
    do setLead(i += step); while (!visible.has(series[lead].key));
  }

  function setAxis(name) {
    if (name === axis) return;
    axis = name;
    axisButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.axis === axis)));
    animate = true;
    requestDraw();
    say(`Loss axis: ${axis === "log" ? "logarithmic" : "linear"}.`);
  }

  function toggle(key) {
    const i = series.findIndex((s) => s.key === key);
    if (i < 0) throw new Error(`zoo-curves has no model "${key}"`);
    const show = !visible.has(key);
    if (show) visible.add(key); else visible.delete(key);
    const button = legendButtons[i];
    button.setAttribute("aria-pressed", String(show));
    if (!show && lead === i) nextShown(1);
    if (show && !visible.has(series[lead].key)) setLead(i);
    animate = true;
    requestDraw();
    say(`${show ? "Showing" : "Hid"} ${series[i].title}. ${visible.size} of ${series.length} models shown.`);
  }

  // events
  axisButtons.forEach((b) => b.addEventListener("click", () => setAxis(b.dataset.axis), { signal }));
  legendButtons.forEach((b) => b.addEventListener("click", () => toggle(b.dataset.key), { signal }));
  plot.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: epoch - 1, ArrowRight: epoch + 1, Home: 1, End: epochs, PageDown: epoch - 5,
      PageUp: epoch + 5 };
    if (event.key in moves) {
      event.preventDefault();
      if (moves[event.key] === epoch || moves[event.key] < 1 || moves[event.key] > epochs) {
        say(describe());
        return;
      }
      setEpoch(moves[event.key]);
    } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      event.preventDefault();
      nextShown(event.key === "ArrowDown" ? 1 : -1);
      hovering = true;
      requestDraw();
      say(describe());
    }
  }, { signal });
  plot.addEventListener("focus", () => { hovering = true; requestDraw(); say(describe()); }, { signal });
  plot.addEventListener("blur", () => { hovering = false; requestDraw(); }, { signal });

  function fromPointer(event) {
    const box = svgNode.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    setEpoch(x.invert(px), { speak: false });
    // lead with the shown model whose curve passes closest to the pointer at this epoch
    let best = null;
    for (const s of shown()) {
      for (const v of [s.train[epoch - 1], s.val[epoch - 1]]) {
        if (!Number.isFinite(v) || v <= 0) continue;
        const d = Math.abs(y(v) - py);
        if (!best || d < best.d) best = { d, i: series.indexOf(s) };
      }
    }
    if (best && best.i !== lead) {
      lead = best.i;
      hovering = true;
      requestDraw();
    } else if (!hovering) {
      hovering = true;
      requestDraw();
    }
  }
  svgNode.addEventListener("pointermove", fromPointer, { signal });
  svgNode.addEventListener("pointerdown", (event) => {
    fromPointer(event);
    say(describe());
  }, { signal });
  svgNode.addEventListener("pointerleave", () => {
    if (document.activeElement !== plot) { hovering = false; requestDraw(); }
  }, { signal });
  onThemeChange(requestDraw, signal);
  const resizeObserver = new ResizeObserver(() => {
    const next = measure();
    if (size && next.width === size.width && next.height === size.height) return;
    size = next;
    requestDraw();
  });
  resizeObserver.observe(live);

  size = measure();
  draw();

  figure.__figure = {
    state: () => ({
      epoch, epochs, axis, lead: series[lead].key, visible: series.filter((s) => visible.has(s.key)).map((s) => s.key),
      drawn: [...svgNode.querySelectorAll(".zoo-curves__series")].filter((g) => g.getAttribute("display") !== "none")
        .map((g) => g.dataset.key),
      readout: readout.textContent,
    }),
    setEpoch: (e) => { setEpoch(e); return epoch; },
    toggle,
    setAxis,
  };

  return {
    pause() {
      paused = true;
      cancelAnimationFrame(frame);
      frame = 0;
    },
    resume() {
      paused = false;
      requestDraw();
    },
    destroy() {
      controller.abort();
      resizeObserver.disconnect();
      cancelAnimationFrame(frame);
      svg.interrupt();
      root.remove();
      releaseStyle.forEach((release) => release());
      delete figure.__figure;
      say("");
    },
  };
}

/** Ticks for a log axis: round values (d3's log ticks crowd, or vanish within one decade). */
function logTicks(scale) {
  const [lo, hi] = scale.domain();
  if (hi / lo < 10) return d3.ticks(lo, hi, 5).filter((v) => v > 0);
  return scale.ticks().filter((v) => {
    const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6);
  });
}
