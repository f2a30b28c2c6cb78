// zoo-reconstructions: the same test images above each zoo model's
// reconstructions (computed at build). A radio group picks the model (arrow
// keys move through it, as in any radio group); the denoiser also shows the
// noisy images it was given. The image strip is one keyboard stop: Left/Right
// (or hover, or a tap) select an image, whose class and reconstruction loss
// are read out and announced.

import { announcer } from "../../lib/announce.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { BASE_CSS, useStyle } from "../../lib/zoo-chart-style.js";

const GAP = 4;
const SIDE_LABELS_MIN_WIDTH = 560; // below this, row names go above the rows
const TWO_LINES_MAX_WIDTH = 440; // below this, the images wrap onto two lines
const SIDE_LABEL_WIDTH = 118;
const MAX_SCALE = 3;
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const SMALL = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const CSS = `
.zoo-recon__picker { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.3rem; margin: 0 0 0.6rem;
  padding: 0; border: 0; }
.zoo-recon__picker legend { width: 100%; margin-bottom: 0.3rem; padding: 0; color: var(--muted); font-size: 0.85rem;
  text-align: center; }
.zoo-recon__picker label { display: inline-flex; align-items: center; gap: 0.35rem; min-height: 2.25rem;
  padding: 0.2rem 0.65rem; border: 1px solid var(--border); border-radius: 999px; cursor: pointer; font-size: 0.88rem; }
.zoo-recon__picker label:hover { border-color: var(--accent); }
.zoo-recon__picker input { margin: 0; accent-color: var(--accent); }
.zoo-recon__picker label:has(input:checked) { border-color: var(--accent); background: var(--surface); color: var(--fg);
  font-weight: 600; }
.zoo-recon__picker label:has(input:focus-visible) { outline: 2px solid var(--accent); outline-offset: 2px; }
.zoo-recon__picker input:focus-visible { outline: none; }
.zoo-recon__strip { display: flex; justify-content: center; touch-action: manipulation; }
.zoo-recon__summary { margin: 0 0 0.5rem; color: var(--muted); font-size: 0.88rem; text-align: center; }
.zoo-recon__summary strong { color: var(--fg); }
.zoo-recon .zoo-chart__readout { text-align: center; }
`;

function validate(config) {
  if (!Array.isArray(config.models) || !config.models.length) {
    throw new Error("zoo-reconstructions needs config.models");
  }
  if (!Array.isArray(config.cell) || config.cell.length !== 2) {
    throw new Error("zoo-reconstructions needs config.cell, [height, width] of one image");
  }
  for (const m of config.models) {
    if (!config.datasets?.[m.dataset]) throw new Error(`zoo-reconstructions has no originals for ${m.dataset}`);
  }
  return config;
}

