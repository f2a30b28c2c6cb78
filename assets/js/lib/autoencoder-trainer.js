// The page side of the in-page autoencoders (mnist-live, train-in-page): the
// model trains in a Web Worker (lib/autoencoder-worker.js, which documents the
// messages) and the page only draws what the worker posts back. This module
// starts the worker with the figure's lifecycle (destroying the figure
// terminates it; pausing the figure parks the training loop), answers requests
// with promises, keeps whether a run is going, and drops the events of a run
// that a Reset has replaced.

import { fetchBytes } from "./figure.js";

/**
 * A payload file of digits or labels as bytes, checked against the size the config promises.
 * @param {string} name relative to `base` @param {string} base @param {number} expected bytes
 * @returns {Promise<Uint8Array>}
 */
export async function fetchDigitBytes(name, base, expected) {
  const bytes = new Uint8Array(await fetchBytes(name, { base }));
  if (bytes.length !== expected) throw new Error(`${name} holds ${bytes.length} bytes, expected ${expected}`);
  return bytes;
}

/**
 * Start the training worker for `fig`. `sets.train` (and `sets.test`) are flat Float32Arrays of
 * `model.pixels` values per digit; their buffers are handed over to the worker.
 * `report` says what the worker sends after each epoch: `codes` (the training set's codes, also
 * every `refreshMs` of training while at most `refreshShare` of the time goes to them),
 * `testLoss` and `sample` (the held-out loss and a held-out digit's reconstruction).
 * @param {ReturnType<import("./figure.js").createFigure>} fig
 * @param {{model: {pixels: number, hidden: number[], latent: number, learningRate: number, seed: number},
 *   batchSize: number, sets: {train: Float32Array, test?: Float32Array},
 *   report?: {codes?: boolean, refreshMs?: number, refreshShare?: number, testLoss?: boolean, sample?: boolean}}} options
 */
export function startTrainer(fig, { model, batchSize, sets, report = {} }) {
  const worker = fig.worker(new URL("./autoencoder-worker.js", import.meta.url));
  const pending = new Map();
  const handlers = {};
  let nextId = 1;
  let gen = 0; // resets asked for: events of older runs are dropped
  let failure = null;
  let tensors = 0;
  const run = { running: false, stopping: false, offscreen: false, waiting: false };

  function fail(error) {
    failure = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  }

  fig.on(worker, "message", ({ data }) => {
    if (Number.isFinite(data.tensors)) tensors = data.tensors;
    if (data.type === "reply") {
      const entry = pending.get(data.id);
      pending.delete(data.id);
      if (!entry) return;
      if (data.error === undefined) entry.resolve(data.value);
      else entry.reject(new Error(data.error));
    } else if (data.gen === gen) {
      if (data.type === "parked") run.waiting = run.offscreen;
      if (data.type === "stopped") Object.assign(run, { running: false, stopping: false });
      handlers[data.type]?.(data);
    }
  });
  fig.onPause(() => {
    run.offscreen = true;
    post("pause");
  });
  fig.onResume(() => {
    Object.assign(run, { offscreen: false, waiting: false });
    post("resume");
  });
  fig.on(worker, "error", (event) => {
    fail(new Error(`the training worker failed${event.message ? `: ${event.message}` : ""}`));
  });

  function post(type, data = {}) {
    if (!failure) worker.postMessage({ ...data, type });
  }

  function request(type, data = {}, transfer = []) {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...data, type, id }, transfer);
    });
  }

  const transfer = [sets.train, sets.test].filter(Boolean).map((values) => values.buffer);
  const tfUrl = import.meta.resolve("@tensorflow/tfjs"); // import maps do not reach into workers
  // A figure whose worker cannot start does not mount: it is destroyed before mount() throws.
  const ready = request("init", { tfUrl, model, batchSize, sets, report }, transfer).catch((error) => {
    fig.destroy();
    throw error;
  });

  return {
    /**
     * Resolves once TF.js runs in the worker and the model is built, with {backend, tensors} and the
     * untrained model's first picture: `codes` (with report.codes), `sample` of held-out digit 0 (report.sample).
     */
    ready,
    /** Train until `until` epochs are done (a run in progress takes the new target). */
    train(until) {
      post("train", { until });
      run.running = true;
    },
    /** Stop the run after the batch in flight (the "stopped" event follows). */
    stop() {
      if (run.running && !run.stopping) post("stop");
      run.stopping = run.running;
    },
    /** A run is going (from train() until its "stopped" event). */
    get running() {
      return run.running;
    },
    /** stop() was asked for and the run has not stopped yet. */
    get stopping() {
      return run.stopping;
    },
    /** The figure is paused (off screen): training parks before its next batch. */
    get offscreen() {
      return run.offscreen;
    },
    /** A run is parked until the figure is back on screen. */
    get waiting() {
      return run.waiting;
    },
    /** Ask for something: encode, decode {code}, reconstruct {index}; resolves with the answer. */
    request,
    /** Handle one kind of event (step, codes, epoch, parked, stopped) of the current run. */
    on(type, handler) {
      handlers[type] = handler;
    },
    /** Stop training and rebuild the seeded starting weights; events of the old run are dropped from now on. */
    async reset() {
      gen += 1;
      const value = await request("reset");
      Object.assign(run, { running: false, stopping: false, waiting: false });
      return value;
    },
    /** Live tensors in the worker, as of its latest message. */
    get tensors() {
      return tensors;
    },
    /** How many resets were asked for (a request answered after a reset may be stale). */
    get gen() {
      return gen;
    },
  };
}
