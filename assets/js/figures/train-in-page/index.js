// train-in-page: the dense autoencoder of the article, trained in the reader's
// browser with TF.js on a few hundred digits. Train runs a fixed number of
// epochs per press (press again to pause), Sample shows a held-out digit the
// page never trains on beside its reconstruction, Reset restores the seeded
// starting weights. Training yields to the browser after every batch and waits
// while the figure is off screen; it never starts by itself.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { adoptStyle } from "../../lib/train-style.js";
import { chooseBackend } from "../../lib/tf-backend.js";
import { describeLosses, drawLossChart } from "../../lib/train-chart.js";
import { drawDiagram, showCode } from "../../lib/train-diagram.js";
import {
  buildAutoencoder, disposeAutoencoder, reconstructionLoss, seededRandom, shuffled,
} from "../../lib/train-model.js";

const ANNOUNCE_EVERY_MS = 5000; // progress is announced at most this often
const NARROW = 520; // below this width (CSS px) the diagram gets its own row
const STYLE_ID = "train-in-page-style";
const STYLE = `
.train { display: grid; gap: 0.6rem; font-size: 0.92rem; }
.train__stats { display: flex; flex-wrap: wrap; justify-content: center; align-items: center;
  gap: 0.25rem 1.1rem; margin: 0; font-variant-numeric: tabular-nums; color: var(--muted); }
.train__stats b { color: var(--fg); font-weight: 600; }
.train__stats progress { width: 7rem; accent-color: var(--accent); }
.train__main { display: flex; flex-wrap: wrap; align-items: center; justify-content: center; gap: 0.5rem 0.75rem; }
.train__panel { margin: 0; text-align: center; }
.train__panel canvas { margin-inline: auto; border: 1px solid var(--border); border-radius: 4px; }
.train__panel figcaption, .train__panel p { margin: 0.3rem 0 0; color: var(--muted); font-size: 0.82rem;
  max-width: 9rem; line-height: 1.3; }
.train--narrow .train__diagram { order: -1; flex-basis: 100%; }
.train--narrow .train__panel { flex: 1 1 0; min-width: 0; }
.train--narrow .train__panel figcaption { max-width: none; }
.train__diagram, .train__chart svg { display: block; margin-inline: auto; overflow: visible; }
.train__legend { margin: 0.15rem 0 0; text-align: center; color: var(--muted); font-size: 0.8rem; }
.train__legend span { white-space: nowrap; margin-inline: 0.4rem; }
.train__key { display: inline-block; width: 1.4rem; height: 0; vertical-align: middle;
  border-top: 2px solid var(--accent); margin-right: 0.25rem; }
.train__key--test { border-top-style: dashed; }
.train__key--ref { border-top: 2px dotted var(--muted); }
`;

function validate(config) {
  const [height, width] = config.image || [];
  const pixels = height * width;
  if (!Number.isInteger(pixels) || pixels < 1) throw new Error("train-in-page needs config.image = [height, width]");
  const layers = config.layers;
  if (!Array.isArray(layers) || layers[0] !== pixels || layers[layers.length - 1] !== pixels) {
    throw new Error(`train-in-page config.layers must start and end with ${pixels} pixels`);
  }
  for (const set of ["train", "test"]) {
    if (!config[set] || !Number.isInteger(config[set].count) || config[set].count < 1) {
      throw new Error(`train-in-page config.${set}.count must be a positive integer`);
    }
  }
  return {
    height, width, pixels, layers, roles: config.roles || layers.map(() => ""),
    hidden: config.hidden, latent: config.latent_dim, learningRate: config.learning_rate,
    batchSize: config.batch_size, epochs: config.epochs, seed: config.seed ?? 0,
    reference: config.reference?.val_loss ?? null,
  };
}

async function fetchBytes(name, base, expected) {
  const response = await fetch(new URL(name, base));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length !== expected) throw new Error(`${name} holds ${bytes.length} bytes, expected ${expected}`);
  return bytes;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

// [r, g, b] of any CSS colour, read back through a canvas.
function rgbOf(ctx, color) {
  ctx.fillStyle = "#000";
  ctx.fillStyle = color;
  const hex = ctx.fillStyle;
  if (hex.startsWith("#")) return { r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16) };
  const [r, g, b] = hex.match(/[\d.]+/g).map(Number);
  return { r, g, b };
}

