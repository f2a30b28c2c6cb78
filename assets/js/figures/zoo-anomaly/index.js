// zoo-anomaly: every test image's reconstruction error under one zoo model,
// as a box plot per class (SVG, d3) over a strip of the images themselves,
// and the images with the highest error as thumbnails (original above the
// model's reconstruction). The chart is one keyboard stop: Up/Down choose a
// class, Left/Right step through its images by error (Home/End: lowest and
// highest). Hover and touch read out the class or the nearest image; each
// thumbnail is a button that marks its image in the chart.
// The chart is drawn by ./chart.js; statistics and sentences come from ./stats.js.

import { announcer } from "../../lib/announce.js";
import { createFigure, fetchBytes, h } from "../../lib/figure.js";
import { onThemeChange } from "../../lib/theme.js";
import { chartSize, createChart } from "./chart.js";
import { classSummaries, describeChoice, f3, keyMove, ranksWithinClass } from "./stats.js";

export { classSummaries } from "./stats.js";

const THUMB_SCALE = 2;

async function loadSprite(url) {
  const image = new Image();
  image.src = url;
  await image.decode();
  return image;
}

/** The thumbnails of the most unusual images: buttons, each showing one cell of the sprite. */
function thumbnails(config, sprite) {
  const { top } = config;
  const [cellH, cellW] = config.thumbs.cell;
  return top.map((t, k) => h("button", {
    type: "button", class: "zoo-anomaly__thumb", "data-index": String(t.index),
    "aria-label": `${imageName(config, t)} ${f3(t.error)}: the most unusual image number ${t.rank}`,
  }, h("span", { class: "zoo-anomaly__sprite", style: {
    width: `${cellW * THUMB_SCALE}px`, height: `${cellH * THUMB_SCALE}px`,
    backgroundImage: `url("${sprite.src}")`,
    backgroundSize: `${sprite.naturalWidth * THUMB_SCALE}px ${sprite.naturalHeight * THUMB_SCALE}px`,
    backgroundPosition: `${-k * cellW * THUMB_SCALE}px 0`,
  } }), h("span", { text: imageName(config, t) }), " ",
  h("span", { class: "zoo-anomaly__score", text: f3(t.error) })));
}

/** What a thumbnail calls its image: its class, or (unlabelled data) its number. */
function imageName(config, t) {
  return config.labelled === false ? t.name || `image ${t.index + 1}` : config.classes[t.label];
}

/**
 * Mount the anomaly chart.
 * @param {HTMLElement} el the <figure>
 * @param {{classes: string[], top: object[], errors: string, labels: string, count: number,
 *   thumbs: {file: string, cell: [number, number]}, model: {title: string}, base: string, id: string}} config
 */
export async function mount(el, config) {
  const { classes, top } = config;
  if (!Array.isArray(classes) || !classes.length) throw new Error("zoo-anomaly needs config.classes");
  const fig = createFigure(el, config);
  const load = { base: config.base, signal: fig.signal };
  const [errorBytes, labelBytes, sprite] = await Promise.all([fetchBytes(config.errors, load),
    fetchBytes(config.labels, load), loadSprite(new URL(config.thumbs.file, config.base).href)]);
  const errors = new Float32Array(errorBytes);
  const labels = new Uint8Array(labelBytes);
  if (errors.length !== config.count || labels.length !== config.count) {
    throw new Error(`zoo-anomaly expected ${config.count} scores and labels, ` +
      `got ${errors.length} and ${labels.length}`);
  }

  const { live } = fig;
  const say = announcer(el);
  const summaries = classSummaries(errors, labels, classes);
  const data = { summaries, errors, labels, classes, top, hot: new Map(top.map((t) => [t.index, t])),
    rankOf: ranksWithinClass(summaries), labelled: config.labelled !== false };

  // state
  let current = { c: top.length ? top[0].label : 0, image: top.length ? top[0].index : null };
  let size = null;

  // DOM
  const svgNode = h("svg:svg", { "aria-hidden": "true" });
  const plot = h("div", {
    class: "zoo-chart__plot zoo-anomaly__plot", tabindex: "0", role: "group", "aria-roledescription": "chart",
    "aria-label": `${config.alt || "Reconstruction error by class."} ` +
      (data.labelled ? "Up and down arrow keys choose a class; left and right arrow keys step through its images" :
        "Left and right arrow keys step through the images") +
      " by error; Home and End jump to the lowest and highest.",
  }, svgNode);
  const readout = h("p", { class: "zoo-chart__readout", "aria-hidden": "true" });
  const heading = h("p", { class: "zoo-anomaly__heading", id: `${config.id}-unusual`,
    // a zoo model's title is a common noun ("the convolutional autoencoder"); an author's is a name
    text: `The ${top.length} most unusual test images to ` +
      `${config.model.own ? config.model.title : `the ${config.model.title.toLowerCase()}`}: ` +
      "original above its reconstruction" });
  const thumbs = thumbnails(config, sprite);
  fig.add(h("div", { class: "zoo-chart zoo-anomaly" }, plot, readout, heading,
    h("ul", { class: "zoo-anomaly__thumbs", "aria-labelledby": heading.id }, thumbs.map((b) => h("li", {}, b)))));

  const chart = createChart(svgNode, data);
  const redraw = fig.scheduler(() => chart.draw(size, current));
  const describe = () => describeChoice(current, data);

  // Text and thumbnails follow the state at once, even while the chart is paused off screen.
  function writeReadout() {
    thumbs.forEach((b) => b.setAttribute("aria-current", String(Number(b.dataset.index) === current.image)));
    readout.textContent = describe();
  }

  function setCurrent(next, { speak = true } = {}) {
    if (!next || (next.c === current.c && next.image === current.image)) return;
    current = next;
    writeReadout();
    chart.mark(current);
    if (speak) say(describe());
  }

  // events
  fig.on(plot, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const next = keyMove(event.key, current, summaries, data.rankOf);
    if (!next) return;
    event.preventDefault();
    setCurrent(next);
  });
  fig.on(plot, "focus", () => say(describe()));

  function fromPointer(event, speak) {
    const box = svgNode.getBoundingClientRect();
    setCurrent(chart.pick(event.clientX - box.left, event.clientY - box.top), { speak });
  }
  fig.on(svgNode, "pointermove", (event) => fromPointer(event, false));
  fig.on(svgNode, "pointerdown", (event) => fromPointer(event, true));
  for (const button of thumbs) {
    const i = Number(button.dataset.index);
    const choice = { c: labels[i], image: i };
    fig.on(button, "click", () => setCurrent(choice));
    fig.on(button, "focus", () => setCurrent(choice, { speak: false }));
    fig.on(button, "pointerenter", () => setCurrent(choice, { speak: false }));
  }
  onThemeChange(redraw.invalidate, fig.signal);

  size = chartSize(Math.max(260, live.clientWidth), classes.length);
  fig.observeResize(live, () => {
    const next = chartSize(Math.max(260, live.clientWidth), classes.length);
    if (next.width === size.width) return;
    size = next;
    redraw.invalidate();
  });
  chart.draw(size, current);
  writeReadout();

  fig.onDestroy(() => say(""));
  fig.expose({
    state: () => ({ class: classes[current.c], image: current.image,
      error: current.image === null ? null : errors[current.image], readout: readout.textContent,
      dots: svgNode.querySelectorAll(".zoo-anomaly__dot").length,
      boxes: svgNode.querySelectorAll(".zoo-anomaly__box").length }),
    summaries: () => summaries.map(({ name, count, q1, median, q3, max }) => ({ name, count, q1, median, q3, max })),
  });
  return fig;
}
