// draw-digit: draw a digit (or pick a held-out test digit) and see where the
// encoder puts it among the data's codes and what the decoder rebuilds.
//
// The pad is 280 x 280 canvas pixels; a drawing is reduced to 28 x 28 as
// MNIST was (lib/decoder-mnistify.js). The encoder and decoder run in the
// page with TF.js, once per animation frame at most while drawing.

import { frameScheduler } from "../../lib/decoder-frame.js";
import { announcer } from "../../lib/announce.js";
import { fetchBytes, formatCode, loadPoints, majority, nearest } from "../../lib/decoder-data.js";
import { inkOf, mnistify } from "../../lib/decoder-mnistify.js";
import { acquireModel, predict, tfState, useBackend } from "../../lib/decoder-model.js";
import { imageCanvas, paintBlank, paintGray, readGray } from "../../lib/decoder-paint.js";
import { createPlane, drawMarker } from "../../lib/decoder-plane.js";
import { classLegend, useDecoderStyles } from "../../lib/decoder-style.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";

const PAD = 280; // pad canvas pixels (10 per MNIST pixel)
const BRUSH = 22; // brush diameter in pad pixels
const INPUT_SIZE = 84; // CSS px of the 28 x 28 encoder input
const OUTPUT_SIZE = 112;
const VOTERS = 10; // nearest data points asked for their class
const ANNOUNCE_DELAY_MS = 600;
const REQUIRED = ["encoder", "decoder", "positions", "labels", "count", "code_from_q", "domain", "image", "digits"];

function validate(config) {
  for (const key of REQUIRED) {
    if (config[key] === undefined) throw new Error(`draw-digit needs config.${key}`);
  }
}

// Keep receiving a drag's moves outside the element (synthetic pointers cannot be captured).
function capture(element, pointerId) {
  try {
    element.setPointerCapture(pointerId);
  } catch {
    // not an active pointer: the moves still arrive while over the element
  }
}

