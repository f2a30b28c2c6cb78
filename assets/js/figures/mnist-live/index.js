// mnist-live: a dense autoencoder with a 2-D code, trained on a few thousand
// MNIST digits in the reader's browser (TF.js). The plane shows every digit's
// code, tinted by class, and is re-encoded every epoch and every couple of
// seconds of training; the axes change only when the codes outgrow the frame
// or shrink well inside it. Pointer, touch or the arrow keys move a probe
// whose code the decoder turns into an image beside the plane, with the
// nearest training digit for comparison. Training runs a few batches per task
// and yields to the browser, waits while the figure is off screen, and never
// starts by itself.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { fitFrame, easeOut, mixFrame, rangeOf } from "../../lib/mnist-live-frame.js";
import { fetchBytes, formatCode, nearestIndex, unpackLevels } from "../../lib/mnist-live-data.js";
import { createPlane } from "../../lib/mnist-live-plane.js";
import { STYLE, STYLE_ID } from "../../lib/mnist-live-style.js";
import { chooseBackend } from "../../lib/tf-backend.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { buildAutoencoder, disposeAutoencoder, seededRandom, shuffled } from "../../lib/train-model.js";
import { adoptStyle } from "../../lib/train-style.js";

const ENCODE_CHUNK = 500; // digits encoded per task when the plane is refreshed
const REFRESH_MS = 2000; // also refresh mid-epoch after this much training time,
const REFRESH_SHARE = 0.25; // and at most this share of the time goes to refreshing
const BUDGET_MS = 12; // keep training batches in one task while under this
const TWEEN_MS = 450; // dots glide to their new codes (not under reduced motion)
const ANNOUNCE_EVERY_MS = 5000;
const PROBE_ANNOUNCE_MS = 450;
const FINE = 1 / 40; // arrow key step, as a fraction of the visible width
const COARSE = 1 / 8; // Shift+arrow
const NARROW = 560; // below this width (CSS px) the side panel moves under the plane

