// zoo-latent: the VAE's latent plane, decoded live under the pointer.
//
// The test images' 2-D codes are dots tinted by class. Hovering, touching or
// focusing the plane (then the arrow keys) moves a probe; the exported TF.js
// decoder draws the image at the probe beside the plane, with its coordinates
// and the classes of the nearest test images. One decode per frame at most.

import * as tf from "@tensorflow/tfjs";
import { announcer } from "../../lib/announce.js";
import { formatCode, loadPoints, majority, nearest } from "../../lib/decoder-data.js";
import { acquireModel, predict, tfState } from "../../lib/decoder-model.js";
import { imageCanvas, paintBlank, paintGray, readGray } from "../../lib/decoder-paint.js";
import { createPlane, drawMarker } from "../../lib/decoder-plane.js";
import { capture, keyMove, pointerCode } from "../../lib/plane-input.js";
import { classLegend, useDecoderStyles } from "../../lib/decoder-style.js";
import { chooseBackend } from "../../lib/tf-backend.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { workLoop } from "../../lib/zoo-live-loop.js";
import { useZooStyles } from "../../lib/zoo-live-style.js";

const FINE = 1 / 50; // arrow key step, as a fraction of the axis
const COARSE = 1 / 10; // Shift+arrow, PageUp/PageDown
const ANNOUNCE_DELAY_MS = 450;
const OUTPUT_SIZE = 140;
const OUTPUT_SIZE_NARROW = 96;
const NARROW = 560; // px of the figure below which the panel sits above the plane
const NEIGHBOURS = 7;

function validate(config) {
  for (const key of ["decoder", "positions", "labels", "count", "code_from_q", "domain", "image", "classes", "colors"]) {
    if (config[key] === undefined) throw new Error(`zoo-latent needs config.${key}`);
  }
  if (!(config.domain.x[1] > config.domain.x[0] && config.domain.y[1] > config.domain.y[0])) {
    throw new Error("zoo-latent config.domain must be increasing ranges");
  }
}

function plural(name, n) {
  if (n === 1 || name.includes("/")) return name;
  return /(s|sh|ch|x)$/i.test(name) ? `${name}es` : `${name}s`;
}

