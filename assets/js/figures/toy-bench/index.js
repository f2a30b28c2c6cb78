// toy-bench: train a 3-h-h-2-h-h-3 autoencoder on a 3-D toy shape in the
// reader's browser (TF.js, full-batch Adam, the inputs a constant tensor).
// Three live views: the input with the reconstruction overlaid (3-D, rotatable),
// the code plane with a trail -dL/dz on every point (by automatic
// differentiation with respect to the codes), and the loss by step. A strip
// follows one point through encoder and decoder. Hover or focus a point to
// highlight it everywhere. Several steps run per animation frame within a
// time budget; training waits while the figure is off screen.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import * as backends from "../../lib/tf-backend.js";
import { createView3d } from "../../lib/toy-3d.js";
import { rampColours } from "../../lib/toy-colour.js";
import { createTrainer } from "../../lib/toy-bench-trainer.js";
import { createLatentView } from "../../lib/toy-bench-latent.js";
import { drawLossChart, powerOfTen } from "../../lib/toy-bench-chart.js";
import { createStrip } from "../../lib/toy-bench-strip.js";
import { STYLE } from "../../lib/toy-bench-style.js";
import { ACTIVATION_NAMES } from "../../lib/toy-bench-model.js";

const BUDGET_MS = 12; // training time per task, so input waits at most about this long
const MAX_STEPS_PER_TASK = 8; // a ceiling of a few hundred steps/s: fast, yet watchable
const MAX_PENDING = 64; // steps whose losses may wait for a read-back
const CHART_MIN_STEPS = 500;
const STYLE_ID = "toy-bench-style";

function validate(config) {
  const shapes = config.shapes;
  if (!Array.isArray(shapes) || !shapes.length) throw new Error("toy-bench needs config.shapes");
  const n = config.points;
  if (!Number.isInteger(n) || n < 4) throw new Error("toy-bench config.points must be an integer of at least 4");
  if (!ACTIVATION_NAMES.includes(config.activation)) throw new Error(`toy-bench: unknown activation ${config.activation}`);
  return {
    shapes, n, hidden: config.hidden, seed: config.seed ?? 0, layers: config.layers,
    initial: Math.max(0, shapes.findIndex((s) => s.name === config.shape)),
    learningRate: config.learning_rate, activation: config.activation,
    autoplay: config.autoplay !== false, pauseAt: config.pause_at ?? 0,
  };
}

async function fetchFloats(url, expected) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength !== expected * 4) throw new Error(`shapes data holds ${buffer.byteLength} bytes, expected ${expected * 4}`);
  return new Float32Array(buffer); // little-endian, as every browser is
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

const formatLoss = (v) => (Number.isFinite(v) ? v.toExponential(2).replace("-", "−") : "–");
const formatInt = (v) => v.toLocaleString("en-US");

function adoptStyle() {
  let style = document.getElementById(STYLE_ID);
  if (!style) {
    style = Object.assign(document.createElement("style"), { id: STYLE_ID, textContent: STYLE });
    style.dataset.users = "0";
    document.head.append(style);
  }
  style.dataset.users = String(Number(style.dataset.users) + 1);
  return () => {
    style.dataset.users = String(Number(style.dataset.users) - 1);
    if (style.dataset.users === "0") style.remove();
  };
}

