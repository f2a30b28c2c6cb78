// train-in-page: the dense autoencoder of the article, trained in the reader's
// browser with TF.js on a few hundred digits. Train runs a fixed number of
// epochs per press (press again to pause), Sample shows a held-out digit the
// page never trains on beside its reconstruction, Reset restores the seeded
// starting weights. The model trains in a Web Worker (lib/autoencoder-worker.js),
// so the page stays responsive and only draws what the worker posts back;
// training waits while the figure is off screen and never starts by itself.
// A worker that fails disables the buttons (the trainer says why in the status line).

import { announcer } from "../../lib/announce.js";
import { fetchDigitBytes, startTrainer } from "../../lib/autoencoder-trainer.js";
import { createFigure } from "../../lib/figure.js";
import { describeLosses, drawLossChart } from "../../lib/loss-chart.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { drawDiagram, showCode } from "./diagram.js";
import { buildView, paintDigit } from "./view.js";

const ANNOUNCE_EVERY_MS = 5000; // progress is announced at most this often
const NARROW = 520; // below this width (CSS px) the diagram gets its own row

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

const toFloats = (bytes) => Float32Array.from(bytes, (v) => v / 255);

export async function mount(el, config) {
  const spec = validate(config);
  const nTrain = config.train.count;
  const nTest = config.test.count;
  const [trainBytes, testBytes, testLabels] = await Promise.all([
    fetchDigitBytes(config.train.images, config.base, nTrain * spec.pixels),
    fetchDigitBytes(config.test.images, config.base, nTest * spec.pixels),
    fetchDigitBytes(config.test.labels, config.base, nTest),
  ]);
  const fig = createFigure(el, config);
  const trainer = startTrainer(fig, {
    model: { pixels: spec.pixels, hidden: spec.hidden, latent: spec.latent, learningRate: spec.learningRate, seed: spec.seed },
    batchSize: spec.batchSize,
    sets: { train: toFloats(trainBytes), test: toFloats(testBytes) },
    report: { testLoss: true, sample: true },
  });
  // with the first held-out digit and its reconstruction by the untrained model
  const { backend, sample: first } = await trainer.ready;
  const say = announcer(el);
  const controls = el.querySelector(".train-controls");
  const buttons = {
    train: controls.querySelector('[data-action="train"]'),
    sample: controls.querySelector('[data-action="sample"]'),
    reset: controls.querySelector('[data-action="reset"]'),
  };
  const ui = buildView(spec);
  fig.add(ui.root);

  // the page's mirror of the worker's run
  let epoch = 0;
  let trainLosses = [];
  let testLosses = [];
  let run = { target: 0, first: 0, cursor: 0 };
  let timing = { activeMs: 0, epochsTimed: 0 };
  let lastAnnounce = 0;
  let sample = { index: 0, code: null, input: null, output: null };
  let layout = null;
  let resets = 0;

  function measure() {
    const width = Math.max(260, fig.live.clientWidth);
    const narrow = width < NARROW;
    const scale = width >= 640 ? 4 : 3;
    const imageBox = spec.width * scale + 2;
    const diagramWidth = narrow ? width : Math.min(560, width - 2 * imageBox - 40);
    ui.root.classList.toggle("train--narrow", narrow);
    return { width, scale, diagramWidth, diagramHeight: narrow ? 150 : 180, chartWidth: Math.min(width, 560) };
  }

  const chartDraw = fig.scheduler(() => {
    drawLossChart(ui.chart, { series: [{ values: testLosses, dash: "5 3", width: 1.5 }, { values: trainLosses }],
      reference: spec.reference, minX: spec.epochs, xLabel: "epoch", width: layout.chartWidth, height: 130,
      theme: readTheme(el) });
    ui.chart.setAttribute("aria-label", describeLosses({ train: trainLosses, test: testLosses,
      reference: spec.reference, unit: "epoch" }));
  });

  function renderStatic() {
    drawDiagram(ui.diagram, { layers: spec.layers, roles: spec.roles, width: layout.diagramWidth,
      height: layout.diagramHeight, theme: readTheme(el) });
    chartDraw.invalidate();
    renderSample();
  }

  function renderSample() {
    const theme = readTheme(el);
    if (sample.input) paintDigit(ui.input.canvas, ui.scratch, sample.input, layout.scale, spec, theme);
    if (sample.output) paintDigit(ui.output.canvas, ui.scratch, sample.output, layout.scale, spec, theme);
    showCode(ui.diagram, sample.code);
  }

  function epochsPerSecond() {
    return timing.activeMs > 0 && timing.epochsTimed > 0 ? timing.epochsTimed / (timing.activeMs / 1000) : 0;
  }

  function renderStats() {
    const last = trainLosses.length - 1;
    ui.text.epoch.textContent = String(epoch);
    ui.text.loss.textContent = last >= 0 ? trainLosses[last].toFixed(4) : "–";
    ui.text.test.textContent = last >= 0 ? testLosses[last].toFixed(4) : "–";
    const done = run.target ? epoch - run.first + run.cursor / nTrain : 0;
    ui.progress.value = Math.min(spec.epochs, Math.max(0, done));
    const eps = epochsPerSecond();
    ui.text.speed.textContent = eps ? `${eps.toFixed(eps < 10 ? 1 : 0)} epochs/s` : "";
  }

  function renderButtons() {
    const remaining = run.target - epoch;
    // A play/pause button changes its label rather than using aria-pressed (WAI-ARIA APG).
    // While a pause is pending, a press trains on: the label says so.
    buttons.train.textContent = trainer.running && !trainer.stopping ? "Pause training"
      : remaining > 0 ? `Resume (${remaining} epoch${remaining === 1 ? "" : "s"} left)`
        : `Train ${spec.epochs} epochs`;
  }

  function setSample({ index, code, output }) {
    sample = { index, code, output, input: toFloats(testBytes.subarray(index * spec.pixels, (index + 1) * spec.pixels)) };
    ui.input.caption.textContent = `Held-out digit ${index + 1} of ${nTest} (a ${testLabels[index]})`;
    renderSample();
  }

  // Reconstruct held-out digit `index` with the current weights; false if a Reset came meanwhile.
  // Rejects if the worker cannot (AbortError once the figure is destroyed).
  async function showSample(index) {
    const gen = trainer.gen;
    const result = await trainer.request("reconstruct", { index });
    if (gen !== trainer.gen || fig.destroyed) return false;
    setSample(result);
    return true;
  }

  function mirror(event) {
    epoch = event.epoch;
    run.cursor = event.cursor;
    timing = { activeMs: event.activeMs, epochsTimed: event.epochsTimed };
  }

  trainer.on("step", (event) => {
    mirror(event);
    renderStats();
  });
  trainer.on("epoch", (event) => {
    mirror(event);
    trainLosses.push(event.loss);
    testLosses.push(event.testLoss);
    setSample(event.sample);
    chartDraw.invalidate();
    renderStats();
    const now = performance.now();
    if (epoch < run.target && now - lastAnnounce > ANNOUNCE_EVERY_MS) {
      lastAnnounce = now;
      say(`Epoch ${epoch}, loss ${trainLosses[epoch - 1].toFixed(3)}.`);
    }
  });
  trainer.on("stopped", (event) => {
    mirror(event);
    renderButtons();
    renderStats();
    const last = trainLosses.length - 1;
    if (epoch >= run.target && last >= 0) {
      say(`Trained to epoch ${epoch}: loss ${trainLosses[last].toFixed(3)}, ` +
        `held-out loss ${testLosses[last].toFixed(3)}.`);
    } else if (last >= 0 || run.cursor) {
      say(`Paused at epoch ${epoch}.`);
    }
  });
  trainer.on("failed", () => {
    for (const button of Object.values(buttons)) button.disabled = true;
    renderButtons();
  });

  function onTrain() {
    if (trainer.running && !trainer.stopping) {
      trainer.stop();
      renderButtons();
      return;
    }
    if (epoch >= run.target) Object.assign(run, { target: epoch + spec.epochs, first: epoch });
    lastAnnounce = performance.now();
    say(`Training epochs ${epoch + 1} to ${run.target} on ${nTrain} digits.`);
    trainer.train(run.target);
    renderButtons();
  }

  function onSample() {
    let index = Math.floor(Math.random() * nTest);
    if (nTest > 1 && index === sample.index) index = (index + 1) % nTest;
    showSample(index).then((shown) => {
      if (shown) say(`Held-out digit ${index + 1} of ${nTest}, a ${testLabels[index]}, and its reconstruction.`);
    }, (error) => trainer.report(error, "Sampling failed"));
  }

  async function onReset() {
    buttons.reset.disabled = true;
    try {
      await trainer.reset();
      if (fig.destroyed) return;
      epoch = 0;
      trainLosses = [];
      testLosses = [];
      run = { target: 0, first: 0, cursor: 0 };
      timing = { activeMs: 0, epochsTimed: 0 };
      buttons.reset.disabled = false;
      renderButtons();
      renderStats();
      chartDraw.invalidate();
      await showSample(sample.index);
      resets += 1;
      say("Weights reset to their seeded starting values: epoch 0.");
    } catch (error) {
      renderButtons(); // the run has ended either way
      trainer.report(error, "Reset failed");
    } finally {
      buttons.reset.disabled = Boolean(trainer.failure);
    }
  }

  // events
  fig.on(buttons.train, "click", onTrain);
  fig.on(buttons.sample, "click", onSample);
  fig.on(buttons.reset, "click", onReset);
  onThemeChange(() => renderStatic(), fig.signal);
  fig.observeResize(fig.live, () => {
    const next = measure();
    if (layout && next.width === layout.width) return;
    layout = next;
    renderStatic();
  });
  fig.onDestroy(() => {
    controls.style.display = "none";
    say("");
  });

  controls.style.display = ""; // shown only once the buttons work
  layout = measure();
  setSample(first);
  renderStatic();
  renderButtons();
  renderStats();

  fig.expose({
    state: () => ({
      epoch, running: trainer.running, offscreen: trainer.offscreen, waiting: trainer.waiting, resets,
      trainLosses: [...trainLosses], testLosses: [...testLosses],
      sample: { set: "test", index: sample.index, label: testLabels[sample.index], code: sample.code },
      shown: { epoch: ui.text.epoch.textContent, loss: ui.text.loss.textContent },
      epochsPerSecond: epochsPerSecond(), backend,
      train: { count: nTrain }, test: { count: nTest }, layers: [...spec.layers],
      tensors: trainer.tensors,
    }),
    shownInput: () => Array.from(sample.input, (v) => Math.round(v * 255)),
  });
  return fig;
}
