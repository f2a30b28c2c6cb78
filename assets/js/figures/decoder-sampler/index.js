// decoder-sampler: a probe on the code plane and the decoder's image at it.
//
// The plane shows the data's 2-D codes (dots tinted by class; one colour and no
// legend for unlabelled data). Pointer, touch and keyboard move a probe; the
// decoder runs in the page (TF.js) and paints its image at the probe (gray or
// RGB, any size: config.image), beside the real images whose codes are nearest. A second probe (Shift-click or the "Second probe" button) adds
// a strip of images decoded along the straight line between the two.
// Moves are coalesced: the plane is drawn and the decoder run once per animation frame at most.

import { h } from "../../lib/figure.js";
import { formatPoint, majority, plural } from "../../lib/decoder-data.js";
import { predict, startPlaneFigure, tfBackendState, tfState, useBackend } from "../../lib/decoder-model.js";
import { imageCanvas, imageShape, paintBlank, paintImage, readImage } from "../../lib/decoder-paint.js";
import { classLegend, createPlane, drawMarker } from "../../lib/decoder-plane.js";
import { revealControls, speaker } from "../../lib/decoder-ui.js";
import { arrowKeys, followPointer } from "../../lib/plane-input.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { createAtlas } from "./atlas.js";

const FINE = 1 / 60; // arrow key step, as a fraction of the axis
const COARSE = 1 / 10; // Shift+arrow, PageUp/PageDown
const ANNOUNCE_DELAY_MS = 450;
const OUTPUT_SIZE = 140; // CSS px of the decoded image
const NEIGHBOUR_SIZE = 40;
const STRIP_SIZE = 52;
const REQUIRED = ["decoder", "positions", "labels", "atlas", "count", "code_from_q", "domain", "image"];

/**
 * Mount a decoder-sampler in `el` (the runtime's contract).
 * @param {HTMLElement} el @param {object} config the payload's config.json, with `base`
 * @returns {Promise<object>} the figure's handle ({pause, resume, destroy})
 */
