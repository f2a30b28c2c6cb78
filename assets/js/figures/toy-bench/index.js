// toy-bench: train a 3-h-h-2-h-h-3 autoencoder on a 3-D toy shape in the
// reader's browser (TF.js, full-batch Adam, the inputs a constant tensor).
// Three live views: the input with the reconstruction overlaid (3-D; it turns
// and tilts as in lib/toy-3d.js), the code plane with a trail -dL/dz on every
// point (by automatic differentiation with respect to the codes; latent.js),
// and the loss by step (chart.js). A strip follows one point through encoder
// and decoder (strip.js). Hover or focus a point to highlight it everywhere.
// The training loop (loop.js) takes several steps per task within a time
// budget and waits while the figure is off screen.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { createFigure, h } from "../../lib/figure.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import * as backends from "../../lib/tf-backend.js";
import { createView3d } from "../../lib/toy-3d.js";
import { drawLossChart, powerOfTen } from "./chart.js";
import { createLatentView } from "./latent.js";
import { addThumbnails, buildLayout, measure } from "./layout.js";
import { createLoop } from "./loop.js";
import { loadShapes, validate } from "./payload.js";
import { createStrip } from "./strip.js";
import { createTrainer } from "./trainer.js";

const CHART_MIN_STEPS = 500;

const formatLoss = (v) => (Number.isFinite(v) ? v.toExponential(2).replace("-", "−") : "–");
const formatInt = (v) => v.toLocaleString("en-US");

/**
 * Mount the bench: fetch the shapes, pick a TF.js backend, build the views and the loop.
 * If that fails half-way, what was built is released.
 * @param {HTMLElement} el @param {object} config
 */
export async function mount(el, config) {
  const spec = validate(config);
  const fig = createFigure(el, config);
  try {
    await build(fig, spec);
  } catch (error) {
    fig.destroy();
    throw error;
  }
  return fig;
}

