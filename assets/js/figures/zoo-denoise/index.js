// zoo-denoise: corrupt a test image in the page, watch the denoiser clean it.
//
// The noise slider sets the level s: noisy = clip(clean + s * N(0, 1), 0, 1),
// with the noise drawn from a seeded PRNG (./noise.js), so moving
// the slider scales one fixed noise pattern and "New noise" draws another.
// The exported TF.js denoising autoencoder cleans the noisy image; noisy,
// denoised and clean are shown side by side, with their errors.

import { createFigure, fetchBytes, h } from "../../lib/figure.js";
import { requireConfig } from "../../lib/decoder-data.js";
import { loadAll, predict, tfState, useModel } from "../../lib/decoder-model.js";
import { imageCanvas, paintGray, readGray } from "../../lib/decoder-paint.js";
import { revealControls, speaker } from "../../lib/decoder-ui.js";
import { corrupt, gaussianNoise, meanAbsDiff, noiseSeed } from "./noise.js";

const SIZE = 140; // CSS px of each image at most
const MIN_SIZE = 84;
const ANNOUNCE_DELAY_MS = 500;
const REQUIRED = ["denoiser", "images", "image", "noise", "seed"];

/**
 * Mount a zoo-denoise in `el` (the runtime's contract).
 * @param {HTMLElement} el @param {object} config the payload's config.json, with `base`
 * @returns {Promise<object>} the figure's handle ({pause, resume, destroy})
 */
