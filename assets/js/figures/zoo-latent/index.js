// zoo-latent: a model's latent plane (the zoo's VAE by default), decoded live under the pointer.
//
// The test images' 2-D codes are dots tinted by class (one colour and no
// legend for unlabelled data); the decoder's images are gray or RGB, any size
// (config.image). Hovering, touching or
// focusing the plane (then the arrow keys) moves a probe; the exported TF.js
// decoder draws the image at the probe beside the plane, with its coordinates
// and the classes of the nearest test images. One decode per frame at most.

import { h } from "../../lib/figure.js";
import { formatPoint, majority, plural } from "../../lib/decoder-data.js";
import { predict, startPlaneFigure, tfState } from "../../lib/decoder-model.js";
import { imageCanvas, imageShape, paintBlank, paintImage, readImage } from "../../lib/decoder-paint.js";
import { classLegend, createPlane, drawMarker } from "../../lib/decoder-plane.js";
import { speaker } from "../../lib/decoder-ui.js";
import { arrowKeys, followPointer } from "../../lib/plane-input.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";

const FINE = 1 / 50; // arrow key step, as a fraction of the axis
const COARSE = 1 / 10; // Shift+arrow, PageUp/PageDown
const ANNOUNCE_DELAY_MS = 450;
const OUTPUT_SIZE = 140;
const OUTPUT_SIZE_NARROW = 96;
const NARROW = 560; // px of the figure below which the panel sits above the plane
const NEIGHBOURS = 7;
const REQUIRED = ["decoder", "positions", "labels", "count", "code_from_q", "domain", "image", "classes", "colors"];

/**
 * Mount a zoo-latent in `el` (the runtime's contract).
 * @param {HTMLElement} el @param {object} config the payload's config.json, with `base`
 * @returns {Promise<object>} the figure's handle ({pause, resume, destroy})
 */
export async function mount(el, config) {
  const { fig, model, points, spans } = await startPlaneFigure("zoo-latent", el, config, REQUIRED);
  const { codes, labels, count, index: pointIndex } = points; // a grid over the codes, built once as they load
  const [height, width, channels] = imageShape(config.image);
  const { classes, colors, domain } = config;
  const labelled = Boolean(config.labels) && classes.length > 0;
  const family = config.family ?? "variational autoencoder";
  const voice = speaker(fig, ANNOUNCE_DELAY_MS);

  // DOM
  const planeCanvas = h("canvas", {
    tabindex: 0, "data-interactive": "", role: "application", "aria-roledescription": "latent plane",
    "aria-label": `Latent plane of the ${family} with ${count.toLocaleString("en")} ` +
      `${config.dataset || ""} test images as dots${labelled ? " coloured by class" : ""}, and a probe decoded into an image. ` +
      "Arrow keys move the probe; Shift with an arrow, or Page Up and Page Down, move it further.",
  });
  const planeBox = h("div", { class: "decoder-plane" }, planeCanvas,
    h("p", { class: "decoder-caption", text: "Hover, tap or drag on the plane, or focus it and use the arrow keys." }));
  const output = imageCanvas("decoder-output", OUTPUT_SIZE, "The decoder's image at the probe", width / height);
  const readout = h("p", { class: "decoder-readout", id: `${config.id || "zoo-latent"}-readout` });
  const near = h("p", { class: "decoder-caption" });
  planeCanvas.setAttribute("aria-describedby", readout.id);
  const text = h("div", { class: "zoo-latent__text" },
    h("p", { class: "decoder-caption", text: "The decoder's image at the probe" }), readout, near);
  const root = fig.add(h("div", { class: "decoder-figure zoo-live zoo-latent" },
    planeBox, h("div", { class: "decoder-panel" }, output, text),
    labelled ? classLegend(classes, colors, "Dot colours by class") : null));
  paintBlank(output, width, height);

  // state
  const plane = createPlane(planeCanvas, { domain, codes, labels, colors });
  fig.onDestroy(() => plane.destroy());
  let probe = plane.clampCode(...(config.initial || [0, 0]));
  let lastOutput = new Float32Array(width * height * channels);
  let neighbours = [];
  let planeDirty = true;

  const loop = fig.scheduler(async () => {
    if (planeDirty) drawPlane();
    const values = await predict(model, Float32Array.from(probe), 1, [2]);
    if (fig.destroyed) return;
    lastOutput = values;
    paintImage(output, values, width, height, channels);
  });

  function nearText() {
    const top = labelled && majority(labels, neighbours);
    if (!top) return "";
    return `Nearest ${neighbours.length} test images: ${top.n} ${plural(classes[top.label], top.n)}`;
  }

  const announcement = () => `Probe at ${formatPoint(probe, spans)}.${labelled ? ` ${nearText()}.` : ""}`;

  function setProbe(code, { announce = true } = {}) {
    probe = plane.clampCode(code[0], code[1]);
    neighbours = pointIndex.nearest(probe[0], probe[1], NEIGHBOURS);
    readout.textContent = formatPoint(probe, spans);
    near.textContent = nearText();
    planeDirty = true;
    if (announce) voice.later(announcement);
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
    const planeWidth = Math.max(200, Math.floor(planeBox.clientWidth));
    plane.resize(planeWidth, Math.round(Math.min(440, Math.max(220, planeWidth * 0.8))));
    drawPlane();
  }

  function redraw() {
    planeDirty = true;
    loop.invalidate();
  }

  // events: hover (mouse, pen) moves the probe; touch moves it on tap and drag
  followPointer(fig, plane, planeCanvas, { hover: true, move: (code) => setProbe(code) });
  arrowKeys(fig, planeCanvas, {
    spans, fine: FINE, coarse: COARSE,
    step: ([dx, dy]) => setProbe([probe[0] + dx, probe[1] + dy]),
  });
  fig.on(planeCanvas, "focus", () => voice.say(announcement()));
  onThemeChange(redraw, fig.signal);
  fig.onResume(redraw);
  fig.observeResize(planeBox, relayout);
  fig.observeResize(root, relayout);

  relayout();
  setProbe(probe, { announce: false });
  await loop.whenIdle();

  fig.expose({
    setProbe(x, y) {
      setProbe([x, y], { announce: false });
      return loop.whenIdle();
    },
    probe: () => [...probe],
    output: () => Array.from(lastOutput),
    /** The painted image's levels, row-major, `channels` a pixel. */
    pixels: () => Array.from(readImage(output, channels)),
    neighbours: () => [...neighbours],
    stats: () => ({ decodes: loop.runs }),
    plot: () => plane.plot,
    domain,
    whenIdle: () => loop.whenIdle(),
    tf: tfState,
  });
  return fig;
}
