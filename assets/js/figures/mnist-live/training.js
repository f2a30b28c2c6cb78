// mnist-live's training as the page sees it: the model trains in the worker
// (lib/autoencoder-worker.js); this mirrors its progress from the events it
// posts, runs the Train and Reset buttons, the read-outs, the loss chart and
// the announcements, and settles trainEpochs() promises. A worker that fails
// disables the buttons (the trainer says why in the status line).

import { describeLosses, drawLossChart } from "../../lib/loss-chart.js";
import { readTheme } from "../../lib/theme.js";

const ANNOUNCE_EVERY_MS = 5000;

/**
 * @param {{fig: object, trainer: object, ui: object, buttons: {train: HTMLButtonElement, reset: HTMLButtonElement},
 *   count: number, batchSize: number, backend: string, say: (text: string) => void,
 *   showCodes: (codes: Float32Array, fresh?: boolean) => void, chartWidth: () => number, more: () => object}} parts
 *   more: the rest of the figure's state, for snapshots
 */
export function createTraining({ fig, trainer, ui, buttons, count, batchSize, backend, say, showCodes, chartWidth, more }) {
  let m; // the mirror of the worker's run
  let stopAt = 0;
  let lastAnnounce = 0;
  let waiters = [];
  const flags = { resets: 0, refreshes: 0 };

  function clear() {
    m = { epoch: 0, steps: 0, losses: [], stepLosses: [], seconds: [], cursor: 0, sum: 0, seen: 0 };
  }
  clear();

  const chart = fig.scheduler(() => {
    drawLossChart(ui.chart, { series: [{ values: m.stepLosses, width: 1.5 }], minX: Math.ceil(count / batchSize),
      xLabel: "step", width: chartWidth(), height: 120, theme: readTheme(fig.el) });
    ui.chart.setAttribute("aria-label", describeLosses({ train: m.stepLosses, unit: "step" }));
  });

  function renderStats() {
    ui.text.epoch.textContent = String(m.epoch);
    // the mean over the epoch in progress, else over the last whole epoch
    const loss = m.seen ? m.sum / m.seen : m.losses.at(-1);
    ui.text.loss.textContent = loss === undefined ? "–" : loss.toFixed(4);
    const notes = [];
    if (m.seen) notes.push(`${Math.floor((100 * m.cursor) / count)} % of epoch ${m.epoch + 1}`);
    const seconds = m.seconds.at(-1);
    if (seconds) notes.push(`${seconds.toFixed(seconds < 10 ? 1 : 0)} s per epoch (${backend})`);
    ui.text.speed.textContent = notes.join(" · ");
  }

  function renderButtons() {
    const started = m.epoch > 0 || m.cursor > 0;
    buttons.train.textContent = trainer.running && !trainer.stopping ? "Pause" : started ? "Resume training" : "Train";
  }

  function mirror({ epoch, steps, cursor, sum, seen }) {
    Object.assign(m, { epoch, steps, cursor, sum, seen });
  }

  function settle(all = false) {
    const due = waiters.filter((w) => all || m.epoch >= w.target);
    waiters = waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve(snapshot());
  }

  function snapshot() {
    return {
      epoch: m.epoch, steps: m.steps, loss: m.losses.length ? m.losses.at(-1) : null, losses: [...m.losses],
      stepLosses: [...m.stepLosses], training: trainer.running, backend, offscreen: trainer.offscreen,
      waiting: trainer.waiting, ...flags, secondsPerEpoch: [...m.seconds],
      tensors: trainer.tensors, shown: { epoch: ui.text.epoch.textContent, loss: ui.text.loss.textContent },
      ...more(),
    };
  }

  trainer.on("step", (event) => {
    mirror(event);
    m.stepLosses.push(event.loss);
    renderStats();
    chart.invalidate();
  });
  trainer.on("codes", (event) => {
    flags.refreshes += 1;
    showCodes(event.codes);
  });
  trainer.on("epoch", (event) => {
    flags.refreshes += 1;
    showCodes(event.codes);
    mirror(event);
    m.losses.push(event.loss);
    m.seconds.push(event.seconds);
    const now = performance.now();
    if (m.epoch < stopAt && now - lastAnnounce > ANNOUNCE_EVERY_MS) {
      lastAnnounce = now;
      say(`Epoch ${m.epoch}, loss ${m.losses.at(-1).toFixed(3)}.`);
    }
    renderStats();
    if (m.epoch < stopAt) settle(); // else when the loop has stopped
  });
  trainer.on("stopped", (event) => {
    mirror(event);
    settle();
    renderButtons();
    renderStats();
    if (m.epoch >= stopAt && m.losses.length) say(`Trained to epoch ${m.epoch}: loss ${m.losses.at(-1).toFixed(3)}.`);
    else say(`Paused at epoch ${m.epoch}.`);
  });
  trainer.on("failed", () => {
    buttons.train.disabled = true;
    buttons.reset.disabled = true;
    settle(true);
    renderButtons();
  });

  function start(target) {
    stopAt = target;
    const started = !trainer.running || trainer.stopping; // else a run in progress takes the new target
    trainer.train(target);
    if (!started) return;
    lastAnnounce = performance.now();
    say(`Training on ${count} digits from epoch ${m.epoch + 1}.`);
    renderButtons();
  }

  function onTrain() {
    if (trainer.running && !trainer.stopping) {
      trainer.stop();
      renderButtons();
      return;
    }
    start(Infinity);
  }

  async function onReset() {
    buttons.reset.disabled = true;
    try {
      await trainer.reset();
      if (fig.destroyed) return;
      stopAt = 0;
      settle(true);
      clear();
      const codes = await trainer.request("encode");
      if (fig.destroyed) return;
      showCodes(codes, true); // a fresh model gets a fresh frame
      buttons.reset.disabled = false;
      flags.resets += 1;
      renderButtons();
      renderStats();
      chart.invalidate();
      say("Weights reset to their seeded starting values: epoch 0.");
    } catch (error) {
      settle(true); // the run has ended either way
      renderButtons();
      trainer.report(error, "Reset failed");
    } finally {
      buttons.reset.disabled = Boolean(trainer.failure);
    }
  }

  fig.on(buttons.train, "click", onTrain);
  fig.on(buttons.reset, "click", onReset);
  fig.onDestroy(() => settle(true));
  renderButtons();
  renderStats();
  chart.invalidate();

  return {
    snapshot,
    /** Redraw the chart (after a resize or a theme change). */
    redraw: () => chart.invalidate(),
    /** Train `n` more epochs (continuing a run in progress); resolves with the state after them. */
    trainEpochs(n) {
      const target = m.epoch + n;
      const done = new Promise((resolve) => { waiters.push({ target, resolve }); });
      const going = trainer.running && !trainer.stopping;
      if (!going || stopAt < target) start(going ? Math.max(stopAt, target) : target);
      return done;
    },
  };
}
