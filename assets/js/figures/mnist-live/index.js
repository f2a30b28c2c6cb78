// mnist-live: a dense autoencoder with a 2-D code, trained on a few thousand
// MNIST digits in the reader's browser (TF.js, in a Web Worker: see
// lib/autoencoder-worker.js; the page only draws). The plane shows every
// digit's code, tinted by class, and is re-encoded every epoch and every couple
// of seconds of training; the axes change only when the codes outgrow the frame
// or shrink well inside it. Pointer, touch or the arrow keys move a probe
// whose code the decoder turns into an image beside the plane, with the
// nearest training digit for comparison. A chart shows the loss of every
// training step. Training waits while the figure is off screen, and never
// starts by itself.

import { announcer } from "../../lib/announce.js";
import { fetchDigitBytes, startTrainer } from "../../lib/autoencoder-trainer.js";
import { createFigure } from "../../lib/figure.js";
import { seededRandom, shuffled } from "../../lib/seeded-random.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { formatCode, nearestIndex, unpackLevels } from "./data.js";
import { easeOut, fitFrame, mixFrame, rangeOf } from "./frame.js";
import { createPlane } from "./plane.js";
import { createTraining } from "./training.js";
import { buildView, layout, paintDigit } from "./view.js";

const REFRESH_MS = 2000; // the worker also refreshes the codes mid-epoch after this much training time,
const REFRESH_SHARE = 0.25; // and at most this share of the time goes to refreshing
const TWEEN_MS = 450; // dots glide to their new codes (not under reduced motion)
const PROBE_ANNOUNCE_MS = 450;
const FINE = 1 / 40; // arrow key step, as a fraction of the visible width
const COARSE = 1 / 8; // Shift+arrow

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

