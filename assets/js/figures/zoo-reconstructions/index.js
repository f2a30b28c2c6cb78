// zoo-reconstructions: the same test images above each zoo model's
// reconstructions (computed at build). A radio group picks the model (arrow
// keys move through it, as in any radio group); the denoiser also shows the
// noisy images it was given. The image strip is one keyboard stop: Left/Right
// (or hover, or a tap) select an image, whose class and reconstruction loss
// are read out and announced.
// Where things go is ./layout.js (with the sentences); the painting is ./paint.js.

import { announcer } from "../../lib/announce.js";
import { createFigure, fetchImage, h } from "../../lib/figure.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { describeImage, describeModel, imageFiles, indexAt, measureLayout, rowsOf, summaryText,
  validate } from "./layout.js";
import { outputChecksum, paint } from "./paint.js";

async function loadImage(file, base) {
  return [file, await fetchImage(file, { base })];
}

/**
 * Mount the reconstructions strip.
 * @param {HTMLElement} el the <figure>
 * @param {{models: object[], datasets: object, cell: [number, number], count: number, initial?: string,
 *   base: string, id: string}} config
 */
export async function mount(el, config) {
  validate(config);
  const { count } = config;
  const images = new Map(await Promise.all(imageFiles(config).map((file) => loadImage(file, config.base))));
  const fig = createFigure(el, config);
  const { live } = fig;
  const say = announcer(el);

  // state
  let model = Math.max(0, config.models.findIndex((m) => m.key === config.initial));
  let selected = 0;
  let layout = null;
  let drawn = null; // the model whose images the canvas shows

  // DOM
  const radios = config.models.map((m, i) => {
    const input = h("input", { type: "radio", name: `${config.id}-model`, value: m.key });
    input.checked = i === model;
    return input;
  });
  const picker = h("fieldset", { class: "zoo-recon__picker" }, h("legend", { text: "Model" }),
    config.models.map((m, i) => h("label", { title: m.summary || m.title }, radios[i], m.short)));
  const summary = h("p", { class: "zoo-recon__summary", "aria-hidden": "true" });
  const canvas = h("canvas", { "aria-hidden": "true" });
  const strip = h("div", {
    class: "zoo-chart__plot zoo-recon__strip", tabindex: "0", role: "group",
    "aria-label": "Test images and reconstructions. Left and right arrow keys select an image.",
  }, canvas);
  const readout = h("p", { class: "zoo-chart__readout", "aria-hidden": "true" });
  fig.add(h("div", { class: "zoo-chart zoo-recon" }, picker, summary, strip, readout));

  const current = () => config.models[model];
  const labels = () => config.datasets[current().dataset].labels;
  const rows = () => rowsOf(current(), config.datasets).map((row) => ({ ...row, image: images.get(row.file) }));
  const measure = () => measureLayout({ width: Math.max(200, live.clientWidth), ratio: window.devicePixelRatio || 1,
    count, cell: config.cell, rows: rows().length });

  function draw() {
    const { ctx } = fitCanvas(canvas, layout.used, layout.height);
    paint(ctx, { layout, rows: rows(), model: current(), labels: labels(), selected, theme: readTheme(el) });
    drawn = current().key;
  }
  const redraw = fig.scheduler(draw);

  function writeSummary() {
    summary.replaceChildren(h("strong", { text: current().title }), ...summaryText(current(), count));
  }

  function writeReadout() {
    const data = config.datasets[current().dataset];
    // an unlabelled data set's images are named by number: the read-out says "Image 3 of 10" once
    readout.textContent = describeImage(current(), data.labelled === false ? null : labels()[selected], selected,
      count);
  }

  function setModel(i, { speak = true } = {}) {
    if (i === model || i < 0) return;
    const rowsBefore = rows().length;
    model = i;
    if (rows().length !== rowsBefore) layout = measure();
    radios[i].checked = true;
    writeSummary();
    writeReadout();
    redraw.invalidate();
    if (speak) say(describeModel(current(), count));
  }

  function select(i, { speak = true } = {}) {
    const next = Math.min(count - 1, Math.max(0, i));
    if (next === selected) return;
    selected = next;
    writeReadout();
    redraw.invalidate();
    if (speak) say(readout.textContent);
  }

  function pointed(event) {
    const box = canvas.getBoundingClientRect();
    return indexAt(layout, event.clientX - box.left, event.clientY - box.top, count);
  }

  // events
  radios.forEach((input, i) => fig.on(input, "change", () => {
    if (input.checked) setModel(i);
  }));
  fig.on(strip, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: selected - 1, ArrowRight: selected + 1, Home: 0, End: count - 1,
      ArrowUp: selected - layout.cols, ArrowDown: selected + layout.cols };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(moves[event.key]);
  });
  fig.on(strip, "focus", () => say(readout.textContent));
  fig.on(canvas, "pointermove", (event) => {
    if (event.pointerType !== "mouse") return;
    const i = pointed(event);
    if (i !== null) select(i, { speak: false });
  });
  fig.on(canvas, "pointerdown", (event) => {
    const i = pointed(event);
    if (i === null) return;
    strip.focus({ preventScroll: true });
    select(i);
  });
  onThemeChange(redraw.invalidate, fig.signal);
  fig.observeResize(live, () => {
    layout = measure();
    redraw.invalidate();
  });

  layout = measure();
  writeSummary();
  writeReadout();
  draw();

  fig.onDestroy(() => say(""));
  fig.expose({
    state: () => ({ model: current().key, drawn, selected, lines: layout.lines, paused: fig.paused,
      rows: rows().map((r) => r.name) }),
    setModel: (key) => setModel(config.models.findIndex((m) => m.key === key)),
    /** Sum of the canvas pixels of the last (reconstruction) row: changes when the shown images change. */
    reconstructionChecksum: () => outputChecksum(canvas, layout, rows().length),
  });
  return fig;
}
