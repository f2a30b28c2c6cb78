// zoo-manifold: an n x n grid of images a decoder (the zoo's VAE by default) draws in the page.
// Gray or RGB images of any size (config.image); the grid keeps their aspect.
// A VAE's grid is centred on the origin; another model's on config.centre, the
// middle of its codes.
//
// One batched predict decodes all n² codes. The slider sets the grid's
// half-width in latent units; the spacing buttons switch between even spacing
// and the guide's Gaussian percentiles (norm.ppf(linspace(0.05, 0.95, n)),
// computed at build and scaled so the outer rows sit at the half-width).
// Row 0 is the largest z₂ (the plane's top), column 0 the smallest z₁.
// Pointer or arrow keys on the grid read out one cell's code.

import { createFigure, h } from "../../lib/figure.js";
import { formatCode, requireConfig } from "../../lib/decoder-data.js";
import { predict, tfState, useModel } from "../../lib/decoder-model.js";
import { imageShape, levels, writePixels } from "../../lib/decoder-paint.js";
import { revealControls, speaker } from "../../lib/decoder-ui.js";
import { gridStep } from "../../lib/grid-nav.js";

const MAX_SIDE = 480; // CSS px of the grid at most
const ANNOUNCE_DELAY_MS = 500;
const REQUIRED = ["decoder", "grid", "image", "half_width", "max_half_width", "ppf", "spacing"];

/** One axis, ascending: outer values at ± halfWidth, evenly or by Gaussian percentiles. */
export function axisValues(n, halfWidth, spacing, ppf) {
  const values = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    const unit = spacing === "linear" ? -1 + (2 * i) / (n - 1) : ppf[i] / ppf[n - 1];
    values[i] = unit * halfWidth;
  }
  return values;
}

/** Row-major codes (x, y interleaved) around `centre`: row 0 at the largest z₂. */
export function gridCodes(n, halfWidth, spacing, ppf, centre = [0, 0]) {
  const values = axisValues(n, halfWidth, spacing, ppf);
  const codes = new Float32Array(2 * n * n);
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) {
      codes[2 * (r * n + c)] = values[c] + centre[0];
      codes[2 * (r * n + c) + 1] = values[n - 1 - r] + centre[1];
    }
  }
  return codes;
}

function fmt(v) {
  return (Math.abs(v) < 5e-3 ? 0 : v).toFixed(2).replace("-", "\u2212");
}

/**
 * Mount a zoo-manifold in `el` (the runtime's contract).
 * @param {HTMLElement} el @param {object} config the payload's config.json, with `base`
 * @returns {Promise<object>} the figure's handle ({pause, resume, destroy})
 */