export async function mount(el, config) {
  const spec = validate(config);
  const N = spec.count;
  const P = spec.pixels;
  const [packed, labels] = await Promise.all([
    fetchDigitBytes(config.digits, config.base, Math.ceil((N * P) / 2)),
    fetchDigitBytes(config.labels, config.base, N),
  ]);
  const fig = createFigure(el, config);
  const trainer = startTrainer(fig, {
    model: { pixels: P, hidden: spec.hidden, latent: 2, learningRate: spec.learningRate, seed: spec.seed },
    batchSize: spec.batchSize,
    sets: { train: unpackLevels(packed, N * P, spec.levels) },
    report: { codes: true, refreshMs: REFRESH_MS, refreshShare: REFRESH_SHARE },
  });
  const { backend, codes: first } = await trainer.ready;
  let codes = first; // latest encoding, interleaved (x, y): first, the untrained model's
  const say = announcer(el);
  const controls = el.querySelector(".mnist-live-controls");
  const buttons = {
    train: controls.querySelector('[data-action="train"]'),
    reset: controls.querySelector('[data-action="reset"]'),
  };
  const ui = buildView(spec, `${el.id || "mnist-live"}-plane-hint`);
  fig.add(ui.root);
  const plane = createPlane(ui.canvas, { labels, palette: spec.palette, order: shuffled(N, seededRandom(spec.seed + 1)) });

  // what the plane shows
  let shownCodes = new Float32Array(2 * N); // drawn this frame (between tweens)
  let fromCodes = null;
  let frame = null; // latest frame (after hysteresis)
  let fromFrame = null;
  let tweenStart = 0;
  let size = { width: 0, height: 0, chartWidth: 0 };
  let probe = null;
  let near = null;
  let decoded = new Float32Array(P);
  let decodeWanted = false;
  let decodeLoop = null;
  let probeTimer = 0;
  let training = null; // the buttons, read-outs and chart, once the first picture is up

  function view(now) {
    if (!fromCodes) return { view: frame, codes };
    const t = Math.min(1, (now - tweenStart) / TWEEN_MS);
    const e = easeOut(t);
    for (let i = 0; i < shownCodes.length; i += 1) shownCodes[i] = fromCodes[i] + (codes[i] - fromCodes[i]) * e;
    const v = mixFrame(fromFrame, frame, e);
    if (t >= 1) fromCodes = null;
    return { view: v, codes: shownCodes };
  }

  const draw = fig.scheduler(() => {
    plane.draw({ ...view(performance.now()), theme: readTheme(el), probe, near });
    if (fromCodes) draw.invalidate(); // the tween goes on
  });

  function applySize(next) {
    size = next;
    plane.resize(size.width, size.height);
    const { width, height } = plane.plot;
    frame = fitFrame(null, codes, width, height);
    fromCodes = null;
    clampProbe();
    draw.invalidate();
    training?.redraw();
  }

  // Show a new encoding: keep the frame unless the codes outgrew it (a fresh model gets a fresh frame).
  function showCodes(next, fresh = false) {
    if (fresh) frame = null;
    const { width, height } = plane.plot;
    const nextFrame = fitFrame(frame, next, width, height);
    if (fig.reducedMotion || !frame) {
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
    draw.invalidate();
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
      paintDigit(ui.near, unpackLevels(packed, P, spec.levels, near.index * P), spec.width, spec.height);
      ui.nearSwatch.style.background = spec.palette[near.label % spec.palette.length];
      ui.nearText.textContent = `nearest digit: ${spec.classes[near.label] ?? near.label}`;
    }
  }

  function setProbe(x, y, { announce = true } = {}) {
    probe = [x, y];
    clampProbe();
    updateNear();
    ui.code.textContent = `z = ${formatCode(probe[0], probe[1])}`;
    draw.invalidate();
    const done = requestDecode();
    if (announce) {
      fig.clearTimeout(probeTimer);
      probeTimer = fig.timeout(() => {
        if (!probe || !near) return;
        say(`Code ${formatCode(probe[0], probe[1])}: the decoded image is shown; ` +
          `the nearest training digit is a ${spec.classes[near.label] ?? near.label}.`);
      }, PROBE_ANNOUNCE_MS);
    }
    return done;
  }

  // Decode the latest probe position (in the worker); moves that arrive meanwhile coalesce into one.
  // The promise never rejects: a failure is reported (once), an AbortError (destroyed) ignored.
  function requestDecode() {
    decodeWanted = true;
    if (!decodeLoop) {
      decodeLoop = (async () => {
        try {
          while (decodeWanted && probe && !fig.destroyed) {
            decodeWanted = false;
            const values = await trainer.request("decode", { code: [probe[0], probe[1]] });
            if (fig.destroyed) break;
            decoded = values;
            paintDigit(ui.decoded, decoded, spec.width, spec.height);
          }
        } catch (error) {
          decodeWanted = false;
          trainer.report(error, "Decoding failed");
        } finally {
          decodeLoop = null;
        }
      })();
    }
    return decodeLoop;
  }

  function probeFromPointer(event) {
    if (!frame) return;
    const box = ui.canvas.getBoundingClientRect();
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

  // first picture: the untrained model's codes, probe at the centre
  applySize(layout(ui, fig.live.clientWidth));
  setProbe(frame.cx, frame.cy, { announce: false });
  await decodeLoop;
  controls.style.display = "";
  training = createTraining({
    fig, trainer, ui, buttons, count: N, batchSize: spec.batchSize, backend, say, showCodes,
    chartWidth: () => size.chartWidth,
    more: () => ({ count: N, layers: [...spec.layers], probe: probe && [...probe], near: near && { ...near },
      frame: frame && { ...frame } }),
  });

  fig.on(ui.canvas, "pointermove", probeFromPointer);
  fig.on(ui.canvas, "pointerdown", probeFromPointer);
  fig.on(ui.canvas, "keydown", onKey);
  fig.on(ui.canvas, "focus", () => { if (!probe && frame) setProbe(frame.cx, frame.cy); });
  onThemeChange(() => {
    draw.invalidate();
    training.redraw();
  }, fig.signal);
  fig.observeResize(fig.live, () => {
    const next = layout(ui, fig.live.clientWidth);
    if (next.width !== size.width || next.height !== size.height) applySize(next);
    else if (next.chartWidth !== size.chartWidth) {
      size = next;
      training.redraw();
    }
  });
  fig.onDestroy(() => {
    controls.style.display = "none";
    say("");
  });

  fig.expose({
    state: () => training.snapshot(),
    /** Train `n` more epochs (continuing a run in progress); resolves with the state after them. */
    trainEpochs: (n) => training.trainEpochs(n),
    codes: () => Array.from(codes),
    decodeAt: async (x, y) => Array.from(await trainer.request("decode", { code: [x, y] })),
    async probe(x, y) {
      await setProbe(x, y, { announce: false });
      await decodeLoop;
      return { probe: [...probe], near: near && { ...near }, decoded: Array.from(decoded) };
    },
    toPixel: (x, y) => plane.toPixel(x, y, frame),
  });
  return fig;
}
