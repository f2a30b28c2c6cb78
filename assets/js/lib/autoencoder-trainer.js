// The page side of the in-page autoencoders (mnist-live, train-in-page): the
// model trains in a Web Worker (lib/autoencoder-worker.js, which documents the
// messages) and the page only draws what the worker posts back. This module
// starts the worker with the figure's lifecycle (destroying the figure
// terminates it; pausing the figure parks the training loop), answers requests
// with promises, keeps whether a run is going, and drops the events of a run
// that a Reset has replaced. A worker that fails (an error in training, or the
// worker itself) is ended, its requests are rejected, and the figure's status
// line says why; destroying the figure rejects the requests in flight with an
// AbortError, which callers ignore (the trainer's report() skips it).

import { announcer } from "./announce.js";
import { fetchBytes } from "./figure.js";

const REASON_MAX_CHARS = 100; // the reason a status line gives; details go to the console

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
  const say = announcer(fig.el);
  const reported = new WeakSet();
  let nextId = 1;
  let gen = 0; // resets asked for: events of older runs are dropped
  let trains = 0; // train commands sent: a "stopped" sent before the worker had them all is stale
  let failure = null; // what ended the worker: an Error, or an AbortError once the figure is destroyed
  let mounted = false;
  let tensors = 0;
  const run = { running: false, stopping: false, offscreen: false, waiting: false };

  // Tell the reader (in the status line) and the console why `what` failed; once per error, never for AbortError.
  function tell(error, what) {
    if (error?.name === "AbortError" || fig.destroyed || (typeof error === "object" && reported.has(error))) return;
    if (error && typeof error === "object") reported.add(error);
    console.error(`${fig.el.dataset.figure || "figure"}: ${what.toLowerCase()}`, error);
    const reason = String(error?.message || error).replace(/\.$/, "");
    say(`${what}: ${reason.length > REASON_MAX_CHARS ? `${reason.slice(0, REASON_MAX_CHARS - 1)}…` : reason}.`);
  }

  // The worker is done for: reject what it still owes, end it, and (after mount, unless destroyed) say so.
  function fail(error) {
    if (failure) return;
    failure = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    Object.assign(run, { running: false, stopping: false, waiting: false });
    worker.terminate();
    if (error.name === "AbortError" || !mounted) return;
    handlers.failed?.(error);
    tell(error, "Training stopped");
  }

  fig.on(worker, "message", ({ data }) => {
    if (failure) return;
    if (Number.isFinite(data.tensors)) tensors = data.tensors;
    if (data.type === "reply") {
      const entry = pending.get(data.id);
      pending.delete(data.id);
      if (!entry) return;
      if (data.error === undefined) entry.resolve(data.value);
      else entry.reject(new Error(data.error));
    } else if (data.type === "failed") {
      const error = new Error(data.message);
      if (data.stack) error.stack = data.stack; // where in the worker
      fail(error);
    } else if (data.gen === gen && !(data.type === "stopped" && data.trains < trains)) {
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
    event.preventDefault(); // handled: fail() logs it
    fail(new Error(`the training worker failed${event.message ? `: ${event.message}` : ""}`));
  });
  fig.on(worker, "messageerror", () => fail(new Error("a message from the training worker could not be read")));
  fig.onDestroy(() => fail(new DOMException("the figure was destroyed", "AbortError")));

  function post(type, data = {}) {
    if (!failure) worker.postMessage({ ...data, type });
  }

  function request(type, data = {}, transfer = []) {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      worker.postMessage({ ...data, type, id }, transfer);
      pending.set(id, { resolve, reject });
    });
  }

  const transfer = [sets.train, sets.test].filter(Boolean).map((values) => values.buffer);
  const tfUrl = import.meta.resolve("@tensorflow/tfjs"); // import maps do not reach into workers
  // A figure whose worker cannot start does not mount: it is destroyed before mount() throws.
  const ready = request("init", { tfUrl, model, batchSize, sets, report }, transfer).then((value) => {
    mounted = true;
    return value;
  }, (error) => {
    fig.destroy();
    throw error;
  });

  return {
    /**
     * Resolves once TF.js runs in the worker and the model is built, with {backend, tensors} and the
     * untrained model's first picture: `codes` (with report.codes), `sample` of held-out digit 0 (report.sample).
     */
    ready,
    /** Train until `until` epochs are done (a run in progress takes the new target, even while stopping). */
    train(until) {
      if (failure) return;
      trains += 1;
      post("train", { until });
      Object.assign(run, { running: true, stopping: false });
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
    /**
     * Ask for something: encode, decode {code}, reconstruct {index}; resolves with the answer. Rejects with
     * the worker's error, with the failure that ended it, or with an AbortError once the figure is destroyed.
     */
    request,
    /**
     * Handle one kind of event (step, codes, epoch, parked, stopped) of the current run, or "failed":
     * `handler(error)` once the worker has failed (at once if it already has), after mount; the status
     * line then says "Training stopped: <reason>".
     */
    on(type, handler) {
      handlers[type] = handler;
      if (type === "failed" && mounted && failure && failure.name !== "AbortError") handler(failure);
    },
    /**
     * Tell the reader in the status line why `what` failed ("Reset failed: <reason>.") and log `error`;
     * nothing for an AbortError (the figure is gone) or an error already told.
     * @param {unknown} error @param {string} what
     */
    report: tell,
    /** The error that ended the worker (an AbortError once the figure is destroyed), else null. */
    get failure() {
      return failure;
    },
    /** Stop training and rebuild the seeded starting weights; events of the old run are dropped from now on. */
    async reset() {
      gen += 1;
      try {
        return await request("reset");
      } finally {
        Object.assign(run, { running: false, stopping: false, waiting: false }); // the worker's loop has ended
      }
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