export async function mount(el, config) {
  const { fig, model, points, spans } = await startPlaneFigure("decoder-sampler", el, config, REQUIRED);
  const { codes, labels, count, index: pointIndex } = points; // a grid over the codes, built once as they load
  const [height, width, channels] = imageShape(config.image);
  const pixels = width * height * channels; // values of one decoded image
  const aspect = width / height;
  const steps = config.steps ?? 8;
  const k = config.neighbours ?? 5;
  const colors = config.colors;
  const classes = config.classes ?? colors.map((_, i) => String(i));
  const labelled = Boolean(config.labels) && classes.length > 0;
  const noun = config.noun ?? "digits"; // what the data's images are called
  const voice = speaker(fig, ANNOUNCE_DELAY_MS);
  revealControls(fig, "[data-decoder-controls]");
  const secondButton = el.querySelector("[data-action='second-probe']");
  const clearButton = el.querySelector("[data-action='clear-second']");

  // DOM
  const planeCanvas = h("canvas", {
    tabindex: 0, "data-interactive": "", role: "application", "aria-roledescription": "code plane",
    "aria-label": `Code plane with ${count.toLocaleString("en")} ${noun} as dots${labelled ? " coloured by class" : ""}, and a probe. ` +
      "Arrow keys move the probe; Shift with an arrow, or Page Up and Page Down, move it further. " +
      "Press B to move a second probe, Escape to remove it.",
  });
  const planeBox = h("div", { class: "decoder-plane" }, planeCanvas, h("p", {
    class: "decoder-caption",
    text: "Click or drag on the plane, or focus it and use the arrow keys. Shift-click places a second probe.",
  }));
  const outputTitle = h("p", { class: "decoder-caption" });
  const output = imageCanvas("decoder-output", OUTPUT_SIZE, "The decoder's image at the probe", aspect);
  const readout = h("p", { class: "decoder-readout", id: `${config.id || "decoder"}-readout` });
  planeCanvas.setAttribute("aria-describedby", readout.id);
  const atlas = createAtlas(config.atlas, config.base, count, () => !fig.destroyed && paintNeighbours());
  fig.onDestroy(() => atlas.destroy());
  const neighbourCells = Array.from({ length: k }, () => ({
    canvas: imageCanvas("decoder-neighbour", NEIGHBOUR_SIZE, undefined, atlas.aspect),
    text: h("span"),
  }));
  const panel = h("div", { class: "decoder-panel" }, outputTitle, output, readout,
    h("p", { class: "decoder-caption", text: `The ${k} real ${noun} with the nearest codes` }),
    h("ul", {
      class: "decoder-row decoder-neighbours",
      "aria-label": labelled ? `Labels of the real ${noun} nearest to the probe` : `The real ${noun} nearest to the probe`,
    },
      neighbourCells.map(({ canvas, text }) => h("li", {}, canvas, text))));
  const stripCells = Array.from({ length: steps }, () => imageCanvas("decoder-step", STRIP_SIZE, undefined, aspect));
  const strip = h("div", { class: "decoder-strip", hidden: true },
    h("p", {
      class: "decoder-caption",
      text: `From probe A to probe B: ${steps} images decoded at evenly spaced codes on the line between them`,
    }),
    h("ul", { class: "decoder-row" }, stripCells.map((canvas, i) =>
      h("li", {}, canvas, h("span", { text: i === 0 ? "A" : i === steps - 1 ? "B" : "\u00a0" })))));
  const root = fig.add(h("div", { class: "decoder-figure decoder-sampler" },
    planeBox, panel, strip, labelled ? classLegend(classes, colors, `Dot colours by ${noun === "digits" ? "digit " : ""}class`) : null));
  paintBlank(output, width, height);

  // state
  const plane = createPlane(planeCanvas, { domain: config.domain, codes, labels, colors });
  fig.onDestroy(() => plane.destroy());
  const probes = { a: plane.clampCode(...(config.initial || [0, 0])), b: null };
  let active = "a";
  let neighbours = [];
  let lastOutput = new Float32Array(pixels);
  // the plane and the decoder, each at most once per frame; the marker follows
  // the pointer even while a decode is in flight
  const planeDraw = fig.scheduler(drawPlane);
  const decoder = fig.scheduler(decode);
  const whenIdle = () => Promise.all([planeDraw.whenIdle(), decoder.whenIdle()]).then(() => undefined);

  function updateNeighbours() {
    neighbours = pointIndex.nearest(...probes[active], k);
    atlas.want(neighbours); // a streamed atlas: their tiles
    paintNeighbours();
  }

  function paintNeighbours() {
    neighbourCells.forEach((cell, i) => {
      const index = neighbours[i];
      if (index === undefined) return;
      atlas.paint(cell.canvas, index);
      cell.text.textContent = labelled ? classes[labels[index]] ?? String(labels[index]) : "";
    });
  }

  function describe(which) {
    return formatPoint(probes[which], spans);
  }

  function updateText() {
    const name = probes.b ? `probe ${active.toUpperCase()}` : "the probe";
    outputTitle.textContent = `The decoder's image at ${name}`;
    readout.textContent = probes.b
      ? `A: ${describe("a")}\nB: ${describe("b")}`
      : describe("a");
  }

  function announcement() {
    const top = labelled && majority(labels, neighbours);
    const near = top ? ` Nearest real ${noun}: ${top.n} of ${neighbours.length} are ${plural(classes[top.label], 2)}.` : "";
    return `${probes.b ? `Probe ${active.toUpperCase()}` : "Probe"} at ${describe(active)}.${near}`;
  }

  // Every change of the probes goes through here: text, buttons, then one redraw and decode.
  function changed() {
    updateNeighbours();
    updateText();
    if (secondButton) secondButton.setAttribute("aria-pressed", String(active === "b"));
    if (clearButton) clearButton.disabled = !probes.b;
    planeDraw.invalidate();
    decoder.invalidate();
  }

  function setProbe(which, code, { announce = true } = {}) {
    if (which === "b" && !probes.b) strip.hidden = false;
    probes[which] = plane.clampCode(code[0], code[1]);
    active = which;
    changed();
    if (announce) voice.later(announcement);
  }

  function defaultSecond() {
    // Mirror A through the middle of the plane, far enough to show a change
    // (or a quarter of the plane away when A sits near the middle).
    const [x, y] = probes.a;
    const dx = x - (config.domain.x[0] + config.domain.x[1]) / 2;
    const dy = y - (config.domain.y[0] + config.domain.y[1]) / 2;
    const far = Math.hypot(dx / spans[0], dy / spans[1]) > 0.1;
    return far ? [x - 1.8 * dx, y - 1.8 * dy] : [x + spans[0] / 4, y + spans[1] / 4];
  }

  function clearSecond() {
    probes.b = null;
    active = "a";
    strip.hidden = true;
    changed();
    voice.say("Second probe removed.");
  }

  function toggleSecond() {
    if (active === "b") {
      active = "a";
      setProbe("a", probes.a);
    } else {
      setProbe("b", probes.b || defaultSecond());
    }
  }

  function drawPlane() {
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

  // One batch: the image at the active probe, then (with two probes) the strip from A to B.
  async function decode() {
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
    const values = await predict(model, input, rows, [2]);
    if (fig.destroyed) return;
    lastOutput = values.slice(0, pixels);
    paintImage(output, values, width, height, channels, 0);
    if (probes.b) stripCells.forEach((canvas, i) => paintImage(canvas, values, width, height, channels, (1 + i) * pixels));
  }

  function relayout() {
    const room = Math.floor((root.clientWidth - 6 * (steps - 1)) / steps);
    const stripSize = Math.max(28, Math.min(STRIP_SIZE, room));
    for (const canvas of stripCells) canvas.style.setProperty("--size", `${stripSize}px`);
    const planeWidth = Math.max(200, Math.floor(planeBox.clientWidth));
    plane.resize(planeWidth, Math.round(Math.min(440, Math.max(220, planeWidth * 0.78))));
    planeDraw.invalidate();
  }

  // events
  followPointer(fig, plane, planeCanvas, {
    pick: (event) => (event.shiftKey ? "b" : probes.b ? active : "a"),
    move: (code, which) => setProbe(which, code),
  });
  arrowKeys(fig, planeCanvas, {
    spans, fine: FINE, coarse: COARSE,
    step: ([dx, dy]) => setProbe(active, [probes[active][0] + dx, probes[active][1] + dy]),
    other(event) {
      if (event.key === "b" || event.key === "B") toggleSecond();
      else if (event.key === "Escape" && probes.b) clearSecond();
      else return false;
      return true;
    },
  });
  if (secondButton) fig.on(secondButton, "click", toggleSecond);
  if (clearButton) {
    fig.on(clearButton, "click", () => {
      clearSecond();
      planeCanvas.focus({ preventScroll: true });
    });
  }
  onThemeChange(() => planeDraw.invalidate(), fig.signal);
  fig.onResume(() => planeDraw.invalidate());
  fig.observeResize(planeBox, relayout);
  fig.observeResize(root, relayout);
  atlas.ready.then(() => {
    if (!fig.destroyed) paintNeighbours();
  }, (error) => {
    if (!fig.destroyed) console.warn(`decoder-sampler: ${error.message}; nearest digits are not shown`);
  });

  relayout();
  changed();
  await whenIdle();

  fig.expose({
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
    /** The painted image's levels, row-major, `channels` a pixel (as expected.u8). */
    pixels: () => Array.from(readImage(output, channels)),
    stripPixels: () => stripCells.map((canvas) => Array.from(readImage(canvas, channels))),
    neighbours: () => [...neighbours],
    stats: () => ({ decodes: decoder.runs }),
    atlasReady: () => atlas.ready.then(() => true),
    /** A streamed atlas's tiles: {wanted, loadedInView, loading, loaded, failed}; null when not streamed. */
    tiles: () => atlas.tiles(),
    whenIdle,
    tf: tfState,
    async useBackend(name) {
      const ok = await useBackend(name);
      decoder.invalidate();
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
  });
  return fig;
}