export async function mount(el, config) {
  requireConfig("zoo-manifold", config, REQUIRED);
  if (config.ppf.length !== config.grid) throw new Error("zoo-manifold config.ppf must hold one value per row");
  const fig = createFigure(el, config);
  const model = await useModel(fig, config.decoder, config.base);
  const n = config.grid;
  const centre = config.centre ?? [0, 0];
  const centred = centre[0] !== 0 || centre[1] !== 0;
  const [height, width, channels] = imageShape(config.image);
  const pixels = width * height * channels; // values of one decoded image
  const voice = speaker(fig, ANNOUNCE_DELAY_MS);
  const slider = el.querySelector("[data-control='range']");
  const sliderValue = el.querySelector("[data-control='range-value']");
  const spacingButtons = [...el.querySelectorAll("[data-spacing]")];

  // DOM
  const yLabels = [0, 1, 2].map(() => h("span"));
  const xLabels = [0, 1, 2].map(() => h("span"));
  const yAxis = h("div", { class: "zoo-manifold__y", "aria-hidden": "true" }, yLabels);
  const canvas = h("canvas", {
    class: "zoo-manifold__grid", width: n * width, height: n * height,
    tabindex: 0, role: "application", "aria-roledescription": "image grid",
  });
  const readout = h("p", { class: "decoder-readout", id: `${config.id || "zoo-manifold"}-cell` });
  canvas.setAttribute("aria-describedby", readout.id);
  const root = fig.add(h("div", { class: "zoo-live zoo-manifold" },
    h("div", { class: "zoo-manifold__frame" }, yAxis, canvas,
      h("div", { class: "zoo-manifold__x", "aria-hidden": "true" }, xLabels)),
    readout));
  revealControls(fig, "[data-zoo-controls]");
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(n * width, n * height);

  // state
  let halfWidth = config.half_width;
  let spacing = config.spacing;
  let codes = gridCodes(n, halfWidth, spacing, config.ppf, centre);
  let lastOutput = new Float32Array(n * n * pixels);
  let cell = null; // index of the cell read out (pointer or keyboard), or null

  // one batched decode of the whole grid, at most once per frame
  const loop = fig.scheduler(async () => {
    const values = await predict(model, codes, n * n, [2]);
    if (fig.destroyed) return;
    lastOutput = values;
    paint(values);
  });

  function paint(values) {
    const stride = 4 * n * width;
    for (let k = 0; k < n * n; k += 1) {
      const r = Math.floor(k / n);
      const c = k % n;
      writePixels(image.data, stride, values, k * pixels, width, height, channels, r * height * stride + 4 * c * width);
    }
    ctx.putImageData(image, 0, 0);
    if (cell !== null) outline(cell);
  }

  function outline(index) {
    const r = Math.floor(index / n);
    const c = index % n;
    ctx.save();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#f28e2c";
    ctx.strokeRect(c * width + 1, r * height + 1, width - 2, height - 2);
    ctx.restore();
  }

  // "from −2.00 to 2.00 on both axes", or around a centre: "from −3.10 to 0.90 on z₁ and 1.00 to 5.00 on z₂"
  function range() {
    if (!centred) return `from \u2212${fmt(halfWidth)} to ${fmt(halfWidth)}`;
    const [x, y] = centre;
    return `from ${fmt(x - halfWidth)} to ${fmt(x + halfWidth)} on z\u2081 and ${fmt(y - halfWidth)} to ${fmt(y + halfWidth)} on z\u2082`;
  }

  function describeGrid() {
    const name = spacing === "linear" ? "evenly spaced" : "spaced by Gaussian percentiles";
    return `${n} by ${n} images decoded at codes ${name} ${range()}${centred ? "" : " on both axes"}`;
  }

  function cellText(index) {
    const r = Math.floor(index / n);
    const c = index % n;
    const z1 = codes[2 * index];
    const z2 = codes[2 * index + 1];
    return `Row ${r + 1}, column ${c + 1}: z\u2081 ${formatCode(z1, 2 * halfWidth)}, z\u2082 ${formatCode(z2, 2 * halfWidth)}`;
  }

  function readoutText() {
    return cell === null ? `Codes ${range()}` : cellText(cell);
  }

  function updateText() {
    const values = axisValues(n, halfWidth, spacing, config.ppf);
    const mid = values[(n - 1) / 2] ?? (values[Math.floor(n / 2)] + values[Math.ceil(n / 2) - 1]) / 2;
    const [cx, cy] = centre;
    xLabels[0].textContent = fmt(values[0] + cx);
    xLabels[1].innerHTML = `<span class="zoo-manifold__axis-name">z\u2081</span> ${fmt(mid + cx)}`;
    xLabels[2].textContent = fmt(values[n - 1] + cx);
    yLabels[0].textContent = fmt(values[n - 1] + cy);
    yLabels[1].innerHTML = `<span class="zoo-manifold__axis-name">z\u2082</span> ${fmt(mid + cy)}`;
    yLabels[2].textContent = fmt(values[0] + cy);
    canvas.setAttribute("aria-label", `${describeGrid()}. Arrow keys move between cells and read out each cell's code.`);
    readout.textContent = readoutText();
    if (slider) {
      slider.value = String(halfWidth);
      slider.setAttribute("aria-valuetext", `plus or minus ${fmt(halfWidth)} latent units`);
    }
    if (sliderValue) sliderValue.textContent = `\u00b1${fmt(halfWidth)}`;
    for (const button of spacingButtons) button.setAttribute("aria-pressed", String(button.dataset.spacing === spacing));
  }

  function update({ announce = true } = {}) {
    codes = gridCodes(n, halfWidth, spacing, config.ppf, centre);
    updateText();
    if (announce) voice.later(() => `${describeGrid()}.`);
    loop.invalidate();
  }

  function setCell(index, { announce = true } = {}) {
    cell = index;
    readout.textContent = readoutText();
    paint(lastOutput);
    if (announce && cell !== null) voice.say(cellText(cell));
  }

  function relayout() {
    const room = Math.floor(root.clientWidth - yAxis.offsetWidth - 10);
    const side = Math.max(120, Math.min(MAX_SIDE, room)); // the longer side; the other keeps the images' aspect
    canvas.style.width = `${width >= height ? side : (side * width) / height}px`;
    canvas.style.height = `${height >= width ? side : (side * height) / width}px`;
  }

  function cellAt(event) {
    const box = canvas.getBoundingClientRect();
    const c = Math.floor(((event.clientX - box.left) / box.width) * n);
    const r = Math.floor(((event.clientY - box.top) / box.height) * n);
    return r >= 0 && r < n && c >= 0 && c < n ? r * n + c : null;
  }

  // events
  if (slider) {
    fig.on(slider, "input", () => {
      const value = Number(slider.value);
      if (Number.isFinite(value) && value > 0) {
        halfWidth = value;
        update();
      }
    });
  }
  for (const button of spacingButtons) {
    fig.on(button, "click", () => {
      spacing = button.dataset.spacing;
      update();
    });
  }
  fig.on(canvas, "pointermove", (event) => {
    const index = cellAt(event);
    if (index !== cell) setCell(index, { announce: false });
  });
  fig.on(canvas, "pointerdown", (event) => setCell(cellAt(event)));
  fig.on(canvas, "pointerleave", (event) => {
    if (event.pointerType === "mouse" && document.activeElement !== canvas) setCell(null, { announce: false });
  });
  fig.on(canvas, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const next = gridStep(cell ?? Math.floor((n * n) / 2), event.key, { cols: n, count: n * n });
    if (next === null) return;
    event.preventDefault();
    setCell(next);
  });
  fig.on(canvas, "focus", () => {
    if (cell === null) setCell(Math.floor((n * n) / 2));
  });
  fig.on(canvas, "blur", () => setCell(null, { announce: false }));
  fig.observeResize(root, relayout);

  relayout();
  update({ announce: false });
  await loop.whenIdle();

  const corners = [0, n - 1, n * (n - 1), n * n - 1];
  fig.expose({
    /** Set the half-width and/or spacing, then wait for the repaint. */
    set({ halfWidth: nextHalfWidth = halfWidth, spacing: nextSpacing = spacing } = {}) {
      halfWidth = nextHalfWidth;
      spacing = nextSpacing;
      update({ announce: false });
      return loop.whenIdle();
    },
    state: () => ({ halfWidth, spacing, cell }),
    codes: () => Array.from({ length: n * n }, (_, i) => [codes[2 * i], codes[2 * i + 1]]),
    cornerCodes: () => corners.map((i) => [codes[2 * i], codes[2 * i + 1]]),
    /** Levels (0-255, `channels` a pixel) of the four corner images as painted: top-left, top-right, bottom-left, bottom-right. */
    corners() {
      return corners.map((index) => {
        const r = Math.floor(index / n);
        const c = index % n;
        return Array.from(levels(ctx.getImageData(c * width, r * height, width, height).data, channels));
      });
    },
    cornerOutputs: () => corners.map((index) => Array.from(lastOutput.subarray(index * pixels, (index + 1) * pixels))),
    /** Levels of the whole painted grid, `channels` a pixel. */
    pixels() {
      return Array.from(levels(ctx.getImageData(0, 0, canvas.width, canvas.height).data, channels));
    },
    stats: () => ({ decodes: loop.runs }),
    whenIdle: () => loop.whenIdle(),
    tf: tfState,
  });
  return fig;
}
