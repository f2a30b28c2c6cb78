// zoo-denoise: corrupt a test image in the page, watch the denoiser clean it.
//
// The noise slider sets the level s: noisy = clip(clean + s * N(0, 1), 0, 1),
// with the noise drawn from a seeded PRNG (lib/zoo-live-noise.js), so moving
// the slider scales one fixed noise pattern and "New noise" draws another.
// The exported TF.js denoising autoencoder cleans the noisy image; noisy,
// denoised and clean are shown side by side, with their errors.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { fetchBytes } from "../../lib/decoder-data.js";
import { acquireModel, predict, tfState } from "../../lib/decoder-model.js";
import { imageCanvas, paintGray, readGray } from "../../lib/decoder-paint.js";
import { useDecoderStyles } from "../../lib/decoder-style.js";
import { chooseBackend } from "../../lib/tf-backend.js";
import { workLoop } from "../../lib/zoo-live-loop.js";
import { corrupt, gaussianNoise, meanAbsDiff, noiseSeed } from "../../lib/zoo-live-noise.js";
import { useZooStyles } from "../../lib/zoo-live-style.js";

const SIZE = 140; // CSS px of each image at most
const MIN_SIZE = 84;
const ANNOUNCE_DELAY_MS = 500;

function validate(config) {
  for (const key of ["denoiser", "images", "image", "noise", "seed"]) {
    if (config[key] === undefined) throw new Error(`zoo-denoise needs config.${key}`);
  }
}

