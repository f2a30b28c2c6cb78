// faces: (a) the face autoencoder's latent plane, the training faces' codes
// beside a grid of faces decoded at build; (b) an explorer whose 2-D pad is
// decoded into a face in the page by the exported TF.js decoder. Decoding
// follows the pointer: requests are coalesced to one per animation frame and
// a new one starts only when the previous face has been painted.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { createFigure, fetchBytes, fetchImage, h } from "../../lib/figure.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { chooseBackend } from "../../lib/tf-backend.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { codeFormat, createPad } from "./pad.js";
import { codesLayer, drawGrid, drawMarker, drawScatter, planeScale, spriteLayer } from "./plane.js";

const GAP = 16; // px between the two panels of a row (as in style.css)
const MAX_SIDE = 300; // px: the pad and scatter never grow beyond this
const FPS_WINDOW_MS = 1000;

function validate(config) {
  const [height, width] = config.image || [];
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error("faces needs config.image = [height, width]");
  }
  const { extent } = config;
  if (!extent || extent.min?.length !== 2 || extent.max?.length !== 2) {
    throw new Error("faces needs config.extent = {min: [x, y], max: [x, y]}");
  }
  return { height, width, extent, n: config.grid.n };
}

async function loadCodes(file, count, base) {
  const buffer = await fetchBytes(file, { base });
  if (buffer.byteLength !== count * 8) throw new Error(`codes hold ${buffer.byteLength} bytes, expected ${count * 8}`);
  return new Float32Array(buffer);
}

function panel(caption, label) {
  const canvas = h("canvas", { role: "img", "aria-label": label });
  const text = h("figcaption", { text: caption });
  return { figure: h("figure", { class: "faces__panel" }, canvas, text), canvas, text };
}

// The two rows of panels; the caller adds `root` to the page.
function build(spec, count) {
  const scatter = panel("Codes of the training faces",
    `Scatter of the two-number codes of ${count} training faces. The ring marks the explorer's code.`);
  const grid = panel(`Faces decoded at ${spec.n} × ${spec.n} codes`,
    `A ${spec.n} by ${spec.n} grid of faces the decoder drew at build time at evenly spaced codes across the plane.`);
  const padCanvas = h("canvas", { "aria-hidden": "true" });
  const padBox = h("div", { class: "faces__pad" }, padCanvas);
  const face = panel("", "Face decoded from the explorer's code");
  const title = (text, aside) => h("p", { class: "faces__title" }, text, h("span", { text: aside }));
  const root = h("div", { class: "faces" },
    h("section", { class: "faces__row" }, title("The latent plane ", `(${count} training faces)`), scatter.figure, grid.figure),
    h("section", { class: "faces__row" }, title("Explore the plane ", "(drag, tap, or focus and use the arrow keys)"),
      padBox, face.figure));
  return { root, scatter, grid, padBox, padCanvas, face };
}

/**
 * Mount the figure in `el` (the runtime's <figure>); resolves to its handle.
 * @param {HTMLElement} el
 * @param {object} config config.json, with `base` (its folder's URL)
 */
