// draw-digit: draw a digit (or pick a held-out test digit) and see where the
// encoder puts it among the data's codes and what the decoder rebuilds.
//
// The pad is 280 x 280 canvas pixels; a drawing is reduced to 28 x 28 as
// MNIST was (./mnistify.js). The encoder and decoder run in the
// page with TF.js, once per animation frame at most while drawing.

import { createFigure, fetchBytes, h } from "../../lib/figure.js";
import { domainSpans, formatPoint, loadPoints, majority, requireConfig } from "../../lib/decoder-data.js";
import { loadAll, predict, tfState, useBackend, useModel } from "../../lib/decoder-model.js";
import { imageCanvas, paintBlank, paintGray, readGray } from "../../lib/decoder-paint.js";
import { classLegend, createPlane, drawMarker } from "../../lib/decoder-plane.js";
import { revealControls, speaker } from "../../lib/decoder-ui.js";
import { capture } from "../../lib/plane-input.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { inkOf, mnistify } from "./mnistify.js";

const PAD = 280; // pad canvas pixels (10 per MNIST pixel)
const BRUSH = 22; // brush diameter in pad pixels
const INPUT_SIZE = 84; // CSS px of the 28 x 28 encoder input
const OUTPUT_SIZE = 112;
const VOTERS = 10; // nearest data points asked for their class
const ANNOUNCE_DELAY_MS = 600;
const REQUIRED = ["encoder", "decoder", "positions", "labels", "count", "code_from_q", "domain", "image", "digits"];

// One image of the flow under the pad: a small canvas over its caption.
function flowImage(canvas, caption) {
  return h("figure", {}, canvas, h("figcaption", { class: "decoder-caption", text: caption }));
}

/**
 * Mount a draw-digit in `el` (the runtime's contract).
 * @param {HTMLElement} el @param {object} config the payload's config.json, with `base`
 * @returns {Promise<object>} the figure's handle ({pause, resume, destroy})
 */