export async function mount(el, config) {
  requireConfig("zoo-denoise", config, REQUIRED);
  const fig = createFigure(el, config);
  const [model, buffer] = await loadAll(fig, [
    useModel(fig, config.denoiser, config.base),
    fetchBytes(config.images.file, { base: config.base }),
  ]);
  const [height, width] = config.image;
  const pixels = width * height;
  const { count, labels } = config.images;
  const bytes = new Uint8Array(buffer);
  if (bytes.length < count * pixels) {
    fig.destroy();
    throw new Error(`images.u8 holds ${bytes.length} bytes, expected ${count * pixels}`);
  }
  const cleanImages = Array.from({ length: count }, (_, i) => {
    const out = new Float32Array(pixels);
    for (let j = 0; j < pixels; j += 1) out[j] = bytes[i * pixels + j] / 255;
    return out;
  });
  const voice = speaker(fig, ANNOUNCE_DELAY_MS);
  const slider = el.querySelector("[data-control='noise']");
  const sliderValue = el.querySelector("[data-control='noise-value']");
  const select = el.querySelector("[data-control='image']");
  const reseed = el.querySelector("[data-action='reseed']");

  // DOM
  function cellOf(caption, label) {
    const canvas = imageCanvas("zoo-denoise__image", SIZE, label);
    const error = h("span", { class: "zoo-denoise__error" });
    return { canvas, error, item: h("li", {}, canvas, h("span", { text: caption }), error) };
  }
  const noisyCell = cellOf("Noisy input", "The noisy input");
  const outCell = cellOf("Denoised", "The denoising autoencoder's output");
  const cleanCell = cellOf("Clean original", "The clean test image");
  const cells = [noisyCell, outCell, cleanCell];
  const thumbButtons = cleanImages.map((values, i) => {
    const canvas = imageCanvas("zoo-denoise__thumb", 30);
    canvas.style.removeProperty("--size"); // sized by the stylesheet (smaller on narrow screens)
    paintGray(canvas, values, width, height);
    // the select is the keyboard route; the thumbnails are for pointers
    const button = h("button", { type: "button", "aria-label": labels[i], title: labels[i], tabindex: -1 }, canvas);
    fig.on(button, "click", () => setImage(i));
    return button;
  });
  const root = fig.add(h("div", { class: "zoo-live zoo-denoise" },
    h("ul", { class: "zoo-denoise__row", "aria-label": "Noisy input, denoised output and clean original" },
      cells.map((cell) => cell.item)),
    h("p", {
      class: "decoder-caption",
      text: "Error: the mean absolute difference from the clean image, per pixel (0 to 1).",
    }),
    h("ul", { class: "zoo-denoise__thumbs", "aria-label": "Test images", "aria-hidden": "true" },
      thumbButtons.map((button) => h("li", {}, button)))));
  revealControls(fig, "[data-zoo-controls]");

  // state
  let level = config.noise;
  let index = 0;
  let draw = 0;
  let noise = null;
  const noisy = new Float32Array(pixels);
  let lastOutput = new Float32Array(pixels);
  let errors = { noisy: 0, denoised: 0 };

  // corrupt, denoise and paint: at most once per frame
  const loop = fig.scheduler(async () => {
    const clean = cleanImages[index];
    corrupt(clean, noise, level, noisy);
    paintGray(noisyCell.canvas, noisy, width, height);
    paintGray(cleanCell.canvas, clean, width, height);
    const values = await predict(model, noisy, 1, [height, width]);
    if (fig.destroyed) return;
    lastOutput = values;
    paintGray(outCell.canvas, values, width, height);
    errors = { noisy: meanAbsDiff(noisy, clean), denoised: meanAbsDiff(values, clean) };
    noisyCell.error.textContent = `error ${errors.noisy.toFixed(3)}`;
    outCell.error.textContent = `error ${errors.denoised.toFixed(3)}`;
    cleanCell.error.textContent = labels[index];
  });

  async function announcement() {
    await loop.whenIdle();
    return `Noise ${level.toFixed(2)} on the ${labels[index]}: mean pixel error ${errors.noisy.toFixed(3)} ` +
      `before the denoiser, ${errors.denoised.toFixed(3)} after.`;
  }

  function update({ announce = true, newNoise = false } = {}) {
    if (newNoise || !noise) noise = gaussianNoise(noiseSeed(config.seed, index, draw, config.seed_steps), pixels);
    if (slider) {
      slider.value = String(level);
      slider.setAttribute("aria-valuetext", `noise ${level.toFixed(2)}`);
    }
    if (sliderValue) sliderValue.textContent = level.toFixed(2);
    if (select && select.value !== String(index)) select.value = String(index);
    thumbButtons.forEach((button, i) => button.setAttribute("aria-pressed", String(i === index)));
    loop.invalidate();
    if (announce) voice.later(announcement);
  }

  function setImage(i, options) {
    index = Math.max(0, Math.min(count - 1, i));
    update({ ...options, newNoise: true });
  }

  function relayout() {
    const room = Math.floor((root.clientWidth - 2 * 10) / 3) - 4;
    const size = Math.max(MIN_SIZE, Math.min(SIZE, room));
    for (const { canvas } of cells) canvas.style.setProperty("--size", `${size}px`);
  }

  // events
  if (slider) {
    fig.on(slider, "input", () => {
      const value = Number(slider.value);
      if (Number.isFinite(value)) {
        level = Math.max(0, Math.min(1, value));
        update();
      }
    });
  }
  if (select) fig.on(select, "change", () => setImage(Number(select.value)));
  if (reseed) {
    fig.on(reseed, "click", () => {
      draw += 1;
      update({ newNoise: true });
    });
  }
  fig.observeResize(root, relayout);

  relayout();
  update({ announce: false });
  await loop.whenIdle();

  fig.expose({
    /** Run the page's denoiser on `values` (784 floats in [0, 1]); resolves with its output. */
    async denoise(values) {
      return Array.from(await predict(model, Float32Array.from(values), 1, [height, width]));
    },
    setNoise(value) {
      level = value;
      update({ announce: false });
      return loop.whenIdle();
    },
    setImage(i) {
      setImage(i, { announce: false });
      return loop.whenIdle();
    },
    state: () => ({ level, index, draw, seed: noiseSeed(config.seed, index, draw, config.seed_steps), errors }),
    noisy: () => Array.from(readGray(noisyCell.canvas)),
    noisyValues: () => Array.from(noisy),
    denoised: () => Array.from(readGray(outCell.canvas)),
    output: () => Array.from(lastOutput),
    clean: () => Array.from(readGray(cleanCell.canvas)),
    stats: () => ({ runs: loop.runs }),
    whenIdle: () => loop.whenIdle(),
    tf: tfState,
  });
  return fig;
}