export async function mount(el, config) {
  validate(config);
  const releaseStyles = useDecoderStyles();
  const results = await Promise.allSettled([
    acquireModel(new URL(config.encoder, config.base).href),
    acquireModel(new URL(config.decoder, config.base).href),
    loadPoints(config),
    fetchBytes(config.digits.file, config.base),
  ]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    for (const r of results.slice(0, 2)) if (r.status === "fulfilled") r.value.release();
    releaseStyles();
    throw failed.reason;
  }
  const [encoderHandle, decoderHandle, points, digitBytes] = results.map((r) => r.value);
  const { codes, labels, count } = points;
  const [height, width] = config.image;
  const pixels = width * height;
  const digits = config.digits.items;
  const digitData = new Uint8Array(digitBytes);
  if (digitData.length < digits.length * pixels) throw new Error("draw-digit: the test digit file is too short");
  const colors = config.colors;
  const classes = config.classes ?? colors.map((_, i) => String(i));
  const spanX = config.domain.x[1] - config.domain.x[0];
  const spanY = config.domain.y[1] - config.domain.y[0];
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const live = el.querySelector(".figure-live") || el;
  const controls = el.querySelector("[data-decoder-controls]");
  const clearButton = el.querySelector("[data-action='clear']");
  const select = el.querySelector("[data-action='test-digit']");

  // DOM
  const root = document.createElement("div");
  root.className = "decoder-figure draw-digit";
  const padBox = document.createElement("div");
  padBox.className = "decoder-panel";
  const pad = document.createElement("canvas");
  pad.className = "draw-pad";
  pad.width = PAD;
  pad.height = PAD;
  pad.setAttribute("role", "img");
  pad.setAttribute("aria-label",
    "Drawing pad: draw a digit with a mouse, finger or pen. Without a pointer, pick a test digit from the menu.");
  const padHint = document.createElement("p");
  padHint.className = "decoder-caption";
  padHint.textContent = "Draw a digit here, large and centred, with a mouse, finger or pen.";
  padBox.append(pad, padHint);

  const planeBox = document.createElement("div");
  planeBox.className = "decoder-plane";
  const planeCanvas = document.createElement("canvas");
  planeCanvas.setAttribute("role", "img");
  const readout = document.createElement("p");
  readout.className = "decoder-readout";
  planeBox.append(planeCanvas, readout);

  const flow = document.createElement("div");
  flow.className = "draw-flow";
  const inputFigure = document.createElement("figure");
  const input = imageCanvas("draw-input", INPUT_SIZE, "The 28 by 28 image the encoder receives");
  const inputCaption = document.createElement("figcaption");
  inputCaption.className = "decoder-caption";
  inputCaption.textContent = "Encoder input";
  inputFigure.append(input, inputCaption);
  const arrow = document.createElement("span");
  arrow.className = "draw-arrow";
  arrow.setAttribute("aria-hidden", "true");
  arrow.textContent = "\u2192";
  const outputFigure = document.createElement("figure");
  const output = imageCanvas("draw-output", OUTPUT_SIZE, "The decoder's reconstruction from the code");
  const outputCaption = document.createElement("figcaption");
  outputCaption.className = "decoder-caption";
  outputCaption.textContent = "Reconstruction";
  outputFigure.append(output, outputCaption);
  flow.append(inputFigure, arrow, outputFigure);
  padBox.append(flow);
  root.append(padBox, planeBox, classLegend(classes, colors));
  live.append(root);
  if (controls) controls.style.display = ""; // shown only while the figure is live

  const padCtx = pad.getContext("2d", { willReadFrequently: true });
  const plane = createPlane(planeCanvas, { domain: config.domain, codes, labels, colors });

  // state
  let source = { kind: "drawing" }; // or {kind: "digit", index} or {kind: "pixels", values}
  let code = null; // [x, y] of the current input, or null when the pad is empty
  let modelInput = new Float32Array(pixels);
  let reconstruction = new Float32Array(pixels);
  let stroke = null; // {pointerId, x, y}
  let paused = false;
  const frames = frameScheduler(tick); // tick is hoisted
  let destroyed = false;
  let dirty = false;
  let planeDirty = true;
  let busy = false;
  let announceTimer = 0;
  const idleWaiters = [];

  function clearPad() {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, PAD, PAD);
  }

  function showImageOnPad(values) {
    const small = document.createElement("canvas");
    paintGray(small, values, width, height);
    clearPad();
    padCtx.imageSmoothingEnabled = false;
    padCtx.drawImage(small, 0, 0, PAD, PAD);
  }

  function digitValues(index) {
    const values = new Float32Array(pixels);
    for (let i = 0; i < pixels; i += 1) values[i] = digitData[index * pixels + i] / 255;
    return values;
  }

  function currentInput() {
    if (source.kind === "digit") return digitValues(source.index);
    if (source.kind === "pixels") return source.values;
    return mnistify(inkOf(padCtx.getImageData(0, 0, PAD, PAD)), PAD, { out: width });
  }

  // drawing and encoding, at most once per frame
  // Nothing animates while paused (off screen); work asked for then (a test
  // hook, a theme change) still runs once, from a timeout instead of a frame.
  function request() {
    if (!destroyed) frames.request(paused);
  }

  function tick() {
    if (planeDirty) drawPlane();
    if (dirty && !busy) encode();
    else checkIdle();
  }

  function drawPlane() {
    planeDirty = false;
    const theme = readTheme(el);
    plane.draw(theme, code && ((ctx) => drawMarker(ctx, ...plane.toPixel(...plane.clampCode(...code)), theme)));
  }

  async function encode() {
    dirty = false;
    busy = true;
    try {
      const values = currentInput();
      modelInput = values;
      paintGray(input, values, width, height);
      let ink = 0;
      for (let i = 0; i < values.length; i += 1) ink += values[i];
      if (ink < 1e-3) {
        code = null;
        reconstruction = new Float32Array(pixels);
        paintBlank(output, width, height);
      } else {
        const z = await predict(encoderHandle.model, values, 1, [height, width]);
        const image = await predict(decoderHandle.model, z, 1, [2]);
        if (destroyed) return;
        code = [z[0], z[1]];
        reconstruction = image;
        paintGray(output, image, width, height);
      }
      updateText();
      planeDirty = true;
    } catch (error) {
      console.error("draw-digit: encoding failed", error);
    } finally {
      busy = false;
    }
    if (dirty || planeDirty) request();
    else checkIdle();
  }

  function describe() {
    if (!code) return null;
    const [x, y] = code;
    const outside = x < config.domain.x[0] || x > config.domain.x[1] || y < config.domain.y[0] || y > config.domain.y[1];
    const top = majority(labels, nearest(codes, x, y, VOTERS));
    return {
      where: `z\u2081 ${formatCode(x, spanX)}, z\u2082 ${formatCode(y, spanY)}${outside ? " (outside the data's range)" : ""}`,
      among: top ? `${top.n} of the ${VOTERS} nearest digits are ${classes[top.label]}s` : "",
    };
  }

  function updateText() {
    const text = describe();
    readout.textContent = text ? `code: ${text.where}` : "code: (draw a digit)";
    planeCanvas.setAttribute("aria-label", `Codes of ${count.toLocaleString("en")} digits as dots coloured by class` +
      (text ? `; the marker shows your input at ${text.where}; ${text.among}.` : "."));
    clearTimeout(announceTimer);
    if (!text) return;
    announceTimer = setTimeout(() => {
      const what = source.kind === "digit"
        ? `Test digit ${source.index + 1}, a ${digits[source.index].label},` : "Your drawing";
      say(`${what} lands at ${text.where}: ${text.among}.`);
    }, ANNOUNCE_DELAY_MS);
  }

  function setSource(next) {
    source = next;
    if (next.kind === "digit") showImageOnPad(digitValues(next.index));
    if (next.kind === "pixels") showImageOnPad(next.values);
    if (select) select.value = next.kind === "digit" ? String(next.index) : "";
    dirty = true;
    request();
  }

  function clearAll() {
    clearPad();
    setSource({ kind: "drawing" });
    say("The pad is cleared.");
  }

  function checkIdle() {
    if (dirty || busy || frames.pending || planeDirty) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function whenIdle() {
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      request();
      checkIdle();
    });
  }

  function relayout() {
    const size = Math.max(160, Math.min(PAD, Math.floor(padBox.clientWidth)));
    pad.style.setProperty("--size", `${size}px`);
    const planeWidth = Math.max(200, Math.floor(planeBox.clientWidth));
    plane.resize(planeWidth, Math.round(Math.min(420, Math.max(220, planeWidth * 0.8))));
    planeDirty = true;
    request();
  }

  // pointer drawing (mouse, touch, pen)
  function padPoint(event) {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * PAD, ((event.clientY - box.top) / box.height) * PAD];
  }

  function line(from, to) {
    padCtx.strokeStyle = "#fff";
    padCtx.lineWidth = BRUSH;
    padCtx.lineCap = "round";
    padCtx.lineJoin = "round";
    padCtx.beginPath();
    padCtx.moveTo(...from);
    padCtx.lineTo(...to);
    padCtx.stroke();
  }

  pad.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    capture(pad, event.pointerId);
    if (source.kind !== "drawing") {
      source = { kind: "drawing" }; // keep what the pad shows and draw on top of it
      if (select) select.value = "";
    }
    const point = padPoint(event);
    stroke = { pointerId: event.pointerId, point };
    line(point, point);
    dirty = true;
    request();
  }, { signal });
  pad.addEventListener("pointermove", (event) => {
    if (!stroke || event.pointerId !== stroke.pointerId) return;
    const events = event.getCoalescedEvents?.() || [];
    for (const e of events.length ? events : [event]) {
      const point = padPoint(e);
      line(stroke.point, point);
      stroke.point = point;
    }
    dirty = true;
    request();
  }, { signal });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    pad.addEventListener(type, (event) => {
      if (stroke && event.pointerId === stroke.pointerId) stroke = null;
    }, { signal });
  }

  clearButton?.addEventListener("click", clearAll, { signal });
  select?.addEventListener("change", () => {
    if (select.value === "") clearAll();
    else setSource({ kind: "digit", index: Number(select.value) });
  }, { signal });
  onThemeChange(() => {
    planeDirty = true;
    request();
  }, signal);
  const resizeObserver = new ResizeObserver(relayout);
  resizeObserver.observe(root);

  clearPad();
  paintBlank(output, width, height);
  relayout();
  updateText();
  dirty = true;
  await whenIdle();

  el.__figure = {
    async encode(values) {
      setSource({ kind: "pixels", values: Float32Array.from(values) });
      await whenIdle();
      return code && [...code];
    },
    async setDigit(index) {
      setSource({ kind: "digit", index });
      await whenIdle();
      return code && [...code];
    },
    clear() {
      clearAll();
      return whenIdle();
    },
    code: () => code && [...code],
    markerPixel: () => code && plane.toPixel(...plane.clampCode(...code)),
    input: () => Array.from(modelInput),
    reconstruction: () => Array.from(reconstruction),
    reconstructionPixels: () => Array.from(readGray(output)),
    inputPixels: () => Array.from(readGray(input)),
    whenIdle,
    tf: tfState,
    async useBackend(name) {
      const ok = await useBackend(name);
      dirty = true;
      await whenIdle();
      return ok;
    },
    digits,
    domain: config.domain,
    extent: config.extent,
  };

  return {
    pause() {
      paused = true;
      frames.cancel();
    },
    resume() {
      paused = false;
      planeDirty = true;
      request();
    },
    destroy() {
      destroyed = true;
      controller.abort();
      resizeObserver.disconnect();
      frames.cancel();
      clearTimeout(announceTimer);
      plane.destroy();
      encoderHandle.release();
      decoderHandle.release();
      root.remove();
      if (controls) controls.style.display = "none";
      releaseStyles();
      delete el.__figure;
      for (const resolve of idleWaiters.splice(0)) resolve();
      say("");
    },
  };
}