// A digit as ink on paper in the theme's colours (value 1 = full ink).
function paintDigit(canvas, scratch, values, scale, { width, height }, theme) {
  const ctx = scratch.getContext("2d");
  const ink = rgbOf(ctx, theme.fg);
  const paper = rgbOf(ctx, theme.bg);
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    const v = values[i];
    image.data[4 * i] = paper.r + (ink.r - paper.r) * v;
    image.data[4 * i + 1] = paper.g + (ink.g - paper.g) * v;
    image.data[4 * i + 2] = paper.b + (ink.b - paper.b) * v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  const view = fitCanvas(canvas, width * scale, height * scale).ctx;
  view.drawImage(scratch, 0, 0, width * scale, height * scale);
}

export async function mount(el, config) {
  const spec = validate(config);
  const nTrain = config.train.count;
  const nTest = config.test.count;
  const [trainBytes, testBytes, testLabels] = await Promise.all([
    fetchBytes(config.train.images, config.base, nTrain * spec.pixels),
    fetchBytes(config.test.images, config.base, nTest * spec.pixels),
    fetchBytes(config.test.labels, config.base, nTest),
  ]);
  await chooseBackend(tf);
  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const removeStyle = adoptStyle(STYLE_ID, STYLE);

  // data, kept as tensors for the figure's lifetime
  const toFloats = (bytes) => Float32Array.from(bytes, (v) => v / 255);
  const xTrain = tf.tensor2d(toFloats(trainBytes), [nTrain, spec.pixels]);
  const xTest = tf.tensor2d(toFloats(testBytes), [nTest, spec.pixels]);
  const build = () => buildAutoencoder(tf, {
    pixels: spec.pixels, hidden: spec.hidden, latent: spec.latent,
    learningRate: spec.learningRate, seed: spec.seed,
  });

  // DOM
  const controls = el.querySelector(".train-controls");
  const buttons = {
    train: controls.querySelector('[data-action="train"]'),
    sample: controls.querySelector('[data-action="sample"]'),
    reset: controls.querySelector('[data-action="reset"]'),
  };
  const root = element("div", "train");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", `Autoencoder with layers ${spec.layers.join("-")} trained in this page`);
  const stats = element("p", "train__stats");
  const epochText = element("b", null, "0");
  const lossText = element("b", null, "–");
  const testText = element("b", null, "–");
  const speedText = element("span");
  const progress = element("progress");
  progress.max = spec.epochs;
  progress.value = 0;
  progress.setAttribute("aria-label", "Progress of this training run");
  const stat = (label, value) => { const s = element("span", null, `${label} `); s.append(value); return s; };
  stats.append(stat("Epoch", epochText), stat("Loss", lossText), stat("Held-out loss", testText), progress, speedText);

  const main = element("div", "train__main");
  const inputPanel = element("figure", "train__panel");
  const inputCanvas = element("canvas");
  const inputCaption = element("figcaption");
  inputPanel.append(inputCanvas, inputCaption);
  const outputPanel = element("figure", "train__panel");
  const outputCanvas = element("canvas");
  const outputCaption = element("figcaption", null, "Reconstruction by the model in this page");
  outputPanel.append(outputCanvas, outputCaption);
  for (const canvas of [inputCanvas, outputCanvas]) canvas.setAttribute("aria-hidden", "true");
  const diagram = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  diagram.classList.add("train__diagram");
  diagram.setAttribute("role", "img");
  diagram.setAttribute("aria-label", `Layer widths ${spec.layers.join(", ")}: ` +
    `${spec.layers[0]} pixels are squeezed to a code of ${spec.latent} numbers and expanded back.`);
  main.append(inputPanel, diagram, outputPanel);

  const chartBox = element("div", "train__chart");
  const chart = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  chart.setAttribute("role", "img");
  const legend = element("p", "train__legend");
  legend.setAttribute("aria-hidden", "true");
  legend.innerHTML = '<span><i class="train__key"></i>training loss</span>' +
    '<span><i class="train__key train__key--test"></i>held-out loss</span>' +
    (spec.reference == null ? "" : '<span><i class="train__key train__key--ref"></i>build model, held-out</span>');
  chartBox.append(chart, legend);
  root.append(stats, main, chartBox);
  live.append(root);
  const scratch = element("canvas");
  scratch.width = spec.width;
  scratch.height = spec.height;

  // state
  let parts = build();
  let random = seededRandom(spec.seed);
  let epoch = 0;
  let trainLosses = [];
  let testLosses = [];
  let run = { target: 0, first: 0, order: null, cursor: 0, sum: 0, seen: 0 };
  let running = false;
  let stopRequested = false;
  let offscreen = false;
  let waiting = false; // the loop is parked until the figure is back on screen
  let wake = null;
  let loopDone = Promise.resolve();
  let generation = 0;
  let activeMs = 0;
  let epochsTimed = 0;
  let lastAnnounce = 0;
  let sample = { index: 0, code: null, input: null, output: null };
  let layout = null;
  let destroyed = false;
  let resets = 0;

  function measure() {
    const width = Math.max(260, live.clientWidth);
    const narrow = width < NARROW;
    const scale = width >= 640 ? 4 : 3;
    const imageBox = spec.width * scale + 2;
    const diagramWidth = narrow ? width : Math.min(560, width - 2 * imageBox - 40);
    root.classList.toggle("train--narrow", narrow);
    return { width, scale, diagramWidth, diagramHeight: narrow ? 150 : 180, chartWidth: Math.min(width, 560) };
  }

  function renderStatic() {
    const theme = readTheme(el);
    drawDiagram(diagram, { layers: spec.layers, roles: spec.roles, width: layout.diagramWidth,
      height: layout.diagramHeight, theme });
    showCode(diagram, sample.code);
    renderChart(theme);
    renderSample(theme);
  }

  function renderChart(theme = readTheme(el)) {
    drawLossChart(chart, { train: trainLosses, test: testLosses, reference: spec.reference,
      minEpochs: spec.epochs, width: layout.chartWidth, height: 130, theme });
    chart.setAttribute("aria-label", describeLosses(trainLosses, testLosses, spec.reference));
  }

  function renderSample(theme = readTheme(el)) {
    if (!sample.input) return;
    paintDigit(inputCanvas, scratch, sample.input, layout.scale, spec, theme);
    if (sample.output) paintDigit(outputCanvas, scratch, sample.output, layout.scale, spec, theme);
    showCode(diagram, sample.code);
  }

  function renderStats() {
    const last = trainLosses.length - 1;
    epochText.textContent = String(epoch);
    lossText.textContent = last >= 0 ? trainLosses[last].toFixed(4) : "–";
    testText.textContent = last >= 0 ? testLosses[last].toFixed(4) : "–";
    const done = run.target ? epoch - run.first + run.cursor / nTrain : 0;
    progress.value = Math.min(spec.epochs, Math.max(0, done));
    const eps = epochsPerSecond();
    speedText.textContent = eps ? `${eps.toFixed(eps < 10 ? 1 : 0)} epochs/s` : "";
  }

  function renderButtons() {
    const remaining = run.target - epoch;
    // A play/pause button changes its label rather than using aria-pressed (WAI-ARIA APG).
    buttons.train.textContent = running ? "Pause training"
      : remaining > 0 ? `Resume (${remaining} epoch${remaining === 1 ? "" : "s"} left)`
        : `Train ${spec.epochs} epochs`;
  }

  function epochsPerSecond() {
    return activeMs > 0 && epochsTimed > 0 ? epochsTimed / (activeMs / 1000) : 0;
  }

  // Reconstruct the shown held-out digit with the current weights.
  async function showSample(index) {
    const gen = generation;
    const x = xTest.slice([index, 0], [1, spec.pixels]);
    const code = parts.encoder.predict(x);
    const output = parts.model.predict(x);
    x.dispose();
    const [codeValues, outputValues] = await Promise.all([code.data(), output.data()]);
    tf.dispose([code, output]);
    if (gen !== generation || destroyed) return;
    sample = {
      index,
      code: Array.from(codeValues),
      input: toFloats(testBytes.subarray(index * spec.pixels, (index + 1) * spec.pixels)),
      output: outputValues,
    };
    inputCaption.textContent = `Held-out digit ${index + 1} of ${nTest} (a ${testLabels[index]})`;
    renderSample();
  }

  async function finishEpoch() {
    epoch += 1;
    trainLosses.push(run.sum / run.seen);
    run.order = null;
    const loss = reconstructionLoss(tf, parts.model, xTest);
    testLosses.push((await loss.data())[0]);
    loss.dispose();
    await showSample(sample.index);
    renderChart();
    const now = performance.now();
    if (epoch < run.target && now - lastAnnounce > ANNOUNCE_EVERY_MS) {
      lastAnnounce = now;
      say(`Epoch ${epoch}, loss ${trainLosses[epoch - 1].toFixed(3)}.`);
    }
  }

  async function trainLoop() {
    const gen = generation;
    running = true;
    renderButtons();
    try {
      while (!stopRequested && gen === generation && epoch < run.target) {
        if (offscreen) {
          waiting = true;
          await new Promise((resolve) => { wake = resolve; });
          waiting = false;
          continue;
        }
        const start = performance.now();
        if (!run.order) Object.assign(run, { order: shuffled(nTrain, random), cursor: 0, sum: 0, seen: 0 });
        const batch = run.order.subarray(run.cursor, run.cursor + spec.batchSize);
        const indices = tf.tensor1d(batch, "int32");
        const xb = tf.gather(xTrain, indices);
        let loss;
        try {
          loss = await parts.model.trainOnBatch(xb, xb);
        } finally {
          tf.dispose([indices, xb]);
        }
        if (gen !== generation) break;
        run.sum += loss * batch.length;
        run.seen += batch.length;
        run.cursor += batch.length;
        if (run.cursor >= nTrain) {
          await finishEpoch();
          epochsTimed += 1;
        }
        renderStats();
        // Yield with a task, not a frame callback: a long CPU batch started from
        // requestAnimationFrame can starve clicks and other tasks in Chromium.
        await new Promise((resolve) => { setTimeout(resolve, 0); });
        activeMs += performance.now() - start;
      }
    } finally {
      running = false;
      stopRequested = false;
      if (gen === generation && !destroyed) {
        renderButtons();
        renderStats();
        const last = trainLosses.length - 1;
        if (epoch >= run.target && last >= 0) {
          say(`Trained to epoch ${epoch}: loss ${trainLosses[last].toFixed(3)}, ` +
            `held-out loss ${testLosses[last].toFixed(3)}.`);
        } else if (last >= 0 || run.cursor) {
          say(`Paused at epoch ${epoch}.`);
        }
      }
    }
  }

  function onTrain() {
    if (running) {
      stopRequested = true;
      return;
    }
    if (epoch >= run.target) Object.assign(run, { target: epoch + spec.epochs, first: epoch });
    lastAnnounce = performance.now();
    say(`Training epochs ${epoch + 1} to ${run.target} on ${nTrain} digits.`);
    loopDone = trainLoop();
  }

  function onSample() {
    let index = Math.floor(Math.random() * nTest);
    if (nTest > 1 && index === sample.index) index = (index + 1) % nTest;
    showSample(index).then(() => {
      say(`Held-out digit ${index + 1} of ${nTest}, a ${testLabels[index]}, and its reconstruction.`);
    });
  }

  async function onReset() {
    generation += 1;
    stopRequested = true;
    if (wake) wake();
    buttons.reset.disabled = true;
    await loopDone;
    if (destroyed) return;
    disposeAutoencoder(parts);
    parts = build();
    random = seededRandom(spec.seed);
    epoch = 0;
    trainLosses = [];
    testLosses = [];
    run = { target: 0, first: 0, order: null, cursor: 0, sum: 0, seen: 0 };
    activeMs = 0;
    epochsTimed = 0;
    stopRequested = false;
    buttons.reset.disabled = false;
    renderButtons();
    renderStats();
    renderChart();
    await showSample(sample.index);
    resets += 1;
    say("Weights reset to their seeded starting values: epoch 0.");
  }

  // events
  buttons.train.addEventListener("click", onTrain, { signal });
  buttons.sample.addEventListener("click", onSample, { signal });
  buttons.reset.addEventListener("click", onReset, { signal });
  onThemeChange(() => renderStatic(), signal);
  const resizeObserver = new ResizeObserver(() => {
    const next = measure();
    if (layout && next.width === layout.width) return;
    layout = next;
    renderStatic();
  });

  controls.style.display = ""; // shown only once the buttons work
  layout = measure();
  await showSample(0);
  renderStatic();
  renderButtons();
  renderStats();
  resizeObserver.observe(live);

  el.__figure = {
    state: () => ({
      epoch, running, offscreen, waiting, resets,
      trainLosses: [...trainLosses], testLosses: [...testLosses],
      sample: { set: "test", index: sample.index, label: testLabels[sample.index], code: sample.code },
      shown: { epoch: epochText.textContent, loss: lossText.textContent },
      epochsPerSecond: epochsPerSecond(), backend: tf.getBackend(),
      train: { count: nTrain }, test: { count: nTest }, layers: [...spec.layers],
      tensors: tf.memory().numTensors,
    }),
    shownInput: () => Array.from(sample.input, (v) => Math.round(v * 255)),
  };

  return {
    pause() {
      offscreen = true;
    },
    resume() {
      offscreen = false;
      if (wake) wake();
      wake = null;
    },
    destroy() {
      destroyed = true;
      generation += 1;
      stopRequested = true;
      if (wake) wake();
      controller.abort();
      resizeObserver.disconnect();
      loopDone.finally(() => {
        disposeAutoencoder(parts);
        tf.dispose([xTrain, xTest]);
      });
      root.remove();
      controls.style.display = "none";
      removeStyle();
      delete el.__figure;
      say("");
    },
  };
}
