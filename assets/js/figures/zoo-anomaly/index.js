// zoo-anomaly: every test image's reconstruction error under one zoo model,
// as a box plot per class (SVG, d3) over a strip of the images themselves,
// and the images with the highest error as thumbnails (original above the
// model's reconstruction). The chart is one keyboard stop: Up/Down choose a
// class, Left/Right step through its images by error (Home/End: lowest and
// highest). Hover and touch read out the class or the nearest image; each
// thumbnail is a button that marks its image in the chart.

import * as d3 from "d3";
import { announcer } from "../../lib/announce.js";
import { onThemeChange } from "../../lib/theme.js";
import { BASE_CSS, useStyle } from "../../lib/zoo-chart-style.js";

const MARGIN = { top: 8, right: 16, bottom: 38, left: 92 };
const ROW = { min: 26, max: 34 };
const STRIP_MAX = 400; // points drawn per class (the highest errors always among them)
const THUMB_SCALE = 2;
const HOT = "#d55e00";
const CSS = `
.zoo-anomaly__plot { touch-action: pan-y; }
.zoo-anomaly__row-bg { fill: transparent; }
.zoo-anomaly__row.is-current .zoo-anomaly__row-bg { fill: var(--surface); }
.zoo-anomaly__row.is-current .zoo-anomaly__name { fill: var(--fg); font-weight: 600; }
.zoo-anomaly__name { fill: var(--muted); font-size: 12px; }
.zoo-anomaly__dot { fill: var(--muted); fill-opacity: 0.35; }
.zoo-anomaly__box { fill: color-mix(in srgb, var(--accent) 16%, transparent); stroke: var(--accent); stroke-width: 1.2; }
.zoo-anomaly__median { stroke: var(--accent); stroke-width: 3; }
.zoo-anomaly__whisker { stroke: var(--fg); stroke-opacity: 0.55; }
.zoo-anomaly__hot { fill: ${HOT}; stroke: var(--bg); stroke-width: 1; }
.zoo-anomaly__cursor { fill: none; stroke: var(--fg); stroke-width: 2; }
.zoo-anomaly__thumbs { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.45rem; margin: 0.9rem 0 0;
  padding: 0; list-style: none; }
.zoo-anomaly__thumbs li { margin: 0; }
.zoo-anomaly__thumb { display: flex; flex-direction: column; align-items: center; gap: 0.15rem; padding: 0.3rem;
  border: 1px solid var(--border); border-radius: var(--radius); background: var(--bg); color: var(--fg);
  font: inherit; font-size: 0.72rem; line-height: 1.2; cursor: pointer; }
.zoo-anomaly__thumb:hover, .zoo-anomaly__thumb[aria-current="true"] { border-color: ${HOT}; }
.zoo-anomaly__thumb[aria-current="true"] { box-shadow: 0 0 0 1px ${HOT}; }
.zoo-anomaly__sprite { display: block; image-rendering: pixelated; background-repeat: no-repeat; }
.zoo-anomaly__score { color: var(--muted); font-variant-numeric: tabular-nums; }
.zoo-anomaly__heading { margin: 0.9rem 0 0; color: var(--muted); font-size: 0.85rem; text-align: center; }
`;

const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : "–");

async function fetchBytes(url, name) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

function node(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") n.className = v;
    else if (k === "text") n.textContent = v;
    else n.setAttribute(k, v);
  }
  n.append(...children);
  return n;
}

/** Per class: indices of its images sorted by error, and box-plot statistics. */
export function classSummaries(errors, labels, classes) {
  const out = classes.map((name, c) => ({ name, c, order: [] }));
  for (let i = 0; i < errors.length; i += 1) out[labels[i]]?.order.push(i);
  for (const s of out) {
    s.order.sort((a, b) => errors[a] - errors[b]);
    const sorted = s.order.map((i) => errors[i]);
    s.count = sorted.length;
    if (!s.count) continue;
    s.q1 = d3.quantileSorted(sorted, 0.25);
    s.median = d3.quantileSorted(sorted, 0.5);
    s.q3 = d3.quantileSorted(sorted, 0.75);
    const iqr = s.q3 - s.q1;
    s.low = sorted.find((v) => v >= s.q1 - 1.5 * iqr);
    s.high = [...sorted].reverse().find((v) => v <= s.q3 + 1.5 * iqr);
    s.min = sorted[0];
    s.max = sorted[sorted.length - 1];
  }
  return out;
}