async function loadImage(url, name) {
  const image = new Image();
  image.src = url;
  try {
    await image.decode();
  } catch (error) {
    throw new Error(`the image ${name} could not be loaded`, { cause: error });
  }
  return image;
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

export async function mount(el, config) {
  validate(config);
  const [h, w] = config.cell;
  const count = config.count;
  const files = new Set();
  for (const d of Object.values(config.datasets)) files.add(d.file);
  for (const m of config.models) {
    files.add(m.reconstructions);
    if (m.noisy) files.add(m.noisy);
  }
  const images = new Map(await Promise.all([...files].map(async (file) => [file,
    await loadImage(new URL(file, config.base).href, file)])));

  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const releaseStyle = [useStyle("zoo-chart-base", BASE_CSS), useStyle("zoo-recon-style", CSS)];

  // state
  let model = Math.max(0, config.models.findIndex((m) => m.key === config.initial));
  let selected = 0;
  let layout = null;
  let paused = false;
  let frame = 0;
  let drawn = null; // the model whose images the canvas shows

  // DOM
  const root = node("div", { class: "zoo-chart zoo-recon" });
  const picker = node("fieldset", { class: "zoo-recon__picker" }, node("legend", { text: "Model" }));
  const radios = config.models.map((m, i) => {
    const input = node("input", { type: "radio", name: `${config.id}-model`, value: m.key });
    input.checked = i === model;
    picker.append(node("label", { title: m.summary || m.title }, input, m.short));
    return input;
  });
  const summary = node("p", { class: "zoo-recon__summary", "aria-hidden": "true" });
  const strip = node("div", {
    class: "zoo-chart__plot zoo-recon__strip", tabindex: "0", role: "group",
    "aria-label": "Test images and reconstructions. Left and right arrow keys select an image.",
  });
  const canvas = node("canvas", { "aria-hidden": "true" });
  strip.append(canvas);
  const readout = node("p", { class: "zoo-chart__readout", "aria-hidden": "true" });
  root.append(picker, summary, strip, readout);
  live.append(root);

  const current = () => config.models[model];
  const originals = () => config.datasets[current().dataset];

  function rowsOf(m) {
    const rows = [{ name: "Original", image: images.get(config.datasets[m.dataset].file) }];
    if (m.noisy) rows.push({ name: "Noisy input", image: images.get(m.noisy) });
    rows.push({ name: m.noisy ? "Denoised" : "Reconstruction", image: images.get(m.reconstructions), losses: true });
    return rows;
  }

  function measure() {
    const width = Math.max(200, live.clientWidth);
    const ratio = window.devicePixelRatio || 1;
    const side = width >= SIDE_LABELS_MIN_WIDTH;
    const lines = width < TWO_LINES_MAX_WIDTH && count > 5 ? 2 : 1;
    const cols = Math.ceil(count / lines);
    const room = (width - (side ? SIDE_LABEL_WIDTH : 0) - (cols - 1) * GAP) / cols;
    let cell = Math.min(w * MAX_SCALE, room);
    const multiple = Math.floor((cell * ratio) / w);
    cell = multiple >= 1 ? (multiple * w) / ratio : Math.max(12, Math.floor(cell));
    const rows = rowsOf(current()).length;
    const head = 16; // class names above the originals
    const lossLine = 15;
    const rowLabel = side ? 0 : 15;
    const block = head + rows * (cell * (h / w) + GAP + rowLabel) + lossLine;
    return { width, side, lines, cols, cell, cellH: cell * (h / w), head, lossLine, rowLabel, rows,
      gridX: side ? SIDE_LABEL_WIDTH : 0,
      height: Math.ceil(lines * block + (lines - 1) * 10), block,
      used: (side ? SIDE_LABEL_WIDTH : 0) + cols * cell + (cols - 1) * GAP };
  }

  function cellBox(rowIndex, i) {
    const line = Math.floor(i / layout.cols);
    const col = i % layout.cols;
    const y0 = line * (layout.block + 10) + layout.head +
      rowIndex * (layout.cellH + GAP + layout.rowLabel) + layout.rowLabel;
    return { x: layout.gridX + col * (layout.cell + GAP), y: y0 };
  }

  function draw() {
    frame = 0;
    const theme = readTheme(el);
    const { ctx } = fitCanvas(canvas, layout.used, layout.height);
    ctx.clearRect(0, 0, layout.used, layout.height);
    const m = current();
    const rows = rowsOf(m);
    const labels = originals().labels;
    drawn = m.key;
    ctx.textBaseline = "alphabetic";
    for (let i = 0; i < count; i += 1) {
      const top = cellBox(0, i);
      ctx.font = SMALL;
      ctx.textAlign = "center";
      ctx.fillStyle = i === selected ? theme.fg : theme.muted;
      const name = labels[i] ?? "";
      ctx.fillText(fitText(ctx, name, layout.cell + GAP), top.x + layout.cell / 2, top.y - layout.rowLabel - 4);
      rows.forEach((row, r) => {
        const { x, y } = cellBox(r, i);
        ctx.drawImage(row.image, i * w, 0, w, h, x, y, layout.cell, layout.cellH);
        if (row.losses) {
          ctx.font = SMALL;
          ctx.textAlign = "center";
          ctx.fillStyle = i === selected ? theme.fg : theme.muted;
          ctx.fillText(m.bce[i].toFixed(3), x + layout.cell / 2, y + layout.cellH + 12);
        }
      });
      if (i === selected) {
        const a = cellBox(0, i);
        const b = cellBox(rows.length - 1, i);
        ctx.strokeStyle = theme.accent;
        ctx.lineWidth = 2;
        ctx.strokeRect(a.x - 2, a.y - 2, layout.cell + 4, b.y + layout.cellH - a.y + 4);
      }
    }
    for (let line = 0; line < layout.lines; line += 1) {
      rows.forEach((row, r) => {
        const { y } = cellBox(r, line * layout.cols);
        ctx.font = FONT;
        ctx.fillStyle = r === rows.length - 1 ? theme.fg : theme.muted;
        if (layout.side) {
          ctx.textAlign = "right";
          ctx.textBaseline = "middle";
          ctx.fillText(row.name, layout.gridX - 10, y + layout.cellH / 2);
          ctx.textBaseline = "alphabetic";
        } else if (r > 0) {
          ctx.textAlign = "left";
          ctx.fillText(row.name, layout.gridX, y - 4);
        }
      });
      if (layout.side) {
        const { y } = cellBox(rows.length - 1, line * layout.cols);
        ctx.font = SMALL;
        ctx.textAlign = "right";
        ctx.fillStyle = theme.muted;
        ctx.fillText("BCE", layout.gridX - 10, y + layout.cellH + 12);
      }
    }
  }

  function fitText(ctx, text, room) {
    if (ctx.measureText(text).width <= room) return text;
    let t = text;
    while (t.length > 1 && ctx.measureText(`${t}…`).width > room) t = t.slice(0, -1);
    return `${t}…`;
  }

  function requestDraw() {
    if (!frame && !paused) frame = requestAnimationFrame(draw);
  }

  function writeSummary() {
    const m = current();
    summary.replaceChildren(node("strong", { text: m.title }), `: ${m.summary || ""} `,
      `Mean loss on these ${count} images: ${m.mean_bce.toFixed(3)}` +
      (m.noisy ? ` (noise σ = ${m.noise ?? 0.5}; loss against the clean originals).` : "."));
  }

  function describeImage() {
    const m = current();
    const label = originals().labels[selected];
    return `Image ${selected + 1} of ${count}, ${label}: loss ${m.bce[selected].toFixed(3)} of the ` +
      `${m.short} model's ${m.noisy ? "denoised image" : "reconstruction"} (mean over the ${count}: ` +
      `${m.mean_bce.toFixed(3)}).`;
  }

  function writeReadout() {
    readout.textContent = describeImage();
  }

  function setModel(i, { speak = true } = {}) {
    if (i === model || i < 0) return;
    const rowsBefore = rowsOf(current()).length;
    model = i;
    if (rowsOf(current()).length !== rowsBefore) layout = measure();
    radios[i].checked = true;
    writeSummary();
    writeReadout();
    requestDraw();
    if (speak) {
      const m = current();
      say(`${m.title}: mean reconstruction loss ${m.mean_bce.toFixed(3)} on these ${count} images` +
        `${m.noisy ? ", from noisy inputs" : ""}.`);
    }
  }

  function select(i, { speak = true } = {}) {
    const next = Math.min(count - 1, Math.max(0, i));
    if (next === selected) return;
    selected = next;
    writeReadout();
    requestDraw();
    if (speak) say(describeImage());
  }

  function indexAt(event) {
    const box = canvas.getBoundingClientRect();
    const px = event.clientX - box.left - layout.gridX;
    const py = event.clientY - box.top;
    const col = Math.floor(px / (layout.cell + GAP));
    const line = Math.floor(py / (layout.block + 10));
    if (px < 0 || col < 0 || col >= layout.cols || line < 0 || line >= layout.lines) return null;
    const i = line * layout.cols + col;
    return i < count ? i : null;
  }

  // events
  radios.forEach((input, i) => input.addEventListener("change", () => {
    if (input.checked) setModel(i);
  }, { signal }));
  strip.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: selected - 1, ArrowRight: selected + 1, Home: 0, End: count - 1,
      ArrowUp: selected - layout.cols, ArrowDown: selected + layout.cols };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(moves[event.key]);
  }, { signal });
  strip.addEventListener("focus", () => say(describeImage()), { signal });
  canvas.addEventListener("pointermove", (event) => {
    if (event.pointerType !== "mouse") return;
    const i = indexAt(event);
    if (i !== null) select(i, { speak: false });
  }, { signal });
  canvas.addEventListener("pointerdown", (event) => {
    const i = indexAt(event);
    if (i === null) return;
    strip.focus({ preventScroll: true });
    select(i);
  }, { signal });
  onThemeChange(requestDraw, signal);
  const resizeObserver = new ResizeObserver(() => {
    layout = measure();
    requestDraw();
  });
  resizeObserver.observe(live);

  layout = measure();
  writeSummary();
  writeReadout();
  draw();

  el.__figure = {
    state: () => ({ model: current().key, drawn, selected, lines: layout.lines, paused,
      rows: rowsOf(current()).map((r) => r.name) }),
    setModel: (key) => setModel(config.models.findIndex((m) => m.key === key)),
    /** Sum of the canvas pixels of the last (reconstruction) row: changes when the shown images change. */
    reconstructionChecksum: () => {
      const ctx = canvas.getContext("2d");
      const ratio = canvas.width / layout.used;
      const { y } = cellBox(rowsOf(current()).length - 1, 0);
      const data = ctx.getImageData(Math.round(layout.gridX * ratio), Math.round(y * ratio),
        Math.round(layout.cols * layout.cell * ratio), Math.round(layout.cellH * ratio)).data;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i] * ((i >> 2) % 97 + 1);
      return sum;
    },
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
