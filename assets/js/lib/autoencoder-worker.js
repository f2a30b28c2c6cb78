// The training worker of the in-page autoencoders (mnist-live, train-in-page):
// TF.js builds, trains and runs the model here, off the page's main thread,
// and posts back what the page draws. The page side is lib/autoencoder-trainer.js.
//
// Page -> worker, commands:
//   train {until}     train until `until` epochs are done (a run in progress takes the new target,
//                     and goes on even if a stop was asked for)
//   stop              stop after the batch in flight
//   pause / resume    park the loop before its next batch while the figure is off screen
//   fault {at, message}   test-only (tests/browser dispatch it inside the worker; the page never sends it):
//                     the next `at` step, "batch" or "build", throws Error(message)
// Page -> worker, requests (carry an `id`; answered {type: "reply", id, value} or {…, error}):
//   init {tfUrl, model, batchSize, sets: {train, test?}, report}   import TF.js, choose the backend, build;
//                     answers {backend, tensors} and the first picture: codes (report.codes), sample 0 (report.sample)
//   reset             stop, and rebuild the seeded starting weights (epoch 0)
//   encode            the codes of the training set, interleaved (x, y, x, y, …)
//   decode {code}     the image the decoder makes of `code`
//   reconstruct {index}   code and output for held-out digit `index` (also sent after every epoch)
// Worker -> page, events (each with `gen`, the resets so far, and the counters the page mirrors):
//   step {loss}       after every batch
//   codes {codes}     a mid-epoch refresh of the codes (report.codes)
//   epoch {loss, seconds, codes?, testLoss?, sample?}   after every epoch, per `report`
//   parked            the loop waits for `resume`
//   stopped {trains}  the loop has ended (target reached, or stopped); `trains`: train commands so far
//   failed {message, stack}   the loop has ended on an error (sent whatever the gen)

import { buildAutoencoder, disposeAutoencoder, reconstructionLoss } from "./autoencoder-model.js";
import { seededRandom, shuffled } from "./seeded-random.js";
import { chooseBackend } from "./tf-backend.js";

const ENCODE_CHUNK = 500; // digits encoded per step of a refresh (requests run between steps)

let tf = null;
let setup = null; // the init message
let data = null; // {train, test} tensors
let parts = null;
let lock = Promise.resolve();
let wake = null; // resolves a parked loop
const s = {
  gen: 0, epoch: 0, steps: 0, until: 0, trains: 0, random: null, run: null, running: false, stopRequested: false,
  paused: false, loop: Promise.resolve(), activeMs: 0, epochsTimed: 0, sinceRefresh: 0, refreshCost: 0, sample: 0,
};

const freshRun = () => ({ order: null, cursor: 0, sum: 0, seen: 0, ms: 0 });
const faults = new Map(); // test-only: step -> the message its next run throws

function checkFault(at) {
  if (!faults.has(at)) return;
  const message = faults.get(at);
  faults.delete(at);
  throw new Error(message);
}

/** Run `fn` when no other model work is in flight: batches, encodes and requests never interleave. */
function exclusive(fn) {
  const run = lock.then(fn);
  lock = run.catch(() => {});
  return run;
}

// A task boundary (without the clamping of nested timers), so messages are handled between batches.
const channel = new MessageChannel();
const yielded = [];
channel.port1.onmessage = () => yielded.shift()?.();
const nextTask = () => new Promise((resolve) => {
  yielded.push(resolve);
  channel.port2.postMessage(0);
});

function emit(type, extra = {}, transfer = [], gen = s.gen) {
  const { epoch, steps, activeMs, epochsTimed } = s;
  const { cursor, sum, seen } = s.run;
  self.postMessage({ type, gen, epoch, steps, cursor, sum, seen, activeMs, epochsTimed,
    tensors: tf.memory().numTensors, ...extra }, transfer);
}

function build() {
  const old = parts;
  parts = null; // a build that throws leaves no disposed model behind to use
  disposeAutoencoder(old);
  checkFault("build");
  parts = buildAutoencoder(tf, { ...setup.model });
  s.random = seededRandom(setup.model.seed);
  Object.assign(s, { epoch: 0, steps: 0, until: 0, run: freshRun(), activeMs: 0, epochsTimed: 0, sinceRefresh: 0 });
}

async function init({ tfUrl, model, batchSize, sets, report }) {
  tf = await import(tfUrl);
  await chooseBackend(tf);
  setup = { model, batchSize, report: report || {} };
  const rows = (values) => values && tf.tensor2d(values, [values.length / model.pixels, model.pixels]);
  data = { train: rows(sets.train), test: rows(sets.test) };
  build();
  const first = {};
  if (setup.report.codes) first.codes = await encodeAll();
  if (setup.report.sample) first.sample = await exclusive(() => reconstruct(0));
  return { backend: tf.getBackend(), tensors: tf.memory().numTensors, ...first };
}

async function trainBatch() {
  const n = data.train.shape[0];
  if (!s.run.order) Object.assign(s.run, { order: shuffled(n, s.random), cursor: 0, sum: 0, seen: 0 });
  const batch = s.run.order.subarray(s.run.cursor, s.run.cursor + setup.batchSize);
  checkFault("batch");
  const indices = tf.tensor1d(batch, "int32");
  const xb = tf.gather(data.train, indices);
  let loss;
  try {
    loss = await parts.model.trainOnBatch(xb, xb);
  } finally {
    tf.dispose([indices, xb]);
  }
  s.run.sum += loss * batch.length;
  s.run.seen += batch.length;
  s.run.cursor += batch.length;
  s.steps += 1;
  return loss;
}