export async function mount(el, config) {
  const { classes, top } = config;
  if (!Array.isArray(classes) || !classes.length) throw new Error("zoo-anomaly needs config.classes");
  const [errorBytes, labelBytes] = await Promise.all([
    fetchBytes(new URL(config.errors, config.base), config.errors),
    fetchBytes(new URL(config.labels, config.base), config.labels),
  ]);
  const errors = new Float32Array(errorBytes);
  const labels = new Uint8Array(labelBytes);
  if (errors.length !== config.count || labels.length !== config.count) {
    throw new Error(`zoo-anomaly expected ${config.count} scores and labels, got ${errors.length} and ${labels.length}`);
  }
  const sprite = new Image();
  sprite.src = new URL(config.thumbs.file, config.base).href;
  await sprite.decode();

  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const releaseStyle = [useStyle("zoo-chart-base", BASE_CSS), useStyle("zoo-anomaly-style", CSS)];
  const summaries = classSummaries(errors, labels, classes);
  const hot = new Map(top.map((t) => [t.index, t]));
  const rankOf = new Map(); // image index -> position within its class, by error
  summaries.forEach((s) => s.order.forEach((i, k) => rankOf.set(i, k)));

  // state
  let current = { c: top.length ? top[0].label : 0, image: top.length ? top[0].index : null };
  let size = null;
  let frame = 0;
  let paused = false;

  // DOM
  const root = node("div", { class: "zoo-chart zoo-anomaly" });
  const plot = node("div", {
    class: "zoo-chart__plot zoo-anomaly__plot", tabindex: "0", role: "group", "aria-roledescription": "chart",
    "aria-label": `${config.alt || "Reconstruction error by class."} Up and down arrow keys choose a class; left ` +
      "and right arrow keys step through its images by error; Home and End jump to the lowest and highest.",
  });
  const svgNode = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svgNode.setAttribute("aria-hidden", "true");
  plot.append(svgNode);
  const readout = node("p", { class: "zoo-chart__readout", "aria-hidden": "true" });
  const heading = node("p", { class: "zoo-anomaly__heading", id: `${config.id}-unusual`,
    text: `The ${top.length} most unusual test images to the ${config.model.title.toLowerCase()}: ` +
      "original above its reconstruction" });
  const list = node("ul", { class: "zoo-anomaly__thumbs", "aria-labelledby": heading.id });
  const [cellH, cellW] = config.thumbs.cell;
  const thumbs = top.map((t, k) => {
    const picture = node("span", { class: "zoo-anomaly__sprite", style: [
      `width:${cellW * THUMB_SCALE}px`, `height:${cellH * THUMB_SCALE}px`,
      `background-image:url("${new URL(config.thumbs.file, config.base).href}")`,
      `background-size:${sprite.naturalWidth * THUMB_SCALE}px ${sprite.naturalHeight * THUMB_SCALE}px`,
      `background-position:${-k * cellW * THUMB_SCALE}px 0`].join(";") });
    const button = node("button", { type: "button", class: "zoo-anomaly__thumb", "data-index": String(t.index),
      "aria-label": `${classes[t.label]} ${f3(t.error)}: the most unusual image number ${t.rank}` },
    picture, node("span", { text: classes[t.label] }), " ", node("span", { class: "zoo-anomaly__score", text: f3(t.error) }));
    list.append(node("li", {}, button));
    return button;
  });
  root.append(plot, readout, heading, list);
  live.append(root);

  // chart
  const svg = d3.select(svgNode);
  const x = d3.scaleLinear();
  const y = d3.scaleBand().domain(classes.map((_, c) => c)).paddingInner(0.12);
  const gx = svg.append("g");
  const xLabel = svg.append("text").attr("fill", "currentColor").attr("text-anchor", "middle")
    .attr("font-size", 11).text("reconstruction error (mean binary cross-entropy per pixel)");
  const rows = svg.append("g").selectAll("g").data(summaries).join("g").attr("class", "zoo-anomaly__row");
  rows.append("rect").attr("class", "zoo-anomaly__row-bg");
  rows.append("text").attr("class", "zoo-anomaly__name").attr("text-anchor", "end").attr("dy", "0.35em")
    .text((s) => s.name);
  const strips = rows.append("g");
  const boxes = rows.append("g");
  const hotLayer = svg.append("g");
  const cursor = svg.append("circle").attr("class", "zoo-anomaly__cursor").attr("r", 6);

  // a deterministic jitter per image, so points do not move between draws
  const jitter = (i) => ((Math.sin(i * 12.9898) * 43758.5453) % 1 + 1) % 1 - 0.5;

  function stripOf(s) {
    if (s.order.length <= STRIP_MAX) return s.order;
    const step = s.order.length / STRIP_MAX;
    const picks = new Set(Array.from({ length: STRIP_MAX }, (_, k) => s.order[Math.floor(k * step)]));
    s.order.slice(-20).forEach((i) => picks.add(i));
    return [...picks];
  }

  function measure() {
    const width = Math.max(260, live.clientWidth);
    const narrow = width < 480;
    const row = narrow ? ROW.min : ROW.max;
    return { width, narrow, height: MARGIN.top + MARGIN.bottom + row * classes.length,
      left: narrow ? 78 : MARGIN.left };
  }

  function draw() {
    frame = 0;
    const { width, height, left } = size;
    svg.attr("width", width).attr("height", height).attr("viewBox", `0 0 ${width} ${height}`);
    const right = width - MARGIN.right;
    const bottom = height - MARGIN.bottom;
    const [lo, hi] = d3.extent(errors);
    x.domain([Math.max(0, lo - (hi - lo) * 0.04), hi + (hi - lo) * 0.04 || 1]).nice().range([left, right]);
    y.range([MARGIN.top, bottom]);
    const band = y.bandwidth();
    gx.attr("transform", `translate(0,${bottom})`)
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor((right - left) / 80))).tickSize(-(bottom - MARGIN.top))
        .tickSizeOuter(0));
    gx.selectAll(".tick line").attr("stroke-opacity", 0.45);
    gx.select(".domain").remove();
    xLabel.attr("x", (left + right) / 2).attr("y", height - 4)
      .text(size.narrow ? "reconstruction error (BCE per pixel)" : "reconstruction error (mean binary cross-entropy per pixel)");
    rows.attr("transform", (s) => `translate(0,${y(s.c)})`).classed("is-current", (s) => s.c === current.c);
    rows.select(".zoo-anomaly__row-bg").attr("x", 0).attr("width", right).attr("y", -2).attr("height", band + 4);
    rows.select(".zoo-anomaly__name").attr("x", left - 8).attr("y", band / 2)
      .text((s) => (size.narrow && s.name.length > 10 ? `${s.name.slice(0, 9)}…` : s.name));
    strips.each(function points(s) {
      d3.select(this).selectAll("circle").data(stripOf(s)).join("circle").attr("class", "zoo-anomaly__dot")
        .attr("r", 1.6).attr("cx", (i) => x(errors[i])).attr("cy", (i) => band / 2 + jitter(i) * band * 0.8);
    });
    boxes.each(function box(s) {
      const g = d3.select(this);
      g.selectAll("*").remove();
      if (!s.count) return;
      const mid = band / 2;
      const bh = Math.min(16, band * 0.6);
      g.append("line").attr("class", "zoo-anomaly__whisker").attr("x1", x(s.low)).attr("x2", x(s.q1))
        .attr("y1", mid).attr("y2", mid);
      g.append("line").attr("class", "zoo-anomaly__whisker").attr("x1", x(s.q3)).attr("x2", x(s.high))
        .attr("y1", mid).attr("y2", mid);
      for (const v of [s.low, s.high]) {
        g.append("line").attr("class", "zoo-anomaly__whisker").attr("x1", x(v)).attr("x2", x(v))
          .attr("y1", mid - bh / 3).attr("y2", mid + bh / 3);
      }
      g.append("rect").attr("class", "zoo-anomaly__box").attr("x", x(s.q1)).attr("width", Math.max(1, x(s.q3) - x(s.q1)))
        .attr("y", mid - bh / 2).attr("height", bh).attr("rx", 2);
      g.append("line").attr("class", "zoo-anomaly__median").attr("x1", x(s.median)).attr("x2", x(s.median))
        .attr("y1", mid - bh / 2).attr("y2", mid + bh / 2);
    });
    hotLayer.selectAll("circle").data(top).join("circle").attr("class", "zoo-anomaly__hot").attr("r", 4)
      .attr("cx", (t) => x(t.error)).attr("cy", (t) => y(t.label) + band / 2 + jitter(t.index) * band * 0.8);
    drawCursor();
  }

  function pointY(i) {
    return y(labels[i]) + y.bandwidth() / 2 + jitter(i) * y.bandwidth() * 0.8;
  }

  function drawCursor() {
    rows.classed("is-current", (s) => s.c === current.c);
    if (current.image === null) cursor.attr("display", "none");
    else cursor.attr("display", null).attr("cx", x(errors[current.image])).attr("cy", pointY(current.image));
    writeReadout();
  }

  // Text and thumbnails follow the state at once, even while the chart is paused off screen.
  function writeReadout() {
    thumbs.forEach((b) => b.setAttribute("aria-current", String(Number(b.dataset.index) === current.image)));
    readout.textContent = describe();
  }

  function describe() {
    const s = summaries[current.c];
    const stats = s.count
      ? `${s.name}: ${s.count} images, median ${f3(s.median)}, middle half ${f3(s.q1)}–${f3(s.q3)}, highest ${f3(s.max)}.`
      : `${s.name}: no images.`;
    if (current.image === null) return stats;
    const i = current.image;
    const t = hot.get(i);
    const k = rankOf.get(i);
    return `${t ? `Most unusual number ${t.rank}: ` : ""}${classes[labels[i]]}, error ${f3(errors[i])}, ` +
      `${k + 1} of ${s.count} in its class from lowest to highest. ${stats}`;
  }

  function requestDraw() {
    if (!frame && !paused) frame = requestAnimationFrame(draw);
  }

  function setCurrent(next, { speak = true } = {}) {
    if (next.c === current.c && next.image === current.image) return;
    current = next;
    writeReadout();
    if (!paused) drawCursor(); // else resume() redraws
    if (speak) say(describe());
  }

  function stepImage(delta) {
    const order = summaries[current.c].order;
    if (!order.length) return;
    let k = current.image === null ? (delta > 0 ? -1 : order.length) : rankOf.get(current.image);
    k = Math.min(order.length - 1, Math.max(0, k + delta));
    setCurrent({ c: current.c, image: order[k] });
  }

  // events
  plot.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const order = summaries[current.c].order;
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      const c = Math.min(classes.length - 1, Math.max(0, current.c + (event.key === "ArrowDown" ? 1 : -1)));
      setCurrent({ c, image: null });
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      stepImage(event.key === "ArrowRight" ? 1 : -1);
    } else if (event.key === "PageUp" || event.key === "PageDown") {
      stepImage((event.key === "PageUp" ? 1 : -1) * Math.max(1, Math.round(order.length / 10)));
    } else if (event.key === "Home" || event.key === "End") {
      if (order.length) setCurrent({ c: current.c, image: order[event.key === "Home" ? 0 : order.length - 1] });
    } else {
      return;
    }
    event.preventDefault();
  }, { signal });
  plot.addEventListener("focus", () => say(describe()), { signal });

  function fromPointer(event, speak) {
    const box = svgNode.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    const c = y.domain().find((k) => py >= y(k) - 2 && py <= y(k) + y.bandwidth() + 2);
    if (c === undefined) return;
    let best = null;
    for (const i of summaries[c].order) {
      const d = Math.hypot(x(errors[i]) - px, pointY(i) - py);
      if (d < 8 && (!best || d < best.d)) best = { d, i };
    }
    setCurrent({ c, image: best ? best.i : null }, { speak });
  }
  svgNode.addEventListener("pointermove", (event) => fromPointer(event, false), { signal });
  svgNode.addEventListener("pointerdown", (event) => fromPointer(event, true), { signal });
  thumbs.forEach((button) => {
    const i = Number(button.dataset.index);
    const pick = () => setCurrent({ c: labels[i], image: i });
    button.addEventListener("click", pick, { signal });
    button.addEventListener("focus", () => setCurrent({ c: labels[i], image: i }, { speak: false }), { signal });
    button.addEventListener("pointerenter", () => setCurrent({ c: labels[i], image: i }, { speak: false }), { signal });
  });
  onThemeChange(requestDraw, signal);
  const resizeObserver = new ResizeObserver(() => {
    const next = measure();
    if (size && next.width === size.width) return;
    size = next;
    requestDraw();
  });
  resizeObserver.observe(live);

  size = measure();
  draw();

  el.__figure = {
    state: () => ({ class: classes[current.c], image: current.image,
      error: current.image === null ? null : errors[current.image], readout: readout.textContent,
      dots: svgNode.querySelectorAll(".zoo-anomaly__dot").length, boxes: svgNode.querySelectorAll(".zoo-anomaly__box").length }),
    summaries: () => summaries.map(({ name, count, q1, median, q3, max }) => ({ name, count, q1, median, q3, max })),
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
      root.remove();
      releaseStyle.forEach((release) => release());
      delete el.__figure;
      say("");
    },
  };
}
