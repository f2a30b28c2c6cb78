// decoder-sampler: a probe on the code plane and the decoder's image at it.
//
// The plane shows the data's 2-D codes (dots tinted by class). Pointer,
// touch and keyboard move a probe; the decoder runs in the page (TF.js) and
// paints the 28 x 28 image at the probe, beside the real digits whose codes
// are nearest. A second probe (Shift-click or the "Second probe" button) adds
// a strip of images decoded along the straight line between the two.
// Moves are coalesced into one decode per animation frame.

import { frameScheduler } from "../../lib/decoder-frame.js";
import { announcer } from "../../lib/announce.js";
import { createAtlas } from "../../lib/decoder-atlas.js";
import { formatCode, loadPoints, majority, nearest } from "../../lib/decoder-data.js";
import { acquireModel, predict, tfBackendState, tfState, useBackend } from "../../lib/decoder-model.js";
import { imageCanvas, paintBlank, paintGray, readGray } from "../../lib/decoder-paint.js";
import { createPlane, drawMarker } from "../../lib/decoder-plane.js";
import { capture, keyMove, pointerCode } from "../../lib/plane-input.js";
import { classLegend, useDecoderStyles } from "../../lib/decoder-style.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";

const FINE = 1 / 60; // arrow key step, as a fraction of the axis
const COARSE = 1 / 10; // Shift+arrow, PageUp/PageDown
const ANNOUNCE_DELAY_MS = 450;
const OUTPUT_SIZE = 140; // CSS px of the decoded image
const NEIGHBOUR_SIZE = 40;
const STRIP_SIZE = 52;
const REQUIRED = ["decoder", "positions", "labels", "atlas", "count", "code_from_q", "domain", "image"];

function validate(config) {
  for (const key of REQUIRED) {
    if (config[key] === undefined) throw new Error(`decoder-sampler needs config.${key}`);
  }
  if (!(config.domain.x[1] > config.domain.x[0] && config.domain.y[1] > config.domain.y[0])) {
    throw new Error("decoder-sampler config.domain must be increasing ranges");
  }
}

function span(domain) {
  return [domain.x[1] - domain.x[0], domain.y[1] - domain.y[0]];
}