// The codes of the whole training set, a chunk at a time; null if a reset came meanwhile.
async function encodeAll(gen = s.gen) {
  const [n, pixels] = data.train.shape;
  const out = new Float32Array(2 * n);
  for (let start = 0; start < n; start += ENCODE_CHUNK) {
    const count = Math.min(ENCODE_CHUNK, n - start);
    const done = await exclusive(async () => {
      if (gen !== s.gen) return false;
      const chunk = tf.tidy(() => parts.encoder.predict(data.train.slice([start, 0], [count, pixels])));
      try {
        out.set(await chunk.data(), 2 * start);
      } finally {
        chunk.dispose();
      }
      return true;
    });
    if (!done) return null;
    if (start + count < n) await nextTask();
  }
  return out;
}

async function reconstruct(index) {
  s.sample = index;
  const x = data.test.slice([index, 0], [1, data.test.shape[1]]);
  const code = parts.encoder.predict(x);
  const output = parts.model.predict(x);
  x.dispose();
  try {
    const [codeValues, outputValues] = await Promise.all([code.data(), output.data()]);
    // copies: what TF.js hands out may be its own storage, and the reply transfers the buffer
    return { index, code: Array.from(codeValues), output: outputValues.slice() };
  } finally {
    tf.dispose([code, output]);
  }
}

// Codes for the page between epochs; their cost counts as training time and is kept to a share of it.
async function refresh(gen) {
  const start = performance.now();
  const codes = await encodeAll(gen);
  if (!codes) return null;
  s.refreshCost = performance.now() - start;
  s.run.ms += s.refreshCost;
  s.sinceRefresh = 0;
  return codes;
}

async function finishEpoch(gen) {
  const { report } = setup;
  const extra = { loss: s.run.sum / s.run.seen };
  const transfer = [];
  if (report.codes) {
    extra.codes = await refresh(gen);
    if (!extra.codes) return;
    transfer.push(extra.codes.buffer);
  }
  const ok = await exclusive(async () => {
    if (gen !== s.gen) return false;
    if (report.testLoss) {
      const loss = reconstructionLoss(tf, parts.model, data.test);
      extra.testLoss = (await loss.data())[0];
      loss.dispose();
    }
    if (report.sample) extra.sample = await reconstruct(s.sample);
    return true;
  });
  if (!ok) return;
  s.epoch += 1;
  s.epochsTimed += 1;
  extra.seconds = s.run.ms / 1000;
  s.run = freshRun();
  emit("epoch", extra, transfer);
}

async function trainLoop(gen) {
  const n = data.train.shape[0];
  const { refreshMs = Infinity, refreshShare = 0.25 } = setup.report;
  s.running = true;
  let failure = null;
  try {
    while (!s.stopRequested && gen === s.gen && s.epoch < s.until) {
      if (s.paused) {
        emit("parked");
        await new Promise((resolve) => { wake = resolve; });
        continue;
      }
      const start = performance.now();
      const loss = await exclusive(() => (gen === s.gen ? trainBatch() : null));
      if (loss === null) break;
      const spent = performance.now() - start;
      s.run.ms += spent;
      s.sinceRefresh += spent;
      emit("step", { loss });
      if (s.run.cursor >= n) {
        await finishEpoch(gen);
      } else if (setup.report.codes && s.sinceRefresh >= Math.max(refreshMs, s.refreshCost * (1 / refreshShare - 1))) {
        const codes = await refresh(gen);
        if (codes) emit("codes", { codes }, [codes.buffer]);
      }
      await nextTask();
      s.activeMs += performance.now() - start;
    }
  } catch (error) {
    failure = error ?? new Error("training failed"); // the page logs it and tells the reader
  } finally {
    s.running = false;
    s.stopRequested = false;
    if (failure) emit("failed", { message: String(failure?.message || failure), stack: failure?.stack });
    else if (gen === s.gen) emit("stopped", { trains: s.trains });
  }
}

function wakeLoop() {
  if (wake) wake();
  wake = null;
}

const commands = {
  train({ until }) {
    s.until = until;
    s.trains += 1;
    s.stopRequested = false; // a run winding down after a stop goes on
    if (!s.running) s.loop = trainLoop(s.gen);
  },
  stop() {
    if (s.running) s.stopRequested = true;
    wakeLoop();
  },
  pause() {
    s.paused = true;
  },
  resume() {
    s.paused = false;
    wakeLoop();
  },
  fault({ at, message }) {
    faults.set(at, message);
  },
};

const requests = {
  init,
  async reset() {
    s.gen += 1;
    s.stopRequested = true;
    wakeLoop();
    await s.loop;
    return exclusive(() => {
      build();
      return { gen: s.gen };
    });
  },
  encode: () => encodeAll(),
  decode: ({ code }) => exclusive(async () => {
    const out = tf.tidy(() => parts.decoder.predict(tf.tensor2d([code])));
    try {
      return (await out.data()).slice();
    } finally {
      out.dispose();
    }
  }),
  reconstruct: ({ index }) => exclusive(() => reconstruct(index)),
};

// The typed arrays' buffers in a reply (at its top level or one level down), to transfer rather than copy.
function buffersOf(value, depth = 0) {
  if (ArrayBuffer.isView(value)) return [value.buffer];
  if (!value || typeof value !== "object" || depth > 1) return [];
  return [...new Set(Object.values(value).flatMap((v) => buffersOf(v, depth + 1)))];
}

self.onmessage = ({ data: message }) => {
  if (message.id === undefined) {
    commands[message.type]?.(message);
    return;
  }
  const { id } = message;
  Promise.resolve()
    .then(() => requests[message.type](message))
    .then((value) => {
      self.postMessage({ type: "reply", id, value, tensors: tf?.memory().numTensors }, buffersOf(value));
    }, (error) => {
      self.postMessage({ type: "reply", id, error: String(error?.message || error) });
    });
};
