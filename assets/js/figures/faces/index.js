// faces: (a) the face autoencoder's latent plane, the training faces' codes
// beside a grid of faces decoded at build; (b) an explorer whose 2-D pad is
// decoded into a face in the page by the exported TF.js decoder. Decoding
// follows the pointer: requests are coalesced to one per animation frame and
// a new one starts only when the previous face has been painted.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { codeFormat, createPad } from "../../lib/faces-pad.js";
import { drawAxisNames, drawCodes, drawGrid, drawMarker, drawScatter, planeScale } from "../../lib/faces-plane.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { chooseBackend } from "../../lib/tf-backend.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { adoptStyle } from "../../lib/train-style.js";

const GAP = 16; // px between the two panels of a row
const MAX_SIDE = 300; // px: the pad and scatter never grow beyond this
const FPS_WINDOW_MS = 1000;
const STYLE_ID = "faces-style";
const STYLE = `
.faces { display: grid; gap: 1.1rem; }
.faces__row { display: flex; flex-wrap: wrap; justify-content: center; align-items: flex-start; gap: 0.5rem ${GAP}px; }
.faces__title { flex-basis: 100%; margin: 0; text-align: center; font-size: 0.92rem; color: var(--fg); }
.faces__title span { color: var(--muted); }
.faces__panel { margin: 0; }
.faces__panel canvas { border-radius: 4px; }
.faces__panel figcaption { margin-top: 0.3rem; color: var(--muted); font-size: 0.82rem; text-align: center;
  font-variant-numeric: tabular-nums; }
.faces__pad { border-radius: 4px; cursor: crosshair; }
.faces__pad:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
`;

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

async function fetchFloats(url, count) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`codes: HTTP ${response.status}`);
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength !== count * 8) throw new Error(`codes hold ${buffer.byteLength} bytes, expected ${count * 8}`);
  return new Float32Array(buffer);
}