export async function mount(el, config) {
  validate(config);
  await chooseBackend(tf);
  const releaseStyles = [useDecoderStyles(), useZooStyles()];
  const [modelResult, bytesResult] = await Promise.allSettled([
    acquireModel(new URL(config.denoiser, config.base).href),
    fetchBytes(config.images.file, config.base),
  ]);
  if (modelResult.status === "rejected" || bytesResult.status === "rejected") {
    if (modelResult.status === "fulfilled") modelResult.value.release();
    releaseStyles.forEach((release) => release());
    throw (modelResult.reason || bytesResult.reason);
  }
  const { model, release: releaseModel } = modelResult.value;
  const [height, width] = config.image;
  const pixels = width * height;
  const { count, labels } = config.images;
  const bytes = new Uint8Array(bytesResult.value);
  if (bytes.length < count * pixels) {
    releaseModel();
    releaseStyles.forEach((release) => release());
    throw new Error(`images.u8 holds ${bytes.length} bytes, expected ${count * pixels}`);
  }
  const cleanImages = Array.from({ length: count }, (_, i) => {
    const out = new Float32Array(pixels);
    for (let j = 0; j < pixels; j += 1) out[j] = bytes[i * pixels + j] / 255;
    return out;
  });
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const live = el.querySelector(".figure-live") || el;
  const controls = el.querySelector("[data-zoo-controls]");
  const slider = el.querySelector("[data-control='noise']");
  const sliderValue = el.querySelector("[data-control='noise-value']");
  const select = el.querySelector("[data-control='image']");
  const reseed = el.querySelector("[data-action='reseed']");

  // DOM
  const root = document.createElement("div");
  root.className = "zoo-live zoo-denoise";
  const row = document.createElement("ul");
  row.className = "zoo-denoise__row";
  row.setAttribute("aria-label", "Noisy input, denoised output and clean original");
  function cellOf(caption, label) {
    const item = document.createElement("li");
    const canvas = imageCanvas("zoo-denoise__image", SIZE, label);
    const text = document.createElement("span");
    text.textContent = caption;
    const error = document.createElement("span");
    error.className = "zoo-denoise__error";
    item.append(canvas, text, error);
    row.append(item);
    return { canvas, error, item };
  }
  const noisyCell = cellOf("Noisy input", "The noisy input");
  const outCell = cellOf("Denoised", "The denoising autoencoder's output");
  const cleanCell = cellOf("Clean original", "The clean test image");
  const thumbs = document.createElement("ul");
  thumbs.className = "zoo-denoise__thumbs";
  thumbs.setAttribute("aria-label", "Test images");
  const thumbButtons = cleanImages.map((values, i) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-label", labels[i]);
    button.title = labels[i];
    button.tabIndex = -1; // the select is the keyboard route; the thumbnails are for pointers
    const canvas = imageCanvas("zoo-denoise__thumb", 30);
    canvas.style.removeProperty("--size"); // sized by the stylesheet (smaller on narrow screens)
    paintGray(canvas, values, width, height);
    button.append(canvas);
    item.append(button);
    thumbs.append(item);
    button.addEventListener("click", () => setImage(i), { signal });
    return button;
  });
  thumbs.setAttribute("aria-hidden", "true");
  const note = document.createElement("p");
  note.className = "decoder-caption";
  note.textContent = "Error: the mean absolute difference from the clean image, per pixel (0 to 1).";
  root.append(row, note, thumbs);
  live.append(root);
  if (controls) controls.style.display = "";

  // state
  let level = config.noise;
  let index = 0;
  let draw = 0;
  let noise = null;
  const noisy = new Float32Array(pixels);
  let lastOutput = new Float32Array(pixels);
  let errors = { noisy: 0, denoised: 0 };
  let paused = false;
  let destroyed = false;
  let announceTimer = 0;

  const loop = workLoop(async () => {
    const clean = cleanImages[index];
    corrupt(clean, noise, level, noisy);
    paintGray(noisyCell.canvas, noisy, width, height);
    paintGray(cleanCell.canvas, clean, width, height);
    const values = await predict(model, noisy, 1, [height, width]);
    if (destroyed) return;
    lastOutput = values;
    paintGray(outCell.canvas, values, width, height);
    errors = { noisy: meanAbsDiff(noisy, clean), denoised: meanAbsDiff(values, clean) };
    noisyCell.error.textContent = `error ${errors.noisy.toFixed(3)}`;
    outCell.error.textContent = `error ${errors.denoised.toFixed(3)}`;
    cleanCell.error.textContent = labels[index];
  }, () => paused);

  function describe() {
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
    if (announce) {
      clearTimeout(announceTimer);
      announceTimer = setTimeout(async () => {
        await loop.whenIdle();
        if (!destroyed) say(describe());
      }, ANNOUNCE_DELAY_MS);
    }
  }

  function setImage(i, options) {
    index = Math.max(0, Math.min(count - 1, i));
    update({ ...options, newNoise: true });
  }

  function relayout() {
    const room = Math.floor((root.clientWidth - 2 * 10) / 3) - 4;
    const size = Math.max(MIN_SIZE, Math.min(SIZE, room));
    for (const { canvas } of [noisyCell, outCell, cleanCell]) canvas.style.setProperty("--size", `${size}px`);
  }

  // events
  slider?.addEventListener("input", () => {
    const value = Number(slider.value);
    if (Number.isFinite(value)) {
      level = Math.max(0, Math.min(1, value));
      update();
    }
  }, { signal });
  select?.addEventListener("change", () => setImage(Number(select.value)), { signal });
  reseed?.addEventListener("click", () => {
    draw += 1;
    update({ newNoise: true });
  }, { signal });
  const resizeObserver = new ResizeObserver(relayout);
  resizeObserver.observe(root);

  relayout();
  update({ announce: false });
  await loop.whenIdle();

  el.__figure = {
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
  };

  return {
    pause() {
      paused = true;
      loop.pause();
    },
    resume() {
      paused = false;
    },
    destroy() {
      destroyed = true;
      controller.abort();
      resizeObserver.disconnect();
      loop.destroy();
      clearTimeout(announceTimer);
      releaseModel();
      root.remove();
      if (controls) controls.style.display = "none";
      releaseStyles.forEach((release) => release());
      delete el.__figure;
      say("");
    },
  };
}