/** A tiny picture of a shape for its button (x right, z up, as the 3-D view starts). */
function drawThumbnail(canvas, points, colours) {
  const size = 22, ratio = window.devicePixelRatio || 1;
  canvas.width = canvas.height = size * ratio;
  canvas.style.width = canvas.style.height = `${size}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const [cy, sy, cp, sp] = [Math.cos(0.6), Math.sin(0.6), Math.cos(0.35), Math.sin(0.35)];
  for (let i = 0; i < points.length / 3; i += 2) {
    const [x, y, z] = [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
    const xr = x * cy - y * sy, yr = x * sy + y * cy;
    ctx.fillStyle = colours[i];
    ctx.fillRect(size / 2 + xr * 9.5 - 1, size / 2 - (z * cp + yr * sp) * 9.5 - 1, 2, 2);
  }
}

export async function mount(el, config) {
  const spec = validate(config);
  const floatsPerShape = 4 * spec.n;
  const data = await fetchFloats(new URL(config.data, config.base), floatsPerShape * spec.shapes.length);
  await backends.chooseBackend(tf);
  const shapes = spec.shapes.map((s) => {
    const points = data.subarray(s.offset, s.offset + 3 * spec.n);
    const values = data.subarray(s.offset + 3 * spec.n, s.offset + 4 * spec.n);
    return { ...s, points, values, colours: rampColours(values) };
  });

  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const releaseStyle = adoptStyle();

  // ---- controls (static HTML from the template) --------------------------
  const controls = el.querySelector(".toy-bench-controls");
  const shapeButtons = [...controls.querySelectorAll("[data-shape]")];
  const playButton = controls.querySelector('[data-action="play"]');
  const stepButton = controls.querySelector('[data-action="step"]');
  const resetButton = controls.querySelector('[data-action="reset"]');
  const lrSelect = controls.querySelector('[data-control="lr"]');
  const activationSelect = controls.querySelector('[data-control="activation"]');
  const thumbnails = shapeButtons.map((button) => {
    const shape = shapes.find((s) => s.name === button.dataset.shape);
    const canvas = element("canvas", "toy-bench__thumb");
    canvas.setAttribute("aria-hidden", "true");
    if (shape) drawThumbnail(canvas, shape.points, shape.colours);
    button.prepend(canvas);
    return canvas;
  });

  // ---- layout ------------------------------------------------------------
  const root = element("div", "tb");
  const readouts = element("p", "tb__readouts");
  const stepText = element("b", null, "0");
  const lossText = element("b", null, "–");
  const speedText = element("span", "tb__speed");
  const readout = (label, value) => { const s = element("span", null, `${label} `); s.append(value); return s; };
  readouts.append(readout("Step", stepText), readout("Loss", lossText), speedText);

  const views = element("div", "tb__views");
  const panel = (title, className) => {
    const box = element("div", `tb__panel ${className}`);
    const head = element("p", "tb__title", title);
    box.append(head);
    views.append(box);
    return box;
  };
  const inputPanel = panel("Input and reconstruction (3-D)", "tb__panel--3d");
  const inputCanvas = element("canvas");
  const inputLegend = element("p", "tb__legend");
  inputLegend.innerHTML = '<span><i class="tb__key tb__key--ring"></i>input</span>' +
    '<span><i class="tb__key tb__key--dot"></i>reconstruction</span>' +
    '<span><i class="tb__key tb__key--line"></i>error</span>';
  const inputHelp = element("p", "tb__help", "Drag or use the arrow keys to turn it.");
  inputPanel.append(inputCanvas, inputLegend, inputHelp);

  const latentPanel = panel("Codes z, with trails −∂L/∂z", "tb__panel--latent");
  const latentCanvas = element("canvas");
  const latentLegend = element("p", "tb__legend tb__legend--trail");
  const latentHelp = element("p", "tb__help", "Arrow keys walk along the shape.");
  latentPanel.append(latentCanvas, latentLegend, latentHelp);

  const chartPanel = panel("Loss by step (log scale)", "tb__panel--chart");
  const chartCanvas = element("canvas");
  chartCanvas.setAttribute("role", "img");
  const chartLegend = element("p", "tb__legend");
  chartPanel.append(chartCanvas, chartLegend);

  const stripBox = element("div", "tb__strip");
  root.append(readouts, views, stripBox);
  live.append(root);
  const strip = createStrip(stripBox, { layers: spec.layers });

  // ---- state -------------------------------------------------------------
  const trainer = createTrainer(tf, {
    hidden: spec.hidden, activation: spec.activation, learningRate: spec.learningRate, seed: spec.seed,
  });
  let shapeIndex = spec.initial;
  let shown = null; // the latest read-back: {codes, trails, outputs, loss}
  let history = new Float32Array(1024); // history[s] = loss after s steps
  let previous = null; // {losses, label} of the run before the last rebuild
  let playing = false;
  let offscreen = false;
  let destroyed = false;
  let runEnd = Infinity;
  let hover = null;
  let selected = 0;
  let raf = 0; // animation frame that marks a snapshot as drawn
  let timer = 0; // the next training task
  let drawn = true; // the last snapshot has reached the screen
  let lastRead = 0;
  let pending = []; // loss tensors of steps not yet read back
  let pendingFrom = 0; // the step count before the first of them
  let queue = Promise.resolve();
  let speedSamples = [];
  let layout = null;
  let theme = readTheme(el);

  /** Run `job` after every job queued before it (training, resets and read-backs never interleave). */
  function exclusive(job) {
    const result = queue.then(() => (destroyed ? undefined : job()));
    queue = result.catch((error) => { console.error("toy-bench:", error); });
    return result;
  }

  const shape = () => shapes[shapeIndex];
  const settingsLabel = () => `${shape().title.toLowerCase()}, learning rate ${trainer.learningRate}, ${trainer.activation}`;

  // ---- views -------------------------------------------------------------
  const view3d = createView3d(inputCanvas, {
    points: new Float32Array(3 * spec.n), ghost: shape().points, links: true, values: shape().values,
    width: 300, height: 300, theme,
    label: "The input points of the shape (rings) and the autoencoder's reconstructions (dots), in 3-D; arrow keys turn the view.",
    onHover: (i, how) => onPoint(i, how),
  });
  const latent = createLatentView(latentCanvas, {
    theme, onHover: (i, how) => onPoint(i, how),
    onKey: (i) => { hover = null; if (i !== null) selected = i; highlight(true); },
  });

  function onPoint(i, how) {
    if (how === "tap") {
      if (i !== null) selected = i;
      hover = null;
    } else {
      hover = i;
    }
    highlight(how === "tap");
  }

  function highlight(speak = false) {
    const i = hover ?? selected;
    view3d.setHighlight(i);
    latent.setHighlight(i);
    if (!shown) return;
    const p = {
      index: i, count: spec.n, colour: shape().values[i],
      x: Array.from(trainer.inputs.subarray(3 * i, 3 * i + 3)),
      z: Array.from(shown.codes.subarray(2 * i, 2 * i + 2)),
      trail: Array.from(shown.trails.subarray(2 * i, 2 * i + 2)),
      output: Array.from(shown.outputs.subarray(3 * i, 3 * i + 3)),
    };
    strip.show(p);
    if (speak) {
      say(`Point ${i + 1} of ${spec.n}: code (${p.z.map((v) => v.toFixed(2)).join(", ")}), ` +
        `trail −∂L/∂z (${p.trail.map((v) => v.toExponential(1)).join(", ")}).`);
    }
  }

  function measure() {
    const width = Math.max(280, Math.floor(live.clientWidth));
    const gap = 12;
    const columns = width >= 760 ? 3 : width >= 500 ? 2 : 1;
    const size = Math.min(columns === 1 ? 360 : 330, Math.floor((width - gap * (columns - 1)) / columns));
    const chartWidth = columns === 2 ? width : size;
    return { width, columns, size, chartWidth, chartHeight: columns === 3 ? Math.round(size * 0.82) : 200 };
  }

  function applyLayout() {
    root.dataset.columns = String(layout.columns);
    view3d.resize(layout.size, layout.size);
    latent.resize(layout.size);
    renderChart();
  }

  function renderChart() {
    const current = history.subarray(0, shown ? trainer.step + 1 : 0);
    drawLossChart(chartCanvas, { current, previous: previous && previous.losses, width: layout.chartWidth,
      height: layout.chartHeight, minSteps: CHART_MIN_STEPS, theme });
    const now = shown ? `now ${formatLoss(shown.loss)} at step ${formatInt(trainer.step)}` : "";
    chartCanvas.setAttribute("aria-label", `Loss by step on a log scale: started at ${formatLoss(history[0])}, ${now}.` +
      (previous ? ` Dashed: the previous run (${previous.label}), ${formatLoss(previous.losses.at(-1))} after ` +
        `${formatInt(previous.losses.length - 1)} steps.` : ""));
    chartLegend.innerHTML = `<span><i class="tb__key tb__key--run"></i>this run (${settingsLabel()})</span>` +
      (previous ? `<span><i class="tb__key tb__key--prev"></i>previous run (${previous.label})</span>` : "");
  }

  function renderReadouts() {
    stepText.textContent = formatInt(trainer.step);
    lossText.textContent = shown ? formatLoss(shown.loss) : "–";
    const rate = stepsPerSecond();
    speedText.textContent = playing && rate ? `${Math.round(rate)} steps/s (${tf.getBackend()})` : "";
  }

  function renderButtons() {
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-label", playing ? "Pause training" : "Play: train continuously");
    for (const button of shapeButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.shape === shape().name));
    }
  }

  /** Take in a read-back snapshot (and the losses of the steps since the last one) and redraw. */
  function apply(values, firstStep) {
    shown = trainer.unpack(values);
    const needed = trainer.step + 1;
    if (history.length < needed) {
      const grown = new Float32Array(Math.max(needed, 2 * history.length));
      grown.set(history);
      history = grown;
    }
    history.set(shown.losses, firstStep);
    history[trainer.step] = shown.loss;
    latent.setData({ codes: shown.codes, trails: shown.trails, colours: shape().colours });
    latentLegend.textContent = `Each trail is −∂L/∂z × ${powerOfTen(latent.exponent())}: ` +
      "the way that point's code should move to lower the loss.";
    latentCanvas.setAttribute("aria-label", `The ${spec.n} codes in the plane, each with its trail; ` +
      `range ${latent.domain().half.toFixed(2)} either side of the centre. Arrow keys walk along the shape.`);
    view3d.setPoints(shown.outputs);
    renderReadouts();
    renderChart();
    highlight();
  }

  /** Read back a snapshot after `losses` (the per-step loss tensors since `firstStep`). */
  async function readBack(losses, firstStep) {
    const packed = trainer.snapshot(losses);
    const values = await packed.data();
    packed.dispose();
    if (!destroyed) apply(values, firstStep);
  }

  function stepsPerSecond() {
    if (speedSamples.length < 2) return 0;
    const [t0, s0] = speedSamples[0], [t1, s1] = speedSamples.at(-1);
    return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
  }

  // ---- the training loop -------------------------------------------------
  // Training runs in short tasks (setTimeout), not in animation frames, so a
  // slow compositor never slows it and input is handled between tasks. A
  // snapshot (codes, trails, reconstructions) is read back once the previous
  // one has been drawn, so the views follow at the display's pace.
  function schedule() {
    if (!timer && playing && !offscreen && !destroyed) {
      timer = setTimeout(() => { timer = 0; exclusive(task); }, 0);
    }
  }

  function requestDraw() {
    if (!raf) raf = requestAnimationFrame(() => { raf = 0; drawn = true; });
  }

  async function task() {
    if (!playing || offscreen) return;
    const start = performance.now();
    if (!pending.length) pendingFrom = trainer.step;
    let k = 0;
    while (k < MAX_STEPS_PER_TASK && trainer.step < runEnd && (!k || performance.now() - start < BUDGET_MS)) {
      pending.push(trainer.trainStep());
      k += 1;
    }
    const done = trainer.step >= runEnd;
    if (drawn || done || start - lastRead > 250 || pending.length >= MAX_PENDING) {
      const losses = pending;
      pending = [];
      drawn = false;
      lastRead = performance.now();
      await readBack(losses, pendingFrom);
      requestDraw();
    }
    const now = performance.now();
    speedSamples.push([now, trainer.step]);
    while (speedSamples.length > 2 && now - speedSamples[0][0] > 1500) speedSamples.shift();
    if (done) {
      setPlaying(false);
      say(`Paused after ${formatInt(trainer.step)} steps; loss ${formatLoss(shown.loss)}. Press Play to continue.`);
    }
    schedule();
  }

  /** Read back the steps taken since the last snapshot (after a pause, a reset...). */
  async function flush() {
    if (!pending.length) return;
    const losses = pending;
    pending = [];
    await readBack(losses, pendingFrom);
  }

  function setPlaying(on) {
    playing = on;
    if (on) {
      runEnd = spec.pauseAt > 0 ? trainer.step + spec.pauseAt : Infinity;
      speedSamples = [];
    } else if (timer) {
      clearTimeout(timer);
      timer = 0;
    }
    renderButtons();
    renderReadouts();
    schedule();
  }

  function play() {
    if (playing) return;
    setPlaying(true);
    say(`Training ${settingsLabel()}, from step ${formatInt(trainer.step)}.`);
  }

  function pause() {
    if (!playing) return exclusive(flush);
    setPlaying(false);
    return exclusive(async () => {
      await flush();
      say(`Paused at step ${formatInt(trainer.step)}; loss ${formatLoss(shown.loss)}.`);
    });
  }

  /** Pause, then take exactly `n` steps (yielding to the page every 50 ms), then read back. */
  function stepBy(n) {
    if (playing) setPlaying(false);
    return exclusive(async () => {
      await flush();
      let chunkStart = performance.now();
      let firstStep = trainer.step;
      let losses = [];
      for (let k = 0; k < n; k += 1) {
        losses.push(trainer.trainStep());
        if (performance.now() - chunkStart > 50 && k < n - 1) {
          await readBack(losses, firstStep);
          await new Promise((resolve) => { setTimeout(resolve, 0); });
          if (destroyed) return;
          [losses, firstStep, chunkStart] = [[], trainer.step, performance.now()];
        }
      }
      await readBack(losses, firstStep);
    });
  }

  /** Keep the current run as "previous" (for the chart) and start over with `change` applied. */
  function rebuild(change, message) {
    return exclusive(async () => {
      await flush();
      if (shown && trainer.step > 0) {
        previous = { losses: history.slice(0, trainer.step + 1), label: settingsLabel() };
      }
      change();
      history.fill(0);
      speedSamples = [];
      if (playing) runEnd = spec.pauseAt > 0 ? spec.pauseAt : Infinity;
      await readBack([], 0);
      latent.fit();
      view3d.refit();
      renderChart();
      say(message());
    });
  }

  const reset = () => rebuild(() => trainer.reset(),
    () => `Reset: seeded starting weights and a new Adam optimizer (${settingsLabel()}); step 0, loss ${formatLoss(shown.loss)}.`);

  function setShape(index) {
    if (index === shapeIndex || index < 0) return exclusive(() => {});
    const result = rebuild(() => {
      shapeIndex = index;
      trainer.setInputs(shape().points);
      view3d.setGhost(shape().points);
      view3d.setValues(shape().values);
      renderButtons();
    }, () => `${shape().title}: ${shape().description} New seeded weights and optimizer; step 0.`);
    renderButtons();
    return result;
  }

  function setActivation(name) {
    if (name === trainer.activation) return exclusive(() => {});
    activationSelect.value = name;
    return rebuild(() => trainer.setActivation(name),
      () => `Activation ${name}: a new network with seeded weights and a new Adam optimizer; step 0.`);
  }

  function setLearningRate(rate) {
    lrSelect.value = String(rate);
    return exclusive(() => {
      trainer.setLearningRate(rate);
      renderChart();
      say(`Learning rate ${rate} from step ${formatInt(trainer.step)} on; weights and Adam's moment estimates kept.`);
    });
  }

  async function switchBackend(name) {
    if (playing) setPlaying(false);
    return exclusive(async () => {
      await flush();
      const ok = backends.useBackend ? await backends.useBackend(tf, name)
        : await tf.setBackend(name).then(() => tf.getBackend() === name, () => false);
      trainer.rehome();
      history.fill(0);
      previous = null;
      await readBack([], 0);
      return ok;
    });
  }

  // ---- events ------------------------------------------------------------
  playButton.addEventListener("click", () => (playing ? pause() : play()), { signal });
  stepButton.addEventListener("click", () => {
    stepBy(1).then(() => say(`Step ${formatInt(trainer.step)}: loss ${formatLoss(shown.loss)}.`));
  }, { signal });
  resetButton.addEventListener("click", () => reset(), { signal });
  shapeButtons.forEach((button) => {
    button.addEventListener("click", () => setShape(shapes.findIndex((s) => s.name === button.dataset.shape)), { signal });
  });
  lrSelect.addEventListener("change", () => setLearningRate(Number(lrSelect.value)), { signal });
  activationSelect.addEventListener("change", () => setActivation(activationSelect.value), { signal });
  onThemeChange(() => {
    theme = readTheme(el);
    view3d.setTheme(theme);
    latent.setTheme(theme);
    renderChart();
  }, signal);
  const resizeObserver = new ResizeObserver(() => {
    const next = measure();
    if (layout && next.width === layout.width) return;
    layout = next;
    applyLayout();
  });

  // ---- start -------------------------------------------------------------
  trainer.setInputs(shape().points);
  trainer.setLearningRate(Number(lrSelect.value) || spec.learningRate);
  if (activationSelect.value !== trainer.activation) trainer.setActivation(activationSelect.value);
  layout = measure();
  applyLayout();
  await readBack([], 0);
  latent.fit();
  controls.style.display = "";
  renderButtons();
  resizeObserver.observe(live);
  if (spec.autoplay && !config.reducedMotion) setPlaying(true);

  el.__figure = {
    state: () => ({
      step: trainer.step, loss: shown ? shown.loss : null, playing, offscreen, shape: shape().name,
      lr: trainer.learningRate, activation: trainer.activation, backend: tf.getBackend(), points: spec.n,
      stepsPerSecond: stepsPerSecond(), trailFactor: latent.factor(), domain: latent.domain(),
      tensors: tf.memory().numTensors, highlighted: hover ?? selected,
      shown: { step: stepText.textContent, loss: lossText.textContent },
    }),
    step: (n = 1) => stepBy(n),
    play: () => { play(); return exclusive(() => {}); },
    pause,
    reset,
    setShape: (name) => setShape(shapes.findIndex((s) => s.name === name)),
    setLearningRate,
    setActivation,
    setBackend: switchBackend,
    /** Time `n` back-to-back steps (one read-back at the end): {steps, ms, backend}. */
    time: (n) => {
      if (playing) setPlaying(false);
      return exclusive(async () => {
        await flush();
        const start = performance.now();
        const firstStep = trainer.step;
        const losses = [];
        for (let k = 0; k < n; k += 1) losses.push(trainer.trainStep());
        await readBack(losses, firstStep);
        return { steps: n, ms: performance.now() - start, backend: tf.getBackend() };
      });
    },
    inputs: () => Array.from(trainer.readInputs()),
    codes: () => Array.from(shown.codes),
    trails: () => Array.from(shown.trails),
    finiteDiff: (eps = 1e-3) => exclusive(() => Array.from(trainer.finiteDiff(shown.codes, eps))),
    project: (i) => ({ latent: latent.project(i), view3d: view3d.project(i) }),
  };

  return {
    pause() {
      offscreen = true;
      if (timer) { clearTimeout(timer); timer = 0; }
    },
    resume() {
      offscreen = false;
      speedSamples = [];
      schedule();
    },
    destroy() {
      destroyed = true;
      playing = false;
      if (raf) cancelAnimationFrame(raf);
      if (timer) clearTimeout(timer);
      tf.dispose(pending);
      controller.abort();
      resizeObserver.disconnect();
      view3d.destroy();
      latent.destroy();
      queue.finally(() => trainer.dispose());
      strip.destroy();
      root.remove();
      thumbnails.forEach((canvas) => canvas.remove());
      controls.style.display = "none";
      releaseStyle();
      delete el.__figure;
      say("");
    },
  };
}