async function build(fig, spec) {
  const { el, config } = fig;
  const shapes = await loadShapes(config, spec, fig.signal);
  await backends.chooseBackend(tf);
  const say = announcer(el);
  fig.onDestroy(() => say(""));

  // ---- controls (static HTML from the template) --------------------------
  const controls = el.querySelector(".toy-bench-controls");
  const shapeButtons = [...controls.querySelectorAll("[data-shape]")];
  const playButton = controls.querySelector('[data-action="play"]');
  const lrSelect = controls.querySelector('[data-control="lr"]');
  const activationSelect = controls.querySelector('[data-control="activation"]');
  addThumbnails(fig, shapeButtons, shapes);

  // ---- state -------------------------------------------------------------
  const trainer = createTrainer(tf, {
    hidden: spec.hidden, activation: spec.activation, learningRate: spec.learningRate, seed: spec.seed,
  });
  let loopOwnsTrainer = false; // once the loop exists, it disposes the trainer after its last step
  fig.onDestroy(() => {
    if (!loopOwnsTrainer) trainer.dispose();
  });
  let shapeIndex = spec.initial;
  let shown = null; // the latest read-back: {codes, trails, outputs, loss}
  let history = new Float32Array(1024); // history[s] = loss after s steps
  let previous = null; // {losses, label} of the run before the last rebuild
  let hover = null;
  let selected = 0;
  let layout = null;
  let theme = readTheme(el);
  const shape = () => shapes[shapeIndex];
  const settingsLabel = () => `${shape().title.toLowerCase()}, learning rate ${trainer.learningRate}, ${trainer.activation}`;

  // ---- views -------------------------------------------------------------
  const view3d = createView3d(fig, h("canvas"), {
    points: new Float32Array(3 * spec.n), ghost: shape().points, links: true, values: shape().values,
    width: 300, height: 300, theme,
    label: "The input points of the shape (rings) and the autoencoder's reconstructions (dots), in 3-D; arrow keys turn the view.",
    onHover: (i, how) => onPoint(i, how),
  });
  const latentCanvas = h("canvas");
  const latent = createLatentView(fig, latentCanvas, {
    theme, onHover: (i, how) => onPoint(i, how),
    onKey: (i) => { hover = null; if (i !== null) selected = i; highlight(true); },
  });
  const chartCanvas = h("canvas");
  const ui = buildLayout(fig, { view3d: view3d.element, latentCanvas, chartCanvas });
  const strip = createStrip(ui.stripBox, { layers: spec.layers });

  loopOwnsTrainer = true;
  const loop = createLoop(fig, {
    trainer, pauseAt: spec.pauseAt, onSnapshot: apply,
    onPlaying: () => { renderButtons(); renderReadouts(); },
    onRunEnd: () => say(`Paused after ${formatInt(trainer.step)} steps; loss ${formatLoss(shown.loss)}. Press Play to continue.`),
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

  function applyLayout() {
    ui.root.dataset.columns = String(layout.columns);
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
    ui.chartLegend.innerHTML = `<span><i class="tb__key tb__key--run"></i>this run (${settingsLabel()})</span>` +
      (previous ? `<span><i class="tb__key tb__key--prev"></i>previous run (${previous.label})</span>` : "");
  }

  function renderReadouts() {
    ui.stepText.textContent = formatInt(trainer.step);
    ui.lossText.textContent = shown ? formatLoss(shown.loss) : "–";
    const rate = loop.stepsPerSecond();
    ui.speedText.textContent = loop.playing && rate ? `${Math.round(rate)} steps/s (${tf.getBackend()})` : "";
  }

  function renderButtons() {
    playButton.textContent = loop.playing ? "Pause" : "Play";
    playButton.setAttribute("aria-label", loop.playing ? "Pause training" : "Play: train continuously");
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
    ui.latentLegend.textContent = `Each trail is −∂L/∂z × ${powerOfTen(latent.exponent())}: ` +
      "the way that point's code should move to lower the loss.";
    latentCanvas.setAttribute("aria-label", `The ${spec.n} codes in the plane, each with its trail; ` +
      `range ${latent.domain().half.toFixed(2)} either side of the centre. Arrow keys walk along the shape.`);
    view3d.setPoints(shown.outputs);
    renderReadouts();
    renderChart();
    highlight();
  }

  // ---- actions -----------------------------------------------------------
  function play() {
    if (loop.playing) return;
    loop.setPlaying(true);
    say(`Training ${settingsLabel()}, from step ${formatInt(trainer.step)}.`);
  }

  function pause() {
    if (!loop.playing) return loop.exclusive(loop.flush);
    loop.setPlaying(false);
    return loop.exclusive(async () => {
      await loop.flush();
      say(`Paused at step ${formatInt(trainer.step)}; loss ${formatLoss(shown.loss)}.`);
    });
  }

  /** Keep the current run as "previous" (for the chart) and start over with `change` applied. */
  function rebuild(change, message) {
    return loop.exclusive(async () => {
      await loop.flush();
      if (shown && trainer.step > 0) {
        previous = { losses: history.slice(0, trainer.step + 1), label: settingsLabel() };
      }
      change();
      history.fill(0);
      loop.restart();
      await loop.readBack([], 0);
      latent.fit();
      view3d.refit();
      renderChart();
      say(message());
    });
  }

  const reset = () => rebuild(() => trainer.reset(),
    () => `Reset: seeded starting weights and a new Adam optimizer (${settingsLabel()}); step 0, loss ${formatLoss(shown.loss)}.`);

  function setShape(index) {
    if (index === shapeIndex || index < 0) return loop.exclusive(() => {});
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
    if (name === trainer.activation) return loop.exclusive(() => {});
    activationSelect.value = name;
    return rebuild(() => trainer.setActivation(name),
      () => `Activation ${name}: a new network with seeded weights and a new Adam optimizer; step 0.`);
  }

  function setLearningRate(rate) {
    lrSelect.value = String(rate);
    return loop.exclusive(() => {
      trainer.setLearningRate(rate);
      renderChart();
      say(`Learning rate ${rate} from step ${formatInt(trainer.step)} on; weights and Adam's moment estimates kept.`);
    });
  }

  async function switchBackend(name) {
    if (loop.playing) loop.setPlaying(false);
    return loop.exclusive(async () => {
      await loop.flush();
      const ok = backends.useBackend ? await backends.useBackend(tf, name)
        : await tf.setBackend(name).then(() => tf.getBackend() === name, () => false);
      trainer.rehome();
      history.fill(0);
      previous = null;
      await loop.readBack([], 0);
      return ok;
    });
  }

  // ---- events ------------------------------------------------------------
  fig.on(playButton, "click", () => (loop.playing ? pause() : play()));
  fig.on(controls.querySelector('[data-action="step"]'), "click", () => {
    loop.train(1, 50).then(() => say(`Step ${formatInt(trainer.step)}: loss ${formatLoss(shown.loss)}.`));
  });
  fig.on(controls.querySelector('[data-action="reset"]'), "click", () => reset());
  for (const button of shapeButtons) {
    fig.on(button, "click", () => setShape(shapes.findIndex((s) => s.name === button.dataset.shape)));
  }
  fig.on(lrSelect, "change", () => setLearningRate(Number(lrSelect.value)));
  fig.on(activationSelect, "change", () => setActivation(activationSelect.value));
  onThemeChange(() => {
    theme = readTheme(el);
    view3d.setTheme(theme);
    latent.setTheme(theme);
    renderChart();
  }, fig.signal);

  // ---- start -------------------------------------------------------------
  trainer.setInputs(shape().points);
  trainer.setLearningRate(Number(lrSelect.value) || spec.learningRate);
  if (activationSelect.value !== trainer.activation) trainer.setActivation(activationSelect.value);
  layout = measure(fig.live.clientWidth);
  applyLayout();
  await loop.readBack([], 0);
  latent.fit();
  controls.style.display = "";
  fig.onDestroy(() => { controls.style.display = "none"; });
  renderButtons();
  fig.observeResize(fig.live, () => {
    const next = measure(fig.live.clientWidth);
    if (layout && next.width === layout.width) return;
    layout = next;
    applyLayout();
  });
  if (spec.autoplay && !config.reducedMotion) loop.setPlaying(true);

  fig.expose({
    state: () => ({
      step: trainer.step, loss: shown ? shown.loss : null, playing: loop.playing, offscreen: fig.paused,
      shape: shape().name, lr: trainer.learningRate, activation: trainer.activation, backend: tf.getBackend(),
      points: spec.n, stepsPerSecond: loop.stepsPerSecond(), trailFactor: latent.factor(), domain: latent.domain(),
      tensors: tf.memory().numTensors, highlighted: hover ?? selected,
      shown: { step: ui.stepText.textContent, loss: ui.lossText.textContent },
    }),
    step: (n = 1) => loop.train(n, 50),
    play: () => { play(); return loop.exclusive(() => {}); },
    pause,
    reset,
    setShape: (name) => setShape(shapes.findIndex((s) => s.name === name)),
    setLearningRate,
    setActivation,
    setBackend: switchBackend,
    /** Time `n` back-to-back steps (one read-back at the end): {steps, ms, backend}. */
    time: (n) => loop.train(n).then((ms) => ({ steps: n, ms, backend: tf.getBackend() })),
    inputs: () => Array.from(trainer.readInputs()),
    codes: () => Array.from(shown.codes),
    trails: () => Array.from(shown.trails),
    finiteDiff: (eps = 1e-3) => loop.exclusive(() => Array.from(trainer.finiteDiff(shown.codes, eps))),
    project: (i) => ({ latent: latent.project(i), view3d: view3d.project(i) }),
    /** The 3-D view's angles {yaw, pitch} in radians. */
    angles: () => view3d.getAngles(),
  });
}