async function loadImage(url) {
  const image = new Image();
  image.src = url;
  try {
    await image.decode();
  } catch (error) {
    throw new Error("the grid of decoded faces could not be loaded", { cause: error });
  }
  return image;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function panel(caption, label) {
  const figure = element("figure", "faces__panel");
  const canvas = element("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const text = element("figcaption", null, caption);
  figure.append(canvas, text);
  return { figure, canvas, text };
}

export async function mount(el, config) {
  const spec = validate(config);
  const url = (name) => new URL(name, config.base).href;
  await chooseBackend(tf);
  const [codes, sprite, decoder] = await Promise.all([
    fetchFloats(url(config.codes.file), config.codes.count),
    loadImage(url(config.grid.file)),
    tf.loadLayersModel(url(config.decoder)),
  ]);
  const outShape = decoder.outputs[0].shape.slice(1);
  if (outShape[0] !== spec.height || outShape[1] !== spec.width) {
    decoder.dispose();
    throw new Error(`the decoder draws ${outShape.join("x")} faces, expected ${spec.height}x${spec.width}`);
  }
  tf.tidy(() => decoder.predict(tf.zeros([1, 2]))); // warm up (shader compilation) before the figure is ready

  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const removeStyle = adoptStyle(STYLE_ID, STYLE);
  const { extent } = spec;
  const count = config.codes.count;
  const fmt = codeFormat(extent);

  // DOM
  const root = element("div", "faces");
  const rowA = element("section", "faces__row");
  const titleA = element("p", "faces__title", "The latent plane ");
  titleA.append(element("span", null, `(${count} training faces)`));
  const scatter = panel("Codes of the training faces",
    `Scatter of the two-number codes of ${count} training faces. The ring marks the explorer's code.`);
  const grid = panel(`Faces decoded at ${spec.n} × ${spec.n} codes`,
    `A ${spec.n} by ${spec.n} grid of faces the decoder drew at build time at evenly spaced codes across the plane.`);
  rowA.append(titleA, scatter.figure, grid.figure);
  const rowB = element("section", "faces__row");
  const titleB = element("p", "faces__title", "Explore the plane ");
  titleB.append(element("span", null, "(drag, tap, or focus and use the arrow keys)"));
  const padBox = element("div", "faces__pad");
  const padCanvas = element("canvas");
  padCanvas.setAttribute("aria-hidden", "true");
  padBox.append(padCanvas);
  const face = panel("", "Face decoded from the explorer's code");
  rowB.append(titleB, padBox, face.figure);
  root.append(rowA, rowB);
  live.append(root);
  const scratch = element("canvas");
  scratch.width = spec.width;
  scratch.height = spec.height;
  const scratchCtx = scratch.getContext("2d");
  const pixels = scratchCtx.createImageData(spec.width, spec.height);

  // state
  const mean = [0, 1].map((d) => codes.reduce((s, v, i) => (i % 2 === d ? s + v : s), 0) / count);
  let layout = null;
  let padScale = null;
  let target = mean;
  let painted = null;
  let lastFace = null;
  let busy = false;
  let frame = 0;
  let paused = false;
  let destroyed = false;
  let waiters = [];
  const decodeTimes = [];
  let fps = 0;
  let decodeMs = 0;
  let decodeCount = 0;

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
    drawCodes(ctx, codes, padScale, { width: side, height: side, theme, alpha: 0.22, radius: 2 });
    drawAxisNames(ctx, { width: side, height: side, theme });
    drawMarker(ctx, padScale, target, theme, 9);
  }

  function drawPlanes(theme = readTheme(el)) {
    const { side, faceWidth } = layout;
    // Captions wrap within their picture's width, so each row's pair stays side by side.
    scatter.figure.style.width = `${side}px`;
    grid.figure.style.width = face.figure.style.width = `${faceWidth}px`;
    drawScatter(scatter.canvas, codes, extent, target, { width: side, height: side, theme });
    drawGrid(grid.canvas, sprite, spec.n, extent, target, { width: faceWidth, height: side, theme });
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
    drawFace();
  }

  function drawFace() {
    const { ctx } = fitCanvas(face.canvas, layout.faceWidth, layout.side);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(scratch, 0, 0, layout.faceWidth, layout.side);
  }

  function schedule() {
    if (!frame && !paused && !destroyed) frame = requestAnimationFrame(onFrame);
  }

  function onFrame() {
    frame = 0;
    if (busy) return; // the running decode reschedules when it ends
    if (painted && painted[0] === target[0] && painted[1] === target[1]) {
      settled();
      return;
    }
    decode([...target]);
  }

  async function decode(code) {
    busy = true;
    const start = performance.now();
    const output = tf.tidy(() => decoder.predict(tf.tensor2d([code], [1, 2])));
    const values = await output.data();
    output.dispose();
    busy = false;
    if (destroyed) return;
    const end = performance.now();
    decodeMs = end - start;
    lastFace = values;
    painted = code;
    paintFace(values);
    drawPlanes();
    face.text.textContent = `code (${fmt(code[0])}, ${fmt(code[1])})`;
    face.canvas.setAttribute("aria-label", `Face decoded from code 1 = ${fmt(code[0])}, code 2 = ${fmt(code[1])}`);
    decodeCount += 1;
    decodeTimes.push(end);
    while (decodeTimes.length && end - decodeTimes[0] > FPS_WINDOW_MS) decodeTimes.shift();
    if (decodeTimes.length > 2) fps = ((decodeTimes.length - 1) * 1000) / (end - decodeTimes[0]);
    if (painted[0] !== target[0] || painted[1] !== target[1]) {
      schedule();
    } else {
      settled();
    }
  }

  function settled() {
    for (const resolve of waiters) resolve();
    waiters = [];
  }

  function whenPainted() {
    if (!busy && !frame && painted && painted[0] === target[0] && painted[1] === target[1]) return Promise.resolve();
    return new Promise((resolve) => waiters.push(resolve));
  }

  const pad = createPad(padBox, {
    extent,
    value: mean,
    toCode: (px, py) => padScale.toCode(px, py),
    label: "Face code",
    signal,
    onChange(value, source) {
      target = value;
      drawPad();
      schedule();
      if (source === "pointerup") say(`Code 1 ${fmt(value[0])}, code 2 ${fmt(value[1])}.`);
    },
  });
  target = pad.value();

  const resizeObserver = new ResizeObserver(() => {
    const next = measure();
    if (layout && next.width === layout.width) return;
    layout = next;
    drawPlanes();
    if (lastFace) paintFace(lastFace);
  });
  onThemeChange(() => drawPlanes(), signal);

  layout = measure();
  drawPlanes();
  await decode([...target]);
  resizeObserver.observe(live);

  // Sweep the pad along a curve, one move per animation frame (as a fast drag
  // would), and report how many faces per second were decoded and painted.
  async function benchmark(ms = 2000) {
    const centre = [0, 1].map((d) => (extent.min[d] + extent.max[d]) / 2);
    const radius = [0, 1].map((d) => (extent.max[d] - extent.min[d]) * 0.4);
    const first = decodeCount;
    const start = performance.now();
    let moves = 0;
    while (performance.now() - start < ms) {
      const t = (performance.now() - start) / 1000;
      pad.set([centre[0] + radius[0] * Math.cos(2 * t), centre[1] + radius[1] * Math.sin(3 * t)], "benchmark");
      moves += 1;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const seconds = (performance.now() - start) / 1000;
    const decoded = decodeCount - first;
    await whenPainted();
    return { fps: decoded / seconds, moves, decoded, seconds, decodeMs };
  }

  el.__figure = {
    state: () => ({ code: pad.value(), painted, fps, decodeMs, backend: tf.getBackend(),
      image: [spec.height, spec.width], tensors: tf.memory().numTensors }),
    setCode: async (x, y) => { pad.set([x, y], "api"); await whenPainted(); return pad.value(); },
    lastFace: () => Array.from(lastFace),
    benchmark,
  };

  return {
    pause() {
      paused = true;
      cancelAnimationFrame(frame);
      frame = 0;
    },
    resume() {
      paused = false;
      schedule();
    },
    destroy() {
      destroyed = true;
      controller.abort();
      resizeObserver.disconnect();
      cancelAnimationFrame(frame);
      decoder.dispose();
      root.remove();
      removeStyle();
      for (const resolve of waiters) resolve();
      delete el.__figure;
      say("");
    },
  };
}