export async function mount(el, config) {
  validate(config);
  const releaseStyles = useDecoderStyles();
  const [modelResult, pointsResult] = await Promise.allSettled([
    acquireModel(new URL(config.decoder, config.base).href),
    loadPoints(config),
  ]);
  if (modelResult.status === "rejected" || pointsResult.status === "rejected") {
    if (modelResult.status === "fulfilled") modelResult.value.release();
    releaseStyles();
    throw (modelResult.reason || pointsResult.reason);
  }
  const { model, release: releaseModel } = modelResult.value;
  const { codes, labels, count } = pointsResult.value;
  const [height, width] = config.image;
  const pixels = width * height;
  const steps = config.steps ?? 8;
  const k = config.neighbours ?? 5;
  const colors = config.colors;
  const classes = config.classes ?? colors.map((_, i) => String(i));
  const [spanX, spanY] = span(config.domain);
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const live = el.querySelector(".figure-live") || el;
  const controls = el.querySelector("[data-decoder-controls]");
  const secondButton = el.querySelector("[data-action='second-probe']");
  const clearButton = el.querySelector("[data-action='clear-second']");

  // DOM
  const root = document.createElement("div");
  root.className = "decoder-figure decoder-sampler";
  const planeBox = document.createElement("div");
  planeBox.className = "decoder-plane";
  const planeCanvas = document.createElement("canvas");
  planeCanvas.tabIndex = 0;
  planeCanvas.dataset.interactive = "";
  planeCanvas.setAttribute("role", "application");
  planeCanvas.setAttribute("aria-roledescription", "code plane");
  planeCanvas.setAttribute("aria-label",
    `Code plane with ${count.toLocaleString("en")} digits as dots coloured by class, and a probe. ` +
    "Arrow keys move the probe; Shift with an arrow, or Page Up and Page Down, move it further. " +
    "Press B to move a second probe, Escape to remove it.");
  const hint = document.createElement("p");
  hint.className = "decoder-caption";
  hint.textContent = "Click or drag on the plane, or focus it and use the arrow keys. Shift-click places a second probe.";
  planeBox.append(planeCanvas, hint);

  const panel = document.createElement("div");
  panel.className = "decoder-panel";
  const outputTitle = document.createElement("p");
  outputTitle.className = "decoder-caption";
  const output = imageCanvas("decoder-output", OUTPUT_SIZE, "The decoder's image at the probe");
  const readout = document.createElement("p");
  readout.className = "decoder-readout";
  readout.id = `${config.id || "decoder"}-readout`;
  planeCanvas.setAttribute("aria-describedby", readout.id);
  const neighboursTitle = document.createElement("p");
  neighboursTitle.className = "decoder-caption";
  neighboursTitle.textContent = `The ${k} real digits with the nearest codes`;
  const neighbourList = document.createElement("ul");
  neighbourList.className = "decoder-row decoder-neighbours";
  neighbourList.setAttribute("aria-label", "Labels of the real digits nearest to the probe");
  const neighbourCells = Array.from({ length: k }, () => {
    const item = document.createElement("li");
    const canvas = imageCanvas("decoder-neighbour", NEIGHBOUR_SIZE);
    const text = document.createElement("span");
    item.append(canvas, text);
    neighbourList.append(item);
    return { canvas, text };
  });
  panel.append(outputTitle, output, readout, neighboursTitle, neighbourList);

  const strip = document.createElement("div");
  strip.className = "decoder-strip";
  strip.hidden = true;
  const stripTitle = document.createElement("p");
  stripTitle.className = "decoder-caption";
  stripTitle.textContent = `From probe A to probe B: ${steps} images decoded at evenly spaced codes on the line between them`;
  const stripList = document.createElement("ul");
  stripList.className = "decoder-row";
  const stripCells = Array.from({ length: steps }, (_, i) => {
    const item = document.createElement("li");
    const canvas = imageCanvas("decoder-step", STRIP_SIZE);
    const text = document.createElement("span");
    text.textContent = i === 0 ? "A" : i === steps - 1 ? "B" : "\u00a0";
    item.append(canvas, text);
    stripList.append(item);
    return canvas;
  });
  strip.append(stripTitle, stripList);
  root.append(planeBox, panel, strip, classLegend(classes, colors));
  live.append(root);
  if (controls) controls.style.display = ""; // shown only while the figure is live
  paintBlank(output, width, height);

  // state
  const plane = createPlane(planeCanvas, { domain: config.domain, codes, labels, colors });
  const atlas = createAtlas(config.atlas, config.base, count);
  const probes = { a: plane.clampCode(...(config.initial || [0, 0])), b: null };
  let active = "a";
  let neighbours = [];
  let lastOutput = new Float32Array(pixels);
  let paused = false;
  const frames = frameScheduler(tick); // tick is hoisted
  let destroyed = false;
  let decodeDirty = true;
  let planeDirty = true;
  let busy = false;
  let announceTimer = 0;
  let decodes = 0; // decoder runs, for tests of move coalescing
  let dragging = null; // {pointerId, which}
  const idleWaiters = [];

  function updateNeighbours() {
    const [x, y] = probes[active];
    neighbours = nearest(codes, x, y, k);
    paintNeighbours();
  }

  function paintNeighbours() {
    neighbourCells.forEach((cell, i) => {
      const index = neighbours[i];
      if (index === undefined) return;
      atlas.paint(cell.canvas, index);
      cell.text.textContent = classes[labels[index]] ?? String(labels[index]);
    });
  }

  function describe(which) {
    const [x, y] = probes[which];
    return `z\u2081 ${formatCode(x, spanX)}, z\u2082 ${formatCode(y, spanY)}`;
  }

  function updateText() {
    const name = probes.b ? `probe ${active.toUpperCase()}` : "the probe";
    outputTitle.textContent = `The decoder's image at ${name}`;
    readout.textContent = probes.b
      ? `A: ${describe("a")}\nB: ${describe("b")}`
      : describe("a");
  }

  function scheduleAnnouncement() {
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      const top = majority(labels, neighbours);
      const near = top ? ` Nearest real digits: ${top.n} of ${neighbours.length} are ${classes[top.label]}s.` : "";
      say(`${probes.b ? `Probe ${active.toUpperCase()}` : "Probe"} at ${describe(active)}.${near}`);
    }, ANNOUNCE_DELAY_MS);
  }

  function setProbe(which, code, { announce = true } = {}) {
    if (which === "b" && !probes.b) strip.hidden = false;
    probes[which] = plane.clampCode(code[0], code[1]);
    active = which;
    updateNeighbours();
    updateText();
    syncButtons();
    decodeDirty = planeDirty = true;
    if (announce) scheduleAnnouncement();
    request();
  }

  function defaultSecond() {
    // Mirror A through the middle of the plane, far enough to show a change
    // (or a quarter of the plane away when A sits near the middle).
    const [x, y] = probes.a;
    const dx = x - (config.domain.x[0] + config.domain.x[1]) / 2;
    const dy = y - (config.domain.y[0] + config.domain.y[1]) / 2;
    const far = Math.hypot(dx / spanX, dy / spanY) > 0.1;
    return far ? [x - 1.8 * dx, y - 1.8 * dy] : [x + spanX / 4, y + spanY / 4];
  }

  function clearSecond() {
    probes.b = null;
    active = "a";
    strip.hidden = true;
    updateNeighbours();
    updateText();
    syncButtons();
    decodeDirty = planeDirty = true;
    say("Second probe removed.");
    request();
  }

  function syncButtons() {
    if (secondButton) secondButton.setAttribute("aria-pressed", String(active === "b"));
    if (clearButton) clearButton.disabled = !probes.b;
  }

  // drawing and decoding, at most once per frame
  // Nothing animates while paused (off screen); work asked for then (a test
  // hook, a theme change) still runs once, from a timeout instead of a frame.
  function request() {
    if (!destroyed) frames.request(paused);
  }

  function tick() {
    if (planeDirty) drawPlane();
    if (decodeDirty && !busy) decode();
    else checkIdle();
  }

  function drawPlane() {
    planeDirty = false;
    const theme = readTheme(el);
    plane.draw(theme, (ctx) => {
      const a = plane.toPixel(...probes.a);
      if (probes.b) {
        const b = plane.toPixel(...probes.b);
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = theme.fg;
        ctx.beginPath();
        ctx.moveTo(...a);
        ctx.lineTo(...b);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = theme.fg;
        for (let i = 1; i < steps - 1; i += 1) {
          const t = i / (steps - 1);
          ctx.beginPath();
          ctx.arc(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), 2.5, 0, 2 * Math.PI);
          ctx.fill();
        }
        drawMarker(ctx, ...b, theme, { shape: "square", text: "B" });
      }
      drawMarker(ctx, ...a, theme, { text: probes.b ? "A" : "" });
    });
  }

  async function decode() {
    decodeDirty = false;
    busy = true;
    decodes += 1;
    const rows = probes.b ? 1 + steps : 1;
    const input = new Float32Array(2 * rows);
    input.set(probes[active], 0);
    if (probes.b) {
      for (let i = 0; i < steps; i += 1) {
        const t = i / (steps - 1);
        input[2 + 2 * i] = probes.a[0] + t * (probes.b[0] - probes.a[0]);
        input[3 + 2 * i] = probes.a[1] + t * (probes.b[1] - probes.a[1]);
      }
    }
    try {
      const values = await predict(model, input, rows, [2]);
      if (destroyed) return;
      lastOutput = values.slice(0, pixels);
      paintGray(output, values, width, height, 0);
      if (probes.b) stripCells.forEach((canvas, i) => paintGray(canvas, values, width, height, (1 + i) * pixels));
    } catch (error) {
      console.error("decoder-sampler: decoding failed", error);
    } finally {
      busy = false;
    }
    if (decodeDirty) request();
    else checkIdle();
  }

  function checkIdle() {
    if (decodeDirty || busy || frames.pending || planeDirty) return;
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
    const room = Math.floor((root.clientWidth - 6 * (steps - 1)) / steps);
    const stripSize = Math.max(28, Math.min(STRIP_SIZE, room));
    for (const canvas of stripCells) canvas.style.setProperty("--size", `${stripSize}px`);
    const width = Math.max(200, Math.floor(planeBox.clientWidth));
    const height = Math.round(Math.min(440, Math.max(220, width * 0.78)));
    plane.resize(width, height);
    planeDirty = true;
    request();
  }

  // events
  planeCanvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    const which = event.shiftKey ? "b" : probes.b ? active : "a";
    dragging = { pointerId: event.pointerId, which };
    capture(planeCanvas, event.pointerId);
    planeCanvas.focus({ preventScroll: true });
    setProbe(which, pointerCode(plane, planeCanvas, event));
  }, { signal });
  planeCanvas.addEventListener("pointermove", (event) => {
    if (!dragging || event.pointerId !== dragging.pointerId) return;
    setProbe(dragging.which, pointerCode(plane, planeCanvas, event));
  }, { signal });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    planeCanvas.addEventListener(type, (event) => {
      if (dragging && event.pointerId === dragging.pointerId) dragging = null;
    }, { signal });
  }

  planeCanvas.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = keyMove(event, FINE, COARSE);
    if (move) {
      event.preventDefault();
      const [x, y] = probes[active];
      setProbe(active, [x + move[0] * spanX, y + move[1] * spanY]);
    } else if (event.key === "b" || event.key === "B") {
      event.preventDefault();
      toggleSecond();
    } else if (event.key === "Escape" && probes.b) {
      event.preventDefault();
      clearSecond();
    }
  }, { signal });

  function toggleSecond() {
    if (active === "b") {
      active = "a";
      setProbe("a", probes.a);
    } else {
      setProbe("b", probes.b || defaultSecond());
    }
  }
  secondButton?.addEventListener("click", toggleSecond, { signal });
  clearButton?.addEventListener("click", () => {
    clearSecond();
    planeCanvas.focus({ preventScroll: true });
  }, { signal });

  onThemeChange(() => {
    planeDirty = true;
    request();
  }, signal);
  const resizeObserver = new ResizeObserver(relayout);
  resizeObserver.observe(planeBox);
  resizeObserver.observe(root);
  atlas.ready.then(() => {
    if (!destroyed) paintNeighbours();
  }, (error) => {
    if (!destroyed) console.warn(`decoder-sampler: ${error.message}; nearest digits are not shown`);
  });

  relayout();
  updateNeighbours();
  updateText();
  syncButtons();
  await whenIdle();

  el.__figure = {
    setProbe(x, y, which = "a") {
      setProbe(which, [x, y], { announce: false });
      return whenIdle();
    },
    clearSecond() {
      if (probes.b) clearSecond();
      return whenIdle();
    },
    probes: () => ({ a: [...probes.a], b: probes.b && [...probes.b], active }),
    output: () => Array.from(lastOutput),
    pixels: () => Array.from(readGray(output)),
    stripPixels: () => stripCells.map((canvas) => Array.from(readGray(canvas))),
    neighbours: () => [...neighbours],
    stats: () => ({ decodes }),
    atlasReady: () => atlas.ready.then(() => true),
    whenIdle,
    tf: tfState,
    async useBackend(name) {
      const ok = await useBackend(name);
      decodeDirty = true;
      await whenIdle();
      return ok;
    },
    backendState: tfBackendState,
    /** Milliseconds of `runs` single-code decodes (input to pixels read back), after `warmup` untimed ones. */
    async predictTimes(runs = 30, warmup = 0) {
      const times = [];
      for (let i = 0; i < warmup + runs; i += 1) {
        const start = performance.now();
        await predict(model, new Float32Array(probes.a), 1, [2]);
        if (i >= warmup) times.push(performance.now() - start);
      }
      return times;
    },
    async timePredict(runs = 30) {
      const times = (await el.__figure.predictTimes(runs)).sort((p, q) => p - q);
      return times[Math.floor(times.length / 2)];
    },
    domain: config.domain,
    plot: () => plane.plot,
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
      releaseModel();
      root.remove();
      if (controls) controls.style.display = "none";
      releaseStyles();
      delete el.__figure;
      for (const resolve of idleWaiters.splice(0)) resolve();
      say("");
    },
  };
}