export async function mount(el, config) {
  const spec = validate(config);
  const { base } = config;
  await chooseBackend(tf);
  const loads = await Promise.allSettled([
    loadCodes(config.codes.file, config.codes.count, base),
    fetchImage(config.grid.file, { base }),
    tf.loadLayersModel(new URL(config.decoder, base).href),
  ]);
  const [codes, sprite, decoder] = loads.map((load) => load.value);
  const release = () => {
    if (sprite) sprite.close();
    if (decoder) decoder.dispose();
  };
  const failed = loads.find((load) => load.status === "rejected");
  if (failed) {
    release();
    throw failed.reason;
  }
  const outShape = decoder.outputs[0].shape.slice(1);
  if (outShape[0] !== spec.height || outShape[1] !== spec.width) {
    release();
    throw new Error(`the decoder draws ${outShape.join("x")} faces, expected ${spec.height}x${spec.width}`);
  }
  tf.dispose(tf.tidy(() => decoder.predict(tf.zeros([1, 2])))); // warm up (shader compilation) before ready

  const fig = createFigure(el, config);
  const { live } = fig;
  const say = announcer(el);
  fig.onDestroy(() => say(""));
  fig.onDestroy(release);
  const { extent } = spec;
  const count = config.codes.count;
  const fmt = codeFormat(extent);
  const { root, scatter, grid, padBox, padCanvas, face } = build(spec, count);
  fig.add(root);
  const scratch = h("canvas", { width: spec.width, height: spec.height });
  const scratchCtx = scratch.getContext("2d");
  const pixels = scratchCtx.createImageData(spec.width, spec.height);

  // what does not move, drawn once per size and theme
  const layers = {
    pad: codesLayer(codes, extent, { alpha: 0.22, radius: 2 }),
    scatter: codesLayer(codes, extent, { alpha: 0.8, radius: 2.5 }),
    grid: spriteLayer(sprite),
  };

  // state
  const mean = [0, 1].map((d) => codes.reduce((s, v, i) => (i % 2 === d ? s + v : s), 0) / count);
  let layout = null;
  let padScale = null;
  let target = mean;
  let painted = null;
  let lastFace = null;
  const decodeTimes = [];
  const stats = { fps: 0, decodeMs: 0, predictMs: 0, decodeCount: 0 };

  function measure() {
    const width = Math.max(240, live.clientWidth);
    const aspect = spec.width / spec.height;
    const side = Math.floor(Math.min(MAX_SIDE, (width - GAP) / (1 + aspect)));
    return { width, side, faceWidth: Math.round(side * aspect) };
  }

  function drawPad(theme = readTheme(el)) {
    const { side } = layout;
    const { ctx } = fitCanvas(padCanvas, side, side);
    padScale = planeScale(extent, side, side);
    layers.pad.drawInto(ctx, side, side, theme);
    drawMarker(ctx, padScale, target, theme, 9);
  }

  function drawPlanes(theme = readTheme(el)) {
    const { side, faceWidth } = layout;
    // Captions wrap within their picture's width, so each row's pair stays side by side.
    scatter.figure.style.width = `${side}px`;
    grid.figure.style.width = face.figure.style.width = `${faceWidth}px`;
    drawScatter(scatter.canvas, layers.scatter, extent, target, { width: side, height: side, theme });
    drawGrid(grid.canvas, layers.grid, spec.n, extent, target, { width: faceWidth, height: side, theme });
    drawPad(theme);
  }

  function paintFace(values) {
    const data = pixels.data;
    for (let i = 0; i < values.length; i += 1) {
      const v = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
      data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
      data[4 * i + 3] = 255;
    }
    scratchCtx.putImageData(pixels, 0, 0);
    const { ctx } = fitCanvas(face.canvas, layout.faceWidth, layout.side);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(scratch, 0, 0, layout.faceWidth, layout.side);
  }

  // Decode the code under the pad and paint the face, unless it is painted already.
  async function decode() {
    if (painted && painted[0] === target[0] && painted[1] === target[1]) return;
    const code = [...target];
    const start = performance.now();
    const output = tf.tidy(() => decoder.predict(tf.tensor2d([code], [1, 2])));
    const predicted = performance.now(); // the cpu backend computes in predict(); data() may wait for a turn
    const values = await output.data();
    output.dispose();
    if (fig.destroyed) return;
    const end = performance.now();
    stats.predictMs = predicted - start;
    stats.decodeMs = end - start;
    lastFace = values;
    painted = code;
    paintFace(values);
    drawPlanes();
    face.text.textContent = `code (${fmt(code[0])}, ${fmt(code[1])})`;
    face.canvas.setAttribute("aria-label", `Face decoded from code 1 = ${fmt(code[0])}, code 2 = ${fmt(code[1])}`);
    stats.decodeCount += 1;
    decodeTimes.push(end);
    while (decodeTimes.length && end - decodeTimes[0] > FPS_WINDOW_MS) decodeTimes.shift();
    if (decodeTimes.length > 2) stats.fps = ((decodeTimes.length - 1) * 1000) / (end - decodeTimes[0]);
  }
  // one decode a frame at most, never two at once; a move during a decode is decoded after it
  const decoding = fig.scheduler(decode);

  const pad = createPad(padBox, {
    extent,
    value: mean,
    toCode: (px, py) => padScale.toCode(px, py),
    label: "Face code",
    signal: fig.signal,
    onChange(value, source) {
      target = value;
      drawPad();
      decoding.invalidate();
      if (source === "pointerup") say(`Code 1 ${fmt(value[0])}, code 2 ${fmt(value[1])}.`);
    },
  });
  target = pad.value();

  onThemeChange(() => drawPlanes(), fig.signal);
  layout = measure();
  drawPlanes();
  decoding.invalidate();
  await decoding.whenIdle();
  fig.observeResize(live, () => {
    const next = measure();
    if (layout && next.width === layout.width) return;
    layout = next;
    drawPlanes();
    if (lastFace) paintFace(lastFace);
  });

  // Sweep the pad along a curve, one move per animation frame (as a fast drag
  // would), and report how many faces per second were decoded and painted.
  async function benchmark(ms = 2000) {
    const centre = [0, 1].map((d) => (extent.min[d] + extent.max[d]) / 2);
    const radius = [0, 1].map((d) => (extent.max[d] - extent.min[d]) * 0.4);
    const first = stats.decodeCount;
    const start = performance.now();
    let moves = 0;
    while (performance.now() - start < ms) {
      const t = (performance.now() - start) / 1000;
      pad.set([centre[0] + radius[0] * Math.cos(2 * t), centre[1] + radius[1] * Math.sin(3 * t)], "benchmark");
      moves += 1;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const seconds = (performance.now() - start) / 1000;
    const decoded = stats.decodeCount - first;
    await decoding.whenIdle();
    return { fps: decoded / seconds, moves, decoded, seconds, decodeMs: stats.decodeMs };
  }

  fig.expose({
    state: () => ({ code: pad.value(), painted, fps: stats.fps, decodeMs: stats.decodeMs, predictMs: stats.predictMs,
      backend: tf.getBackend(), image: [spec.height, spec.width], tensors: tf.memory().numTensors }),
    setCode: async (x, y) => { pad.set([x, y], "api"); await decoding.whenIdle(); return pad.value(); },
    lastFace: () => Array.from(lastFace),
    benchmark,
  });
  return fig;
}