export async function mount(el, config) {
  requireConfig("draw-digit", config, REQUIRED);
  const fig = createFigure(el, config);
  const [encoder, decoder, points, digitBytes] = await loadAll(fig, [
    useModel(fig, config.encoder, config.base),
    useModel(fig, config.decoder, config.base),
    loadPoints(config),
    fetchBytes(config.digits.file, { base: config.base }),
  ]);
  const { codes, labels, count, index: pointIndex } = points; // a grid over the codes, built once as they load
  const [height, width] = config.image;
  const pixels = width * height;
  const digits = config.digits.items;
  const digitData = new Uint8Array(digitBytes);
  if (digitData.length < digits.length * pixels) {
    fig.destroy();
    throw new Error("draw-digit: the test digit file is too short");
  }
  const colors = config.colors;
  const classes = config.classes ?? colors.map((_, i) => String(i));
  const noun = config.noun ?? "digit"; // "image" for a model of an author's data
  const aNoun = `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
  const labelled = Boolean(config.labels) && classes.length > 0;
  const spans = domainSpans(config.domain);
  const voice = speaker(fig, ANNOUNCE_DELAY_MS);
  const clearButton = el.querySelector("[data-action='clear']");
  const select = el.querySelector("[data-action='test-digit']");

  // DOM
  const pad = h("canvas", {
    class: "draw-pad", width: PAD, height: PAD, role: "img",
    "aria-label": `Drawing pad: draw ${aNoun} with a mouse, finger or pen. Without a pointer, pick a test ${noun} ` +
      "from the menu.",
  });
  const aspect = width / height;
  const input = imageCanvas("draw-input", INPUT_SIZE, `The ${height} by ${width} image the encoder receives`, aspect);
  const output = imageCanvas("draw-output", OUTPUT_SIZE, "The decoder's reconstruction from the code", aspect);
  const padBox = h("div", { class: "decoder-panel" }, pad,
    h("p", { class: "decoder-caption", text: `Draw ${aNoun} here, large and centred, with a mouse, finger or pen.` }),
    h("div", { class: "draw-flow" }, flowImage(input, "Encoder input"),
      h("span", { class: "draw-arrow", "aria-hidden": "true", text: "\u2192" }),
      flowImage(output, "Reconstruction")));
  const planeCanvas = h("canvas", { role: "img" });
  const readout = h("p", { class: "decoder-readout" });
  const planeBox = h("div", { class: "decoder-plane" }, planeCanvas, readout);
  const root = fig.add(h("div", { class: "decoder-figure draw-digit" }, padBox, planeBox,
    labelled ? classLegend(classes, colors) : null));
  revealControls(fig, "[data-decoder-controls]");

  const padCtx = pad.getContext("2d", { willReadFrequently: true });
  const plane = createPlane(planeCanvas, { domain: config.domain, codes, labels, colors });
  fig.onDestroy(() => plane.destroy());

  // state
  let source = { kind: "drawing" }; // or {kind: "digit", index} or {kind: "pixels", values}
  let code = null; // [x, y] of the current input, or null when the pad is empty
  let modelInput = new Float32Array(pixels);
  let reconstruction = new Float32Array(pixels);
  let stroke = null; // {pointerId, point}
  let inputDirty = true;
  let planeDirty = true;
  // encode what the pad holds, then draw the plane with its marker: at most once per frame
  const work = fig.scheduler(async () => {
    if (inputDirty) await encode();
    if (planeDirty) drawPlane();
  });
  const whenIdle = () => work.whenIdle();

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
    return mnistify(inkOf(padCtx.getImageData(0, 0, PAD, PAD)), PAD, { out: [height, width] });
  }

  function drawPlane() {
    planeDirty = false;
    const theme = readTheme(el);
    plane.draw(theme, code && ((ctx) => drawMarker(ctx, ...plane.toPixel(...plane.clampCode(...code)), theme)));
  }

  async function encode() {
    inputDirty = false;
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
      const z = await predict(encoder, values, 1, [height, width]);
      if (fig.destroyed) return; // the decoder may be gone
      const image = await predict(decoder, z, 1, [2]);
      if (fig.destroyed) return;
      code = [z[0], z[1]];
      reconstruction = image;
      paintGray(output, image, width, height);
    }
    updateText();
    planeDirty = true;
  }

  function describe() {
    if (!code) return null;
    const [x, y] = code;
    const { domain } = config;
    const outside = x < domain.x[0] || x > domain.x[1] || y < domain.y[0] || y > domain.y[1];
    const top = labelled ? majority(labels, pointIndex.nearest(x, y, VOTERS)) : null;
    return {
      where: `${formatPoint(code, spans)}${outside ? " (outside the data's range)" : ""}`,
      among: top ? `${top.n} of the ${VOTERS} nearest ${noun}s are ${classes[top.label]}s` : "",
    };
  }

  function updateText() {
    const text = describe();
    readout.textContent = text ? `code: ${text.where}` : `code: (draw ${aNoun})`;
    const dots = `Codes of ${count.toLocaleString("en")} ${noun}s as dots${labelled ? " coloured by class" : ""}`;
    const among = text && text.among ? `; ${text.among}` : "";
    planeCanvas.setAttribute("aria-label", dots + (text ? `; the marker shows your input at ${text.where}${among}.` : "."));
    if (!text) {
      voice.cancel();
      return;
    }
    voice.later(() => {
      const item = digits[source.index];
      const what = source.kind !== "digit" ? "Your drawing"
        : noun === "digit" ? `Test digit ${source.index + 1}, a ${item.label},` : `Test ${noun} ${source.index + 1} (${item.label})`;
      return `${what} lands at ${text.where}${text.among ? `: ${text.among}` : ""}.`;
    });
  }

  function inputChanged() {
    inputDirty = true;
    work.invalidate();
  }

  function setSource(next) {
    source = next;
    if (next.kind === "digit") showImageOnPad(digitValues(next.index));
    if (next.kind === "pixels") showImageOnPad(next.values);
    if (select) select.value = next.kind === "digit" ? String(next.index) : "";
    inputChanged();
  }

  function clearAll() {
    clearPad();
    setSource({ kind: "drawing" });
    voice.say("The pad is cleared.");
  }

  function relayout() {
    const size = Math.max(160, Math.min(PAD, Math.floor(padBox.clientWidth)));
    pad.style.setProperty("--size", `${size}px`);
    const planeWidth = Math.max(200, Math.floor(planeBox.clientWidth));
    plane.resize(planeWidth, Math.round(Math.min(420, Math.max(220, planeWidth * 0.8))));
    planeDirty = true;
    work.invalidate();
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

  fig.on(pad, "pointerdown", (event) => {
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
    inputChanged();
  });
  fig.on(pad, "pointermove", (event) => {
    if (!stroke || event.pointerId !== stroke.pointerId) return;
    const events = event.getCoalescedEvents?.() || [];
    for (const e of events.length ? events : [event]) {
      const point = padPoint(e);
      line(stroke.point, point);
      stroke.point = point;
    }
    inputChanged();
  });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    fig.on(pad, type, (event) => {
      if (stroke && event.pointerId === stroke.pointerId) stroke = null;
    });
  }

  if (clearButton) fig.on(clearButton, "click", clearAll);
  if (select) {
    fig.on(select, "change", () => {
      if (select.value === "") clearAll();
      else setSource({ kind: "digit", index: Number(select.value) });
    });
  }
  const redraw = () => {
    planeDirty = true;
    work.invalidate();
  };
  onThemeChange(redraw, fig.signal);
  fig.onResume(redraw);
  fig.observeResize(root, relayout);

  clearPad();
  paintBlank(output, width, height);
  relayout();
  updateText();
  await whenIdle();

  fig.expose({
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
      inputChanged();
      await whenIdle();
      return ok;
    },
    digits,
    domain: config.domain,
    extent: config.extent,
  });
  return fig;
}