function validate(config) {
  const [height, width] = config.image || [];
  const pixels = height * width;
  if (!Number.isInteger(pixels) || pixels < 1) throw new Error("mnist-live needs config.image = [height, width]");
  if (!Number.isInteger(config.count) || config.count < 1) throw new Error("mnist-live config.count must be positive");
  if (config.latent_dim !== 2) throw new Error("mnist-live needs a 2-D code (config.latent_dim = 2)");
  if (!Array.isArray(config.palette) || config.palette.length < 10) throw new Error("mnist-live needs ten colours");
  return {
    height, width, pixels, count: config.count, levels: config.levels || 16,
    hidden: config.hidden, learningRate: config.learning_rate, batchSize: config.batch_size,
    seed: config.seed ?? 0, palette: config.palette, classes: config.classes || config.palette.map((_, i) => String(i)),
    layers: config.layers || [],
  };
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

/** Paint floats in [0, 1] as white-on-black grey levels into a width x height canvas. */
function paintDigit(canvas, values, width, height) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    const v = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

export async function mount(el, config) {
  const spec = validate(config);
  const N = spec.count;
  const P = spec.pixels;
  const [packed, labels] = await Promise.all([
    fetchBytes(config.digits, config.base, Math.ceil((N * P) / 2)),
    fetchBytes(config.labels, config.base, N),
  ]);
  await chooseBackend(tf);
  const pixels = unpackLevels(packed, N * P, spec.levels);
  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const removeStyle = adoptStyle(STYLE_ID, STYLE);
  const reducedMotion = Boolean(config.reducedMotion);
  const xAll = tf.tensor2d(pixels, [N, P]);
  const build = () => buildAutoencoder(tf, {
    pixels: P, hidden: spec.hidden, latent: 2, learningRate: spec.learningRate, seed: spec.seed,
  });

  // DOM
  const controls = el.querySelector(".mnist-live-controls");
  const buttons = {
    train: controls.querySelector('[data-action="train"]'),
    reset: controls.querySelector('[data-action="reset"]'),
  };
  const root = element("div", "mnist-live");
  const stats = element("p", "mnist-live__stats");
  const epochText = element("b", null, "0");
  const lossText = element("b", null, "–");
  const speedText = element("span");
  const stat = (label, value) => { const s = element("span", null, `${label} `); s.append(value); return s; };
  stats.append(stat("Epoch", epochText), stat("Loss", lossText), speedText);

  const main = element("div", "mnist-live__main");
  const planeBox = element("figure", "mnist-live__plane");
  const canvas = element("canvas");
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", "code plane");
  const hintId = `${el.id || "mnist-live"}-plane-hint`;
  canvas.setAttribute("aria-label", `Codes of ${N} training digits, coloured by class. ` +
    "Move the probe to decode a point.");
  canvas.setAttribute("aria-describedby", hintId);
  const legend = element("ul", "figure-legend");
  legend.setAttribute("aria-label", "Dot colours by digit class");
  spec.classes.forEach((name, k) => {
    const item = element("li");
    const swatch = element("span", "swatch");
    swatch.style.background = spec.palette[k];
    item.append(swatch, document.createTextNode(name));
    legend.append(item);
  });
  planeBox.append(canvas, legend);

  const side = element("div", "mnist-live__side");
  const pair = element("div", "mnist-live__pair");
  const decodedFigure = element("figure");
  const decodedCanvas = element("canvas", "mnist-live__digit");
  decodedCanvas.width = spec.width;
  decodedCanvas.height = spec.height;
  decodedCanvas.setAttribute("aria-hidden", "true");
  decodedFigure.append(decodedCanvas, element("figcaption", null, "decoded at the probe"));
  const nearFigure = element("figure");
  const nearCanvas = element("canvas", "mnist-live__digit");
  nearCanvas.width = spec.width;
  nearCanvas.height = spec.height;
  nearCanvas.setAttribute("aria-hidden", "true");
  const nearCaption = element("figcaption", null, "nearest training digit");
  nearFigure.append(nearCanvas, nearCaption);
  pair.append(decodedFigure, nearFigure);
  const readout = element("p", "mnist-live__readout");
  const codeText = element("code", null, "z = –");
  const nearText = element("span");
  const nearSwatch = element("span", "swatch");
  nearSwatch.setAttribute("aria-hidden", "true");
  readout.append(codeText, element("br"), nearSwatch, nearText);
  const hint = element("p", "mnist-live__hint",
    "Point at the plane, touch it, or focus it and use the arrow keys (Shift for big steps) to decode any code.");
  hint.id = hintId;
  side.append(pair, readout, hint);
  main.append(planeBox, side);
  root.append(stats, main);
  live.append(root);
  const plane = createPlane(canvas, { labels, palette: spec.palette, order: shuffled(N, seededRandom(spec.seed + 1)) });

  // state
  let parts = build();
  let random = seededRandom(spec.seed);
  let epoch = 0;
  let losses = [];
  let epochSeconds = [];
  let run = { order: null, cursor: 0, sum: 0, seen: 0, ms: 0 };
  let stopAt = 0;
  let running = false;
  let stopRequested = false;
  let offscreen = false;
  let waiting = false; // the loop is parked until the figure is back on screen
  let wake = null;
  let loopDone = Promise.resolve();
  let generation = 0;
  let sinceRefresh = 0;
  let refreshes = 0;
  let refreshCost = 0; // ms the last refresh took
  let waiters = [];
  let lastAnnounce = 0;
  let destroyed = false;
  let resets = 0;
  let steps = 0; // optimiser updates since the last reset
  // what the plane shows
  let codes = new Float32Array(2 * N); // latest encoding
  let shownCodes = new Float32Array(2 * N); // drawn this frame (between tweens)
  let fromCodes = null;
  let frame = null; // latest frame (after hysteresis)
  let fromFrame = null;
  let tweenStart = 0;
  let size = { width: 0, height: 0 };
  let drawRequest = 0;
  let probe = null;
  let near = null;
  let decoded = new Float32Array(P);
  let decodeWanted = false;
  let decodeLoop = null;
  let probeTimer = 0;

  // drawing
  function view(now) {
    if (!fromCodes) return { view: frame, codes };
    const t = Math.min(1, (now - tweenStart) / TWEEN_MS);
    const e = easeOut(t);
    for (let i = 0; i < shownCodes.length; i += 1) shownCodes[i] = fromCodes[i] + (codes[i] - fromCodes[i]) * e;
    const v = mixFrame(fromFrame, frame, e);
    if (t >= 1) fromCodes = null;
    return { view: v, codes: shownCodes };
  }

  function requestDraw() {
    if (drawRequest || destroyed) return;
    drawRequest = requestAnimationFrame((now) => {
      drawRequest = 0;
      const scene = view(now);
      plane.draw({ ...scene, theme: readTheme(el), probe, near });
      if (fromCodes) requestDraw();
    });
  }

  function measure() {
    const width = Math.max(260, live.clientWidth);
    const narrow = width < NARROW;
    root.classList.toggle("mnist-live--narrow", narrow);
    const planeWidth = Math.min(560, narrow ? width : width - 270);
    const planeHeight = Math.round(Math.min(460, Math.max(240, planeWidth * 0.86)));
    const digit = narrow ? 112 : 140;
    decodedCanvas.style.setProperty("--size", `${digit}px`);
    nearCanvas.style.setProperty("--size", `${Math.round(digit * 0.6)}px`);
    return { width: planeWidth, height: planeHeight };
  }

  function applySize(next) {
    size = next;
    plane.resize(size.width, size.height);
    const { width, height } = plane.plot;
    frame = fitFrame(null, codes, width, height);
    fromCodes = null;
    clampProbe();
    requestDraw();
  }

  // Show a new encoding: keep the frame unless the codes outgrew it.
  function showCodes(next) {
    const { width, height } = plane.plot;
    const nextFrame = fitFrame(frame, next, width, height);
    if (reducedMotion || !frame) {
      fromCodes = null;
    } else {
      const now = performance.now();
      const current = view(now);
      fromCodes = Float32Array.from(current.codes);
      fromFrame = current.view;
      tweenStart = now;
    }
    codes = next;
    frame = nextFrame;
    clampProbe();
    updateNear();
    requestDraw();
    if (probe) requestDecode();
  }

  // the probe
  function clampProbe() {
    if (!probe || !frame) return;
    const { width, height } = plane.plot;
    const r = rangeOf(frame, width, height);
    probe = [Math.min(r.x1, Math.max(r.x0, probe[0])), Math.min(r.y1, Math.max(r.y0, probe[1]))];
  }

  function updateNear() {
    if (!probe) return;
    const index = nearestIndex(codes, probe[0], probe[1]);
    near = index < 0 ? null : { index, label: labels[index] };
    if (near) {
      paintDigit(nearCanvas, pixels.subarray(near.index * P, (near.index + 1) * P), spec.width, spec.height);
      nearSwatch.style.background = spec.palette[near.label % spec.palette.length];
      nearText.textContent = `nearest digit: ${spec.classes[near.label] ?? near.label}`;
    }
  }

  function setProbe(x, y, { announce = true } = {}) {
    probe = [x, y];
    clampProbe();
    updateNear();
    codeText.textContent = `z = ${formatCode(probe[0], probe[1])}`;
    requestDraw();
    const done = requestDecode();
    if (announce) {
      clearTimeout(probeTimer);
      probeTimer = setTimeout(() => {
        if (!probe || !near) return;
        say(`Code ${formatCode(probe[0], probe[1])}: the decoded image is shown; ` +
          `the nearest training digit is a ${spec.classes[near.label] ?? near.label}.`);
      }, PROBE_ANNOUNCE_MS);
    }
    return done;
  }

  async function decodeAt(x, y) {
    const out = tf.tidy(() => parts.decoder.predict(tf.tensor2d([[x, y]])));
    try {
      return await out.data();
    } finally {
      out.dispose();
    }
  }

  // Decode the latest probe position; moves that arrive meanwhile coalesce into one.
  function requestDecode() {
    decodeWanted = true;
    if (!decodeLoop) {
      decodeLoop = (async () => {
        while (decodeWanted && probe && !destroyed) {
          decodeWanted = false;
          const values = await decodeAt(probe[0], probe[1]);
          if (destroyed) break;
          decoded = values;
          paintDigit(decodedCanvas, decoded, spec.width, spec.height);
        }
        decodeLoop = null;
      })();
    }
    return decodeLoop;
  }

  // encoding
  async function encodeAll(gen) {
    const out = new Float32Array(2 * N);
    for (let start = 0; start < N; start += ENCODE_CHUNK) {
      const n = Math.min(ENCODE_CHUNK, N - start);
      const chunk = tf.tidy(() => parts.encoder.predict(xAll.slice([start, 0], [n, P])));
      try {
        out.set(await chunk.data(), 2 * start);
      } finally {
        chunk.dispose();
      }
      if (gen !== generation) return null;
      if (start + n < N) await nextTask();
      if (gen !== generation) return null;
    }
    return out;
  }

  async function refresh(gen) {
    const start = performance.now();
    const next = await encodeAll(gen);
    if (!next) return;
    showCodes(next);
    refreshes += 1;
    sinceRefresh = 0;
    refreshCost = performance.now() - start;
    run.ms += refreshCost;
  }

  // training
  async function trainBatch() {
    if (!run.order) Object.assign(run, { order: shuffled(N, random), cursor: 0, sum: 0, seen: 0, ms: 0 });
    const batch = run.order.subarray(run.cursor, run.cursor + spec.batchSize);
    const indices = tf.tensor1d(batch, "int32");
    const xb = tf.gather(xAll, indices);
    let loss;
    try {
      loss = await parts.model.trainOnBatch(xb, xb);
    } finally {
      tf.dispose([indices, xb]);
    }
    run.sum += loss * batch.length;
    run.seen += batch.length;
    run.cursor += batch.length;
    steps += 1;
  }

  async function finishEpoch(gen) {
    await refresh(gen);
    if (gen !== generation) return;
    epoch += 1;
    losses.push(run.sum / run.seen);
    epochSeconds.push(run.ms / 1000);
    Object.assign(run, { order: null, sum: 0, seen: 0 });
    const now = performance.now();
    if (epoch < stopAt && now - lastAnnounce > ANNOUNCE_EVERY_MS) {
      lastAnnounce = now;
      say(`Epoch ${epoch}, loss ${losses[epoch - 1].toFixed(3)}.`);
    }
    renderStats();
    if (epoch < stopAt) settleWaiters(); // else when the loop has stopped
  }

  function settleWaiters() {
    const due = waiters.filter((w) => epoch >= w.target || w.generation !== generation);
    waiters = waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve(snapshot());
  }

  async function trainLoop() {
    const gen = generation;
    running = true;
    renderButtons();
    try {
      while (!stopRequested && gen === generation && epoch < stopAt) {
        if (offscreen) {
          waiting = true;
          await new Promise((resolve) => { wake = resolve; });
          waiting = false;
          continue;
        }
        const start = performance.now();
        do {
          await trainBatch();
          if (gen !== generation) return;
        } while (run.cursor < N && performance.now() - start < BUDGET_MS);
        const spent = performance.now() - start;
        run.ms += spent;
        sinceRefresh += spent;
        if (run.cursor >= N) await finishEpoch(gen);
        else if (sinceRefresh >= Math.max(REFRESH_MS, refreshCost * (1 / REFRESH_SHARE - 1))) await refresh(gen);
        if (gen !== generation) return;
        renderStats();
        // Yield with a task, not a frame callback, so input is handled between batches.
        await nextTask();
      }
    } finally {
      running = false;
      stopRequested = false;
      settleWaiters();
      if (gen === generation && !destroyed) {
        renderButtons();
        renderStats();
        if (epoch >= stopAt && losses.length) say(`Trained to epoch ${epoch}: loss ${losses.at(-1).toFixed(3)}.`);
        else say(`Paused at epoch ${epoch}.`);
      }
    }
  }

  function startTraining(target) {
    stopAt = target;
    if (running) return;
    lastAnnounce = performance.now();
    say(`Training on ${N} digits from epoch ${epoch + 1}.`);
    loopDone = trainLoop();
  }

  // read-outs
  function renderStats() {
    epochText.textContent = String(epoch);
    // the mean over the epoch in progress, else over the last whole epoch
    const loss = run.seen ? run.sum / run.seen : losses.at(-1);
    lossText.textContent = loss === undefined ? "–" : loss.toFixed(4);
    const notes = [];
    if (run.seen) notes.push(`${Math.floor((100 * run.cursor) / N)} % of epoch ${epoch + 1}`);
    const seconds = epochSeconds.at(-1);
    if (seconds) notes.push(`${seconds.toFixed(seconds < 10 ? 1 : 0)} s per epoch (${tf.getBackend()})`);
    speedText.textContent = notes.join(" · ");
  }

  function renderButtons() {
    const started = epoch > 0 || (run.order && run.cursor > 0);
    buttons.train.textContent = running && !stopRequested ? "Pause" : started ? "Resume training" : "Train";
  }

  function snapshot() {
    return {
      epoch, steps, loss: losses.length ? losses.at(-1) : null, losses: [...losses], training: running,
      backend: tf.getBackend(), offscreen, waiting, resets, refreshes, count: N, layers: [...spec.layers],
      secondsPerEpoch: [...epochSeconds], probe: probe && [...probe], near: near && { ...near },
      frame: frame && { ...frame }, tensors: tf.memory().numTensors,
      shown: { epoch: epochText.textContent, loss: lossText.textContent },
    };
  }

  // events
  function onTrain() {
    if (running) {
      stopRequested = true;
      renderButtons();
      return;
    }
    startTraining(Infinity);
  }

  async function onReset() {
    generation += 1;
    stopRequested = true;
    if (wake) wake();
    buttons.reset.disabled = true;
    await loopDone;
    if (destroyed) return;
    settleWaiters();
    disposeAutoencoder(parts);
    parts = build();
    random = seededRandom(spec.seed);
    epoch = 0;
    steps = 0;
    losses = [];
    epochSeconds = [];
    run = { order: null, cursor: 0, sum: 0, seen: 0, ms: 0 };
    stopAt = 0;
    stopRequested = false;
    const next = await encodeAll(generation);
    if (destroyed) return;
    if (next) {
      codes = next;
      frame = null; // a fresh model gets a fresh frame
      showCodes(next);
    }
    buttons.reset.disabled = false;
    resets += 1;
    renderButtons();
    renderStats();
    say("Weights reset to their seeded starting values: epoch 0.");
  }

  function probeFromPointer(event) {
    if (!frame) return;
    const box = canvas.getBoundingClientRect();
    const [x, y] = plane.toCode(event.clientX - box.left, event.clientY - box.top, frame);
    setProbe(x, y);
  }

  function onKey(event) {
    if (!frame) return;
    const { width, height } = plane.plot;
    const r = rangeOf(frame, width, height);
    const step = (event.shiftKey ? COARSE : FINE) * (r.x1 - r.x0);
    const [x, y] = probe || [frame.cx, frame.cy];
    const moves = {
      ArrowLeft: [x - step, y], ArrowRight: [x + step, y], ArrowUp: [x, y + step], ArrowDown: [x, y - step],
      Home: [frame.cx, frame.cy],
    };
    const next = moves[event.key];
    if (!next) return;
    event.preventDefault();
    setProbe(next[0], next[1]);
  }

  buttons.train.addEventListener("click", onTrain, { signal });
  buttons.reset.addEventListener("click", onReset, { signal });
  canvas.addEventListener("pointermove", probeFromPointer, { signal });
  canvas.addEventListener("pointerdown", probeFromPointer, { signal });
  canvas.addEventListener("keydown", onKey, { signal });
  canvas.addEventListener("focus", () => { if (!probe && frame) setProbe(frame.cx, frame.cy); }, { signal });
  onThemeChange(() => requestDraw(), signal);
  const resizeObserver = new ResizeObserver(() => {
    const next = measure();
    if (next.width !== size.width || next.height !== size.height) applySize(next);
  });

  // first picture: the untrained model's codes, probe at the centre
  codes = (await encodeAll(generation)) || codes;
  applySize(measure());
  setProbe(frame.cx, frame.cy, { announce: false });
  await decodeLoop;
  controls.style.display = "";
  renderButtons();
  renderStats();
  resizeObserver.observe(live);

  el.__figure = {
    state: snapshot,
    /** Train `n` more epochs (continuing a run in progress); resolves with the state after them. */
    trainEpochs(n) {
      const target = epoch + n;
      const done = new Promise((resolve) => { waiters.push({ target, generation, resolve }); });
      if (!running || stopAt < target) startTraining(running ? Math.max(stopAt, target) : target);
      return done;
    },
    codes: () => Array.from(codes),
    decodeAt: async (x, y) => Array.from(await decodeAt(x, y)),
    async probe(x, y) {
      await setProbe(x, y, { announce: false });
      await decodeLoop;
      return { probe: [...probe], near: near && { ...near }, decoded: Array.from(decoded) };
    },
    toPixel: (x, y) => plane.toPixel(x, y, frame),
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
      cancelAnimationFrame(drawRequest);
      clearTimeout(probeTimer);
      settleWaiters();
      Promise.all([loopDone, decodeLoop]).finally(() => {
        disposeAutoencoder(parts);
        xAll.dispose();
      });
      root.remove();
      controls.style.display = "none";
      removeStyle();
      delete el.__figure;
      say("");
    },
  };
}