export async function mount(el, config) {
  validate(config);
  await chooseBackend(tf);
  const releaseStyles = [useDecoderStyles(), useZooStyles()];
  const [modelResult, pointsResult] = await Promise.allSettled([
    acquireModel(new URL(config.decoder, config.base).href),
    loadPoints(config),
  ]);
  if (modelResult.status === "rejected" || pointsResult.status === "rejected") {
    if (modelResult.status === "fulfilled") modelResult.value.release();
    releaseStyles.forEach((release) => release());
    throw (modelResult.reason || pointsResult.reason);
  }
  const { model, release: releaseModel } = modelResult.value;
  const { codes, labels, count } = pointsResult.value;
  const [height, width] = config.image;
  const { classes, colors, domain } = config;
  const spanX = domain.x[1] - domain.x[0];
  const spanY = domain.y[1] - domain.y[0];
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const live = el.querySelector(".figure-live") || el;

  // DOM
  const root = document.createElement("div");
  root.className = "decoder-figure zoo-live zoo-latent";
  const planeBox = document.createElement("div");
  planeBox.className = "decoder-plane";
  const planeCanvas = document.createElement("canvas");
  planeCanvas.tabIndex = 0;
  planeCanvas.dataset.interactive = "";
  planeCanvas.setAttribute("role", "application");
  planeCanvas.setAttribute("aria-roledescription", "latent plane");
  planeCanvas.setAttribute("aria-label",
    `Latent plane of the variational autoencoder with ${count.toLocaleString("en")} ${config.dataset || ""} test ` +
    "images as dots coloured by class, and a probe decoded into an image. Arrow keys move the probe; " +
    "Shift with an arrow, or Page Up and Page Down, move it further.");
  const hint = document.createElement("p");
  hint.className = "decoder-caption";
  hint.textContent = "Hover, tap or drag on the plane, or focus it and use the arrow keys.";
  planeBox.append(planeCanvas, hint);

  const panel = document.createElement("div");
  panel.className = "decoder-panel";
  const outputTitle = document.createElement("p");
  outputTitle.className = "decoder-caption";
  outputTitle.textContent = "The decoder's image at the probe";
  const output = imageCanvas("decoder-output", OUTPUT_SIZE, "The decoder's image at the probe");
  const readout = document.createElement("p");
  readout.className = "decoder-readout";
  readout.id = `${config.id || "zoo-latent"}-readout`;
  const near = document.createElement("p");
  near.className = "decoder-caption";
  planeCanvas.setAttribute("aria-describedby", readout.id);
  const text = document.createElement("div");
  text.className = "zoo-latent__text";
  text.append(outputTitle, readout, near);
  panel.append(output, text);
  const legend = classLegend(classes, colors);
  legend.setAttribute("aria-label", "Dot colours by class");
  root.append(planeBox, panel, legend);
  live.append(root);
  paintBlank(output, width, height);

  // state
  const plane = createPlane(planeCanvas, { domain, codes, labels, colors });
  let probe = plane.clampCode(...(config.initial || [0, 0]));
  let lastOutput = new Float32Array(width * height);
  let neighbours = [];
  let paused = false;
  let destroyed = false;
  let planeDirty = true;
  let announceTimer = 0;
  let dragging = null;

  const loop = workLoop(async () => {
    if (planeDirty) drawPlane();
    const code = Float32Array.from(probe);
    const values = await predict(model, code, 1, [2]);
    if (destroyed) return;
    lastOutput = values;
    paintGray(output, values, width, height);
  }, () => paused);

  function describe([x, y]) {
    return `z\u2081 ${formatCode(x, spanX)}, z\u2082 ${formatCode(y, spanY)}`;
  }

  function nearText() {
    const top = majority(labels, neighbours);
    if (!top) return "";
    return `Nearest ${neighbours.length} test images: ${top.n} ${plural(classes[top.label], top.n)}`;
  }

  function setProbe(code, { announce = true } = {}) {
    probe = plane.clampCode(code[0], code[1]);
    neighbours = nearest(codes, probe[0], probe[1], NEIGHBOURS);
    readout.textContent = describe(probe);
    near.textContent = nearText();
    planeDirty = true;
    if (announce) {
      clearTimeout(announceTimer);
      announceTimer = setTimeout(() => say(`Probe at ${describe(probe)}. ${nearText()}.`), ANNOUNCE_DELAY_MS);
    }
    loop.invalidate();
  }

  function drawPlane() {
    planeDirty = false;
    const theme = readTheme(el);
    plane.draw(theme, (ctx) => drawMarker(ctx, ...plane.toPixel(...probe), theme));
  }

  function relayout() {
    // narrow screens: the decoded image goes above the plane, beside its read-out, so a
    // finger on the plane does not push it out of view
    const narrow = root.clientWidth < NARROW;
    if (narrow !== root.hasAttribute("data-narrow")) {
      root.toggleAttribute("data-narrow", narrow);
      output.style.setProperty("--size", `${narrow ? OUTPUT_SIZE_NARROW : OUTPUT_SIZE}px`);
    }
    const w = Math.max(200, Math.floor(planeBox.clientWidth));
    const h = Math.round(Math.min(440, Math.max(220, w * 0.8)));
    plane.resize(w, h);
    planeDirty = true;
    drawPlane();
  }

  // events: hover (mouse, pen) moves the probe; touch moves it on tap and drag
  planeCanvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    dragging = event.pointerId;
    capture(planeCanvas, event.pointerId);
    planeCanvas.focus({ preventScroll: true });
    setProbe(pointerCode(plane, planeCanvas, event));
  }, { signal });
  planeCanvas.addEventListener("pointermove", (event) => {
    if (dragging === event.pointerId || event.pointerType !== "touch") setProbe(pointerCode(plane, planeCanvas, event));
  }, { signal });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    planeCanvas.addEventListener(type, (event) => {
      if (dragging === event.pointerId) dragging = null;
    }, { signal });
  }
  planeCanvas.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = keyMove(event, FINE, COARSE);
    if (!move) return;
    event.preventDefault();
    setProbe([probe[0] + move[0] * spanX, probe[1] + move[1] * spanY]);
  }, { signal });
  planeCanvas.addEventListener("focus", () => say(`Probe at ${describe(probe)}. ${nearText()}.`), { signal });
  onThemeChange(() => {
    planeDirty = true;
    loop.invalidate();
  }, signal);
  const resizeObserver = new ResizeObserver(relayout);
  resizeObserver.observe(planeBox);
  resizeObserver.observe(root);

  relayout();
  setProbe(probe, { announce: false });
  await loop.whenIdle();

  el.__figure = {
    setProbe(x, y) {
      setProbe([x, y], { announce: false });
      return loop.whenIdle();
    },
    probe: () => [...probe],
    output: () => Array.from(lastOutput),
    pixels: () => Array.from(readGray(output)),
    neighbours: () => [...neighbours],
    stats: () => ({ decodes: loop.runs }),
    plot: () => plane.plot,
    domain,
    whenIdle: () => loop.whenIdle(),
    tf: tfState,
  };

  return {
    pause() {
      paused = true;
      loop.pause();
    },
    resume() {
      paused = false;
      planeDirty = true;
      loop.invalidate();
    },
    destroy() {
      destroyed = true;
      controller.abort();
      resizeObserver.disconnect();
      loop.destroy();
      clearTimeout(announceTimer);
      plane.destroy();
      releaseModel();
      root.remove();
      releaseStyles.forEach((release) => release());
      delete el.__figure;
      say("");
    },
  };
}
